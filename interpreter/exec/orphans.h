#pragma once
/// What a job's steps leave behind, found as GitHub's runner finds it: every step process of a
/// job carries RUNNER_TRACKING_ID=<the job's id> in its environment, and whatever still carries
/// it when the job ends (a background process, even one that left the step's process group or
/// session with setsid) is an orphan of the job and is stopped ("Cleaning up orphan
/// processes", JobExtension.FinalizeJob). The same variable tells a slipway command that it was
/// started from inside a step of a run, which is how approvals are kept out of reach of the
/// workflow's own code. Implemented in orphans.cc (Linux /proc).

#include <string>
#include <vector>

namespace slipway::exec {

/// A new tracking id for one job: "slipway_" and 32 random hex digits.
std::string NewTrackingId();

/// SIGKILLs every process (other than this one) whose environment holds
/// RUNNER_TRACKING_ID=`tracking_id`; one line per process stopped ("pid 123 (sleep)").
std::vector<std::string> StopTrackedProcesses(const std::string& tracking_id);

/// Why this process must not act as a reviewer: it runs inside a step of a slipway run (its
/// RUNNER_TRACKING_ID is a slipway job's, or a `slipway` process is among its ancestors); ""
/// when it does not.
std::string InsideAStep();

}  // namespace slipway::exec
