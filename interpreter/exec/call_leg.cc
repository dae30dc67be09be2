#include "interpreter/exec/call_leg.h"

#include <fmt/format.h>

#include "interpreter/plan/eval_scope.h"
#include "interpreter/plan/workflow_call.h"

namespace slipway::exec {

using nlohmann::ordered_json;

namespace {

void SetSecrets(plan::Scope& scope, const std::map<std::string, std::string>& secrets) {
  ordered_json context = ordered_json::object();
  for (const auto& [name, value] : secrets) context[name] = value;
  scope.Set("secrets", std::move(context));
}

}  // namespace

Expected<CallFrame> StartCallFrame(const model::Job& caller, const model::Workflow& callee,
                                   plan::Scope& scope, const ordered_json& vars,
                                   const std::map<std::string, std::string>& secrets) {
  SetSecrets(scope, secrets);
  // An input's default sees github and vars (GitHub's context availability).
  plan::Scope defaults;
  defaults.Set("github", scope.Materialize("github"));
  defaults.Set("vars", vars);
  const model::Trigger* call = callee.FindTrigger("workflow_call");
  plan::CallInputs inputs = plan::EvaluateCallInputs(caller, call, scope, defaults);
  std::string error = inputs.error;
  if (!inputs.unknown.empty() && error.empty()) {
    error = fmt::format("input \"{}\" cannot be evaluated", inputs.unknown.front());
  }
  CallFrame frame;
  frame.inputs = std::move(inputs.inputs);
  frame.secrets = plan::EvaluateCallSecrets(caller, secrets, scope, &error);
  if (!error.empty()) return MakeUnexpected(error);
  return frame;
}

std::map<std::string, std::string> CallSecrets(const model::Job& caller, plan::Scope& scope,
                                               const std::map<std::string, std::string>& secrets,
                                               std::string* error) {
  SetSecrets(scope, secrets);
  return plan::EvaluateCallSecrets(caller, secrets, scope, error);
}

JobOutcome EndCall(const model::Workflow* callee, const CallFrame* frame,
                   const std::vector<CalledJobResult>& jobs,
                   const plan::EvaluationContexts& contexts) {
  JobOutcome outcome;
  ordered_json context = ordered_json::object();
  std::string failed, cancelled;
  for (const CalledJobResult& job : jobs) {
    context[job.local_id] = {{"result", JobResultName(job.result)}, {"outputs", job.outputs}};
    if (job.result == JobResult::kFailure && failed.empty()) failed = job.id;
    if (job.result == JobResult::kCancelled && cancelled.empty()) cancelled = job.id;
  }
  if (!failed.empty()) {
    outcome.result = JobResult::kFailure;
    outcome.message = fmt::format("its called job \"{}\" failed", failed);
  } else if (!cancelled.empty()) {
    outcome.result = JobResult::kCancelled;
    outcome.message = fmt::format("its called job \"{}\" was cancelled", cancelled);
  }
  if (callee && frame) {
    plan::EvaluationContexts with_inputs = contexts;
    with_inputs.inputs = &frame->inputs;
    plan::Scope scope;
    plan::FillScope(scope, with_inputs);
    std::string error;
    outcome.outputs =
        plan::EvaluateCallOutputs(callee->FindTrigger("workflow_call"), context, scope, &error);
    if (!error.empty() && outcome.result == JobResult::kSuccess) {
      outcome.result = JobResult::kFailure;
      outcome.message = "cannot evaluate the called workflow's outputs: " + error;
    }
  }
  return outcome;
}

}  // namespace slipway::exec
