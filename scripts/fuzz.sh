#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each briefly (default 20 s). A crash or
# sanitizer report fails the script. Needs clang and its libFuzzer runtime (libclang-rt-14-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not installed; skipped"
  exit 0
fi
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release \
  -DSLIPWAY_FUZZ=ON -DSLIPWAY_BENCH=OFF >/dev/null
cmake --build build-fuzz --target expr_fuzz -j "$(nproc)"
mkdir -p build-fuzz/corpus/expr
build-fuzz/tests/fuzz/expr_fuzz -max_total_time="$seconds" -max_len=4096 build-fuzz/corpus/expr \
  2>&1 | tail -5
echo "fuzz: expr_fuzz ran ${seconds}s with no finding"
