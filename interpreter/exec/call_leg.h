#pragma once
/// One leg of a reusable-workflow call (`jobs.<id>.uses`), started and ended: the parts that
/// the local scheduler (scheduler_calls.cc) and the PostgreSQL backend's workers
/// (backend/worker_calls.cc) share, so that a call gives the same inputs, secrets, result and
/// outputs wherever it runs. The evaluation itself is plan/workflow_call.h's.
///
/// Started: the callee's `inputs` (the call's `with:` typed per `on.workflow_call.inputs`,
/// defaults filled) and `secrets` (mapped, or `inherit`). Ended: failure if one of its called
/// jobs failed, else cancelled if one was cancelled, else success, with the callee's
/// `on.workflow_call.outputs` over the called jobs' results and outputs, as on GitHub.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "interpreter/base/expected.h"
#include "interpreter/exec/job_runner.h"
#include "interpreter/model/workflow.h"
#include "interpreter/plan/eval_scope.h"
#include "interpreter/plan/resolve.h"

namespace slipway::exec {

/// The frame of a call leg about to start. `scope` holds the calling job's contexts (github,
/// inputs, vars, needs, matrix, strategy); `secrets` are the caller's (set into `scope` as the
/// `secrets` context here). An error says why the call cannot start (an input that does not
/// fit its type, or is known only later).
Expected<CallFrame> StartCallFrame(const model::Job& caller, const model::Workflow& callee,
                                   plan::Scope& scope, const nlohmann::ordered_json& vars,
                                   const std::map<std::string, std::string>& secrets);

/// The secrets a called job gets from its call: the call's `secrets:` evaluated in `scope`
/// (the calling job's contexts as they were when the call started) over the caller's
/// `secrets`. A worker of the backend evaluates them on its own host, from its own secrets.
std::map<std::string, std::string> CallSecrets(const model::Job& caller, plan::Scope& scope,
                                               const std::map<std::string, std::string>& secrets,
                                               std::string* error);

/// A called job of the leg, as it ended.
struct CalledJobResult {
  std::string id;        // its id in the run ("call/build")
  std::string local_id;  // its id in the called file ("build")
  JobResult result = JobResult::kSuccess;
  nlohmann::ordered_json outputs = nlohmann::ordered_json::object();
};

/// The outcome of the leg once all its called jobs ended. `callee` and `frame` may be null
/// (no outputs are evaluated then); `contexts` gives github, run_id and vars for the outputs.
JobOutcome EndCall(const model::Workflow* callee, const CallFrame* frame,
                   const std::vector<CalledJobResult>& jobs,
                   const plan::EvaluationContexts& contexts);

}  // namespace slipway::exec
