#!/usr/bin/env bash
# Process start-up and a warm refresh, each next to /bin/true measured in the same run
# (docs/performance.md, "Start-up and warm refresh"). Builds nothing:
#
#   bench/startup.sh [BUILD_DIR] [--runs 500] [--rounds 3] [--no-refresh]
#
# BUILD_DIR (default: build) holds tufget, and for the refresh bench/tufget-bench-repo and
# bench/tufget-bench-serve. ROUNDS times, interleaved, RUNS runs each (`perf stat -r RUNS` if
# perf works, else a date +%s%N loop):
#   /bin/true          the floor of starting any process on this machine
#   tufget --version   tufget's start-up (loader, relocations, static initialisers, CLI set-up)
#   tufget refresh     warm: the PyPI-scale repository of tufget-bench-repo (16,384 bins),
#                      served on 127.0.0.1 by tufget-bench-serve, everything cached, nothing
#                      changed (2 requests: 2.root.json 404, timestamp.json); RUNS/5 runs
# Prints the mean wall ms of each round, the medians over rounds of wall and CPU (user + system)
# ms, and each minus /bin/true's.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() { echo "startup.sh: $2" >&2; exit "$1"; }
build=$src/build runs=500 rounds=3 refresh=1
while (( $# )); do
  case $1 in
    --runs | --rounds) declare "${1#--}=$2"; shift 2 ;;
    --no-refresh) refresh=0; shift ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) die 2 "unknown option $1" ;;
    *) build=$1; shift ;;
  esac
done
tufget=$(realpath -e "$build/tufget" 2> /dev/null) || die 2 "no tufget in $build"
"$tufget" --version > /dev/null || die 1 "tufget --version failed"

work=$(mktemp -d /tmp/tufget-startup.XXXXXX)
server_pid=""
finish() {
  [[ -z $server_pid ]] || { kill "$server_pid"; wait "$server_pid"; } 2> /dev/null || true
  rm -rf "$work"
}
trap finish EXIT

use_perf=0
perf stat -r 2 /bin/true > /dev/null 2>&1 && use_perf=1
# mean_ms N COMMAND...: "WALL/CPU", the mean wall and CPU (task-clock; "-" without perf) ms
# of N runs (stdout of the command discarded).
mean_ms() {
  local n=$1; shift
  if (( use_perf )); then
    perf stat -r "$n" "$@" 2>&1 > /dev/null | awk '/task-clock/ { cpu = $1 }
      /seconds time elapsed/ { printf "%.3f/%.3f\n", $1 * 1000, cpu }'
  else
    local t0 i
    t0=$(date +%s%N)
    for (( i = 0; i < n; i++ )); do "$@" > /dev/null; done
    echo "$(( ($(date +%s%N) - t0) / n ))" | awk '{ printf "%.3f/-\n", $1 / 1e6 }'
  fi
}

declare -A cmds=([true]="/bin/true" [version]="$tufget --version")
order=(true version)
if (( refresh )); then
  [[ -x $build/bench/tufget-bench-repo && -x $build/bench/tufget-bench-serve ]] ||
    die 2 "no bench/tufget-bench-repo or bench/tufget-bench-serve in $build (--no-refresh?)"
  "$build/bench/tufget-bench-repo" "$work/repo" > /dev/null
  "$build/bench/tufget-bench-serve" "$work/repo" --port-file "$work/port" &
  server_pid=$!
  for _ in $(seq 100); do [[ -s $work/port ]] && break; sleep 0.05; done
  [[ -s $work/port ]] || die 1 "the server did not start"
  url="http://127.0.0.1:$(cat "$work/port")/metadata/"
  "$tufget" --metadata-dir "$work/md" init "$work/repo/metadata/1.root.json"
  "$tufget" --metadata-dir "$work/md" --metadata-url "$url" refresh ||
    die 1 "the first refresh failed"
  cmds[refresh]="$tufget --metadata-dir $work/md --metadata-url $url refresh"
  order+=(refresh)
fi

echo "== start-up: $rounds rounds of $runs runs (perf: $use_perf; load average" \
     "$(cut -d' ' -f1-3 /proc/loadavg))"
declare -A got
for (( r = 1; r <= rounds; r++ )); do
  for key in "${order[@]}"; do
    n=$runs
    [[ $key == refresh ]] && n=$(( runs / 5 > 20 ? runs / 5 : 20 ))
    # shellcheck disable=SC2086  # the command strings are split on purpose
    got[$key]+=" $(mean_ms "$n" ${cmds[$key]})"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for key in "${order[@]}"; do echo "$key${got[$key]}"; done > "$work/means.txt"
/usr/bin/python3 - "$work/means.txt" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    key, *values = line.split()
    rows[key] = [v.split("/") for v in values]
def median(key, i):
    values = [float(v[i]) for v in rows[key] if v[i] != "-"]
    return statistics.median(values) if values else float("nan")
print("| command | wall ms per round | wall median | - /bin/true | CPU median | - /bin/true |")
print("|---|---|---|---|---|---|")
names = {"true": "/bin/true", "version": "tufget --version", "refresh": "tufget refresh (warm)"}
for key in rows:
    per_round = " / ".join(f"{float(v[0]):.2f}" for v in rows[key])
    wall, cpu = median(key, 0), median(key, 1)
    print(f"| {names[key]} | {per_round} | {wall:.2f} | {wall - median('true', 0):+.2f} | "
          f"{cpu:.2f} | {cpu - median('true', 1):+.2f} |")
PY
