#!/usr/bin/env bash
# The main job, end to end on this machine: install dependencies, build, make two small wheels
# locally (stand-ins for PyPA's sampleproject and its dependency peppercorn, see
# examples/projects/), publish them in a local TUF-enabled index (Warehouse profile) next to
# Debian's pip and setuptools wheels, serve it on 127.0.0.1, and let `tufget install` pin the
# index's root, verify the TUF metadata, the project pages and every wheel, and install
# sampleproject and peppercorn into a fresh virtual environment. Then run its console script.
#
# Everything is written under a fresh temporary directory (kept at the end, its path printed),
# including tufget's cache and configuration (XDG_CACHE_HOME, XDG_CONFIG_HOME): nothing of the
# user's is read or changed. TUFGET=/path/to/tufget skips the dependency and build steps.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${TUFGET:-}" ]; then
  tufget=$(realpath "$TUFGET")
else
  scripts/deps.sh
  scripts/build.sh >/dev/null
  tufget="$PWD/build/tufget"
fi
python=/usr/bin/python3

work=$(mktemp -d "${TMPDIR:-/tmp}/tufget-demo.XXXXXX")
server=""
cleanup() {
  [ -z "$server" ] || { kill "$server"; wait "$server"; } 2>/dev/null || true
}
trap cleanup EXIT
export XDG_CACHE_HOME="$work/cache" XDG_CONFIG_HOME="$work/config"

echo "== building the wheels of sampleproject 4.0.0 and peppercorn 0.6 (examples/projects/)"
"$python" scripts/make_wheel.py --name peppercorn --version 0.6 --requires-python ">=3.8" \
  --summary "A stand-in for peppercorn, built locally" \
  --package examples/projects/peppercorn/src/peppercorn -o "$work/wheels"
"$python" scripts/make_wheel.py --name sampleproject --version 4.0.0 \
  --requires-dist peppercorn --requires-python ">=3.8" --console-script sample=sample:main \
  --summary "A stand-in for PyPA's sampleproject, built locally" \
  --package examples/projects/sampleproject/src/sample -o "$work/wheels"

echo "== creating a local TUF-enabled index in $work/index (development keys)"
"$tufget" index init "$work/index" >/dev/null
"$tufget" index add "$work/index" "$work"/wheels/*.whl /usr/share/python-wheels/*.whl >/dev/null
"$tufget" index publish "$work/index" >/dev/null

"$tufget" index serve "$work/index" --port 0 --port-file "$work/port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
if [ ! -s "$work/port" ]; then
  echo "demo: the index server did not start:" >&2
  cat "$work/serve.log" >&2
  exit 1
fi
port=$(cat "$work/port")
echo "== serving it on http://127.0.0.1:$port (requests logged in $work/serve.log)"

echo "== creating a fresh virtual environment without pip: $work/venv"
"$python" -m venv --without-pip "$work/venv"

echo "== tufget install sampleproject (root pinned: $work/index/tuf-metadata/1.root.json;"
echo "   every page verified by TUF, every wheel by its page's sha256, every file by RECORD)"
"$tufget" install -v sampleproject --python "$work/venv" \
  --index-url "http://127.0.0.1:$port/simple/" \
  --root "$work/index/tuf-metadata/1.root.json"

echo "== installed distributions:"
ls -d "$work"/venv/lib/python3*/site-packages/*.dist-info
echo "== running $work/venv/bin/sample:"
"$work/venv/bin/sample"
echo "== done; everything is left in $work"
