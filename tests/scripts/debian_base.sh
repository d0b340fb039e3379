#!/usr/bin/env bash
# debian_base.sh — docker/debian-base.sh finds the Debian mirror on a machine
# whose apt sources are in deb822 form only, in one-line form only, or both,
# and says so plainly (exit 1, a message) when there is none.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

mirror_of() { SAMVEI_APT_DIR=$1 SAMVEI_DEBIAN_BASE_MIRROR_ONLY=1 bash "$ROOT/docker/debian-base.sh" 2>"$tmp/err"; }
expect() { # name, apt dir, expected mirror ("" = must fail with a message)
  local got rc
  got=$(mirror_of "$2"); rc=$?
  if [ -n "$3" ] && [ "$rc" = 0 ] && [ "$got" = "$3" ]; then passed=$((passed + 1))
  elif [ -z "$3" ] && [ "$rc" != 0 ] && grep -q "no Debian mirror" "$tmp/err"; then passed=$((passed + 1))
  else failed=$((failed + 1)); echo "FAIL $1: rc=$rc got '$got' want '$3'; stderr: $(cat "$tmp/err")"; fi
}

d=$tmp/deb822; mkdir -p "$d/sources.list.d"
cat >"$d/sources.list.d/debian.sources" <<'SRC'
Types: deb
URIs: http://deb.example.org/debian-security
Suites: bookworm-security
Components: main

Types: deb
URIs: http://deb.example.org/debian
Suites: bookworm bookworm-updates
Components: main
SRC
expect deb822-only "$d" http://deb.example.org/debian

o=$tmp/oneline; mkdir -p "$o/sources.list.d"
printf 'deb http://mirror.example.org/debian-security bookworm-security main\ndeb http://mirror.example.org/debian bookworm main\n' >"$o/sources.list"
expect one-line-only "$o" http://mirror.example.org/debian

l=$tmp/listdir; mkdir -p "$l/sources.list.d"
printf 'deb http://list.example.org/debian bookworm main\n' >"$l/sources.list.d/x.list"
expect list-file-only "$l" http://list.example.org/debian

e=$tmp/empty; mkdir -p "$e/sources.list.d"
expect no-sources "$e" ""

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
