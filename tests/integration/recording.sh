#!/usr/bin/env bash
# Integration test: consented recording (and still capture) on a real samvei
# with two samvei-peers; the files are judged by gst-discoverer-1.0.
#
#   tests/integration/recording.sh SAMVEI SAMVEI_PEER MODE
#
# MODE:
#   vp8, h264  both agree; the host records 10 s; each participant's file
#              has the codecs (VP8/Opus in WebM, H.264/Opus in Matroska) and a
#              duration within 1 s of the time between the audit events
#              recording-started and recording-stopped. vp8 runs in a booked
#              consultation with invitation tokens, and the REST API lists
#              the files (API key) and serves them
#   loss       as vp8, with 3 % of UDP packets (the media, both ways)
#              dropped at random by an nftables rule in a network namespace
#              the test makes (needs root): the files still last as long as
#              the recording did
#   kill       the guest is killed (SIGKILL) mid-recording: its file is still
#              readable, with video
#   refuse     the guest declines; record-start is refused with
#              consent-missing, the refusal and consent are audit events,
#              and nothing is written
#   retention  files older than --recording-retention-days are deleted when
#              the server starts, newer ones kept
#   capture    the host asks for a still of the guest, who allows it: a PNG of the guest's
#              resolution whose pixels are not all one colour (capture-h264:
#              the same with H.264)
#   capture-h264-nodecoder  the server's GStreamer has every plugin but
#              libav (as the slim container image): the still of an H.264
#              publisher fails at once with capture-failed code
#              unsupported-codec, and no file is written
set -uo pipefail
server=$1 peer=$2 mode=$3
root="$(cd "$(dirname "$0")/../.." && pwd)"
command -v gst-discoverer-1.0 >/dev/null || {
  echo "skipped: gst-discoverer-1.0 is missing (apt-get install gstreamer1.0-plugins-base-apps)"
  exit 77
}
# loss: run this same script inside a namespace whose loopback drops 3 %.
if [ "$mode" = loss ] && [ -z "${SV_LOSS_NETNS:-}" ]; then
  if [ "$(id -u)" != 0 ] || ! command -v nft >/dev/null || ! command -v ip >/dev/null; then
    echo "skipped: the loss mode needs root, ip (iproute2) and nft (nftables)"
    exit 77
  fi
  ns="svrec$$"
  ip netns add "$ns" || exit 1
  # WebRTC stacks leave loopback out of their ICE candidates: a veth pair
  # inside the namespace gives the peers and the relay addresses of their own.
  ip netns exec "$ns" ip link set lo up &&
    ip netns exec "$ns" ip link add sv0 type veth peer name sv1 &&
    ip netns exec "$ns" ip addr add 10.213.0.1/24 dev sv0 &&
    ip netns exec "$ns" ip addr add 10.213.0.2/24 dev sv1 &&
    ip netns exec "$ns" ip link set sv0 up && ip netns exec "$ns" ip link set sv1 up &&
    ip netns exec "$ns" nft -f - <<'NFT' &&
table inet svloss {
  chain out {
    type filter hook output priority 0;
    meta l4proto udp numgen random mod 100 < 3 counter drop
  }
}
NFT
    SV_LOSS_NETNS=$ns ip netns exec "$ns" bash "$0" "$@"
  rc=$?
  echo "UDP packets dropped: $(ip netns exec "$ns" nft list chain inet svloss out | grep -o 'packets [0-9]*')"
  ip netns del "$ns"
  exit $rc
