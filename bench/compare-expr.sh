#!/usr/bin/env bash
# Expression throughput: `slipway expr --batch` against GitHub's evaluator (npm
# @actions/expressions through bench/node/expr-batch.mjs) on the same cases, in the same run,
# whole process each (start-up included). The cases are every `${{ }}` expression of
# ../shared/corpus/real/*.y*ml against one shared context (the first line of the batch file).
# Prints both throughputs, the ratio, and how many results agree. Not a CI test.
#
#   bench/compare-expr.sh [SLIPWAY_BINARY]      (default: build/slipway; env SLIPWAY works too)
#   REPEAT=N  runs each side N times and keeps the fastest (default 3)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
slipway="${1:-${SLIPWAY:-$root/build/slipway}}"
corpus="${CORPUS:-$root/../shared/corpus/real}"
node_dir="$root/bench/node"
out="$root/bench/out"
repeat="${REPEAT:-3}"

skip() { echo "compare-expr: skipped: $*"; exit 0; }
command -v node > /dev/null || skip "node is not installed"
command -v python3 > /dev/null || skip "python3 is not installed"
[ -d "$node_dir/node_modules/@actions/expressions" ] || skip "bench/node/node_modules is missing (run: npm ci --prefix bench/node)"
[ -x "$slipway" ] || skip "$slipway is not built"
[ -d "$corpus" ] || skip "corpus $corpus not found"
if ! echo '{"expr":"1 == 1"}' | "$slipway" expr --batch > /dev/null 2>&1; then
  skip "$slipway expr --batch does not work yet"
fi

mkdir -p "$out"
batch="$out/expr-batch.jsonl"

# Extract every ${{ }} from every corpus file (strings of the YAML tree when it loads, else the
# raw text), in file order, and write the batch: one context line, then {"expr": ...} lines.
python3 - "$corpus" "$batch" <<'PY'
import glob, json, os, re, sys

corpus, batch = sys.argv[1], sys.argv[2]
try:
    import yaml
    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
except ImportError:
    yaml = None

def scan(text):
    """Yields the inside of each ${{ ... }}, honouring '...' strings (which may hold '}}')."""
    i = 0
    while True:
        start = text.find("${{", i)
        if start < 0:
            return
        j = start + 3
        in_string = False
        while j < len(text):
            c = text[j]
            if in_string:
                if c == "'":
                    if text.startswith("''", j):
                        j += 2
                        continue
                    in_string = False
            elif c == "'":
                in_string = True
            elif text.startswith("}}", j):
                break
            j += 1
        if j >= len(text):
            return
        yield text[start + 3:j].strip()
        i = j + 2

def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)

context = {
    "github": {"event_name": "push", "ref": "refs/heads/main", "ref_name": "main", "ref_type": "branch",
               "sha": "0123456789abcdef0123456789abcdef01234567", "repository": "octo-org/example",
               "repository_owner": "octo-org", "actor": "monalisa", "run_id": "1234567890",
               "run_number": 42, "run_attempt": 1, "workflow": "CI", "server_url": "https://github.com",
               "api_url": "https://api.github.com", "head_ref": "", "base_ref": "", "job": "build",
               "token": "***", "workspace": "/home/runner/work/example/example",
               "event": {"ref": "refs/heads/main", "before": "0" * 40, "after": "1" * 40,
                         "commits": [{"id": "c1", "message": "Fix bug"}, {"id": "c2", "message": "Docs [skip ci]"}],
                         "head_commit": {"id": "c2", "message": "Docs [skip ci]"},
                         "repository": {"name": "example", "full_name": "octo-org/example", "default_branch": "main"},
                         "inputs": {}, "pull_request": None}},
    "env": {"CI": "true", "NODE_VERSION": "20", "PYTHON_VERSION": "3.11", "AWS_REGION": "us-east-1"},
    "inputs": {}, "vars": {}, "secrets": {"GITHUB_TOKEN": "***"},
    "needs": {"build": {"result": "success", "outputs": {"version": "1.2.3"}}},
    "steps": {}, "matrix": {"os": "ubuntu-latest", "node": 20, "python-version": "3.11"},
    "job": {"status": "success"}, "runner": {"os": "Linux", "arch": "X64", "temp": "/tmp"},
    "strategy": {"fail-fast": True, "job-index": 0, "job-total": 1, "max-parallel": 1},
}

