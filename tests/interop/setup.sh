#!/bin/sh
# Installs the pinned tuf-js fixture generator (tests/interop/package-lock.json) into
# tests/interop/node_modules. Idempotent: runs `npm ci` only when node_modules is missing or was
# installed from a different lockfile. Needs Node.js 20.17+ and npm.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
stamp="$here/node_modules/.tufget-lock.sha256"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "setup.sh: node and npm are required (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi

want=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
have=$(cat "$stamp" 2>/dev/null || true)

if [ "$want" = "$have" ] && [ -f "$here/node_modules/@tufjs/models/package.json" ]; then
  echo "setup.sh: tests/interop/node_modules is up to date"
  exit 0
fi

echo "setup.sh: npm ci in tests/interop"
npm ci --prefix "$here" --no-audit --no-fund
echo "$want" > "$stamp"