fi
tmp=$(mktemp -d)
source "$root/tests/integration/lib.sh"
cleanup() {
  [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
  if [ -n "${SAMVEI_KEEP_TMP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; failed=1; }
failed=0

room="rec-$mode-$RANDOM"
host_token="" guest_token="" api_key=""
if [ "$mode" = vp8 ]; then
  # A booked consultation: its id is the room, the peers join with invitations.
  cli() { "$server" "$@" --data-dir "$tmp/data" 2>>"$tmp/cli.err"; }
  room=$(cli consultation create --title "Sårvurdering" --minutes 30)
  host_token=$(cli invite --consultation "$room" --role specialist --name host | tail -1)
  guest_token=$(cli invite --consultation "$room" --role municipal --name guest | tail -1)
  api_key=$(cli apikey create --name recording-test)
  [ -n "$room" ] && [ -n "$host_token" ] && [ -n "$guest_token" ] && [ -n "$api_key" ] ||
    { echo "booking failed: $(cat "$tmp/cli.err")"; exit 1; }
fi
if [ "$mode" = retention ]; then
  mkdir -p "$tmp/data/recordings/old-room" "$tmp/data/recordings/new-room"
  echo old >"$tmp/data/recordings/old-room/20261001T100000Z-pold.webm"
  touch -d '40 days ago' "$tmp/data/recordings/old-room/20261001T100000Z-pold.webm"
  echo new >"$tmp/data/recordings/new-room/still-20261120T100000Z-pnew.png"
  touch -d '3 days ago' "$tmp/data/recordings/new-room/still-20261120T100000Z-pnew.png"
fi

if [ "$mode" = capture-h264-nodecoder ]; then
  # The system's plugins but libav, seen by the server (and the recorder it
  # starts) only: the peers keep their encoders.
  plugins=$(pkg-config --variable=pluginsdir gstreamer-1.0)
  [ -e "$plugins/libgstlibav.so" ] || { echo "skipped: no libgstlibav.so in $plugins"; exit 77; }
  mkdir -p "$tmp/plugins"
  for so in "$plugins"/*.so; do
    [ "${so##*/}" = libgstlibav.so ] || ln -s "$so" "$tmp/plugins/"
  done
  export_plugins() { GST_PLUGIN_SYSTEM_PATH_1_0=$tmp/plugins GST_REGISTRY=$tmp/registry.bin "$@"; }
else
  export_plugins() { "$@"; }
fi
export_plugins start_samvei --recording-retention-days 30 ${SV_LOSS_NETNS:+--ice-addresses 10.213.0.1}
ws="ws${url#http}ws"
codec=vp8
case "$mode" in h264 | capture-h264 | capture-h264-nodecoder) codec=h264 ;; esac

run_peer() { # name log args...
  local name=$1 log=$2 token=""
  shift 2
  [ "$name" = host ] && token=$host_token
  [ "$name" = guest ] && token=$guest_token
  ASAN_OPTIONS=detect_leaks=0 "$peer" --url "$ws" --room "$room" --name "$name" --codec "$codec" ${token:+--token "$token"} \
    "$@" >"$tmp/$log.log" 2>"$tmp/$log.err" &
}

# Waits up to $3 s for a line matching $1 in peer log $2.
wait_log() {
  for _ in $(seq 1 $(($3 * 5))); do
    grep -q "$1" "$tmp/$2.log" 2>/dev/null && return 0
    sleep 0.2
  done
  fail "waited $3 s for $1 in $2's output: $(grep -v stats "$tmp/$2.log" | tail -4)"
  return 1
}
# In an open room the first to join is its host: the guest starts only once
# the host's join was answered, as host (not after a guess of a delay).
wait_host() {
  wait_log '"event":"joined"' host 30 || return 1
  grep -q '"event":"joined".*"role":"specialist"' "$tmp/host.log" ||
    fail "the host joined as $(grep -o '"role":"[a-z-]*"' "$tmp/host.log" | head -1), not specialist"
}
# The host's actions count from when media flows both ways (samvei-peer).
case "$mode" in
retention) sleep 1 ;; # the server prunes as it starts
vp8 | h264 | kill | loss)
  run_peer host host --duration 60 --record-request 1 --record-stop 11 --consent yes
  host_pid=$!
  wait_host
  run_peer guest guest --duration 60 --consent yes
  guest_pid=$!
  if [ "$mode" = kill ]; then
    wait_log '"state":"on"' host 45 && sleep 5
    kill -KILL "$guest_pid"
  fi
  wait_log '"reason":"stopped"' host 60
  ;;
refuse)
  run_peer host host --duration 60 --record-request 1 --record-start 3 --consent yes
  host_pid=$!
  wait_host
  run_peer guest guest --duration 60 --consent no
  guest_pid=$!
  wait_log '"id":"record-start"' host 60
  ;;
capture | capture-h264 | capture-h264-nodecoder)
  run_peer host host --duration 60 --capture 1 --width 352 --height 288 --consent yes
  host_pid=$!
  wait_host
  run_peer guest guest --duration 60 --width 352 --height 288 --consent yes
  guest_pid=$!
  wait_log '"event":"capture-' host 60 && sleep 1
  ;;
*)
  echo "unknown mode $mode"; exit 2 ;;
esac
if [ "$mode" != retention ]; then
  kill -TERM "$host_pid" "$guest_pid" 2>/dev/null
  wait "$host_pid" "$guest_pid" 2>/dev/null
