#!/usr/bin/env bash
# Installs tufget's build and test dependencies from Debian 12 packages (and the pinned npm
# packages of the interoperability tests). Idempotent; uses sudo when not run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config
  libsodium-dev libsimdjson-dev libssl-dev libboost1.81-dev libboost-url1.81-dev
  libzip-dev libcli11-dev catch2 libbenchmark-dev
  clang-14 libclang-rt-14-dev
  faketime python3 python3-venv python3-pip-whl python3-setuptools-whl python3-wheel
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm, for the interoperability fixtures. A machine may already have a Node.js
# build that bundles npm (and conflicts with Debian's npm package): use it when present.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# Pinned npm packages for tests/interop (package-lock.json).
if [ -f tests/interop/package-lock.json ]; then
  if [ ! -d tests/interop/node_modules ] ||
     [ tests/interop/package-lock.json -nt tests/interop/node_modules ]; then
    (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
    touch tests/interop/node_modules
  fi
fi
