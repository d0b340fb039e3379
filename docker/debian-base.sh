#!/usr/bin/env bash
# Makes the Debian 12 base image localhost/debian:bookworm for podman without
# a registry: debootstrap --variant=minbase from the mirror apt on this
# machine already uses, with the same apt sources (so updates and security
# fixes come from there too), imported with `podman import`.
#
#   bash docker/debian-base.sh [image-name]
#
# SAMVEI_APT_DIR (default /etc/apt) is where the apt sources are read;
# SAMVEI_DEBIAN_BASE_MIRROR_ONLY=1 only prints the mirror it would use
# (tests/scripts/debian_base.sh checks both apt layouts with it).
set -euo pipefail
IMAGE=${1:-localhost/debian:bookworm}

# The first Debian mirror in this machine's apt configuration (deb822 or
# one-line format), for the bookworm main suite.
# Either layout may be absent (a deb822-only machine has no sources.list), so
# a grep that finds nothing is not a failure here: `|| true` keeps pipefail
# and set -e from ending the script without a word.
APT_DIR=${SAMVEI_APT_DIR:-/etc/apt}
mirror=$(
  { grep -hsE '^URIs:' "$APT_DIR"/sources.list.d/*.sources || true
  } | awk '{print $2}' | { grep -v -- '-security' || true; } | head -n1
)
[ -n "$mirror" ] || mirror=$(
  { grep -hsE '^deb ' "$APT_DIR"/sources.list "$APT_DIR"/sources.list.d/*.list || true
  } | awk '{print $2}' | { grep -v -- '-security' || true; } | head -n1
)
[ -n "$mirror" ] || {
  echo "debian-base: no Debian mirror found in $APT_DIR (neither sources.list.d/*.sources nor" \
    "sources.list / sources.list.d/*.list names one); add one and try again" >&2
  exit 1
}
if [ -n "${SAMVEI_DEBIAN_BASE_MIRROR_ONLY:-}" ]; then
  echo "$mirror"
  exit 0
fi

if podman image exists "$IMAGE"; then
  echo "debian-base: $IMAGE exists"
  exit 0
fi

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
debian_sources=$(grep -lsE '^Suites:.*bookworm' "$APT_DIR"/sources.list.d/*.sources || true)
if [ -n "$debian_sources" ]; then
  cp $debian_sources "$root/etc/apt/sources.list.d/"
  : >"$root/etc/apt/sources.list"
fi
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | podman import --change 'CMD ["/bin/bash"]' - "$IMAGE" >/dev/null
echo "debian-base: imported $IMAGE"
