#!/usr/bin/env bash
# `tufget install` against pip, installing the same dependency tree from the same local
# TUF-enabled index on 127.0.0.1. Builds nothing: point it at a build directory with tufget.
#
#   bench/install_bench.sh [BUILD_DIR] [--results DIR] [--runs N] [--keep]
#
# BUILD_DIR (default: build) holds the tufget program. Steps:
#   1. generate 24 projects (29 wheels: some projects have older versions, one a 2.0 that a
#      "<2" constraint excludes) with scripts/make_wheel.py: a tree of dependencies four levels
#      deep with shared (diamond) dependencies, 3-9 modules each, seven of 50-500 KB of .py
#      (about 1.8 MB of .py in the 24 installed), console scripts on four and a '#!python'
#      data script on one;
#   2. `tufget index init/add/publish` them and `tufget index serve` the index;
#   3. RUNS times each (default 5), one after the other in the same run, every install into a
#      fresh virtual environment whose creation is not timed:
#        tufget cold : `tufget install benchapp --python VENV` (venv made --without-pip) with a
#                      fresh XDG_CACHE_HOME (no TUF metadata, no download cache)
#        tufget warm : the same with the XDG_CACHE_HOME of an earlier run (metadata and wheels
#                      cached; the TUF refresh still fetches timestamp.json)
#        pip cold    : Debian's pip 23 in a fresh venv (made with pip, untimed):
#                      `VENV/bin/pip install --index-url http://127.0.0.1:PORT/simple/ benchapp
#                      --no-compile --disable-pip-version-check --no-cache-dir`
#        pip warm    : the same with --cache-dir of an earlier run
#        floor cold  : the work no installer can skip, in one `python3 -I -S` process: GET the
#                      24 resolved wheels over one keep-alive connection, check each one's
#                      sha256, extract it into an empty directory (no TUF, no resolution, no
#                      RECORD checks, no scripts, no fsync)
#        floor warm  : the same reading the wheels from a local directory instead of HTTP
#        download+unzip cold/warm : for reference, `tufget download` of exactly the resolved
#                      wheels (TUF-verified; --python-version/--platform given, so no
#                      interpreter query) with a fresh / a warm XDG_CACHE_HOME, then `unzip` of
#                      each wheel into an empty directory
#      Every timed command starts after an untimed `sync` (see timed()).
#      Both installers install the same 24 distributions (checked after each run, and the
#      console script of benchapp, which imports the whole tree, is run once per installer).
#      tufget and pip both skip byte-compilation (tufget's default, pip's --no-compile).
#   4. a table (RESULTS/install-summary.md) of the median and min ms of each, pip/tufget and
#      tufget/floor, every time in RESULTS/install-times.txt, and tufget's own -v breakdown of
#      an untimed cold and warm run in RESULTS/install-trace-{cold,warm}.txt.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$src/bench/install_lib.sh"
die() { echo "install_bench.sh: $2" >&2; exit "$1"; }
build=$src/build results="" runs=5 keep=0
while (( $# )); do
  case $1 in
    --results | --runs) declare "${1#--}=$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) sed -n '2,38p' "$0"; exit 0 ;;
    -*) die 2 "unknown option $1" ;;
    *) build=$1; shift ;;
  esac
done
bench_setup "$build" "$results" "$runs"
command -v unzip > /dev/null || die 2 "unzip missing (apt-get install unzip)"
"$python" -c 'import ensurepip, venv' 2> /dev/null ||
  die 2 "$python or its venv module missing (apt-get install python3-venv)"

work=$(mktemp -d /tmp/tufget-install-bench.XXXXXX)
server_pid=""
finish() {
  [[ -z $server_pid ]] || { kill "$server_pid"; wait "$server_pid"; } 2> /dev/null || true
  if (( keep )); then echo "install_bench.sh: kept $work"; else rm -rf "$work"; fi
}
trap finish EXIT

echo "== install bench: generating the projects and their wheels"
"$python" - "$src/scripts" "$work" <<'PY'
import io, os, random, sys

scripts, work = sys.argv[1], sys.argv[2]
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, scripts)
import make_wheel  # noqa: E402

rng = random.Random(20240607)
WORDS = ("alpha beta gamma delta value index table frame buffer record parse render load store "
         "token node tree graph cache queue batch chunk field entry match scale merge split "
         "reduce update config option result error state event handle stream source "
         "target layer block shape point limit count total offset window").split()

