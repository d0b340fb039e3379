#!/usr/bin/env bash
# run.sh — `make fuzz`: builds every libFuzzer target (tests/fuzz/fuzz_*.c)
# with clang and the project's libraries instrumented (cmake -DSV_FUZZ=ON,
# a build directory of its own), then runs each for a given time.
#
#   tests/fuzz/run.sh [BUILD_DIR [SECONDS [TARGET...]]]
#
# BUILD_DIR (relative to the source tree) defaults to build-fuzz, SECONDS
# to $FUZZ_SECONDS or 60, the targets to all of them. Each starts from its
# corpus, tests/fuzz/corpus/<target>/ (the seeds and past crashers that
# ctest replays with gcc). Inputs that
# reached new code are merged into that directory, so the next run starts
# from them. A crash, leak, timeout or out-of-memory input is written there
# too (crash-<sha1>, leak-…, timeout-…, oom-…), where it stays as a seed;
# the run then fails, naming it and showing the report.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build-fuzz}
seconds=${2:-${FUZZ_SECONDS:-60}}
shift $(($# < 2 ? $# : 2))
case "$build" in /*) ;; *) build=$root/$build ;; esac
die() { echo "fuzz: $*" >&2; exit 1; }
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || die "SECONDS must be a whole number above 0, not '$seconds'"
command -v clang >/dev/null || die "clang is missing: bash scripts/install-deps.sh fuzz"

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for src in "$root"/tests/fuzz/fuzz_*.c; do targets+=("$(basename "$src" .c)"); done
fi

mkdir -p "$build"
log=$build/fuzz-build.log
echo "fuzz: building ${#targets[@]} targets in $build (log: $log)"
if ! CC=clang cmake -S "$root" -B "$build" -DSV_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$log" 2>&1; then
  tail -30 "$log" >&2
  die "cmake failed (the whole log is $log)"
fi
# One target at a time, so that one that does not build fails the run but
# does not keep the others from fuzzing.
failed=()
built=()
for t in "${targets[@]}"; do
  if cmake --build "$build" -j"${JOBS:-$(nproc)}" --target "$t" >>"$log" 2>&1; then
    built+=("$t")
  else
    failed+=("$t")
    echo "fuzz: $t does not build:"
    grep -E 'error|Error' "$log" | grep -v '^gmake' | tail -5
  fi
done

start=$(date +%s)
for t in "${built[@]}"; do
  corpus=$root/tests/fuzz/corpus/$t
  new=$build/fuzz-new/$t
  out=$build/fuzz-$t.log
  mkdir -p "$corpus"
  rm -rf "$new" && mkdir -p "$new"
  stamp=$build/fuzz-$t.started
  touch "$stamp"
  before=$(find "$corpus" -type f | wc -l)
  # New inputs go to $new (the first directory); the corpus is only read,
  # and gets what adds coverage by the merge below. Leaks count as failures
  # (detect_leaks is on by default with ASan).
  "$build/$t" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$corpus/" "$new" "$corpus" >"$out" 2>&1
  rc=$?
  if [ -n "$(ls -A "$new")" ]; then
    "$build/$t" -merge=1 -timeout=25 -rss_limit_mb=2048 "$corpus" "$new" >>"$out" 2>&1 ||
      echo "fuzz: $t: merging its new inputs failed (see $out)"
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out" | grep -o '[0-9]*$' | tail -1)
  added=$(($(find "$corpus" -type f | wc -l) - before))
  if [ "$rc" -ne 0 ]; then
    failed+=("$t")
    echo "fuzz: $t FAILED after ${runs:-?} runs; kept as seeds:"
    find "$corpus" -newer "$stamp" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
      -o -name 'oom-*' -o -name 'slow-unit-*' \) | sed 's/^/  /'
    grep -m1 -A25 -E '^==[0-9]+==ERROR|runtime error|invariant broken|deadly signal|ERROR: libFuzzer' \
      "$out" | head -40
  else
    echo "fuzz: $t: ${runs:-?} runs in ${seconds} s, $added new corpus entries"
  fi
done
echo "fuzz: ${#targets[@]} targets in $(($(date +%s) - start)) s, ${#failed[@]} failed${failed:+: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
