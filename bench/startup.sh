#!/usr/bin/env bash
# Process start → exit of `slipway validate` on one typical workflow, against `slipway --version`
# (the same binary doing nothing) and /bin/true (a process start and nothing) measured in the
# same run, interleaved so that machine load hits all alike. Prints the median and mean per
# process and validate's extra time.
#   bench/startup.sh [SLIPWAY] [WORKFLOW]     RUNS=N (default 300)
# Not a CI test: timings are reported, never asserted.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
slipway="${1:-${SLIPWAY:-$root/build/slipway}}"
workflow="${2:-$root/bench/data/small.yml}"
runs="${RUNS:-300}"
"$slipway" validate "$workflow" >/dev/null || { echo "startup: $workflow does not validate" >&2; exit 1; }
python3 - "$slipway" "$workflow" "$runs" <<'PY'
import os, statistics, sys, time
slipway, workflow, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
commands = {"--version": [slipway, "--version"], "validate": [slipway, "validate", workflow],
            "/bin/true": ["/bin/true"]}
times = {name: [] for name in commands}
cpu = {name: [] for name in commands}  # user + system time: less sensitive to other load
devnull = os.open(os.devnull, os.O_WRONLY)
for _ in range(runs):
    for name, argv in commands.items():
        t0 = time.perf_counter_ns()
        pid = os.fork()
        if pid == 0:
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.execv(argv[0], argv)
        _, _, usage = os.wait4(pid, 0)
        times[name].append((time.perf_counter_ns() - t0) / 1e6)
        cpu[name].append((usage.ru_utime + usage.ru_stime) * 1e3)
for name, t in times.items():
    print(f"{name:>10}: wall median {statistics.median(t):6.2f} ms  min {min(t):6.2f} ms  "
          f"cpu median {statistics.median(cpu[name]):6.2f} ms  ({runs} runs)")
v, b = statistics.median(times["validate"]), statistics.median(times["--version"])
print(f"validate - --version: {v - b:.2f} ms (wall median); validate / --version: {v / b:.2f}x")
vc, bc = statistics.median(cpu["validate"]), statistics.median(cpu["--version"])
print(f"validate - --version: {vc - bc:.2f} ms (cpu median); validate / --version: {vc / bc:.2f}x")
PY
