// Steps:
// https://docs.github.com/actions/using-workflows/workflow-syntax-for-github-actions#jobsjob_idsteps
// Each step is exactly one kind — `run`, `uses`, or one of the background-step controls
// (`wait`, `wait-all`, `cancel`, `parallel`) — and only takes that kind's keys. Step ids follow
// the job id syntax and are unique in their job, ignoring case.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "interpreter/validate/rule.h"
#include "interpreter/base/ascii.h"
#include "interpreter/validate/rule_util.h"

namespace slipway::validate {
namespace {

constexpr const char* kKinds[] = {"run", "uses", "wait", "wait-all", "cancel", "parallel"};

// Keys each kind accepts besides its own.
const std::map<std::string, std::set<std::string>>& KindKeys() {
  static const std::map<std::string, std::set<std::string>> kKeys = {
      {"run",
       {"name", "id", "if", "timeout-minutes", "continue-on-error", "env", "working-directory",
        "shell", "background"}},
      {"uses",
       {"name", "id", "if", "continue-on-error", "timeout-minutes", "with", "env", "background"}},
      {"wait", {"name", "id", "continue-on-error"}},
      {"wait-all", {"name", "id", "continue-on-error"}},
      {"cancel", {"name", "id", "continue-on-error"}},
      {"parallel", {}},
  };
  return kKeys;
}

void CheckStepList(const RuleContext& context, const yaml::Node& steps,
                   std::map<std::string, const yaml::Node*>& ids) {
  for (const yaml::Node& step : steps.items) {
    if (!step.is_mapping()) continue;  // the schema's to report
    std::vector<const yaml::Node*> kinds;
    for (const char* kind : kKinds) {
      if (const yaml::Node* key = step.FindKey(kind)) kinds.push_back(key);
    }
    if (kinds.empty()) {
      context.diagnostics.Error("step-kind", step.where,
                                "step must have \"run\" or \"uses\"; it has neither");
    } else if (kinds.size() > 1) {
      context.diagnostics.Error(
          "step-kind", kinds[1]->where,
          fmt::format("step has both \"{}\" and \"{}\"; a step is exactly one of them",
                      kinds[0]->value, kinds[1]->value));
    } else {
      const std::string& kind = kinds[0]->value;
      const std::set<std::string>& allowed = KindKeys().at(kind);
      for (const auto& [key, value] : step.entries) {
        if (key.value == kind || allowed.count(key.value)) continue;
        bool known = false;
        for (const auto& [other, keys] : KindKeys()) known |= keys.count(key.value) > 0;
        if (!known) continue;  // unknown keys are the schema's
        context.diagnostics.Error(
            "step-kind", key.where,
            fmt::format("key \"{}\" is not allowed in a \"{}\" step", key.value, kind));
      }
    }
    if (const yaml::Node* id = step.Find("id"); id && id->is_scalar()) {
      const std::string& value = id->value;
      if (HasExpression(value)) {
        // expr-allowed reports it
      } else if (std::string problem = IdProblem("step", value); !problem.empty()) {
        context.diagnostics.Error("step-id", id->where, std::move(problem));
      } else {
        auto [it, inserted] = ids.try_emplace(AsciiLower(value), id);
        if (!inserted) {
          context.diagnostics.Error(
              "step-id", id->where,
              fmt::format("step ID \"{}\" is defined twice in this job (IDs ignore case); "
                          "previously defined at {}:{}",
                          value, it->second->where.begin.line, it->second->where.begin.col));
        }
      }
    }
    if (const yaml::Node* nested = step.Find("parallel"); nested && nested->is_sequence()) {
      CheckStepList(context, *nested, ids);
    }
  }
}

/// `shell:` names one of GitHub's shells or is a command template with "{0}" (the script file):
/// https://docs.github.com/actions/using-workflows/workflow-syntax-for-github-actions#jobsjob_idstepsshell
/// Anything else fails when the step runs, so it is a warning here (actionlint reports it too).
void CheckShell(const RuleContext& context, const std::optional<model::Str>& shell) {
  static const std::vector<std::string> kShells = {"bash", "pwsh", "python",
                                                   "sh",   "cmd",  "powershell"};
  if (!shell || shell->has_expr || shell->value.find("{0}") != std::string::npos) return;
  if (std::find(kShells.begin(), kShells.end(), shell->value) != kShells.end()) return;
  context.diagnostics.Warning(
      "step-shell", shell->where,
      fmt::format("unknown shell \"{}\"; GitHub knows bash, pwsh, python, sh, cmd and "
                  "powershell, or a command with \"{{0}}\" for the script file{}",
                  shell->value, DidYouMean(shell->value, kShells)));
}

}  // namespace

void CheckSteps(const RuleContext& context) {
  CheckShell(context, context.workflow.defaults.shell);
  for (const model::Job& job : context.workflow.jobs) {
    CheckShell(context, job.defaults.shell);
    for (const model::Step& step : job.steps) CheckShell(context, step.shell);
    if (!job.node) continue;
    const yaml::Node* steps = job.node->Find("steps");
    if (!steps || !steps->is_sequence()) continue;
    std::map<std::string, const yaml::Node*> ids;
    CheckStepList(context, *steps, ids);
  }
}

}  // namespace slipway::validate
