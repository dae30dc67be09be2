#include "interpreter/rehearse/overrides.h"

#include "interpreter/rehearse/http_stubs.h"

namespace slipway::rehearse {
namespace {

step_api::StepOutcome Outcome(step_api::StepStatus status, const Strings& outputs,
                              const std::string& what) {
  step_api::StepOutcome outcome;
  outcome.status = status;
  outcome.outputs = outputs;
  if (status != step_api::StepStatus::kSuccess) {
    outcome.exit_code = 1;
    outcome.message = what + " failed (forced by the rehearsal)";
  }
  return outcome;
}

void Route(const HttpStubs& http, nlohmann::json* value) {
  if (value->is_string()) {
    *value = http.RouteUrl(value->get<std::string>());
  } else if (value->is_structured()) {
    for (auto& item : *value) Route(http, &item);
  }
}

}  // namespace

std::optional<exec::ForcedJob> ScenarioOverrides::ForceJob(const std::string& job_id) const {
  for (const JobRule& rule : stubs_.jobs) {
    if (rule.job == job_id) return exec::ForcedJob{rule.result, rule.outputs};
  }
  return std::nullopt;
}

std::optional<step_api::StepOutcome> ScenarioOverrides::ForceStep(
    const std::string& job_id, const std::string& step_id) const {
  for (const StepRule& rule : stubs_.steps) {
    if (rule.job == job_id && rule.step == step_id) {
      return Outcome(rule.outcome, rule.outputs, "step \"" + step_id + "\"");
    }
  }
  return std::nullopt;
}

std::optional<step_api::StepOutcome> ScenarioOverrides::ForceAction(
    const std::string& uses) const {
  for (const ActionRule& rule : stubs_.actions) {
    if (GlobMatch(rule.uses, uses)) return Outcome(rule.outcome, rule.outputs, uses);
  }
  return std::nullopt;
}

void ScenarioOverrides::RouteInputs(const std::string& uses, nlohmann::json* with) const {
  if (!http_ || !with) return;
  Route(*http_, with);
  if (uses.rfind("slipway/notify@", 0) == 0 && with->is_object() && with->contains("starttls")) {
    (*with)["starttls"] = false;
  }
}

}  // namespace slipway::rehearse