fi

if [ "$mode" = vp8 ]; then
  # The REST API: the consultation's files, listed with an API key only.
  for _ in $(seq 1 50); do
    [ "$(grep -c 'audit recording-file:' "$tmp/server.log")" -ge 2 ] && break
    sleep 0.2
  done
  api="${url%/}/api/consultations/$room/recordings"
  code=$(curl -s -o /dev/null -w '%{http_code}' "$api")
  [ "$code" = 401 ] || fail "the recordings list without an API key answered $code, not 401"
  list=$(curl -s -H "Authorization: Bearer $api_key" "$api")
  python3 - "$list" "$tmp/rest" <<'PY' || fail "the REST list of recordings: $list"
import json, sys, urllib.request
doc = json.loads(sys.argv[1])
files = [f for f in doc["files"] if f["kind"] == "recording"]
assert len(files) == 2, f"expected 2 recordings, got {doc}"
for f in files:
    with urllib.request.urlopen(f["url"]) as r:
        body = r.read()
        assert r.headers["Content-Type"] == "video/webm", r.headers["Content-Type"]
        assert r.headers["X-Content-Type-Options"] == "nosniff", "no security headers"
        assert r.headers["Cache-Control"] == "no-store", "a recording may be cached"
        assert f["file"] in r.headers["Content-Disposition"], r.headers["Content-Disposition"]
    assert len(body) == f["bytes"] and body[:4] == b"\x1aE\xdf\xa3", f"{f['file']}: not the WebM file"
print(f"REST: {len(files)} recordings listed and downloaded ({sum(f['bytes'] for f in files)} bytes)")
PY
fi

stop_samvei || failed=1

dir="$tmp/data/recordings/$room"
# The session log itself (the stored, hash-chained events of this room).
"$server" audit export --room "$room" --format json --data-dir "$tmp/data" >"$tmp/audit.json" \
  2>"$tmp/audit.err" || fail "samvei audit export failed: $(cat "$tmp/audit.err")"
"$server" audit verify --data-dir "$tmp/data" >"$tmp/verify.log" 2>&1 ||
  fail "samvei audit verify: $(cat "$tmp/verify.log")"
# audit EVENT: the stored events of that kind, one JSON object per line.
audit() {
  python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
events = doc["events"] if isinstance(doc, dict) else doc
for e in events:
    if e["event"] == sys.argv[2]:
        print(json.dumps(e, ensure_ascii=False))
' "$tmp/audit.json" "$1"
}
# The server's log line of an audit event (its time stamp has milliseconds;
# the stored event has whole seconds).
logline() { grep "audit $1:" "$tmp/server.log"; }
# Seconds (with fraction) of a log line's ISO time stamp.
stamp() { date -d "$(cut -d' ' -f1 <<<"$1")" +%s.%N; }

case "$mode" in
retention)
  [ ! -e "$tmp/data/recordings/old-room" ] ||
    fail "a 40-day-old recording outlived a 30-day retention: $(ls -R "$tmp/data/recordings")"
  [ -f "$tmp/data/recordings/new-room/still-20261120T100000Z-pnew.png" ] ||
    fail "a 3-day-old still was deleted"
  grep -q "deleted .*20261001T100000Z-pold.webm" "$tmp/server.log" || fail "the deletion was not logged"
  echo "retention: the 40-day-old recording deleted (and logged), the 3-day-old still kept"
  ;;
