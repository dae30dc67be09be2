#include "interpreter/plan/plan_steps.h"

#include <algorithm>
#include <exception>

#include <fmt/format.h>

#include "interpreter/base/ascii.h"
#include "interpreter/model/timeout_minutes.h"
#include "interpreter/plan/matrix.h"
#include "interpreter/step_api/local_equivalents.h"
#include "interpreter/yaml/to_json.h"

namespace slipway::plan {

using json = nlohmann::ordered_json;

std::string UnknownReason(const std::string& reference) {
  return "depends on " + reference + ", known only at run time";
}

void EnvLayer::Add(const model::StrMap& map, const Scope& scope,
                   std::vector<std::pair<std::string, Resolved>>* out) {
  for (const auto& [key, value] : map) {
    Substitution s = Substitute(value.value, scope);
    auto known = std::find(unknown.begin(), unknown.end(), key.value);
    if (s.resolved) {
      values[key.value] = s.text;
      if (known != unknown.end()) unknown.erase(known);
    } else {
      values.erase(key.value);
      if (known == unknown.end()) unknown.push_back(key.value);
    }
    if (out) out->emplace_back(key.value, Resolved{s.text, s.resolved});
  }
}

void EnvLayer::Install(Scope& scope) const {
  scope.Set("env", values);
  for (const std::string& name : unknown) scope.MarkUnknown("env." + name);
}

namespace {

/// The typed value of a `with:` entry for a built-in step's preview: YAML
/// typing for plain scalars, the expression's value for a whole `${{ }}`, else
/// the substituted text.
json TypedWith(const model::Str& value, const Scope& scope, const Resolved& resolved) {
  if (!value.has_expr) return value.node ? yaml::ToJson<json>(*value.node) : json(value.value);
  if (!resolved.resolved) return resolved.text;
  Evaluation e = EvaluateValue(value.value, scope);
  if (e.kind == Evaluation::Kind::kValue) return e.value;
  return resolved.text;
}

bool IsTrueText(const std::optional<model::Str>& text, const Scope& scope) {
  if (!text) return false;
  Substitution s = Substitute(text->value, scope);
  return s.resolved && s.text == "true";
}

}  // namespace

std::vector<PlannedStep> PlanSteps(const model::Job& job, const Scope& job_scope,
                                   const EnvLayer& job_env, bool job_skipped,
                                   const step_api::StepCatalog* catalog, Diagnostics& diagnostics) {
  std::vector<PlannedStep> out;
  out.reserve(job.steps.size());
  for (const model::Step& step : job.steps) {
    PlannedStep planned;
    planned.index = step.index;
    if (step.id) planned.id = step.id->value;
    EnvLayer env = job_env;
    Scope scope(&job_scope);
    env.Add(step.env, job_scope, &planned.env);
    env.Install(scope);

    planned.name = step.DisplayName();
    if (step.name && step.name->has_expr) planned.name = Substitute(step.name->value, scope).text;

    if (job_skipped) {
      planned.status = JobStatus::kSkipped;
      planned.reason = "the job is skipped";
    }
    if (step.if_condition) {
      planned.if_condition = step.if_condition->value;
      if (!job_skipped) {
        Condition c = EvaluateCondition(step.if_condition->value, scope);
        switch (c.kind) {
          case Condition::Kind::kTrue:
            break;
          case Condition::Kind::kUnknown:
            planned.status = JobStatus::kConditional;
            planned.reason = UnknownReason(c.unknown);
            break;
          case Condition::Kind::kError:
            planned.status = JobStatus::kConditional;
            planned.reason = "its if cannot be evaluated: " + c.error;
            // As on GitHub, the workflow runs and this step fails when it is reached.
            diagnostics.Warning("expr", step.if_condition->where,
                                "cannot evaluate \"" + step.if_condition->value + "\": " + c.error +
                                    "; the step will fail when it is reached");
            break;
          case Condition::Kind::kFalse: {
            Scope failed(&scope);
            failed.status = {false, true, false};
            Scope cancelled(&scope);
            cancelled.status = {false, false, true};
            if (EvaluateCondition(step.if_condition->value, failed).kind ==
                Condition::Kind::kTrue) {
              planned.status = JobStatus::kConditional;
              planned.reason = "runs if an earlier step fails";
            } else if (c.references.Calls("cancelled") &&
                       EvaluateCondition(step.if_condition->value, cancelled).kind ==
                           Condition::Kind::kTrue) {
              planned.status = JobStatus::kConditional;
              planned.reason = "runs if the run is cancelled";
            } else {
              planned.status = JobStatus::kSkipped;
              planned.reason = "if \"" + step.if_condition->value + "\" is false";
            }
            break;
          }
        }
      }
    }

    if (step.run) {
      Substitution s = Substitute(step.run->value, scope);
      planned.run = Resolved{s.text, s.resolved};
    }
    if (step.shell) {
      planned.shell = Substitute(step.shell->value, scope).text;
    } else if (job.defaults.shell) {
      planned.shell = job.defaults.shell->value;
    }
    if (step.working_directory) {
      planned.working_directory = Substitute(step.working_directory->value, scope).text;
    } else if (job.defaults.working_directory) {
      planned.working_directory = job.defaults.working_directory->value;
    }
    planned.continue_on_error = IsTrueText(step.continue_on_error, scope);
    if (step.timeout_minutes) {
      Substitution s = Substitute(step.timeout_minutes->value, scope);
      // Whole minutes, as GitHub converts it ((Int32) in ConvertToStepTimeout): 0.5 is 0, no
      // timeout at all; past the Int32 range it is an error at the key.
      std::optional<double> minutes = s.resolved ? model::TimeoutNumber(s.text) : std::nullopt;
      if (minutes) {
        if (std::optional<std::string> problem =
                model::TimeoutMinutesProblem(model::TimeoutKey::kStep, *minutes, s.text)) {
          diagnostics.Error("timeout-minutes", step.timeout_minutes->where, *problem);
        } else {
          planned.timeout_minutes = std::trunc(*minutes);
        }
      }
    }

    if (step.uses) {
      planned.uses = step.uses->value;
      step_api::StepInputs inputs;
      for (const auto& [key, value] : step.with) {
        Substitution s = Substitute(value.value, scope);
        Resolved resolved{s.text, s.resolved};
        json typed = TypedWith(value, scope, resolved);
        inputs.with[key.value] = nlohmann::json::parse(typed.dump());
        planned.with.emplace_back(key.value, std::move(resolved));
      }
      std::string name;
      if (step_api::IsBuiltinUses(step.uses->value, &name)) {
        planned.builtin = name;
        const step_api::StepTypeInfo* type = catalog ? catalog->Find(name) : nullptr;
        if (!type) {
          planned.uses_note = "unknown built-in step \"" + name + "\"";
        } else if (type->make) {
          for (auto it = env.values.begin(); it != env.values.end(); ++it) {
            if (it->is_string()) inputs.env[it.key()] = it->get<std::string>();
          }
          // A step's preview is its own code; whatever it throws must not end the plan.
          try {
            std::unique_ptr<step_api::StepImpl> impl = type->make();
            if (impl) {
              step_api::StepPreview preview = impl->Preview(inputs);
              planned.preview_summary = std::move(preview.summary);
              planned.preview_details = std::move(preview.details);
            }
          } catch (const std::exception& e) {
            planned.preview_summary = std::string("no preview: ") + e.what();
          }
        }
      } else if (step.uses->value.rfind("./", 0) == 0) {
        planned.uses_note = "local action";
      } else if (step.uses->value.rfind("docker://", 0) == 0) {
        planned.uses_note = "container action";
        planned.local_equivalent = "a container of the image (needs podman or docker)";
      } else {
        planned.uses_note = "action";
        planned.local_equivalent = step_api::LocalEquivalent(step.uses->value);
        // Refused before anything runs rather than failing half-way through a deployment.
        if (AsciiLower(step_api::ActionName(step.uses->value)) == "actions/checkout") {
          for (const auto& [key, value] : step.with) {
            if (key.value == "path" || key.value == "repository") {
              diagnostics.Error("local-equivalent", key.where,
                                fmt::format("actions/checkout `{}:` is not done locally: the "
                                            "workspace is the checkout, and another one is not "
                                            "placed",
                                            key.value));
            }
          }
        }
      }
    }
    out.push_back(std::move(planned));
  }
  return out;
}

}  // namespace slipway::plan
