#!/usr/bin/env bash
# Integration test: N samvei-peers (GStreamer webrtcbin, an independent WebRTC
# stack) join one room on a real samvei and each must decode video from every
# other one through the relay.
#
#   tests/integration/peers.sh SAMVEI SAMVEI_PEER CODEC [N] [file]
#
# With "file", peer1 publishes a media file (a 20 s WebM with VP8 video and
# Opus audio this script makes with gst-launch-1.0) instead of the test
# pattern, and the others must decode it.
#
# The server runs with leak detection (it is the code under test); the peers
# run without it, since GStreamer's plugins keep process-lifetime caches.
set -uo pipefail
server=$1 peer=$2 codec=$3 n=${4:-2} source=${5:-pattern}
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp=$(mktemp -d)
source "$root/tests/integration/lib.sh"
cleanup() {
  [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

start_samvei
ws="ws${url#http}ws"
room="it-$codec-$RANDOM"
file_args=()
if [ "$source" = file ]; then
  command -v gst-launch-1.0 >/dev/null || { echo "skipped: gst-launch-1.0 is missing"; exit 77; }
  gst-launch-1.0 -q webmmux name=mux ! filesink location="$tmp/source.webm" \
    videotestsrc num-buffers=300 pattern=smpte ! video/x-raw,width=640,height=360,framerate=15/1 ! \
    vp8enc deadline=1 cpu-used=8 ! queue ! mux. \
    audiotestsrc num-buffers=940 samplesperbuffer=1024 wave=ticks ! audioconvert ! \
    audioresample ! opusenc ! queue ! mux. >"$tmp/make-source.log" 2>&1 ||
    { echo "could not make the source file:"; cat "$tmp/make-source.log"; exit 1; }
  file_args=(--file "$tmp/source.webm")
fi

pids=()
for i in $(seq 1 "$n"); do
  args=()
  [ "$i" = 1 ] && args=("${file_args[@]}")
  ASAN_OPTIONS=detect_leaks=0 "$peer" --url "$ws" --room "$room" --name "peer$i" --codec "$codec" \
    "${args[@]}" --duration 14 --expect-peers $((n - 1)) --min-frames 30 >"$tmp/peer$i.log" 2>"$tmp/peer$i.err" &
  pids+=($!)
  # One at a time, in order: peer1 is the first in the room (its host).
  for _ in $(seq 1 150); do
    grep -q '"event":"joined"' "$tmp/peer$i.log" 2>/dev/null && break
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.2
  done
  grep -q '"event":"joined"' "$tmp/peer$i.log" ||
    echo "peer$i did not join within 30 s: $(tail -3 "$tmp/peer$i.log" "$tmp/peer$i.err")"
done
failed=0
for i in $(seq 1 "$n"); do
  if ! wait "${pids[$((i - 1))]}"; then
    failed=1
    echo "peer$i failed:"; tail -3 "$tmp/peer$i.log"; tail -5 "$tmp/peer$i.err"
  else
    echo "peer$i: $(tail -1 "$tmp/peer$i.log" | cut -c1-400)"
  fi
done

stop_samvei || failed=1
if [ "$failed" -eq 0 ]; then
  echo "1 passed, 0 failed"
else
  echo "0 passed, 1 failed"
fi
exit "$failed"
