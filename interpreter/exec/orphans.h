#pragma once
/// What a job's steps leave behind, and whether a slipway command runs inside a run.
///
/// The process that runs jobs (`slipway run`, `slipway worker`, `slipway test`) calls
/// BecomeRunProcess first: it becomes a child subreaper, so every process a step starts, even
/// one that double-forks or starts a session of its own (`setsid -f`), stays its descendant
/// while it lives; it names itself "slipway-run" (or -worker, -test), a name a step cannot
/// change; and it lowers its RLIMIT_LOCKS hard limit (a limit Linux no longer enforces) to a
/// finite value, which every process it starts inherits and can only lower further.
///
/// As GitHub's runner does, every step process of a job carries RUNNER_TRACKING_ID=<the job's
/// id>, and whatever still carries it when the job ends is stopped ("Cleaning up orphan
/// processes", JobExtension.FinalizeJob). Stricter than the runner, whatever a step left that
/// does not carry the id of a job still running (it dropped the variable) is stopped at the end
/// of every job, and at the end of the run every descendant is (StopOrphans).
///
/// `slipway approve`, `reject` and `run` refuse inside a run (InsideARun): a workflow's own
/// code neither reviews its deployment nor starts a run of its own choosing.
/// Implemented in orphans.cc (Linux /proc and prctl).

#include <string>
#include <string_view>
#include <vector>

namespace slipway::exec {

/// A new tracking id for one job: "slipway_" and 32 random hex digits.
std::string NewTrackingId();

/// Makes this process the one that runs jobs, as described above; `name` is its process name
/// ("slipway-run", "slipway-worker", "slipway-test"). Call once, from the main thread, before
/// any job starts. Not called by in-process tests: without it StopOrphans does nothing.
void BecomeRunProcess(const char* name);

/// Why this process must not review a deployment or start a run: it runs inside a step of a
/// slipway run (its RUNNER_TRACKING_ID is a slipway job's, it has the RLIMIT_LOCKS mark of a
/// run, or a slipway process is among its ancestors); "" when it does not.
std::string InsideARun();

/// While alive, the job with `tracking_id` is running in this process: StopOrphans leaves the
/// processes that carry its id.
class RunningJob {
 public:
  explicit RunningJob(std::string tracking_id);
  ~RunningJob();
  RunningJob(const RunningJob&) = delete;
  RunningJob& operator=(const RunningJob&) = delete;

 private:
  std::string tracking_id_;
};

/// The process `pid` (and what it starts) is a deployment meant to outlive the run, such as a
/// local stack's app: neither StopTrackedProcesses nor StopOrphans stops it.
void KeepRunning(int pid);

/// SIGKILLs every process (other than this one and those kept) whose environment holds
/// RUNNER_TRACKING_ID=`tracking_id`; one line per process stopped ("pid 123 (sleep)").
std::vector<std::string> StopTrackedProcesses(const std::string& tracking_id);

/// In a process that called BecomeRunProcess: SIGKILLs (and reaps) every descendant that no
/// running step, job or slipway itself accounts for - a process a step left behind, adopted by
/// this process, that carries the tracking id of no running job (RunningJob), is not in the
/// process group of a child slipway still holds, not in slipway's own session, not kept and not
/// a container runtime's daemon (podman's conmon: the job's containers are removed by their
/// job) or its child - until none is left. One line per process stopped. Elsewhere it does
/// nothing.
std::vector<std::string> StopOrphans();

}  // namespace slipway::exec
