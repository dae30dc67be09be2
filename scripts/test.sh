#!/usr/bin/env bash
# Sets everything up and runs the whole test suite (unit, golden, conformance, end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ctest --output-on-failure -j "$(nproc)"
