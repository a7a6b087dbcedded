#!/usr/bin/env bash
# Configures and builds regaudit with a CMake preset: default (./build,
# RelWithDebInfo) or asan (./build-asan, AddressSanitizer + UBSan).
# Usage: scripts/build.sh [default|asan]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-default}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j"${REGAUDIT_JOBS:-2}"
