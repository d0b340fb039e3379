#!/usr/bin/env bash
# The one list of system packages samvei needs, by purpose.
#
#   scripts/install-deps.sh build    compile the server (default)
#   scripts/install-deps.sh run      build + what the running server and certs/ need
#   scripts/install-deps.sh test     run + what `make test` needs (Chromium, Node, playwright-core)
#   scripts/install-deps.sh runtime  only the shared libraries and plugins the built server loads
#                                    (the slim stage of docker/Dockerfile)
#   scripts/install-deps.sh h264-stills  the H.264 decoder for stills of H.264 video (libav,
#                                    ~250 MB with its codecs; the image's H264_STILLS=1)
#   scripts/install-deps.sh docker-test  podman and friends for `make docker-test`
#   scripts/install-deps.sh bench    build + what `make bench` needs (Janus, gnuplot, valgrind, perf)
#   scripts/install-deps.sh fuzz     build + clang and its libFuzzer runtime for `make fuzz`
#
# Used by the Makefile, CI (.ci/run through `make test`) and docker/Dockerfile.
# Installs only what is missing, so it is cheap to call on every `make`.
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake pkg-config clang-format
  libglib2.0-dev libjansson-dev libssl-dev libsrtp2-dev libnice-dev
  libwebsockets-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  libsqlite3-dev libpq-dev
  libgstreamer-plugins-bad1.0-dev libsoup-3.0-dev
)
# What the built server loads at run time (the -dev packages above pull in
# the libraries; the plugins they do not). The slim image has only these.
RUNTIME_PKGS=(ca-certificates curl
  libglib2.0-0 libjansson4 libssl3 libsrtp2-1 libnice10
  libwebsockets17 libwebsockets-evlib-glib
  libgstreamer1.0-0 libgstreamer-plugins-base1.0-0
  libsqlite3-0 libpq5 libsoup-3.0-0 sqlite3
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good)
# (samvei-record uses base and good elements only; `samvei-record --check`
# says if one is missing.) Stills of a browser that sends H.264 need libav's
# decoder, which with its codec libraries would double the image: the
# source tree has it, the image only when built with H264_STILLS=1.
H264_STILLS_PKGS=(gstreamer1.0-libav)
# Running it from a source tree: dev certificates, and webrtcbin and more
# codecs for samvei-peer.
RUN_PKGS=(openssl gstreamer1.0-plugins-bad gstreamer1.0-nice gstreamer1.0-plugins-ugly
  gstreamer1.0-tools)
DOCKER_TEST_PKGS=(podman runc debootstrap uidmap)
TEST_PKGS=(chromium fonts-dejavu-core postgresql coturn nftables gstreamer1.0-plugins-base-apps libnss3-tools)
NODE_PKGS=(nodejs npm)
BENCH_PKGS=(janus gnuplot-nox valgrind linux-perf python3 iproute2 util-linux)
# clang only recommends its sanitizer and libFuzzer runtimes (libclang_rt.*),
# and recommendations are not installed here, so they are named; llvm brings
# llvm-symbolizer, which puts function names and lines in a crash's report.
FUZZ_PKGS=(clang libclang-rt-14-dev llvm)

want=()
case "${1:-build}" in
  build) want=("${BUILD_PKGS[@]}") ;;
  run) want=("${BUILD_PKGS[@]}" "${RUNTIME_PKGS[@]}" "${H264_STILLS_PKGS[@]}" "${RUN_PKGS[@]}") ;;
  test) want=("${BUILD_PKGS[@]}" "${RUNTIME_PKGS[@]}" "${H264_STILLS_PKGS[@]}" "${RUN_PKGS[@]}"
              "${TEST_PKGS[@]}")
        # Node may already come from elsewhere on a developer machine; only
        # pull Debian's when there is none, to avoid fighting over /usr/bin/node.
        command -v node >/dev/null && command -v npm >/dev/null || want+=("${NODE_PKGS[@]}") ;;
  runtime) want=("${RUNTIME_PKGS[@]}") ;;
  h264-stills) want=("${H264_STILLS_PKGS[@]}") ;;
  docker-test) want=("${DOCKER_TEST_PKGS[@]}") ;;
  bench) want=("${BUILD_PKGS[@]}" "${BENCH_PKGS[@]}") ;;
  fuzz) want=("${BUILD_PKGS[@]}" "${FUZZ_PKGS[@]}") ;;
  *) echo "usage: $0 [build|run|test|runtime|h264-stills|docker-test|bench|fuzz]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists once if they were never fetched on this machine.
if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ]; then
  $SUDO apt-get update -qq
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" || {
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
