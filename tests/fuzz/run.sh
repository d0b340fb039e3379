#!/usr/bin/env bash
# run.sh — `make fuzz`: builds every libFuzzer target (tests/fuzz/fuzz_*.c)
# with clang and the project's libraries instrumented (cmake -DSV_FUZZ=ON,
# a build directory of its own), then runs each for a given time, FUZZ_JOBS
# targets at once.
#
#   tests/fuzz/run.sh [BUILD_DIR [SECONDS [TARGET...]]]
#
# BUILD_DIR (relative to the source tree) defaults to build-fuzz, SECONDS
# to $FUZZ_SECONDS or 60, the targets to all of them.
#
#   FUZZ_JOBS   targets fuzzed at the same time (default: the number of
#               cores); each is one process, so the run takes about
#               ceil(targets / FUZZ_JOBS) × SECONDS plus the build.
#   FUZZ_MERGE  1: inputs that reached new code are merged into
#               tests/fuzz/corpus/<target>/, so they can be committed;
#               0: into BUILD_DIR/fuzz-corpus/<target>/, which the next run
#               reads too, and the source tree gets no new seeds. Defaults
#               to 1 in CI (CI=true, a clean clone) and 0 otherwise.
#
# Each target starts from tests/fuzz/corpus/<target>/ (the seeds and past
# crashers that ctest replays with gcc) and BUILD_DIR/fuzz-corpus/<target>/.
# A crash, leak, timeout or out-of-memory input is always written to
# tests/fuzz/corpus/<target>/ (crash-<sha1>, leak-…, timeout-…, oom-…),
# where it stays as a seed; the run then fails, naming it and showing the
# report. Each target's whole output is in BUILD_DIR/fuzz-<target>.log; the
# run prints one line per target: runs, coverage (cov: edges, ft:
# features), corpus entries added, and the report of a failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build-fuzz}
seconds=${2:-${FUZZ_SECONDS:-60}}
shift $(($# < 2 ? $# : 2))
case "$build" in /*) ;; *) build=$root/$build ;; esac
jobs=${FUZZ_JOBS:-$(nproc)}
merge=${FUZZ_MERGE:-$([ "${CI:-}" = true ] && echo 1 || echo 0)}
die() { echo "fuzz: $*" >&2; exit 1; }
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || die "SECONDS must be a whole number above 0, not '$seconds'"
[[ "$jobs" =~ ^[0-9]+$ ]] && [ "$jobs" -gt 0 ] || die "FUZZ_JOBS must be a whole number above 0, not '$jobs'"
[[ "$merge" =~ ^[01]$ ]] || die "FUZZ_MERGE must be 0 or 1, not '$merge'"
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

# fuzz_one TARGET: fuzzes it, merges what it found, and writes its summary
# to $build/fuzz-TARGET.summary and its exit status to $build/fuzz-TARGET.rc.
fuzz_one() {
  local t=$1
  local seeds=$root/tests/fuzz/corpus/$t
  local kept=$build/fuzz-corpus/$t
  local new=$build/fuzz-new/$t
  local out=$build/fuzz-$t.log
  local summary=$build/fuzz-$t.summary
  local stamp=$build/fuzz-$t.started
  local dest=$kept
  [ "$merge" = 1 ] && dest=$seeds
  mkdir -p "$seeds" "$kept"
  rm -rf "$new" && mkdir -p "$new"
  touch "$stamp"
  local before rc runs cov ft added
  before=$(find "$dest" -type f | wc -l)
  # New inputs go to $new (the first directory); the corpora are only read,
  # and $dest gets what adds coverage by the merge below. Leaks count as
  # failures (detect_leaks is on by default with ASan).
  "$build/$t" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$seeds/" "$new" "$seeds" "$kept" >"$out" 2>&1
  rc=$?
  if [ -n "$(ls -A "$new")" ]; then
    "$build/$t" -merge=1 -timeout=25 -rss_limit_mb=2048 "$dest" "$new" >>"$out.merge" 2>&1 ||
      echo "fuzz: $t: merging its new inputs failed (see $out.merge)" >>"$summary.tmp"
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out" | grep -o '[0-9]*$' | tail -1)
  # The last status line (#N DONE, or the last pulse before a crash).
  cov=$(grep -oE '^#[0-9]+.*cov: [0-9]+' "$out" | tail -1 | grep -oE '[0-9]+$')
  ft=$(grep -oE '^#[0-9]+.*ft: [0-9]+' "$out" | tail -1 | grep -oE '[0-9]+$')
  added=$(($(find "$dest" -type f | wc -l) - before))
  {
    if [ "$rc" -ne 0 ]; then
      echo "fuzz: $t FAILED after ${runs:-?} runs (log: $out); kept as seeds:"
      find "$seeds" -newer "$stamp" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
        -o -name 'oom-*' -o -name 'slow-unit-*' \) | sed 's/^/  /'
      grep -m1 -A25 -E '^==[0-9]+==ERROR|runtime error|invariant broken|deadly signal|ERROR: libFuzzer' \
        "$out" | head -40
    else
      echo "fuzz: $t: ${runs:-?} runs in ${seconds} s, cov ${cov:-?} ft ${ft:-?}," \
        "$added new corpus entries in ${dest#"$root"/}"
    fi
    [ -f "$summary.tmp" ] && cat "$summary.tmp"
  } >"$summary"
  rm -f "$summary.tmp"
  echo "$rc" >"$build/fuzz-$t.rc"
}

start=$(date +%s)
echo "fuzz: ${#built[@]} targets for $seconds s each, $jobs at a time;" \
  "new corpus entries go to $([ "$merge" = 1 ] && echo tests/fuzz/corpus || echo "${build#"$root"/}/fuzz-corpus")"
for t in "${built[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  rm -f "$build/fuzz-$t".{summary,summary.tmp,rc,log.merge}
  fuzz_one "$t" &
done
wait
# In the targets' order, whatever order they finished in.
for t in "${built[@]}"; do
  cat "$build/fuzz-$t.summary" 2>/dev/null || echo "fuzz: $t: no summary (see $build/fuzz-$t.log)"
  [ "$(cat "$build/fuzz-$t.rc" 2>/dev/null)" = 0 ] || failed+=("$t")
done
echo "fuzz: ${#targets[@]} targets in $(($(date +%s) - start)) s, ${#failed[@]} failed${failed:+: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
