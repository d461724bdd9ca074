#!/usr/bin/env bash
# Installing a deep dependency tree through a slow link: tufget against pip, both through a
# loopback proxy that adds a fixed delay to every request (docs/performance.md, "Install
# through a 25 ms proxy"). One command, from the source tree, after building tufget:
#
#   bench/latency_tree.sh [BUILD_DIR] [--runs 3] [--delay-ms 25] [--results DIR] [--keep]
#                         [--no-pip]
#   bench/latency_tree.sh BUILD_DIR --smoke   # 3 wheels, 1 ms, one run, no pip: checks the script
#
# BUILD_DIR (default: build) holds the tufget program. Steps:
#   1. generate the tree with scripts/make_wheel.py: `treeapp` and 5 levels of dependencies
#      below it (4, 8, 12, 16 projects: 41 wheels, each level's projects reached only through
#      the level above, each project needing 2 or 3 of the next level, so levels share
#      dependencies); small wheels (about 6 KiB of .py each), so round trips dominate;
#   2. `tufget index init/add/publish` it, `tufget index serve` it on 127.0.0.1, and start
#      bench/latency_proxy.py in front of it with --delay-ms (default 25). Clients are given only
#      the proxy's URL; the pages link files relatively, and the script checks that the index
#      server answered exactly the requests the proxy logged (nothing went around it);
#   3. RUNS times (default 3), one after the other, each into a fresh venv made untimed with
#      /usr/bin/python3 -m venv (pip's: a copy of one made at the same path, with pip):
#        tufget cold : `tufget install treeapp --python VENV --index-url PROXY/simple/ --root R`
#                      with a fresh XDG_CACHE_HOME (no metadata, no download cache)
#        tufget warm : the same with the XDG_CACHE_HOME of an earlier run
#        pip cold    : VENV/bin/pip install --index-url PROXY/simple/ --no-cache-dir treeapp
#        pip warm    : the same with --cache-dir of an earlier run
#      (both --no-compile / tufget's default of no byte-compilation; pip is the venv's own,
#      Debian's pip 23.0.1). The installed set is checked after every run;
#   4. from the proxy's log of each run: the request count and the number of sequential round
#      trips (the longest chain of requests each starting after the previous one ended);
#      prints a table of medians (RESULTS/latency-summary.md; raw numbers in
#      RESULTS/latency-times.txt, the proxy log in RESULTS/latency-proxy.log).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$src/bench/install_lib.sh"
die() { echo "latency_tree.sh: $2" >&2; exit "$1"; }
build=$src/build results="" runs=3 delay_ms=25 keep=0 smoke=0 pip=1
while (( $# )); do
  case $1 in
    --results | --runs | --delay-ms) declare "$(echo "${1#--}" | tr - _)=$2"; shift 2 ;;
    -h | --help) sed -n '2,31p' "$0"; exit 0 ;;
    --smoke) smoke=1; runs=1; delay_ms=1; pip=0; shift ;;
    --keep) keep=1; shift ;;
    --no-pip) pip=0; shift ;;
    -*) die 2 "unknown option $1" ;;
    *) build=$1; shift ;;
  esac
done
bench_setup "$build" "$results" "$runs"
if ! "$python" -c 'import ensurepip, venv' 2> /dev/null; then
  echo "latency_tree.sh: $python or its venv module missing (apt-get install python3-venv)" >&2
  exit 77  # "skipped" for CTest
fi

work=$(mktemp -d /tmp/tufget-latency-tree.XXXXXX)
pids=()
finish() {
  local pid
  for pid in "${pids[@]}"; do { kill "$pid"; wait "$pid"; } 2> /dev/null || true; done
  if (( keep )); then echo "latency_tree.sh: kept $work"; else rm -rf "$work"; fi
}
trap finish EXIT

# Level sizes below the root project; the smoke run has a chain of 3.
if (( smoke )); then levels="1 1"; else levels="4 8 12 16"; fi
"$python" - "$src/scripts" "$work" $levels <<'PY'
import io, os, random, sys

scripts, work, sizes = sys.argv[1], sys.argv[2], [1] + [int(n) for n in sys.argv[3:]]
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, scripts)
import make_wheel  # noqa: E402

