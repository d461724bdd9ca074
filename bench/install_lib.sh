# Shell functions shared by the install benchmarks (install_bench.sh, latency_tree.sh); sourced.

# publish_index TUFGET PYTHON DIR WHEEL...: a TUF-enabled index in DIR holding the wheels, with
# its unsigned JSON pages made readable to Debian 12's pip. That pip (23.0.1) asks for PEP 691
# JSON pages and crashes on a "dist-info-metadata" object in them (pip issue 12042, fixed in pip
# 23.2; the reason PEP 714 renamed the key to "core-metadata"). The key is dropped, so pip sees
# what it gets from PyPI: "core-metadata", which it does not know yet, so it downloads whole
# wheels. tufget reads only the signed HTML pages, which are left alone.
publish_index() {
  local tufget=$1 python=$2 dir=$3; shift 3
  "$tufget" index init "$dir" > /dev/null &&
    "$tufget" index add "$dir" "$@" > /dev/null &&
    "$tufget" index publish "$dir" > /dev/null || return 1
  "$python" - "$dir/simple" <<'PY'
import glob, json, os, sys
for path in glob.glob(os.path.join(sys.argv[1], "*", "index.json")):
    with open(path) as f:
        page = json.load(f)
    for entry in page.get("files", []):
        entry.pop("dist-info-metadata", None)
    with open(path + ".tmp", "w") as f:
        json.dump(page, f)
    os.replace(path + ".tmp", path)
PY
}

# installed_set VENV: the sorted name==version of every distribution in VENV's site-packages
# (pip, setuptools and their kind left out), names escaped as in wheel file names.
installed_set() {
  local d base
  for d in "$1"/lib/python3*/site-packages/*.dist-info; do
    base=$(basename "$d" .dist-info)
    case "$base" in pip-*|setuptools-*|_distutils_hack*) continue ;; esac
    echo "$(echo "${base%-*}" | tr 'A-Z.-' 'a-z__')==${base##*-}"
  done | sort
}

# bench_setup BUILD_DIR RESULTS_DIR RUNS: sets tufget (BUILD_DIR/tufget, which must exist),
# results (RESULTS_DIR, default BUILD_DIR/bench/results; created) and python (/usr/bin/python3,
# the interpreter both installers install for), and checks RUNS. Uses the caller's die().
bench_setup() {
  tufget=$(realpath -e "$1/tufget" 2> /dev/null) ||
    die 2 "no tufget in $1 (pass a build directory)"
  results=$(realpath -m "${2:-$1/bench/results}") && mkdir -p "$results"
  (( $3 >= 1 )) || die 2 "--runs must be at least 1"
  python=/usr/bin/python3
}
