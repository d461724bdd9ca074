#!/usr/bin/env bash
# Regenerates bootstrap/bootstrap.lock, the lock `tufget bootstrap` uses when no -r is given.
#
# PyPI serves no TUF metadata yet (and this project's machines cannot reach it), so the shipped
# lock pins the builds a Debian 12 machine has: pip and setuptools from python3-pip-whl and
# python3-setuptools-whl (/usr/share/python-wheels), and wheel built reproducibly by
# scripts/make_wheel.py from python3-wheel's installed package. The script publishes the three
# on a local TUF-enabled index, runs `tufget lock pip setuptools wheel` against it and writes
# the result without the index's (temporary, loopback) URL. Needs a built tufget (build/) and
# the Debian packages python3-pip-whl, python3-setuptools-whl and python3-wheel.
#
#   scripts/bootstrap_lock.sh                 # rewrites bootstrap/bootstrap.lock
#   scripts/bootstrap_lock.sh --wheels D      # also leaves the three wheels in D (a wheelhouse)
#   scripts/bootstrap_lock.sh --wheels-only D # only puts the three wheels in D (no tufget needed)
set -euo pipefail
cd "$(dirname "$0")/.."
tufget=${TUFGET:-$PWD/build/tufget}
keep="" only=0
case "${1:-}" in
  --wheels) keep=$(realpath -m "$2") ;;
  --wheels-only) keep=$(realpath -m "$2"); only=1 ;;
esac
python=/usr/bin/python3
wheel_src=/usr/lib/python3/dist-packages/wheel
[ -d "$wheel_src" ] || { echo "bootstrap_lock.sh: python3-wheel is not installed" >&2; exit 2; }
version=$("$python" -c 'import wheel; print(wheel.__version__)')

work=$(mktemp -d "${TMPDIR:-/tmp}/tufget-bootlock.XXXXXX")
server=""
cleanup() {
  [ -z "$server" ] || { kill "$server"; wait "$server"; } 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export XDG_CACHE_HOME="$work/cache" XDG_CONFIG_HOME="$work/config"

mkdir -p "$work/wheels"
cp /usr/share/python-wheels/pip-*.whl /usr/share/python-wheels/setuptools-*.whl "$work/wheels/"
"$python" scripts/make_wheel.py --name wheel --version "$version" --requires-python ">=3.7" \
  --summary "A built-package format for Python (built from Debian's python3-wheel)" \
  --extra test --requires-dist "pytest>=6.0.0; extra == 'test'" \
  --console-script wheel=wheel.cli:main --package "$wheel_src" -o "$work/wheels" >/dev/null
if (( only )); then
  mkdir -p "$keep" && cp "$work"/wheels/*.whl "$keep/"
  exit 0
fi
"$tufget" index init "$work/index" >/dev/null
"$tufget" index add "$work/index" "$work"/wheels/*.whl >/dev/null
"$tufget" index publish "$work/index" >/dev/null
"$tufget" index serve "$work/index" --port 0 --port-file "$work/port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(cat "$work/port")
"$tufget" lock pip setuptools wheel --python-version 3.11 -q -o "$work/boot.lock" \
  --index-url "http://127.0.0.1:$port/simple/" --root "$work/index/tuf-metadata/1.root.json"
{
  echo "#"
  echo "# The lock \`tufget bootstrap\` uses when no -r is given: pinned, hashed pip, setuptools and"
  echo "# wheel. Written by scripts/bootstrap_lock.sh from Debian 12's python3-pip-whl,"
  echo "# python3-setuptools-whl and python3-wheel (PyPI serves no TUF metadata yet); give"
  echo "# \`tufget bootstrap -r LOCK\` a lock of your own (\`tufget lock pip setuptools wheel\`)"
  echo "# for another index."
  echo
  grep -v -e '^--index-url' -e '^#' "$work/boot.lock" | sed '/./,$!d'
} > bootstrap/bootstrap.lock
[ -z "$keep" ] || { mkdir -p "$keep"; cp "$work"/wheels/*.whl "$keep/"; }
echo "bootstrap_lock.sh: wrote bootstrap/bootstrap.lock"