rng = random.Random(20250101)
names = [["treeapp"]] + [[f"tree-l{lv}-{i:02d}" for i in range(n)]
                         for lv, n in enumerate(sizes[1:], 1)]
deps = {}
for lv in range(len(names) - 1):
    above, below = names[lv], names[lv + 1]
    for name in above:
        deps[name] = set()
    for i, name in enumerate(below):  # every project is needed by someone one level up
        deps[above[i % len(above)]].add(name)
    for name in above:  # and most by two or three: shared (diamond) dependencies
        want = min(len(below), rng.randint(2, 3))
        while len(deps[name]) < want:
            deps[name].add(rng.choice(below))
for name in names[-1]:
    deps[name] = set()

expected = []
for name, needs in deps.items():
    pkg = make_wheel.escape_component(name)
    root = os.path.join(work, "src", pkg)
    os.makedirs(root)
    with open(os.path.join(root, "__init__.py"), "w") as f:
        f.write(f'"""{name}, generated for the tufget latency benchmark."""\n')
        for d in sorted(needs):
            f.write(f"import {make_wheel.escape_component(d)}\n")
    for m in range(2):
        with open(os.path.join(root, f"mod_{m}.py"), "w") as f:
            for k in range(40):
                mul, add, mod = rng.randint(2, 97), rng.randint(1, 999), rng.randint(1000, 99999)
                f.write(f"def f_{k}(x, k={mul}):\n    return (x * k + {add}) % {mod}\n\n\n")
    argv = ["--name", name, "--version", "1.0", "--requires-python", ">=3.8",
            "--package", root, "-o", os.path.join(work, "wheels")]
    for d in sorted(needs):
        argv += ["--requires-dist", f"{d}>=1.0"]
    stdout, sys.stdout = sys.stdout, io.StringIO()
    try:
        make_wheel.main(argv)
    finally:
        sys.stdout = stdout
    expected.append(f"{pkg}==1.0")
with open(os.path.join(work, "expected.txt"), "w") as f:
    f.write("\n".join(sorted(expected)) + "\n")
print(f"   {len(expected)} wheels, {len(names)} levels (sizes {sizes})")
PY
mapfile -t expected < "$work/expected.txt"
depth=$(( $(wc -w <<< "$levels") + 1 ))

