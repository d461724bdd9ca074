#!/usr/bin/env bash
# End-to-end timings of the tufget program against a PEP 458-sized repository served over
# loopback. Builds nothing: point it at a build directory that has tufget and the bench tools.
#
#   bench/e2e.sh [BUILD_DIR] [--results DIR] [--runs N] [--rss-runs N] [--keep]
#
# BUILD_DIR defaults to build-bench, else build (relative to the source tree). Steps:
#   1. tufget-bench-repo writes 16,384 bins / 100,000 targets into a temp dir;
#   2. tufget-bench-serve serves it on 127.0.0.1 (keep-alive, one thread);
#   3. whole processes are timed (hyperfine if installed, else a date +%s%N loop), >= 20 runs:
#        cold  : fresh metadata dir + `tufget init 1.root.json` (untimed, --prepare), then
#                `tufget download --target-name project-00042` (refresh + lookup + download)
#        warm  : `tufget refresh` with everything cached and nothing changed
#        warm download : `tufget download` again (bin cached, target already present)
#        init, and `tufget --version` (process start-up floor) for scale
#      peak RSS of cold and warm with /usr/bin/time -f %M (KiB);
#      what-if runs (same binary, environment only), to size two costs found by profiling:
#        no CA bundle : SSL_CERT_FILE=/dev/null SSL_CERT_DIR=<empty dir> (OpenSSL then loads no
#                       system CA certificates; http:// only needs none). Since the TLS context
#                       is created by the first https:// request, these rows should equal the
#                       plain ones: a difference means plain http touches the trust store again
#        no fsync     : LD_PRELOAD=libeatmydata.so (fsync/fdatasync become no-ops), if installed
#   4. openssl speed -evp sha256 / blake2b512 (64 MiB, 1 MiB and 16 KiB blocks), to compare
#      with tufget_bench's hash/ benchmarks at the same sizes;
#   5. a summary table (also RESULTS/summary.md) next to the targets; if RESULTS/core.json
#      (tufget_bench --benchmark_out) exists, its numbers are included.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(dirname "$here")
build="" results="" runs=30 rss_runs=10 keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --results) results=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --rss-runs) rss_runs=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    -*) echo "e2e.sh: unknown option $1" >&2; exit 2 ;;
    *) build=$1; shift ;;
  esac
done
if [[ -z $build ]]; then
  for candidate in "$src/build-bench" "$src/build"; do
    if [[ -x $candidate/tufget ]]; then build=$candidate; break; fi
  done
fi
[[ -n $build ]] || { echo "e2e.sh: no build directory with tufget (pass one)" >&2; exit 2; }
build=$(cd "$build" && pwd)
results=${results:-$build/bench/results}
mkdir -p "$results"
results=$(cd "$results" && pwd)
(( runs >= 20 )) || { echo "e2e.sh: --runs must be at least 20" >&2; exit 2; }

find_bin() {
  local name=$1 p
  for p in "$build/$name" "$build/bench/$name" "$build/cli/$name"; do
    [[ -x $p ]] && { echo "$p"; return; }
  done
  echo "e2e.sh: $name not found under $build" >&2
  exit 2
}
tufget=$(find_bin tufget)
make_repo=$(find_bin tufget-bench-repo)
serve=$(find_bin tufget-bench-serve)

work=$(mktemp -d /tmp/tufget-e2e.XXXXXX)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if (( keep )); then echo "e2e.sh: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

echo "== e2e: repository"
gen_start=$(date +%s%N)
"$make_repo" "$work/repo" | tee "$results/repo.txt"
gen_ms=$(( ($(date +%s%N) - gen_start) / 1000000 ))

"$serve" "$work/repo" --port-file "$work/port" &
server_pid=$!
for _ in $(seq 100); do [[ -s $work/port ]] && break; sleep 0.05; done
[[ -s $work/port ]] || { echo "e2e.sh: server did not start" >&2; exit 1; }
port=$(cat "$work/port")
metadata_url="http://127.0.0.1:$port/metadata/"
targets_url="http://127.0.0.1:$port/targets/"
root="$work/repo/metadata/1.root.json"
md="$work/md" tg="$work/tg"
target=project-00042

# Download options after the subcommand (CLI11 subcommand options).
cold_cmd="$tufget --metadata-dir $md --metadata-url $metadata_url download"
cold_cmd+=" --target-name $target --target-base-url $targets_url --target-dir $tg"
warm_cmd="$tufget --metadata-dir $md --metadata-url $metadata_url refresh"
init_cmd="$tufget --metadata-dir $md init $root"
version_cmd="$tufget --version"
cat > "$work/prepare_cold.sh" <<EOF
rm -rf "$md" "$tg" && $init_cmd
EOF
cat > "$work/prepare_init.sh" <<EOF
rm -rf "$md" "$tg"
EOF

# Correctness first: a cold run must succeed and store the verified page.
bash "$work/prepare_cold.sh"
if ! $cold_cmd -v > "$results/cold-trace.txt" 2>&1; then
  echo "e2e.sh: cold download failed:" >&2
  cat "$results/cold-trace.txt" >&2
  exit 1
fi
expected=$(ls "$work/repo/targets/" | grep "\.$target\$")
cmp -s "$tg/$target" "$work/repo/targets/$expected" || {
  echo "e2e.sh: $tg/$target is missing or differs from the served page" >&2; exit 1; }
$warm_cmd -v > "$results/warm-trace.txt" 2>&1 || {
  echo "e2e.sh: warm refresh failed:" >&2; cat "$results/warm-trace.txt" >&2; exit 1; }
