#!/usr/bin/env bash
# Sets everything up and runs the main job: validate every workflow in workflows/, then
# dry-run the production pipeline.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
./build/slipway schema workflow >/dev/null
echo "slipway built: $(./build/slipway --version)"
