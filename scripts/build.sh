#!/usr/bin/env bash
# Installs dependencies (if missing), configures and builds slipway into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLIPWAY_WERROR=ON >/dev/null
cmake --build build -j "$(nproc)"
