#!/usr/bin/env bash
# libFuzzer targets (fuzz/, docs/fuzzing.md), built with clang-14 into ./build-fuzz.
#
#   scripts/fuzz.sh smoke                   build, then run every target briefly (CI)
#   scripts/fuzz.sh run TARGET [SECONDS] [libFuzzer flags...]
#                                           a longer run; its corpus grows in build-fuzz/corpus
#   scripts/fuzz.sh corpus                  regenerate the committed seeds in fuzz/corpus
#
# The committed corpus is never modified by a run: smoke fuzzes a copy in a temporary
# directory, run a copy under build-fuzz/. Crashing inputs go to build-fuzz/artifacts/TARGET/.
# Environment: JOBS (build parallelism, default 2), FUZZ_SMOKE_SECONDS (default 20 per target).
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(fuzz_metadata fuzz_updater fuzz_hash_verify fuzz_simple_page)
build=build-fuzz

die() {
  echo "fuzz: $*" >&2
  exit 2
}

configure() {
  command -v clang++-14 >/dev/null 2>&1 || die "clang++-14 not found (scripts/deps.sh installs it)"
  if [ ! -f "$build/CMakeCache.txt" ]; then
    local generator=()
    command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
    CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" "${generator[@]}" \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTUFGET_BUILD_FUZZ=ON -DTUFGET_BUILD_TESTS=OFF \
      -DTUFGET_BUILD_BENCH=OFF >/dev/null
  fi
}

build_targets() {
  configure
  cmake --build "$build" --target "$@" -j"${JOBS:-2}"
}

# run_target TARGET SECONDS CORPUS_DIR [libFuzzer flags...]: runs one target, prints its log
# tail on failure, and sets $runs (executed inputs) and $status (libFuzzer's exit code).
run_target() {
  local target=$1 seconds=$2 corpus=$3
  shift 3
  local artifacts="$build/artifacts/$target" log="$build/logs/$target.log"
  mkdir -p "$artifacts" "$(dirname "$log")"
  local args=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=25 -print_final_stats=1
              -artifact_prefix="$artifacts/")
  [ -f "fuzz/$target.dict" ] && args+=(-dict="fuzz/$target.dict")
  status=0
  "$build/fuzz/$target" "${args[@]}" "$@" "$corpus" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  runs=${runs:-0}
  if [ "$status" -ne 0 ]; then
    echo "fuzz: $target FAILED (exit $status); log: $log, inputs: $artifacts/" >&2
    grep -E 'invariant violated|^SUMMARY|ERROR:|runtime error|Test unit written' "$log" >&2 || true
    tail -n 40 "$log" >&2
  fi
}

smoke() {
  build_targets "${targets[@]}"
  local seconds=${FUZZ_SMOKE_SECONDS:-20} total=0 crashes=0
  tmp=$(mktemp -d)  # global: the EXIT trap runs after smoke returns
  trap 'rm -rf "$tmp"' EXIT
  for target in "${targets[@]}"; do
    mkdir -p "$tmp/$target"
    cp fuzz/corpus/"$target"/* "$tmp/$target/" 2>/dev/null || true
    run_target "$target" "$seconds" "$tmp/$target"
    echo "fuzz: $target: $runs runs, exit $status"
    total=$((total + runs))
    [ "$status" -eq 0 ] || crashes=$((crashes + 1))
  done
  echo "fuzz: ${#targets[@]} targets, $total runs, $crashes crashes"
  [ "$crashes" -eq 0 ]
}

run() {
  local target=${1:-} seconds=${2:-600}
  [ -n "$target" ] || die "usage: scripts/fuzz.sh run TARGET [SECONDS] [libFuzzer flags...]"
  [ -d "fuzz/corpus/$target" ] || die "unknown target $target (one of: ${targets[*]})"
  shift $(($# < 2 ? $# : 2))
  build_targets "$target"
  local corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  cp -n fuzz/corpus/"$target"/* "$corpus/" 2>/dev/null || true
  run_target "$target" "$seconds" "$corpus" "$@"
  echo "fuzz: $target: $runs runs in ${seconds}s, exit $status;" \
       "corpus $corpus ($(ls "$corpus" | wc -l) inputs)"
  [ "$status" -eq 0 ]
}

corpus() {
  build_targets fuzz_make_corpus
  "$build/fuzz/fuzz_make_corpus" fuzz/corpus
  echo "fuzz: seeds written to fuzz/corpus/"
}

case "${1:-}" in
  smoke) smoke ;;
  run) shift; run "$@" ;;
  corpus) corpus ;;
  *) die "usage: scripts/fuzz.sh smoke | run TARGET [SECONDS] [flags...] | corpus" ;;
esac
