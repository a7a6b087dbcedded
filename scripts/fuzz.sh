#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in ./build-fuzz and runs each for a
# bounded time (default 60 s; REGAUDIT_FUZZ_SECONDS or the first argument).
# Seeds come from tests/fuzz/corpus/<target>/; what the fuzzer learns goes to
# build-fuzz/corpus/<target>/, so the repository is not changed. A crash stops
# the script with the reproducer's path.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${REGAUDIT_FUZZ_SECONDS:-60}}
./scripts/install-deps.sh
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DREGAUDIT_FUZZ=ON -DREGAUDIT_BUILD_TESTS=OFF >/dev/null
targets=(normal_forms time csv profile declarative_rule)
cmake --build build-fuzz -j"${REGAUDIT_JOBS:-2}" --target "${targets[@]/#/fuzz_}"
for t in "${targets[@]}"; do
  work=build-fuzz/corpus/$t
  mkdir -p "$work" build-fuzz/crashes
  echo "== fuzz_$t for ${seconds}s"
  build-fuzz/bin/fuzz_"$t" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix=build-fuzz/crashes/"$t"- "$work" tests/fuzz/corpus/"$t" 2>&1 |
    grep -E '^(stat::number_of_executed_units|stat::new_units_added|#[0-9]+ +DONE|==[0-9]+==ERROR|SUMMARY)' || true
  if ls build-fuzz/crashes/"$t"-* >/dev/null 2>&1; then
    echo "fuzz_$t found a crash: $(ls build-fuzz/crashes/"$t"-*)" >&2
    exit 1
  fi
done
echo "no crashes"
