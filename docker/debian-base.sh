#!/usr/bin/env bash
# Makes the Debian 12 base image localhost/debian:bookworm for podman without
# a registry: debootstrap --variant=minbase from the mirror apt on this
# machine already uses, with the same apt sources (so updates and security
# fixes come from there too), imported with `podman import`.
#
#   bash docker/debian-base.sh [image-name]
set -euo pipefail
IMAGE=${1:-localhost/debian:bookworm}

if podman image exists "$IMAGE"; then
  echo "debian-base: $IMAGE exists"
  exit 0
fi

# The first Debian mirror in this machine's apt configuration (deb822 or
# one-line format), for the bookworm main suite.
mirror=$(
  { grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
    grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'
  } | grep -v -- '-security' | head -n1
)
[ -n "$mirror" ] || { echo "debian-base: no Debian mirror in /etc/apt" >&2; exit 1; }

root=$(mktemp -d /var/tmp/samvei-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "debian-base: debootstrap bookworm from $mirror (about a minute)"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
  tail -n 20 "$root.log" >&2
  rm -f "$root.log"
  exit 1
}
rm -f "$root.log"
# Same sources as the host: bookworm, bookworm-updates and security.
debian_sources=$(grep -lsE '^Suites:.*bookworm' /etc/apt/sources.list.d/*.sources || true)
if [ -n "$debian_sources" ]; then
  cp $debian_sources "$root/etc/apt/sources.list.d/"
  : >"$root/etc/apt/sources.list"
fi
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | podman import --change 'CMD ["/bin/bash"]' - "$IMAGE" >/dev/null
echo "debian-base: imported $IMAGE"
