#!/usr/bin/env bash
# Installs dependencies (if missing), configures and builds into build/.
#   build.sh            the build dependencies and the `slipway` binary only (the main job)
#   build.sh --all      the test dependencies too, and everything: tests, benchmarks, the man
#                       page and completions (the test command)
#   build.sh TARGET...  the build dependencies and these targets
set -euo pipefail
cd "$(dirname "$0")/.."
all=false
targets=()
for arg in "$@"; do
  case "$arg" in
    --all) all=true ;;
    -*) echo "usage: build.sh [--all | TARGET...]" >&2; exit 2 ;;
    *) targets+=("$arg") ;;
  esac
done
if $all; then
  bash scripts/install-deps.sh test
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLIPWAY_WERROR=ON \
    -DSLIPWAY_TESTS=ON -DSLIPWAY_BENCH=ON >/dev/null
  cmake --build build -j "$(nproc)"
else
  bash scripts/install-deps.sh build
  # Tests and benchmarks off: their packages (GoogleTest, Benchmark) are not installed here.
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLIPWAY_WERROR=ON \
    -DSLIPWAY_TESTS=OFF -DSLIPWAY_BENCH=OFF >/dev/null
  [ ${#targets[@]} -eq 0 ] && targets=(slipway)
  cmake --build build -j "$(nproc)" --target "${targets[@]}"
fi