vp8 | h264 | loss)
  [ -n "$(audit recording-started)" ] && [ -n "$(audit recording-stopped)" ] ||
    fail "no recording-started/stopped events in the session log"
  [ "$(audit record-consent | grep -c '"agree": true')" = 1 ] ||
    fail "the guest's consent is not in the session log"
  [ "$(audit recording-file | wc -l)" = 2 ] || fail "expected 2 recording-file events"
  started=$(logline recording-started | head -1)
  stopped=$(logline recording-stopped | head -1)
  [ -n "$started" ] && [ -n "$stopped" ] || fail "no recording-started/stopped log lines"
  real=$(echo "$(stamp "$stopped") - $(stamp "$started")" | bc)
  ext=webm vcodec=VP8
  [ "$mode" = h264 ] && ext=mkv vcodec=H.264
  n=0
  for f in "$dir"/*."$ext"; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    info=$(gst-discoverer-1.0 "$f")
    dur=$(grep -o 'Duration: [0-9:.]*' <<<"$info" | head -1 | cut -d' ' -f2 | awk -F: '{print $1*3600+$2*60+$3}')
    grep -q "video #.*: $vcodec" <<<"$info" || fail "$(basename "$f"): no $vcodec video: $info"
    grep -q "audio #.*: Opus" <<<"$info" || fail "$(basename "$f"): no Opus audio"
    off=$(echo "d=$dur - $real; if (d < 0) d = -d; d < 1" | bc)
    [ "$off" = 1 ] || fail "$(basename "$f"): duration $dur s, recorded for $real s"
    echo "$(basename "$f"): $vcodec + Opus, $dur s (recorded for $real s)"
  done
  [ "$n" = 2 ] || fail "expected 2 .$ext files, found $n: $(ls "$dir" 2>&1)"
  ;;
kill)
  guest=$(grep -o '"self":"[a-z0-9]*"' "$tmp/guest.log" | head -1 | cut -d'"' -f4)
  f=$(ls "$dir"/*"-$guest-"*.webm 2>/dev/null | head -1)
  if [ -z "$f" ]; then
    fail "no file for the killed participant $guest: $(ls "$dir" 2>&1)"
  else
    info=$(gst-discoverer-1.0 "$f")
    dur=$(grep -o 'Duration: [0-9:.]*' <<<"$info" | head -1 | cut -d' ' -f2 | awk -F: '{print $1*3600+$2*60+$3}')
    grep -q "video #.*: VP8" <<<"$info" || fail "the killed participant's file has no video: $info"
    [ "$(echo "$dur > 3" | bc)" = 1 ] || fail "the killed participant's file lasts only $dur s"
    echo "killed participant's file: VP8, $dur s"
  fi
  ;;
refuse)
  grep -q '"event":"error","id":"record-start","code":"consent-missing"' "$tmp/host.log" ||
    fail "the host did not get consent-missing: $(grep -v stats "$tmp/host.log")"
  audit record-consent | grep -q '"agree": false' || fail "no record-consent audit event (agree false)"
  audit record-refused | grep -q missing || fail "no record-refused audit event"
  # Who did not agree is named by participant id, never by name.
  logline record-refused | grep -q '"missing":\["p[a-z0-9]\{11\}"' ||
    fail "record-refused in the server log does not list ids: $(logline record-refused)"
  ! audit record-refused | grep -q '"guest"' ||
    fail "the record-refused event names people: $(audit record-refused)"
  [ -z "$(ls "$dir" 2>/dev/null)" ] || fail "files were written without consent: $(ls "$dir")"
  echo "record-start refused with consent-missing; consent and refusal audited; no files"
  ;;
capture-h264-nodecoder)
  grep '"event":"capture-failed"' "$tmp/host.log" | grep -q '"code":"unsupported-codec"' ||
    fail "the host got no capture-failed unsupported-codec: $(grep capture "$tmp/host.log")"
  grep -q 'stills of H.264 video are off' "$tmp/server.log" ||
    fail "the server did not say at start that H.264 stills are off"
  [ -z "$(ls "$dir"/still-*.png 2>/dev/null)" ] || fail "a still was written: $(ls "$dir")"
  echo "H.264 still without a decoder: capture-failed unsupported-codec, no file"
  ;;
capture | capture-h264)
  grep -q '"event":"capture-ready"' "$tmp/host.log" ||
    fail "the host got no capture-ready: $(grep -v stats "$tmp/host.log")"
  grep -q '"event":"captured"' "$tmp/guest.log" || fail "the guest was not told of the capture"
  audit capture | grep -q '"file"' || fail "no capture audit event"
  f=$(ls "$dir"/still-*.png 2>/dev/null | head -1)
  if [ -z "$f" ]; then
    fail "no still in $dir"
  else
    python3 - "$f" <<'PY' || failed=1
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, w = 8, b'', 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
if (w, h) != (352, 288):
    sys.exit(f'FAIL: the still is {w}x{h}, the publisher sends 352x288')
# Rows start with a filter byte; distinct bytes beyond a few mean many colours.
if len(set(raw)) < 16:
    sys.exit('FAIL: the still is (nearly) one colour')
print(f'still: {w}x{h} PNG, {len(set(raw))} distinct byte values')
PY
  fi
  ;;
esac

[ "$failed" -eq 0 ] && echo "1 passed, 0 failed" || { echo "0 passed, 1 failed"; grep -v stats "$tmp/host.log" | tail -5; }
exit "$failed"
