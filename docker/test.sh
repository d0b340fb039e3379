#!/usr/bin/env bash
# `make docker-test`: builds the samvei image with podman (no Docker engine
# needed) on a Debian 12 base made here, runs it the way ops would, and
# checks it from outside: /healthz and the image's HEALTHCHECK, a non-root
# user, the recorder's GStreamer elements present in the slim image (and the
# server not saying recording is off), a real two-party browser call through
# the container, the data volume
# kept across a restart, and a clean exit on SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."

export CONTAINERS_CONF=$PWD/docker/podman/containers.conf
BASE=localhost/debian:bookworm
IMAGE=localhost/samvei:test
NAME=samvei-test-$$
VOLUME=samvei-test-data-$$

say() { echo "docker-test: $*"; }
die() {
  say "FAIL: $*"
  podman logs --tail 40 "$NAME" 2>/dev/null | sed 's/^/  container: /' >&2 || true
  exit 1
}
cleanup() {
  podman rm -f -t 0 "$NAME" >/dev/null 2>&1 || true
  podman volume rm -f "$VOLUME" >/dev/null 2>&1 || true
}
trap cleanup EXIT

bash docker/debian-base.sh "$BASE"

say "building $IMAGE (base $BASE)"
podman build --format docker --network=host --build-arg BASE_IMAGE="$BASE" \
  -f docker/Dockerfile -t "$IMAGE" . >/tmp/samvei-docker-build.log 2>&1 || {
  tail -n 40 /tmp/samvei-docker-build.log >&2
  die "image build failed (full log: /tmp/samvei-docker-build.log)"
}
say "image size $(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"

PORT=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
URL=http://127.0.0.1:$PORT
podman volume create "$VOLUME" >/dev/null
start() {
  podman run -d --name "$NAME" --network=host -v "$VOLUME:/var/lib/samvei" \
    -e SAMVEI_PORT="$PORT" -e SAMVEI_ALLOW_OPEN_ROOMS=1 \
    -e SAMVEI_DRAIN_TIMEOUT=5 -e SAMVEI_RTP_PORTS=41000-41199 "$IMAGE" >/dev/null
}
wait_healthy() {
  for _ in $(seq 1 60); do
    [ "$(podman inspect --format '{{.State.Running}}' "$NAME")" = true ] || die "the container stopped"
    curl -fsS -o /dev/null --max-time 2 "$URL/healthz" 2>/dev/null && return 0
    sleep 0.5
  done
  die "no answer on $URL/healthz within 30 s"
}

start
wait_healthy
say "/healthz answers on $URL"
podman healthcheck run "$NAME" >/dev/null || die "the image's HEALTHCHECK reports unhealthy"
say "HEALTHCHECK healthy"
uid=$(podman exec "$NAME" id -u)
[ "$uid" != 0 ] || die "the server runs as root"
say "runs as uid $uid"
podman exec "$NAME" samvei-record --check || die "the image lacks GStreamer elements samvei-record needs"
! podman logs "$NAME" 2>&1 | grep -q "recording and still capture are off" ||
  die "the server in the image says recording is off: $(podman logs "$NAME" 2>&1 | grep 'are off')"
say "recording available: samvei-record finds every GStreamer element it needs"
if podman logs "$NAME" 2>&1 | grep -q "stills of H.264 video are off"; then
  say "stills of H.264 video: off in this image, as the server says (build with H264_STILLS=1 to have them)"
fi
secret_before=$(podman exec "$NAME" cat /var/lib/samvei/token-secret | sha256sum)

say "browser call through the container"
(cd tests/e2e && SAMVEI_URL=$URL node --test --test-concurrency=1 call.test.mjs) ||
  die "the browser call through the container failed"

say "restart: the data volume stays"
podman restart -t 30 "$NAME" >/dev/null
wait_healthy
secret_after=$(podman exec "$NAME" cat /var/lib/samvei/token-secret | sha256sum)
[ "$secret_before" = "$secret_after" ] || die "the token secret changed across a restart"

say "SIGTERM: clean exit"
podman stop -t 30 "$NAME" >/dev/null
code=$(podman inspect --format '{{.State.ExitCode}}' "$NAME")
[ "$code" = 0 ] || die "exit code $code after SIGTERM"
podman logs "$NAME" 2>&1 | grep -q 'ERROR' && die "errors in the server log"
say "PASS"
