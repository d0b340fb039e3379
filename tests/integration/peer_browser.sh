#!/usr/bin/env bash
# Integration test: a samvei-peer (GStreamer webrtcbin) and a headless
# Chromium page join one room on a real samvei, and each must decode the
# other's video through the relay. The server's --video-codecs pins the codec,
# so both sides must send and decode exactly CODEC.
#
#   tests/integration/peer_browser.sh SAMVEI SAMVEI_PEER CODEC
#
# Exit 77 (skipped) when Chromium or the test's Node packages are missing
# (`make deps-test` installs both).
set -uo pipefail
server=$1 peer=$2 codec=$3
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ ! -x "${CHROMIUM_BIN:-/usr/bin/chromium}" ] || [ ! -d "$root/tests/e2e/node_modules/playwright-core" ]; then
  echo "skipped: needs Chromium and tests/e2e/node_modules (make deps-test)"
  exit 77
fi
tmp=$(mktemp -d)
source "$root/tests/integration/lib.sh"
cleanup() {
  [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

start_samvei --video-codecs "$codec"

SAMVEI_URL="${url%/}" SAMVEI_PEER="$peer" SAMVEI_CODEC="$codec" \
  node "$root/tests/integration/peer_browser.mjs"
failed=$?

stop_samvei || failed=1
[ "$failed" -eq 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit "$failed"
