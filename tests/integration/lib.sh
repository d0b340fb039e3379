# lib.sh — what the integration scripts share: a samvei of the script's own
# on loopback, and stopping it with a check that it exits cleanly.
# Source it after setting $server (the samvei binary), $root (the source
# tree) and $tmp (the script's scratch directory).
#
#   start_samvei [extra server options...]   sets $url (http://127.0.0.1:PORT/)
#                                            and $srv_pid; exits 1 if it does not start
#   stop_samvei                              SIGTERM; returns 1 (and shows the
#                                            log's end) unless it exited 0 with
#                                            no sanitizer report
#
# The server runs with leak detection (it is the code under test); its log
# is $tmp/server.log.

srv_pid=""
url=""

start_samvei() {
  "$server" --bind 127.0.0.1 --port 0 --web-root "$root/web" --data-dir "$tmp/data" \
    --allow-open-rooms --log-level info "$@" >"$tmp/server.log" 2>&1 &
  srv_pid=$!
  for _ in $(seq 1 100); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$tmp/server.log" | head -1)
    [ -n "$url" ] && return 0
    sleep 0.1
  done
  echo "server did not start:"
  cat "$tmp/server.log"
  exit 1
}

stop_samvei() {
  local status
  kill -TERM "$srv_pid"
  wait "$srv_pid"
  status=$?
  srv_pid=""
  if [ "$status" -ne 0 ] || grep -q "Sanitizer" "$tmp/server.log"; then
    echo "server exited with $status:"
    tail -40 "$tmp/server.log"
    return 1
  fi
  return 0
}