def ident():
    return "_".join(rng.sample(WORDS, rng.randint(1, 3)))

def function_text():
    name, arg = ident(), rng.choice(WORDS)
    k, m = rng.randint(2, 97), rng.randint(1000, 999983)
    body = [f"def {name}_{rng.randint(0, 9999)}({arg}, factor={k}):",
            f'    """Return {arg} folded with factor ({" ".join(rng.sample(WORDS, 6))}).',
            "",
            f'    {" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize()}.',
            '    """',
            f"    {ident()} = []",
            f"    result = len(str({arg}))",
            "    for step in range(factor):",
            f"        result = (result * {rng.randint(3, 97)} + step) % {m}",
            f"        if result % {rng.randint(2, 9)} == 0:",
            f"            result += {rng.randint(1, 500)}",
            "    return result", "", "", ""]
    return "\n".join(body)

def class_text():
    name = "".join(w.capitalize() for w in rng.sample(WORDS, 2))
    attrs = rng.sample(WORDS, 3)
    lines = [f"class {name}{rng.randint(0, 999)}:",
             f'    """A {" ".join(attrs)} holder."""', "",
             f"    def __init__(self, {', '.join(attrs)}):"]
    lines += [f"        self.{a} = {a}" for a in attrs]
    lines += ["", "    def describe(self):",
              f"        return {{{', '.join(repr(a) + ': self.' + a for a in attrs)}}}", "", ""]
    return "\n".join(lines)

def module_text(size):
    parts, n = ['"""Generated for the tufget install benchmark."""\n\n'], 0
    while n < size:
        part = class_text() if rng.random() < 0.2 else function_text()
        parts.append(part)
        n += len(part)
    return "".join(parts)

# name, version(s), total KB of .py, dependencies (requirement strings), console script?
P = {}
def project(num, kb, deps, versions=("1.0",), script=False, data_script=False, name=None):
    P[num] = dict(name=name or f"benchlib-{num:02d}", versions=versions, kb=kb, deps=deps,
                  script=script, data_script=data_script)

project(0, 60, ["benchlib-01>=1.0", "benchlib-02", "Bench.Lib_03", "benchlib-04~=1.0"],
        script=True, name="benchapp")
project(1, 500, ["benchlib-05>=1.0", "benchlib-06", "benchlib-07>=1.0,<2"], script=True)
project(2, 250, ["benchlib-07", "benchlib-08"])
project(3, 120, ["benchlib-09", "benchlib-10", "benchlib-11"], script=True, name="Bench.Lib_03")
project(4, 50, ["benchlib-12", "benchlib-13"])
project(5, 30, ["benchlib-14>=1.1", "benchlib-15"], versions=("1.0", "1.1"))
project(6, 12, ["benchlib-16"])
project(7, 40, ["benchlib-17", "benchlib-18"], versions=("1.0", "1.1", "2.0"))
project(8, 8, ["benchlib-19"])
project(9, 24, ["benchlib-20"], data_script=True)
project(10, 16, ["benchlib-21", "benchlib-20>=1.0"])
project(11, 200, [])
project(12, 20, ["benchlib-22"], script=True)
project(13, 6, ["benchlib-23"])
for num, kb in zip(range(14, 24), (300, 10, 4, 35, 14, 8, 22, 5, 18, 9)):
    project(num, kb, [], versions=("1.0", "1.1") if num in (14, 20) else ("1.0",))

def newest(spec_name):
    for num, p in P.items():
        if make_wheel.escape_component(p["name"]) == make_wheel.escape_component(spec_name):
            allowed = [v for v in p["versions"] if not (num == 7 and v.startswith("2"))]
            return p, allowed[-1]
    raise SystemExit(f"unknown project {spec_name}")

def req_name(req):
    for sep in "<>=~!":
        req = req.split(sep)[0]
    return req

