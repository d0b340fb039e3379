#!/usr/bin/env bash
# run.sh — browser end-to-end tests against the real server.
#
#   SAMVEI_BIN=build-asan/samvei bash tests/e2e/run.sh [tests/e2e/x.test.mjs ...]
#
# Starts samvei on a free loopback port (plain HTTP, open rooms, a known
# token secret that the tests mint tokens with, a throwaway data dir; its log in tests/e2e/artifacts/server.log), waits for /healthz,
# runs tests/e2e/*.test.mjs with the node test runner one file at a time,
# then stops the server with SIGTERM. Fails if a test failed, if the server
# crashed or exited non-zero, or if its log has a sanitizer report (the
# `make test` server is built with ASan/UBSan and leak detection, so a leak
# makes it exit non-zero and print "LeakSanitizer").
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
ROOT=$(pwd)
E2E=tests/e2e
ARTIFACTS=$E2E/artifacts
SAMVEI_BIN=${SAMVEI_BIN:-build/samvei}
export SAMVEI_BIN # tests that start servers of their own (server.mjs) use it too
STOP_TIMEOUT=${SAMVEI_STOP_TIMEOUT:-60}

die() { echo "e2e: $*" >&2; exit 1; }

[ -x "$SAMVEI_BIN" ] || die "no server binary at '$SAMVEI_BIN' (build it, or set SAMVEI_BIN)"
[ -x "${CHROMIUM_BIN:-/usr/bin/chromium}" ] ||
  die "Chromium is missing: apt-get install -y chromium (never 'npx playwright install')"
if [ ! -d "$E2E/node_modules/playwright-core" ] || [ ! -d "$E2E/node_modules/ws" ] ||
  [ ! -d "$E2E/node_modules/axe-core" ]; then
  echo "e2e: installing the test's Node packages"
  (cd "$E2E" && npm install --no-audit --no-fund --loglevel=error) || die "npm install failed"
fi

mkdir -p "$ARTIFACTS"
rm -f "$ARTIFACTS"/*.png "$ARTIFACTS"/*.log
LOG=$ARTIFACTS/server.log
DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/samvei-e2e.XXXXXX")
SERVER_PID=

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})") ||
  die "could not pick a free port"
URL=http://127.0.0.1:$PORT

# Leak detection on (it is the default with ASan on Linux; said explicitly
# so a caller's ASAN_OPTIONS without it does not silently drop it).
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

# Tests mint join tokens with `samvei token` and the same secret.
TOKEN_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export SAMVEI_E2E_BIN=$(cd "$(dirname "$SAMVEI_BIN")" && pwd)/$(basename "$SAMVEI_BIN")
export SAMVEI_E2E_DATA_DIR=$DATA_DIR
export SAMVEI_E2E_TOKEN_SECRET=$TOKEN_SECRET

echo "e2e: starting $SAMVEI_BIN on $URL (log: $LOG)"
"$SAMVEI_BIN" --bind 127.0.0.1 --port "$PORT" --web-root web --data-dir "$DATA_DIR" \
  --token-secret "$TOKEN_SECRET" --allow-open-rooms --log-level info --drain-timeout 5 >"$LOG" 2>&1 &
SERVER_PID=$!

ready=0
for _ in $(seq 1 150); do
  kill -0 "$SERVER_PID" 2>/dev/null || break
  if curl -fsS -o /dev/null --max-time 2 "$URL/healthz" 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.2
done
if [ "$ready" != 1 ]; then
  tail -n 40 "$LOG" >&2
  die "the server did not answer $URL/healthz within 30 s"
fi

# Arguments name test files to run (default: all of them). The tests that
# measure call quality on shaped links (loss, weaklink) go first, on a
# machine no other test has loaded yet: a hundred-participant test or a
# TURN server winding down just before them left the browsers short of CPU
# and their numbers noisy.
# node --test orders the files it is given by name, so they run as two
# batches.
tests_rc=0
if [ $# -gt 0 ]; then
  SAMVEI_URL=$URL node --test --test-concurrency=1 "$@" || tests_rc=$?
else
  REST=()
  for t in "$E2E"/*.test.mjs; do
    case "$t" in */loss.test.mjs | */weaklink.test.mjs) ;; *) REST+=("$t") ;; esac
  done
  SAMVEI_URL=$URL node --test --test-concurrency=1 "$E2E/loss.test.mjs" "$E2E/weaklink.test.mjs" ||
    tests_rc=$?
  SAMVEI_URL=$URL node --test --test-concurrency=1 "${REST[@]}" || tests_rc=$?
fi

# Stop the server and judge how it went.
server_rc=0
crashed=0
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  crashed=1
  wait "$SERVER_PID"
  server_rc=$?
else
  kill -TERM "$SERVER_PID"
  for _ in $(seq 1 $((STOP_TIMEOUT * 5))); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "e2e: FAIL: the server did not stop within ${STOP_TIMEOUT} s of SIGTERM" >&2
    kill -KILL "$SERVER_PID"
    server_rc=137
  fi
  wait "$SERVER_PID"
  rc=$?
  [ "$server_rc" = 0 ] && server_rc=$rc
fi
SERVER_PID=

failed=0
if [ "$crashed" = 1 ]; then
  echo "e2e: FAIL: the server died during the tests (exit status $server_rc)" >&2
  failed=1
elif [ "$server_rc" != 0 ]; then
  echo "e2e: FAIL: the server exited with status $server_rc after SIGTERM" >&2
  failed=1
fi
if grep -qE "ERROR: AddressSanitizer|ERROR: LeakSanitizer|LeakSanitizer|runtime error:" "$LOG"; then
  echo "e2e: FAIL: sanitizer report in $LOG:" >&2
  grep -nE -A12 "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" "$LOG" | head -n 60 >&2
  failed=1
fi
if [ "$failed" = 1 ]; then
  echo "e2e: last lines of $LOG:" >&2
  tail -n 30 "$LOG" >&2
fi

if [ "$tests_rc" != 0 ]; then
  echo "e2e: FAIL: browser tests failed (screenshots and logs in $ROOT/$ARTIFACTS)" >&2
  failed=1
fi
[ "$failed" = 0 ] && echo "e2e: all browser tests passed; the server stopped cleanly"
exit "$failed"
