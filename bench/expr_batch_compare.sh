#!/usr/bin/env bash
# Speed of `slipway expr --batch` against GitHub's evaluator (@actions/expressions, via
# bench/expr_reference.mjs) on every "${{ }}" of the shared corpus with one shared context,
# whole process, same input, same run. Prints both rates and the ratio; asserts nothing.
#   bench/expr_batch_compare.sh [path/to/slipway] [repeat]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
slipway="${1:-$here/../build/slipway}"
repeat="${2:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$here/expr_context.json" "$here/../../shared/corpus/real" "$repeat" > "$work/in.jsonl" <<'PY'
import json, os, sys
ctx_path, corpus, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
exprs = []
for name in sorted(os.listdir(corpus)):
    if not name.endswith((".yml", ".yaml")):
        continue
    for line in open(os.path.join(corpus, name), encoding="utf-8", errors="replace"):
        i = line.find("${{")
        while i >= 0:
            j, quoted = i + 3, False
            while j < len(line):
                if line[j] == "'":
                    quoted = not quoted
                elif not quoted and line[j] == "}" and line[j - 1] == "}":
                    break
                j += 1
            if j >= len(line):
                break
            exprs.append(line[i + 3:j - 1].strip())
            i = line.find("${{", j + 1)
print(json.dumps({"context": json.load(open(ctx_path))}))
for _ in range(repeat):
    for e in exprs:
        print(json.dumps({"expr": e}))
PY
n=$(($(wc -l < "$work/in.jsonl") - 1))
t0=$(date +%s.%N); "$slipway" expr --batch < "$work/in.jsonl" > "$work/slipway.jsonl"; t1=$(date +%s.%N)
node "$here/expr_reference.mjs" < "$work/in.jsonl" > "$work/github.jsonl"; t2=$(date +%s.%N)
python3 - "$n" "$t0" "$t1" "$t2" "$work/slipway.jsonl" "$work/github.jsonl" <<'PY'
import json, sys
n, t0, t1, t2 = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
a = [json.loads(l) for l in open(sys.argv[5])]
b = [json.loads(l) for l in open(sys.argv[6])]
same = sum(1 for x, y in zip(a, b) if x == y)
s, g = n / (t1 - t0), n / (t2 - t1)
print(f"expressions: {n}")
print(f"slipway expr --batch: {s:,.0f}/s   @actions/expressions: {g:,.0f}/s   ratio: {s / g:.1f}x")
print(f"identical output lines: {same}/{n}")
PY
