#!/usr/bin/env bash
# The main job, end to end on this machine: install dependencies, build, create a local
# TUF-enabled index (Warehouse profile) holding Debian's pip and setuptools wheels, serve it on
# 127.0.0.1, pin its root, and let tufget refresh the TUF metadata and download the verified
# simple-index page of "pip" through the repository's hash bins.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh >/dev/null
tufget="$PWD/build/tufget"

work=$(mktemp -d "${TMPDIR:-/tmp}/tufget-demo.XXXXXX")
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

echo "== creating a local TUF-enabled index in $work/index (development keys)"
"$tufget" index init "$work/index" >/dev/null
"$tufget" index add "$work/index" /usr/share/python-wheels/*.whl >/dev/null
"$tufget" index publish "$work/index" >/dev/null

"$tufget" index serve "$work/index" --port 0 --port-file "$work/port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(cat "$work/port")
base="http://127.0.0.1:$port"
echo "== serving it on $base"

echo "== pinning the index's root and downloading the verified 'pip' project page"
"$tufget" --metadata-dir "$work/client" init "$work/index/tuf-metadata/1.root.json"
"$tufget" -v --metadata-dir "$work/client" --metadata-url "$base/tuf-metadata/" \
  --target-name pip --target-base-url "$base/targets/" --target-dir "$work/downloads" download
echo "== verified download:"
ls -l "$work/downloads"
echo "== trusted metadata:"
ls "$work/client"