files = sorted(glob.glob(os.path.join(corpus, "*.yml")) + glob.glob(os.path.join(corpus, "*.yaml")))
count = 0
with open(batch, "w", encoding="utf-8") as out:
    out.write(json.dumps({"context": context}) + "\n")
    for path in files:
        text = open(path, encoding="utf-8", errors="replace").read()
        pieces = None
        if yaml is not None:
            try:
                pieces = list(strings(yaml.load(text, Loader=loader)))
            except Exception:
                pieces = None
        for piece in (pieces if pieces is not None else [text]):
            for expr in scan(piece):
                out.write(json.dumps({"expr": expr}) + "\n")
                count += 1
print(f"compare-expr: {count} expressions from {len(files)} files -> {os.path.relpath(batch)}")
PY

cases=$(($(wc -l < "$batch") - 1))

# Runs "$@" < batch > file $repeat times; prints the fastest wall time in nanoseconds.
fastest() {
  local result_file="$1"; shift
  local best=0 t0 t1 elapsed
  for _ in $(seq "$repeat"); do
    t0=$(date +%s%N)
    "$@" < "$batch" > "$result_file"
    t1=$(date +%s%N)
    elapsed=$((t1 - t0))
    if [ "$best" -eq 0 ] || [ "$elapsed" -lt "$best" ]; then best=$elapsed; fi
  done
  echo "$best"
}

slipway_ns=$(fastest "$out/expr-slipway.jsonl" "$slipway" expr --batch)
node_ns=$(fastest "$out/expr-github.jsonl" node "$node_dir/expr-batch.mjs")
# Start-up alone: the same commands on a batch of one expression.
full_batch="$batch"
batch="$out/expr-batch-one.jsonl"
head -n 2 "$full_batch" > "$batch"
slipway_start_ns=$(fastest /dev/null "$slipway" expr --batch)
node_start_ns=$(fastest /dev/null node "$node_dir/expr-batch.mjs")
batch="$full_batch"

python3 - "$cases" "$slipway_ns" "$node_ns" "$out/expr-slipway.jsonl" "$out/expr-github.jsonl" "$batch" \
    "$slipway_start_ns" "$node_start_ns" <<'PY'
import json, sys
cases, s_ns, n_ns = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
s_start, n_start = int(sys.argv[7]), int(sys.argv[8])
ours = open(sys.argv[4], encoding="utf-8").read().splitlines()
theirs = open(sys.argv[5], encoding="utf-8").read().splitlines()
exprs = [json.loads(l).get("expr") for l in open(sys.argv[6], encoding="utf-8").read().splitlines()[1:]]
s_rate, n_rate = cases / (s_ns / 1e9), cases / (n_ns / 1e9)
print(f"cases:                 {cases}")
print(f"slipway expr --batch:  {s_ns / 1e6:9.1f} ms  {s_rate:12.0f} expr/s   (start-up alone {s_start / 1e6:.1f} ms)")
print(f"@actions/expressions:  {n_ns / 1e6:9.1f} ms  {n_rate:12.0f} expr/s   (start-up alone {n_start / 1e6:.1f} ms)")
print(f"ratio (slipway/github throughput, whole process): {s_rate / n_rate:.2f}x")
if s_ns > s_start and n_ns > n_start:
    print(f"ratio without start-up (both sides):              {(n_ns - n_start) / (s_ns - s_start):.2f}x")
if len(ours) != len(theirs):
    print(f"output lines differ: slipway {len(ours)}, github {len(theirs)}")
import re
workflow_fn = re.compile(r"\b(success|always|failure|cancelled|hashFiles)\s*\(", re.I)
agree, workflow_only, others = 0, 0, []
for i, (a, b) in enumerate(zip(ours, theirs)):
    a, b = json.loads(a), json.loads(b)
    if ("error" in a) == ("error" in b) and a.get("result") == b.get("result"):
        agree += 1
    elif workflow_fn.search(exprs[i] or ""):
        workflow_only += 1  # status functions / hashFiles: supplied to the reference only
    else:
        others.append((exprs[i], a, b))
total = min(len(ours), len(theirs))
print(f"agreement (result, or error on both sides): {agree}/{total}")
print(f"  differing where the expression calls a status function or hashFiles: {workflow_only}")
print(f"  other differences: {len(others)}")
for expr, a, b in others[:15]:
    print(f"    {expr!r}: slipway {json.dumps(a)[:100]} github {json.dumps(b)[:100]}")
PY
