#!/usr/bin/env bash
# bench/run.sh — samvei side by side with Janus VideoRoom, same machine, same
# load. `make bench` runs it; `make bench QUICK=1` (or --quick) is the short
# smoke run `make test` uses.
#
#   bench/run.sh [--quick]
#
# It installs what it needs, builds samvei and samvei-loadgen (release
# build), and then, inside a private network namespace whose only address is
# 127.0.0.1 (on a veth, since Janus gathers no candidates on a loopback
# interface), starts each server in turn pinned to CPU 0 with the load
# generator on CPU 1, alternating which goes first. Per server it measures:
# each scenario's ramp (CPU per forwarded packet, latency, loss; for the
# simulcast scenario also the layer each viewer received), memory per
# participant and drift after join/leave cycles, time and CPU per join, and
# instructions per forwarded packet under callgrind. Results go to
# bench/results/bench-<time>.json (quick runs: build/bench-quick/), and
# bench/report.py renders docs/benchmarks.md with gnuplot plots.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
[ "${QUICK_ENV:-0}" = 1 ] && QUICK=1
BUILD=${BUILD:-build}

if [ -z "${BENCH_IN_NETNS:-}" ]; then
  # The servers run in a private network namespace, which needs root. The
  # quick run inside `make test` is skipped for a developer who is not root
  # (CI runs as root and runs it); a full `make bench` asked for by name fails.
  if [ "$(id -u)" -ne 0 ]; then
    if [ "$QUICK" = 1 ]; then
      echo "bench: SKIPPED the quick benchmark: it needs root for its private network namespace (run 'sudo make bench QUICK=1'; CI runs it as root)" >&2
      exit 0
    fi
    echo "bench: needs root for its private network namespace: run 'sudo make bench'" >&2
    exit 1
  fi
  bash scripts/install-deps.sh bench
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD" -j2 --target samvei samvei-loadgen >/dev/null
  exec unshare -n env BENCH_IN_NETNS=1 QUICK_ENV=$QUICK bash "$0" "$@"
fi

# ---- inside the private network namespace ----
ip link set lo up
ip addr flush dev lo
ip link add bench0 type veth peer name bench1
ip addr add 127.0.0.1/8 dev bench0
ip link set bench0 up
ip link set bench1 up
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

export ROOT SAMVEI_BIN="$ROOT/$BUILD/samvei" SERVER_CPU=0
LOADGEN="$ROOT/$BUILD/samvei-loadgen"
LOADGEN_CPU=1
[ "$(nproc)" -ge 2 ] || { SERVER_CPU=0; LOADGEN_CPU=0; }
# shellcheck source=bench/servers.sh
source "$ROOT/bench/servers.sh"

stamp=$(date -u +%Y%m%d-%H%M%S)
if [ "$QUICK" = 1 ]; then
  out="$ROOT/$BUILD/bench-quick"
else
  out="$ROOT/bench/results/run-$stamp"
fi
rm -rf "$out"
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'stop_server; rm -rf "$tmp"' EXIT

# Per scenario, on top of RAMP: the simulcast viewers' estimates need some
# seconds to find their layers (the relay starts every subscriber at 600
# kbit/s), so each of its steps settles longer.
if [ "$QUICK" = 1 ]; then
  SCENARIOS=(1to1 presenter simulcast teaching)
  RAMP=(--settle 1 --window 3 --min-steps 2 --time-limit 20)
  declare -A MAXROOMS=([1to1]=4 [presenter]=2 [simulcast]=1 [teaching]=1)
  declare -A STEP=([1to1]=2 [presenter]=1 [simulcast]=1 [teaching]=1)
  declare -A EXTRA=([simulcast]="--settle 3")
  MEM=(--max-parts 20 --churn 20 --settle 1)
  CG_WINDOW=4
  SC_ROOMS=2
else
  SCENARIOS=(1to1 presenter 4party audio simulcast teaching)
  RAMP=(--settle 3 --window 8 --min-steps 4 --time-limit 90)
  declare -A MAXROOMS=([1to1]=40 [presenter]=12 [4party]=12 [audio]=200 [simulcast]=20 [teaching]=4)
  declare -A STEP=([1to1]=3 [presenter]=1 [4party]=1 [audio]=15 [simulcast]=2 [teaching]=1)
  declare -A EXTRA=([simulcast]="--settle 10")
  MEM=(--max-parts 200 --churn 1000 --settle 3)
  CG_WINDOW=10
  SC_ROOMS=8
fi

# run_loadgen SERVER NAME ARGS...: one load generator run against the
# server started last; its JSON goes to $out/SERVER-NAME.json.
run_loadgen() {
  local server=$1 name=$2
  shift 2
  echo "bench: $server $name" >&2
  taskset -c "$LOADGEN_CPU" "$LOADGEN" --server "$server" --url "$srv_url" --server-pid "$srv_pid" \
    --out "$out/$server-$name.json" "$@" 2>>"$out/$server-$name.log" || {
    echo "bench: the load generator failed against $server ($name):" >&2
    tail -5 "$out/$server-$name.log" >&2
    # A run that wrote its results still counts; report.py --check says
    # whether every part produced numbers.
    [ -s "$out/$server-$name.json" ] || return 1
  }
  tail -1 "$out/$server-$name.log" >&2
}