expected, resolved_wheel_bytes, resolved_py_bytes = [], 0, 0
for num in sorted(P):
    p = P[num]
    pkg = make_wheel.escape_component(p["name"])
    deps_pkgs = [make_wheel.escape_component(req_name(r)) for r in p["deps"]]
    for version in p["versions"]:
        root = os.path.join(work, "src", f"{pkg}-{version}", pkg)
        os.makedirs(os.path.join(root, "sub"))
        size = p["kb"] * 1024
        nmods = 3 + min(6, p["kb"] // 40)
        with open(os.path.join(root, "__init__.py"), "w") as f:
            f.write(f'"""{p["name"]} {version}, generated for the tufget install benchmark."""\n')
            for d in deps_pkgs:
                f.write(f"import {d}\n")
            f.write(f"\n__version__ = {version!r}\n\n\ndef ping():\n")
            f.write(f"    names = [{pkg!r}]\n")
            for d in deps_pkgs:
                f.write(f"    names += {d}.ping()\n")
            f.write("    return names\n\n\ndef main():\n"
                    "    names = sorted(set(ping()))\n"
                    f"    print({p['name']!r}, __version__, 'imports', len(names), 'packages')\n"
                    "    return 0\n")
        for i in range(nmods):
            where = root if i % 3 else os.path.join(root, "sub")
            with open(os.path.join(where, f"mod_{i:02d}.py"), "w") as f:
                f.write(module_text(size // nmods))
        open(os.path.join(root, "sub", "__init__.py"), "w").close()
        argv = ["--name", p["name"], "--version", version, "--requires-python", ">=3.8",
                "--summary", f"benchmark project {num}", "--package", root,
                "-o", os.path.join(work, "wheels")]
        for r in p["deps"]:
            argv += ["--requires-dist", r]
        if p["script"]:
            argv += ["--console-script", f"{pkg.replace('_', '-')}={pkg}:main"]
        if p["data_script"]:
            script = os.path.join(work, "src", f"{pkg}-{version}", f"{pkg}-tool")
            with open(script, "w") as f:
                f.write(f"#!python\nimport {pkg}\nprint({pkg}.__version__)\n")
            argv += ["--data-script", script]
        stdout, sys.stdout = sys.stdout, io.StringIO()
        try:
            make_wheel.main(argv)
            wheel = sys.stdout.getvalue().strip()
        finally:
            sys.stdout = stdout
        if version == newest(p["name"])[1]:
            resolved_wheel_bytes += os.path.getsize(wheel)
            resolved_py_bytes += sum(os.path.getsize(os.path.join(d, n))
                                     for d, _, names in os.walk(root) for n in names)
    expected.append(f"{pkg}=={newest(p['name'])[1]}")

with open(os.path.join(work, "expected.txt"), "w") as f:
    f.write("\n".join(sorted(expected)) + "\n")
with open(os.path.join(work, "sizes.txt"), "w") as f:
    f.write(f"{resolved_wheel_bytes // 1024} {resolved_py_bytes // 1024}\n")
PY
wheel_count=$(find "$work/wheels" -name "*.whl" | wc -l)
read -r wheel_kib py_kib < "$work/sizes.txt"
mapfile -t expected < "$work/expected.txt"
echo "   $wheel_count wheels in the index; benchapp resolves to ${#expected[@]} distributions:" \
     "$wheel_kib KiB of wheels, $py_kib KiB of files installed"

echo "== install bench: index"
publish_index "$tufget" "$python" "$work/index" "$work"/wheels/*.whl ||
  die 1 "publishing the index failed"
"$tufget" index serve "$work/index" --port 0 --port-file "$work/port" \
  2> "$work/serve.log" > /dev/null &
server_pid=$!
for _ in $(seq 100); do [[ -s $work/port ]] && break; sleep 0.05; done
[[ -s $work/port ]] || { cat "$work/serve.log" >&2; die 1 "the index server did not start"; }
port=$(cat "$work/port")
index_url="http://127.0.0.1:$port/simple/"
root="$work/index/tuf-metadata/1.root.json"

# The floor's inputs (untimed): each resolved wheel's URL path on the index (content-addressed
# by blake2b-256, docs/index.md), sha256 and file name; the wheels themselves for the warm run.
mkdir -p "$work/floor-wheels"
"$python" - "$work/wheels" "$work/floor-wheels" "${expected[@]}" > "$work/floor.txt" <<'PY'
import hashlib, os, shutil, sys
wheels, local, resolved = sys.argv[1], sys.argv[2], sys.argv[3:]
for item in resolved:
    name, version = item.split("==")
    filename = f"{name}-{version}-py3-none-any.whl"
    with open(os.path.join(wheels, filename), "rb") as f:
        data = f.read()
    b = hashlib.blake2b(data, digest_size=32).hexdigest()
    print(f"packages/{b[:2]}/{b[2:4]}/{b[4:]}/{filename} {hashlib.sha256(data).hexdigest()} "
          f"{filename}")
    shutil.copy(os.path.join(wheels, filename), local)
PY
cat > "$work/floor.py" <<'PY'
import hashlib, http.client, io, os, sys, zipfile
port, listing, local, mode, out = sys.argv[1:]
conn = http.client.HTTPConnection("127.0.0.1", int(port))
for line in open(listing):
    path, sha256, filename = line.split()
    if mode == "cold":
        conn.request("GET", "/" + path)
        response = conn.getresponse()
        data = response.read()
        if response.status != 200:
            sys.exit(f"floor: GET /{path}: {response.status}")
    else:
        with open(os.path.join(local, filename), "rb") as f:
            data = f.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        sys.exit(f"floor: {filename}: sha256 mismatch")
    zipfile.ZipFile(io.BytesIO(data)).extractall(out)
PY
read -r py_version platform < <("$python" -c \
  'import sys, sysconfig; print(f"{sys.version_info[0]}.{sys.version_info[1]}",
   sysconfig.get_platform().replace("-", "_").replace(".", "_"))')

check_install() {  # check_install WHAT VENV
  if ! diff <(printf '%s\n' "${expected[@]}") <(installed_set "$2") > "$work/diff.txt"; then
    cat "$work/diff.txt" >&2
    die 1 "$1 installed another set of distributions than expected (above)"
  fi
}

# The timed commands. Each takes the run number; everything untimed happens in prepare_*.
tufget_install() {  # XDG cache dir, venv, option...
  local xdg=$1 venv=$2; shift 2
  XDG_CACHE_HOME=$xdg XDG_CONFIG_HOME=$work/config "$tufget" install "$@" benchapp \
    --python "$venv" --index-url "$index_url" --root "$root" > "$work/out.txt" 2> "$work/err.txt"
}
pip_install() {  # venv, cache option...
  local venv=$1; shift
  "$venv/bin/pip" install -q --index-url "$index_url" --no-compile \
    --disable-pip-version-check "$@" benchapp > "$work/out.txt" 2> "$work/err.txt"
}
floor() {  # cold|warm, output dir
  "$python" -I -S "$work/floor.py" "$port" "$work/floor.txt" "$work/floor-wheels" "$1" "$2" \
    > "$work/out.txt" 2> "$work/err.txt"
}
download_unzip() {  # XDG cache dir, output dir
  XDG_CACHE_HOME=$1 XDG_CONFIG_HOME=$work/config "$tufget" download "${expected[@]}" \
    --python-version "$py_version" --platform "$platform" -d "$2/wheels" \
    --index-url "$index_url" --root "$root" > "$work/out.txt" 2> "$work/err.txt" || return 1
  local w
  for w in "$2"/wheels/*.whl; do unzip -q -o "$w" -d "$2/tree" || return 1; done
}

declare -A times
run_failed() { cat "$work/out.txt" "$work/err.txt" >&2; die 1 "$1 failed (output above)"; }
# timed KEY COMMAND...: runs it, appends its wall time (ms) to times[KEY], stops on failure.
# Each starts after an untimed `sync`: tufget makes its install durable (syncfs before the
# renames), which would otherwise also flush what earlier steps left dirty (the venv just
# created, pip's and the floor's unsynced files of the previous run).
timed() {
  local key=$1 t0; shift
  sync
  t0=$(date +%s%N)
  "$@" || run_failed "$key"
  times[$key]+=" $(( ($(date +%s%N) - t0) / 1000000 ))"
}
run_scripts() {  # INSTALLER: the console script (imports all 24) and the '#!python' script
  "$work/v/bin/benchapp" > "$work/out.txt" 2> "$work/err.txt" || run_failed "$1's benchapp"
  echo "   $1: benchapp: $(cat "$work/out.txt")"
  "$work/v/bin/benchlib_09-tool" > "$work/out.txt" 2> "$work/err.txt" ||
    run_failed "$1's benchlib_09-tool"
}
fresh_venv() { rm -rf "$work/v" && "$python" -m venv "$@" "$work/v"; }  # [--without-pip]

have_install=1
if ! "$tufget" --help 2> /dev/null | grep -q '^  install '; then
  have_install=0
  echo "install_bench.sh: this tufget has no 'install' command: tufget rows skipped" >&2
fi

# Warm caches: one untimed run of each fills them and checks the result.
if (( have_install )); then
  fresh_venv --without-pip
  tufget_install "$work/xdg-warm" "$work/v" -v || run_failed "tufget install (first run)"
  cp "$work/err.txt" "$results/install-trace-cold.txt"
  check_install "tufget install" "$work/v"
  fresh_venv --without-pip
  tufget_install "$work/xdg-warm" "$work/v" -v || run_failed "tufget install (second run)"
  cp "$work/err.txt" "$results/install-trace-warm.txt"
  run_scripts tufget
fi
fresh_venv
pip_install "$work/v" --cache-dir "$work/pip-cache" || run_failed "pip install (first run)"
check_install "pip install" "$work/v"
run_scripts pip
rm -rf "$work/f"
download_unzip "$work/xdg-dl-warm" "$work/f" || run_failed "tufget download (first run)"
rm -rf "$work/f"
floor warm "$work/f" || run_failed "floor (first run)"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== install bench: $runs runs each (load average $load_before)"
for (( i = 1; i <= runs; i++ )); do
  if (( have_install )); then
    rm -rf "$work/xdg-cold" && fresh_venv --without-pip
    timed tufget_cold tufget_install "$work/xdg-cold" "$work/v"
    check_install "tufget install" "$work/v"
    fresh_venv --without-pip
    timed tufget_warm tufget_install "$work/xdg-warm" "$work/v"
    check_install "tufget install" "$work/v"
  fi
  fresh_venv
  timed pip_cold pip_install "$work/v" --no-cache-dir
  check_install "pip install" "$work/v"
  fresh_venv
  timed pip_warm pip_install "$work/v" --cache-dir "$work/pip-cache"
  check_install "pip install" "$work/v"
  rm -rf "$work/f"
  timed floor_cold floor cold "$work/f"
  rm -rf "$work/f"
  timed floor_warm floor warm "$work/f"
  rm -rf "$work/f" "$work/xdg-cold"
  timed download_cold download_unzip "$work/xdg-cold" "$work/f"
  rm -rf "$work/f"
  timed download_warm download_unzip "$work/xdg-dl-warm" "$work/f"
  echo "   run $i/$runs done"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

summary=install-summary.md
{
  for key in tufget_cold tufget_warm pip_cold pip_warm floor_cold floor_warm download_cold \
    download_warm; do
    echo "$key${times[$key]:-}"
  done
} > "$results/install-times.txt"

"$python" - "$results/install-times.txt" "$wheel_count" "${#expected[@]}" "$wheel_kib" \
  "$py_kib" "$runs" "$load_before" "$load_after" "$(nproc)" <<'PY' | tee "$results/$summary"
import statistics, sys
path, wheels, dists, wheel_kib, py_kib, runs, load_before, load_after, nproc = sys.argv[1:]
t = {}
for line in open(path):
    key, *values = line.split()
    t[key] = [int(v) for v in values]
med = {k: statistics.median(v) for k, v in t.items() if v}
def cell(key):
    return f"{med[key]:.0f}" if key in med else "n/a"
def ratio(a, b):
    return f"{med[a] / med[b]:.2f}" if a in med and b in med and med[b] else "n/a"
print(f"Install benchmark: benchapp and its dependencies, {dists} distributions ({wheel_kib} "
      f"KiB of wheels, {py_kib} KiB of files) from a local index of {wheels} wheels, "
      f"served on 127.0.0.1; {runs} runs each; {nproc} CPUs; load average {load_before} "
      f"before, {load_after} after.\n")
print("| | median ms (cold) | min ms (cold) | median ms (warm) | min ms (warm) |")
print("|---|---|---|---|---|")
names = {"tufget": "tufget install", "pip": "pip install (Debian pip 23.0.1)",
         "floor": "floor: GET + sha256 + extract (one Python process)",
         "download": "tufget download + unzip (reference)"}
for tool in ("tufget", "pip", "floor", "download"):
    c, w = f"{tool}_cold", f"{tool}_warm"
    mins = [f"{min(t[k])}" if t.get(k) else "n/a" for k in (c, w)]
    print(f"| {names[tool]} | {cell(c)} | {mins[0]} | {cell(w)} | {mins[1]} |")
print(f"| pip / tufget | {ratio('pip_cold', 'tufget_cold')} | | "
      f"{ratio('pip_warm', 'tufget_warm')} | |")
print(f"| tufget / floor | {ratio('tufget_cold', 'floor_cold')} | | "
      f"{ratio('tufget_warm', 'floor_warm')} | |")
PY
