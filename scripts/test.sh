#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test twice: in the normal
# build, and in a build with AddressSanitizer and UndefinedBehaviorSanitizer.
# Exit 0 only when all pass.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${REGAUDIT_JOBS:-2}
./scripts/install-deps.sh
./scripts/build.sh default
ctest --preset default -j"$jobs"
./scripts/build.sh asan
ctest --preset asan -j"$jobs"