cold_fetches=$(grep -c 'fetch #' "$results/cold-trace.txt" || true)
warm_fetches=$(grep -c 'fetch #' "$results/warm-trace.txt" || true)

# time_cmd NAME PREPARE_SCRIPT COMMAND...: RESULTS/NAME.json in hyperfine's export format.
time_cmd() {
  local name=$1 prepare=$2; shift 2
  if command -v hyperfine > /dev/null; then
    local prep=()
    [[ -n $prepare ]] && prep=(--prepare "bash $prepare")
    hyperfine --shell=none --warmup 3 --runs "$runs" "${prep[@]}" \
      --export-json "$results/$name.json" --command-name "$name" "$*"
  else
    local times=() i t0 t1
    for (( i = 0; i < runs + 3; i++ )); do
      [[ -n $prepare ]] && bash "$prepare"
      t0=$(date +%s%N); "$@" > /dev/null; t1=$(date +%s%N)
      (( i >= 3 )) && times+=("$(( t1 - t0 ))")
    done
    python3 - "$results/$name.json" "$name" "${times[@]}" <<'PY'
import json, statistics, sys
out, name, ns = sys.argv[1], sys.argv[2], [int(x) for x in sys.argv[3:]]
s = [x / 1e9 for x in ns]
json.dump({"results": [{"command": name, "mean": statistics.mean(s), "stddev": statistics.stdev(s),
           "median": statistics.median(s), "min": min(s), "max": max(s), "times": s}]},
          open(out, "w"))
print(f"{name}: mean {statistics.mean(s)*1e3:.2f} ms, median {statistics.median(s)*1e3:.2f} ms")
PY
  fi
}

# peak_rss NAME PREPARE_SCRIPT COMMAND...: one line per run in RESULTS/NAME-rss.txt (KiB).
peak_rss() {
  local name=$1 prepare=$2; shift 2
  : > "$results/$name-rss.txt"
  if [[ ! -x /usr/bin/time ]]; then
    echo "e2e.sh: /usr/bin/time missing (apt-get install time)" >&2
    return
  fi
  local i
  for (( i = 0; i < rss_runs; i++ )); do
    [[ -n $prepare ]] && bash "$prepare"
    /usr/bin/time -f %M -a -o "$results/$name-rss.txt" "$@" > /dev/null
  done
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== e2e: timings ($runs runs each; load average $load_before)"
time_cmd cold "$work/prepare_cold.sh" $cold_cmd
peak_rss cold "$work/prepare_cold.sh" $cold_cmd
# Leave a cold-downloaded state behind for the warm runs.
bash "$work/prepare_cold.sh" && $cold_cmd
time_cmd warm "" $warm_cmd
peak_rss warm "" $warm_cmd
time_cmd warm-download "" $cold_cmd
time_cmd init "$work/prepare_init.sh" $init_cmd
time_cmd version "" $version_cmd
peak_rss version "" $version_cmd

echo "== e2e: what-if runs (environment only)"
mkdir -p "$work/empty-ca-dir"
(
  export SSL_CERT_FILE=/dev/null SSL_CERT_DIR="$work/empty-ca-dir"
  time_cmd cold-noca "$work/prepare_cold.sh" $cold_cmd
  peak_rss cold-noca "$work/prepare_cold.sh" $cold_cmd
  bash "$work/prepare_cold.sh" && $cold_cmd
  time_cmd warm-noca "" $warm_cmd
  peak_rss warm-noca "" $warm_cmd
)
eatmydata_so=""
for p in /usr/lib/x86_64-linux-gnu/libeatmydata.so /usr/lib/libeatmydata.so; do
  [[ -e $p ]] && { eatmydata_so=$p; break; }
done
if [[ -n $eatmydata_so ]]; then
  ( export LD_PRELOAD=$eatmydata_so
    time_cmd cold-nofsync "$work/prepare_cold.sh" $cold_cmd )
  ( export LD_PRELOAD=$eatmydata_so SSL_CERT_FILE=/dev/null SSL_CERT_DIR="$work/empty-ca-dir"
    time_cmd cold-noca-nofsync "$work/prepare_cold.sh" $cold_cmd )
else
  echo "e2e.sh: libeatmydata not installed (apt-get install eatmydata): no-fsync runs skipped"
fi

echo "== e2e: openssl speed"
openssl version > "$results/openssl.txt"
for bytes in 67108864 1048576 16384; do
  openssl speed -seconds 2 -evp sha256 -bytes "$bytes" 2>/dev/null | tail -1 \
    > "$results/openssl-sha256-$bytes.txt" || true
  openssl speed -seconds 2 -evp blake2b512 -bytes "$bytes" 2>/dev/null | tail -1 \
    > "$results/openssl-blake2b512-$bytes.txt" || true
done

du -sk "$md" | cut -f1 > "$results/metadata-dir-kib.txt"
{
  echo "nproc=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "sha_ni=$(grep -m1 -o -w sha_ni /proc/cpuinfo || echo no)"
  echo "kernel=$(uname -r)"
  echo "repo_gen_ms=$gen_ms"
  echo "loadavg_before=$load_before"
  echo "loadavg_after=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "cold_fetches=$cold_fetches"
  echo "warm_fetches=$warm_fetches"
  echo "hyperfine=$(hyperfine --version 2>/dev/null || echo none)"
} > "$results/machine.txt"

python3 "$here/summary.py" "$results" | tee "$results/summary.md"
