#pragma once
/// Reusable-workflow calls on a worker of the PostgreSQL backend (calls.cc is the database's
/// side), through exec/call_leg.h as a local run makes them: a claimed leg of a calling job
/// starts its call (inputs evaluated, frame stored) or, claimed again once its called jobs
/// ended, ends it (result and `on.workflow_call.outputs`); a called job runs with its call's
/// frame. Secrets never reach the database: the stored frame holds the calling job's contexts,
/// and each worker maps the call's `secrets:` (or `inherit`) from its own host's secrets.

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "interpreter/backend/queue.h"
#include "interpreter/backend/submit.h"
#include "interpreter/exec/job_runner.h"

namespace slipway::backend {

/// What became of a claimed leg of a calling job.
struct CallLegStep {
  enum class Kind {
    kStarted,  // its call started (Queue::StartCall stored it)
    kLost,     // the lease was lost before the call could start: nothing was written
    kEnded,    // `completion` is the leg's outcome, to store with Queue::Complete
  };
  Kind kind = Kind::kEnded;
  Completion completion;
};

/// Starts or ends the claimed leg `claim` of calling job `job` of `run`. `secrets` are this
/// host's.
CallLegStep RunCallLeg(Queue& queue, const Claim& claim, const PreparedRun& run,
                       const plan::PlannedJob& job,
                       const std::map<std::string, std::string>& secrets);

/// What a called job runs with: its call's frame and its needs context under the ids of its
/// own file.
struct CalledJobContext {
  std::shared_ptr<const exec::CallFrame> frame;
  nlohmann::ordered_json needs;
};

/// The context of claimed called job `claim`; an error when its call's frame cannot be read
/// or its secrets cannot be mapped.
Expected<CalledJobContext> ReadCalledJobContext(Queue& queue, const Claim& claim,
                                                const PreparedRun& run,
                                                const std::map<std::string, std::string>& secrets);

}  // namespace slipway::backend
