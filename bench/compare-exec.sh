#!/usr/bin/env bash
# Before/after for `slipway run` (issue "exec rebuilt around step executors"): two slipway
# binaries, e.g. one built from an older commit, run the same workflows, interleaved round by
# round so that machine load hits both alike, beside the reference of raw `bash -c true` spawns
# measured in the same rounds:
#   steps-1000   one job of 1,000 `run: "true"` steps   → per-step cost and its ratio to a spawn
#   dag          DAG_JOBS jobs (default 10,000), each needing up to 3 earlier ones, each one
#                `if: false` step (what the scheduler and the run record cost) → jobs/s
#   bench/compare-exec.sh OLD_SLIPWAY NEW_SLIPWAY        ROUNDS=N (default 5) DAG_JOBS=N
# Binaries from before run.journal rewrite run.json whole at every job start and end (O(n²) in
# jobs): give them DAG_JOBS=2000, a 10,000-job DAG takes them many minutes.
# Prints medians and the NEW/OLD ratio. Not a CI test: timings are reported, never asserted.
set -euo pipefail
old="${1:?usage: compare-exec.sh OLD_SLIPWAY NEW_SLIPWAY}"
new="${2:?usage: compare-exec.sh OLD_SLIPWAY NEW_SLIPWAY}"
rounds="${ROUNDS:-5}"
dag_jobs="${DAG_JOBS:-10000}"
work="$(mktemp -d /tmp/slipway-compare-exec.XXXXXX)"
trap 'rm -rf "$work"' EXIT
python3 - "$work" "$dag_jobs" <<'PY'
import random, sys
work, dag_jobs = sys.argv[1], int(sys.argv[2])
with open(f"{work}/steps-1000.yml", "w") as f:
    f.write("on: push\njobs:\n  many:\n    runs-on: ubuntu-latest\n    steps:\n")
    f.write('      - run: "true"\n' * 1000)
random.seed(42)
with open(f"{work}/dag.yml", "w") as f:
    f.write("on: push\njobs:\n")
    for i in range(dag_jobs):
        f.write(f"  j{i}:\n    runs-on: ubuntu-latest\n")
        needs = sorted({random.randrange(i) for _ in range(3)}) if i else []
        if needs:
            f.write("    needs: [" + ", ".join(f"j{n}" for n in needs) + "]\n")
        f.write("    steps:\n      - if: false\n        run: \"true\"\n")
PY
python3 - "$old" "$new" "$work" "$rounds" "$dag_jobs" <<'PY'
import os, statistics, subprocess, sys, time
old, new, work, rounds, dag_jobs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
def run(slipway, workflow, tag):
    state = f"{work}/state-{tag}"
    t0 = time.perf_counter()
    p = subprocess.run([slipway, "run", f"{work}/{workflow}", "--state-dir", state, "--ref",
                        "refs/heads/main", "--sha", "0123abcd", "--progress", "plain"],
                       cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"{slipway} run {workflow} failed: {p.stderr.decode()[-500:]}")
    subprocess.run(["rm", "-rf", state])
    return elapsed
def raw(n):
    t0 = time.perf_counter()
    for _ in range(n):
        subprocess.run(["bash", "-c", "true"])
    return (time.perf_counter() - t0) / n
r = {k: [] for k in ("old-steps", "new-steps", "old-dag", "new-dag", "raw")}
for i in range(rounds):
    r["raw"].append(raw(200))
    r["old-steps"].append(run(old, "steps-1000.yml", f"o{i}") / 1000)
    r["new-steps"].append(run(new, "steps-1000.yml", f"n{i}") / 1000)
    r["raw"].append(raw(200))
    r["old-dag"].append(dag_jobs / run(old, "dag.yml", f"od{i}"))
    r["new-dag"].append(dag_jobs / run(new, "dag.yml", f"nd{i}"))
m = {k: statistics.median(v) for k, v in r.items()}
print(f"raw bash -c true spawn: {m['raw']*1e6:8.0f} us (median of {len(r['raw'])} batches of 200)")
print(f"1,000-step job, per step: old {m['old-steps']*1e6:8.0f} us ({m['old-steps']/m['raw']:.2f}x raw)  "
      f"new {m['new-steps']*1e6:8.0f} us ({m['new-steps']/m['raw']:.2f}x raw)  new/old {m['new-steps']/m['old-steps']:.2f}")
print(f"{dag_jobs}-job DAG: old {m['old-dag']:8.0f} jobs/s  new {m['new-dag']:8.0f} jobs/s  "
      f"new/old time {m['old-dag']/m['new-dag']:.2f}")
PY
