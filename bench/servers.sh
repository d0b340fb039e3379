# bench/servers.sh — start and stop the servers under test; sourced by
# bench/run.sh. Both run on loopback, pinned to one core, logging warnings
# only, with VP8/Opus, DTLS-SRTP (the profile each server picks from the
# list the load generator offers, Chrome's) and no recording. A started
# server's pid is in $srv_pid and its WebSocket URL in $srv_url; samvei's
# REST API key in $srv_api_key.

# janus_config DIR PORT: a minimal Janus configuration in DIR: only the
# WebSocket transport and the VideoRoom plugin are loaded (the folders hold
# links to just those two), one event loop (samvei runs one relay worker).
janus_config() {
  local dir=$1 port=$2 lib
  lib=$(dirname "$(dpkg -L janus 2>/dev/null | grep 'plugins/libjanus_videoroom.so$' | head -1)")/..
  mkdir -p "$dir/plugins" "$dir/transports" "$dir/none"
  ln -sf "$lib/plugins/libjanus_videoroom.so" "$dir/plugins/"
  ln -sf "$lib/transports/libjanus_websockets.so" "$dir/transports/"
  cat >"$dir/janus.jcfg" <<CFG
general: {
  configs_folder = "$dir"
  plugins_folder = "$dir/plugins"
  transports_folder = "$dir/transports"
  events_folder = "$dir/none"
  loggers_folder = "$dir/none"
  debug_level = ${JANUS_DEBUG_LEVEL:-3}
  debug_timestamps = true
  session_timeout = 60
  event_loops = 1
  hide_dependencies = true
}
certificates: {
}
media: {
  ipv6 = false
  rtp_port_range = "30000-60000"
  nack_optimizations = false
}
nat: {
  nice_debug = false
  ice_enforce_list = "127.0.0.1"
  ice_lite = false
  ice_tcp = false
  full_trickle = false
}
plugins: {
}
transports: {
}
loggers: {
}
events: {
  broadcast = false
}
CFG
  cat >"$dir/janus.transport.websockets.jcfg" <<CFG
general: {
  json = "plain"
  ws = true
  ws_port = $port
  ws_ip = "127.0.0.1"
  wss = false
}
admin: {
  admin_ws = false
  admin_wss = false
}
CFG
  cat >"$dir/janus.plugin.videoroom.jcfg" <<CFG
general: {
}
CFG
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_server samvei|janus TMPDIR [WRAPPER...]: starts the server on CPU 0
# (through WRAPPER, e.g. valgrind, when given) and waits until it listens.
start_server() {
  local which=$1 tmp=$2
  shift 2
  local port
  port=$(free_port)
  mkdir -p "$tmp"
  if [ "$which" = samvei ]; then
    # An API key in the server's database, for scenarios that book their
    # rooms through the REST API (teaching).
    srv_api_key=$("$SAMVEI_BIN" apikey create --name bench --data-dir "$tmp/data" \
      2>"$tmp/apikey.log") || {
      echo "bench: samvei apikey create failed:" >&2
      cat "$tmp/apikey.log" >&2
      return 1
    }
    # Every participant connects from 127.0.0.1: lift the per-address
    # connection limit where the server has one.
    local limits=() help
    help=$("$SAMVEI_BIN" --help 2>&1 || true)
    [[ $help == *--max-conns-per-ip* ]] && limits=(--max-conns-per-ip 100000)
    # ICE over UDP only, as Janus is configured (ice_tcp = false): samvei's
    # ICE-TCP bridge would add a listening socket per PeerConnection.
    [[ $help == *--no-ice-tcp* ]] && limits+=(--no-ice-tcp)
    taskset -c "$SERVER_CPU" "$@" "$SAMVEI_BIN" --bind 127.0.0.1 --port "$port" \
      --web-root "$ROOT/web" --data-dir "$tmp/data" --allow-open-rooms --log-level warn \
      --workers 1 --ice-addresses 127.0.0.1 "${limits[@]}" >"$tmp/server.log" 2>&1 &
    srv_pid=$!
    srv_url="ws://127.0.0.1:$port/ws"
  else
    janus_config "$tmp/janus" "$port"
    taskset -c "$SERVER_CPU" "$@" janus -C "$tmp/janus/janus.jcfg" -F "$tmp/janus" \
      -L "$tmp/janus.log" >"$tmp/server.log" 2>&1 &
    srv_pid=$!
    srv_url="ws://127.0.0.1:$port/"
  fi
  for _ in $(seq 1 900); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$srv_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench: $which did not start:" >&2
  tail -20 "$tmp/server.log" >&2
  return 1
}

stop_server() {
  [ -n "${srv_pid:-}" ] || return 0
  kill -TERM "$srv_pid" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$srv_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$srv_pid" 2>/dev/null || true
  wait "$srv_pid" 2>/dev/null || true
  srv_pid=""
}