# One scenario on one server, on a freshly started server.
scenario_run() {
  local server=$1 sc=$2
  start_server "$server" "$tmp/$server-$sc"
  local extra
  read -r -a extra <<<"${EXTRA[$sc]:-}"
  # teaching: samvei's rooms are group teachings, booked through its API.
  SAMVEI_API_KEY=${srv_api_key:-} run_loadgen "$server" "$sc" --scenario "$sc" \
    --max-rooms "${MAXROOMS[$sc]}" --step "${STEP[$sc]}" "${RAMP[@]}" "${extra[@]}"
  stop_server
}

# Alternate which server goes first, scenario by scenario, so that slow
# drifts of the machine do not favour one of them.
order=(samvei janus)
for sc in "${SCENARIOS[@]}" memory; do
  for server in "${order[@]}"; do
    if [ "$sc" = memory ]; then
      start_server "$server" "$tmp/$server-mem"
      run_loadgen "$server" memory --scenario memory "${MEM[@]}" --join-timeout 60
      stop_server
    else
      scenario_run "$server" "$sc"
    fi
  done
  order=("${order[1]}" "${order[0]}")
done

# Instructions per forwarded packet: each server under callgrind, a low load
# (one 1:1 room), instrumentation switched on at the window start and off at
# its end, so the dump written at exit holds the window only.
for server in "${order[@]}"; do
  cg="$tmp/cg-$server"
  mkdir -p "$cg"
  cat >"$tmp/cg-hook.sh" <<EOF
#!/bin/sh
cd "$cg" || exit 1
pid=\$(cat "$cg/pid")
case "\$1" in
  start) callgrind_control -i on "\$pid" >/dev/null ;;
  end) callgrind_control -i off "\$pid" >/dev/null ;;
esac
EOF
  chmod +x "$tmp/cg-hook.sh"
  start_server "$server" "$tmp/$server-cg" valgrind --tool=callgrind \
    --instr-atstart=no --callgrind-out-file="$cg/callgrind.out.%p"
  echo "$srv_pid" >"$cg/pid"
  run_loadgen "$server" callgrind --scenario 1to1 --step 1 --max-rooms 1 --settle 3 \
    --window "$CG_WINDOW" --join-timeout 90 --max-p99-ms 1000000 --max-loss 1 \
    --on-window "$tmp/cg-hook.sh"
  stop_server
  dump=$(ls -t "$cg"/callgrind.out.* 2>/dev/null | head -1 || true)
  if [ -n "$dump" ]; then
    callgrind_annotate --auto=no "$dump" >"$tmp/annotate.txt" 2>/dev/null || true
    head -100 "$tmp/annotate.txt" >"$out/$server-callgrind.txt"
  else
    echo "bench: no callgrind dump for $server" >&2
  fi
done

# System calls per forwarded packet: each server with a few 1:1 rooms,
# counted by the kernel's syscall tracepoints (perf stat, all its threads)
# over one window. Optional: without perf the report says so.
SYSCALLS=(sendmsg sendmmsg sendto recvmsg recvmmsg recvfrom poll ppoll epoll_wait epoll_pwait
  read write writev)
events=$(printf 'syscalls:sys_enter_%s,' "${SYSCALLS[@]}")
events=${events%,}
if command -v perf >/dev/null && perf stat -e "syscalls:sys_enter_write" true >/dev/null 2>&1; then
  for server in "${order[@]}"; do
    cat >"$tmp/sc-hook.sh" <<EOF
#!/bin/sh
case "\$1" in
start)
  perf stat -x, -e "$events" -p "\$(cat "$tmp/sc-pid")" -o "$out/$server-syscalls.txt" \\
    </dev/null >/dev/null 2>&1 &
  echo \$! >"$tmp/sc-perf" ;;
end)
  perf=\$(cat "$tmp/sc-perf")
  kill -INT "\$perf"
  while kill -0 "\$perf" 2>/dev/null; do sleep 0.05; done ;;
esac
EOF
    chmod +x "$tmp/sc-hook.sh"
    start_server "$server" "$tmp/$server-sc"
    echo "$srv_pid" >"$tmp/sc-pid"
    run_loadgen "$server" syscalls --scenario 1to1 --step "$SC_ROOMS" --max-rooms "$SC_ROOMS" \
      --settle 3 --window "$CG_WINDOW" --max-p99-ms 1000000 --max-loss 1 --on-window "$tmp/sc-hook.sh"
    stop_server
  done
else
  echo "bench: no perf with syscall tracepoints here: system calls not counted" >&2
fi

# Machine facts for the report.
{
  grep -m1 "model name" /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'
  nproc
  free -m | awk '/Mem:/ {print $2}'
  cut -d' ' -f1-3 /proc/loadavg
  dpkg-query -W -f='Janus ${Version} (Debian package)\n' janus
  git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown
} >"$out/machine.txt"

python3 "$ROOT/bench/report.py" --collect "$out" --quick "$QUICK" >"$out/all.json"
if [ "$QUICK" = 1 ]; then
  python3 "$ROOT/bench/report.py" --render "$out/all.json" --doc "$out/benchmarks.md" \
    --plots "$out"
  echo "bench: quick run done: $out/benchmarks.md"
  python3 "$ROOT/bench/report.py" --check "$out/all.json"
else
  cp "$out/all.json" "$ROOT/bench/results/bench-$stamp.json"
  python3 "$ROOT/bench/report.py" --render "$ROOT/bench/results/bench-$stamp.json" \
    --doc "$ROOT/docs/benchmarks.md" --plots "$ROOT/docs/bench"
  echo "bench: done: docs/benchmarks.md, bench/results/bench-$stamp.json"
  python3 "$ROOT/bench/report.py" --check "$out/all.json"
fi