publish_index "$tufget" "$python" "$work/index" "$work"/wheels/*.whl ||
  die 1 "publishing the index failed"

wait_port() {  # FILE LOG WHAT
  local _
  for _ in $(seq 200); do [[ -s $1 ]] && return 0; sleep 0.05; done
  cat "$2" >&2; die 1 "$3 did not start"
}
"$tufget" index serve "$work/index" --port 0 --port-file "$work/port" \
  2> "$work/serve.log" > /dev/null &
pids+=($!)
wait_port "$work/port" "$work/serve.log" "the index server"
proxy_log=$work/proxy.log
"$python" "$src/bench/latency_proxy.py" serve --upstream "http://127.0.0.1:$(cat "$work/port")" \
  --delay-ms "$delay_ms" --log "$proxy_log" --port-file "$work/proxy-port" \
  2> "$work/proxy.err" &
pids+=($!)
wait_port "$work/proxy-port" "$work/proxy.err" "the proxy"
index_url="http://127.0.0.1:$(cat "$work/proxy-port")/simple/"
root="$work/index/tuf-metadata/1.root.json"

run_failed() { cat "$work/out.txt" "$work/err.txt" >&2; die 1 "$1 failed (output above)"; }
check_install() {  # WHAT
  diff <(printf '%s\n' "${expected[@]}") <(installed_set "$work/v") > "$work/diff.txt" ||
    { cat "$work/diff.txt" >&2; die 1 "$1 installed another set than expected (above)"; }
}
# fresh_venv [pip]: a new venv at $work/v, without pip, or with pip: a copy of one made once
# at the same path (creating one with pip takes seconds; the copy is the same files).
fresh_venv() {
  rm -rf "$work/v"
  if [[ ${1:-} != pip ]]; then "$python" -m venv --without-pip "$work/v"; return; fi
  if [[ ! -d $work/v-pip ]]; then
    "$python" -m venv "$work/v" && cp -a "$work/v" "$work/v-pip"
  else
    cp -a "$work/v-pip" "$work/v"
  fi
}
tufget_install() {  # XDG cache dir
  XDG_CACHE_HOME=$1 XDG_CONFIG_HOME=$work/config "$tufget" install treeapp --python "$work/v" \
    --index-url "$index_url" --root "$root" > "$work/out.txt" 2> "$work/err.txt"
}
pip_install() {  # cache option...
  "$work/v/bin/pip" install -q --index-url "$index_url" --no-compile \
    --disable-pip-version-check "$@" treeapp > "$work/out.txt" 2> "$work/err.txt"
}

lines() { wc -l < "$proxy_log"; }
# timed KEY COMMAND...: runs it after an untimed sync; appends "ms requests sequential" to
# RESULTS/latency-times.txt under KEY.
timed() {
  local key=$1 t0 ms before; shift
  sync
  before=$(lines)
  t0=$(date +%s%N)
  "$@" || run_failed "$key"
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  sleep 0.1  # the proxy logs a request just after its last byte went out
  echo "$key $ms $("$python" "$src/bench/latency_proxy.py" stats "$proxy_log" --skip "$before")" \
    >> "$work/times.txt"
}

# Untimed first runs fill the warm caches and check the results.
fresh_venv
tufget_install "$work/xdg-warm" || run_failed "tufget install (first run)"
check_install "tufget install"
if (( pip )); then
  fresh_venv pip
  pip_install --cache-dir "$work/pip-cache" || run_failed "pip install (first run)"
  check_install "pip install"
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== latency tree: $runs runs each, ${delay_ms} ms per request (load average $load_before)"
: > "$work/times.txt"
for (( i = 1; i <= runs; i++ )); do
  rm -rf "$work/xdg-cold" && fresh_venv
  timed tufget_cold tufget_install "$work/xdg-cold"
  check_install "tufget install"
  fresh_venv
  timed tufget_warm tufget_install "$work/xdg-warm"
  check_install "tufget install"
  (( pip )) || continue
  fresh_venv pip
  timed pip_cold pip_install --no-cache-dir
  check_install "pip install"
  fresh_venv pip
  timed pip_warm pip_install --cache-dir "$work/pip-cache"
  check_install "pip install"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Nothing went around the proxy: the index server answered exactly the requests it logged.
served=$(grep -c '^tufget index: ' "$work/serve.log" || true)
proxied=$(lines)
(( served == proxied )) ||
  die 1 "the index server answered $served requests but the proxy forwarded $proxied"
cp "$work/times.txt" "$results/latency-times.txt"
cp "$proxy_log" "$results/latency-proxy.log"

"$python" - "$work/times.txt" "${#expected[@]}" "$depth" "$runs" "$delay_ms" "$load_before" \
  "$load_after" "$(nproc)" <<'PY' | tee "$results/latency-summary.md"
import statistics, sys
path, wheels, depth, runs, delay, load_before, load_after, nproc = sys.argv[1:]
rows = {}
for line in open(path):
    key, *values = line.split()
    rows.setdefault(key, []).append([int(v) for v in values])
print(f"treeapp: {wheels} wheels, {depth} levels, through a proxy adding {delay} ms per request; "
      f"medians of {runs} runs; {nproc} CPUs; load average {load_before} before, "
      f"{load_after} after.\n")
print("| tool | cache | wall ms | requests | sequential round trips |")
print("|---|---|---|---|---|")
med = {}
for key in ("tufget_cold", "tufget_warm", "pip_cold", "pip_warm"):
    if key not in rows:
        continue
    ms, req, seq = (statistics.median(col) for col in zip(*rows[key]))
    med[key] = ms
    tool, cache = key.split("_")
    print(f"| {tool} | {cache} | {ms:.0f} | {req:.0f} | {seq:.0f} |")
for cache in ("cold", "warm"):
    if f"pip_{cache}" in med and med.get(f"tufget_{cache}"):
        print(f"\npip / tufget, {cache}: {med[f'pip_{cache}'] / med[f'tufget_{cache}']:.2f}",
              end="")
print()
PY
