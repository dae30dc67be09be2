#!/usr/bin/env bash
# Sets everything up (test dependencies included) and runs the whole test suite (unit, golden,
# conformance, end-to-end, packaging and the report in headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh --all
cd build
ctest --output-on-failure -j "$(nproc)"
