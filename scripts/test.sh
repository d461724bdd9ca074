#!/usr/bin/env bash
# The whole test suite: dependencies, build, every Catch2 test through CTest, and a short run of
# each fuzz target. This is what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
ctest --test-dir build --output-on-failure -j"${JOBS:-2}" --timeout 300
if [ -x scripts/fuzz.sh ]; then scripts/fuzz.sh smoke; fi
