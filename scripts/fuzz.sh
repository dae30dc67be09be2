#!/usr/bin/env bash
# Builds the libFuzzer targets (ASan + UBSan) with clang and runs each for a bounded time
# (default 20 s each): the expression engine, a workflow file (YAML + model + validate), the
# environments file, and `plan` of a loaded workflow. Seeds come from ../shared/corpus (real
# workflows) and the repository's own files; what a run finds new is kept in
# build-fuzz/corpus/<target>. A crash or sanitizer report fails the script.
# Needs clang and its libFuzzer runtime (libclang-rt-14-dev).
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(expr workflow environments plan); fi
if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not installed; skipped"
  exit 0
fi
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release \
  -DSLIPWAY_FUZZ=ON -DSLIPWAY_BENCH=OFF -DSLIPWAY_TESTS=ON >/dev/null
build_targets=()
for t in "${targets[@]}"; do build_targets+=("${t}_fuzz"); done
cmake --build build-fuzz --target "${build_targets[@]}" -j "${FUZZ_JOBS:-$(nproc)}"

# Seeds, copied once per target (read-only second corpus directory).
seed_dir() {
  local target=$1 dir=build-fuzz/seeds/$1
  mkdir -p "$dir"
  case $target in
    workflow | plan)
      if [ -d ../shared/corpus ]; then
        find ../shared/corpus -name '*.yml' -size -64k -exec cp -t "$dir" {} + 2>/dev/null || true
      fi
      cp workflows/*.yml "$dir" 2>/dev/null || true
      ;;
    environments)
      find . -path ./build\* -prune -o -name 'environments.yml' -print -o -name 'envs*.yml' \
        -print | while read -r f; do cp "$f" "$dir/$(echo "$f" | tr / _)"; done
      ;;
  esac
  echo "$dir"
}

for t in "${targets[@]}"; do
  mkdir -p "build-fuzz/corpus/$t"
  seeds=$(seed_dir "$t")
  max_len=4096
  [ "$t" != expr ] && max_len=16384
  log=build-fuzz/$t.log
  if ! "build-fuzz/tests/fuzz/${t}_fuzz" -max_total_time="$seconds" -max_len=$max_len \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "build-fuzz/corpus/$t" "$seeds" \
      >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz: ${t}_fuzz FOUND A PROBLEM (see $log)"
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  echo "fuzz: ${t}_fuzz ran ${seconds}s, ${runs} executions, no finding"
done
