// JobExecution's expressions (job_execution.h): the scope a job evaluates in, text, env values
// (strings only), conditions, continue-on-error and step timeouts, each error naming its key and position.
#include <fmt/format.h>

#include <cmath>

#include "interpreter/exec/job_execution.h"
#include "interpreter/model/job.h"
#include "interpreter/model/timeout_minutes.h"
#include "interpreter/plan/eval_scope.h"
#include "interpreter/plan/resolve.h"

namespace slipway::exec {

using nlohmann::ordered_json;

std::unique_ptr<plan::Scope> JobExecution::MakeScope(const ordered_json& env) const {
  // Inside a composite action: its own inputs and steps, github.action_path, and no
  // secrets/vars/needs (action.yml loading has already refused expressions that read them).
  // Its status functions follow the action's own steps (github.action_status), as on GitHub,
  // so an action called by an always() step after a failure still runs its steps.
  bool failed = frame_ ? frame_->failed : failed_;
  bool cancel = assume_cancelled_ || cancelled();
  const ordered_json job_context = JobContext();
  plan::EvaluationContexts contexts;
  contexts.github = &github_;
  if (frame_) {
    contexts.inputs = &frame_->inputs;
    contexts.steps = &frame_->steps;
  } else {
    // A called job's inputs are its call's (workflow_call.h).
    contexts.inputs = job_.call ? &job_.call->inputs : &run_.request->plan->inputs;
    contexts.vars = &vars_;
    contexts.needs = &job_.needs;
    contexts.secrets = &secrets_;
    contexts.steps = &steps_;
  }
  // A job without a matrix has a null matrix context (WorkflowTemplateEvaluator.EvaluateStrategy).
  contexts.matrix = &job_.matrix;
  contexts.strategy = &job_.strategy;
  contexts.runner = &runner_ctx_;
  contexts.job = &job_context;
  contexts.env = &env;
  contexts.status = {!failed && !cancel, failed, cancel};
  std::unique_ptr<plan::Scope> scope = plan::MakeScope(contexts);
  // The workspace exists now: hashFiles() reads it.
  scope->workspace = run_.workspace;
  if (frame_) {
    scope->Overlay("github", "action_path", frame_->action_path);
    scope->Overlay("github", "action_status", failed ? "failure" : "success");
  }
  return scope;
}

std::string JobExecution::EvaluateText(const std::string& text, const ordered_json& env,
                                       std::string* error) {
  if (text.find("${{") == std::string::npos) return text;
  std::unique_ptr<plan::Scope> scope = MakeScope(env);
  plan::Substitution result = plan::Substitute(text, *scope);
  if (!result.error.empty() && error && error->empty()) *error = result.error;
  return result.text;
}

plan::Condition JobExecution::EvaluateCondition(const std::string& text, const ordered_json& env) {
  return plan::EvaluateCondition(text, *MakeScope(env));
}

std::string JobExecution::Positioned(const std::string& key, const model::Str& value,
                                     const std::string& message) const {
  return value.where.begin.line > 0
             ? fmt::format("{}:{}:{}: {}: {}", FileOf(*run_.request, planned_),
                           value.where.begin.line, value.where.begin.col, key, message)
             : fmt::format("{}: {}", key, message);
}

std::string JobExecution::EvaluateAt(const std::string& key, const model::Str& value,
                                     const ordered_json& env, std::string* error) {
  std::string own_error;
  std::string text = EvaluateText(value.value, env, &own_error);
  if (!own_error.empty() && error->empty()) *error = Positioned(key, value, own_error);
  return text;
}

std::string JobExecution::EvaluateString(const std::string& text, const ordered_json& env,
                                         std::string* error) {
  // Strings (workflow-v1.0.json's string contexts): a number, boolean or null from a whole
  // `${{ }}` becomes its text, a mapping or sequence is an error (TemplateEvaluator).
  if (text.find("${{") == std::string::npos) return text;
  plan::Evaluation evaluated = plan::EvaluateValue(text, *MakeScope(env));
  if (evaluated.kind == plan::Evaluation::Kind::kValue && !evaluated.value.is_object() &&
      !evaluated.value.is_array()) {
    return plan::ValueToTemplateString(evaluated.value);
  }
  if (error->empty()) {
    *error = evaluated.kind == plan::Evaluation::Kind::kError ? evaluated.error
             : evaluated.kind == plan::Evaluation::Kind::kUnknown
                 ? "unknown value " + evaluated.unknown
             : evaluated.value.is_object() ? std::string("A mapping was not expected")
                                           : std::string("A sequence was not expected");
  }
  return "";
}

std::string JobExecution::EvaluateEnvAt(const std::string& key, const model::Str& value,
                                        const ordered_json& env, std::string* error) {
  std::string own_error;
  std::string text = EvaluateString(value.value, env, &own_error);
  if (!own_error.empty() && error->empty()) *error = Positioned(key, value, own_error);
  return text;
}

bool JobExecution::ContinueOnError(const std::string& text, const ordered_json& env,
                                   std::string* error) {
  Expected<ordered_json> value = plan::EvaluateTyped(text, *MakeScope(env), /*number=*/false);
  if (!value) *error = value.error();
  return value && value->get<bool>();
}

std::optional<double> JobExecution::StepTimeoutMinutes(const model::Step& step,
                                                       const ordered_json& env,
                                                       std::string* error) {
  Expected<ordered_json> value = plan::EvaluateTyped(step.timeout_minutes->value, *MakeScope(env), /*number=*/true);
  if (!value) {
    *error = fmt::format("steps[{}].timeout-minutes: {}", step.index, value.error());
    return std::nullopt;
  }
  const double minutes = value->get<double>();
  if (std::optional<std::string> problem = model::TimeoutMinutesProblem(
          model::TimeoutKey::kStep, minutes, plan::ValueToTemplateString(*value))) {
    *error = fmt::format("steps[{}].timeout-minutes: {}", step.index, *problem);
    return std::nullopt;
  }
  // (Int32) in ConvertToStepTimeout: whole minutes toward zero; 0 or less is no timeout.
  return std::trunc(minutes);
}

std::string JobExecution::EvaluateJobKeys() {
  // Evaluated when the job starts, with needs, matrix and strategy (GitHub decides them when it
  // creates the job): a boolean or a number, never a string from an expression
  // (WorkflowTemplateConverter's AssertBoolean/AssertNumber), else the job fails.
  continue_on_error_ = planned_.continue_on_error;
  timeout_minutes_ = planned_.timeout_minutes;
  cancel_timeout_minutes_ = planned_.cancel_timeout_minutes;
  if (!model_.continue_on_error && !model_.timeout_minutes && !model_.cancel_timeout_minutes) {
    return "";  // the common case: no scope of every context to build
  }
  const std::unique_ptr<plan::Scope> scope = MakeScope(ordered_json::object());
  auto at = [&](const char* key, const model::Str& value, const std::string& error) {
    return Positioned(fmt::format("jobs.{}.{}", planned_.id, key), value, error);
  };
  if (model_.continue_on_error) {
    Expected<ordered_json> value = plan::EvaluateTyped(model_.continue_on_error->value, *scope, false);
    if (!value) return at("continue-on-error", *model_.continue_on_error, value.error());
    continue_on_error_ = value->get<bool>();
  }
  struct Minutes {
    const char* key;
    model::TimeoutKey kind;
    const std::optional<model::Str>& text;
    std::optional<double>* out;
  };
  for (const Minutes& m : {Minutes{"timeout-minutes", model::TimeoutKey::kJob,
                                   model_.timeout_minutes, &timeout_minutes_},
                           Minutes{"cancel-timeout-minutes", model::TimeoutKey::kJobCancel,
                                   model_.cancel_timeout_minutes, &cancel_timeout_minutes_}}) {
    if (!m.text) continue;
    Expected<ordered_json> value = plan::EvaluateTyped(m.text->value, *scope, true);
    if (!value) return at(m.key, *m.text, value.error());
    const double minutes = value->get<double>();
    // The range validate and plan check, for what only the job's start knows: never a job
    // with no time, never a number that overflows a duration.
    if (std::optional<std::string> problem = model::TimeoutMinutesProblem(
            m.kind, minutes, plan::ValueToTemplateString(*value))) {
      return at(m.key, *m.text, *problem);
    }
    *m.out = std::trunc(minutes);
  }
  return "";
}

ordered_json JobExecution::CurrentEnv() const {
  ordered_json env = job_env_;
  for (auto it = github_env_.begin(); it != github_env_.end(); ++it) env[it.key()] = *it;
  return env;
}

ordered_json JobExecution::StepEnv(const model::Step& step, std::string* error) {
  const ordered_json env = CurrentEnv();
  ordered_json layered = env;
  for (const auto& [key, value] : step.env) {
    layered[key.value] = EvaluateEnvAt(fmt::format("steps[{}].env.{}", step.index, key.value),
                                       value, env, error);
  }
  return layered;
}

bool JobExecution::ContinueOnError(const model::Step& step, const plan::PlannedStep* planned,
                                   const ordered_json& env, const StepRecord& record,
                                   std::string* error) {
  // As the runner's ApplyContinueOnError: asked only once the step has failed, after its file
  // commands (so it can read the step's own outputs), and the value must be a boolean; an error
  // leaves the step failed. Evaluated per job instance: `${{ matrix.experimental }}` differs
  // between the legs of a matrix.
  if (!step.continue_on_error) return planned && planned->continue_on_error;
  bool own = !record.id.empty() && !steps_.contains(record.id);
  if (own) {
    ordered_json outputs = ordered_json::object();
    for (const auto& [key, value] : record.outputs) outputs[key] = value;
    steps_[record.id] = {{"outputs", outputs}};
  }
  bool result = ContinueOnError(step.continue_on_error->value, env, error);
  if (own) steps_.erase(record.id);
  return result;
}

}  // namespace slipway::exec
