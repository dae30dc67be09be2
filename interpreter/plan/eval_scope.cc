#include "interpreter/plan/eval_scope.h"

namespace slipway::plan {

void FillScope(Scope& scope, const EvaluationContexts& contexts) {
  struct Named {
    const char* name;
    const nlohmann::ordered_json* value;
  };
  const Named all[] = {{"github", contexts.github},   {"inputs", contexts.inputs},
                       {"vars", contexts.vars},       {"needs", contexts.needs},
                       {"secrets", contexts.secrets}, {"steps", contexts.steps},
                       {"matrix", contexts.matrix},   {"strategy", contexts.strategy},
                       {"runner", contexts.runner},   {"job", contexts.job},
                       {"env", contexts.env}};
  for (const Named& named : all) {
    if (named.value) scope.Set(named.name, *named.value);
  }
  if (!contexts.job_id.empty()) scope.Overlay("github", "job", contexts.job_id);
  if (!contexts.run_id.empty()) scope.Overlay("github", "run_id", contexts.run_id);
  scope.status = contexts.status;
}

std::unique_ptr<Scope> MakeScope(const EvaluationContexts& contexts, const Scope* parent) {
  auto scope = std::make_unique<Scope>(parent);
  FillScope(*scope, contexts);
  return scope;
}

void MarkRunTimeOnly(Scope& scope) {
  for (const char* path : {"secrets",
                           "steps",
                           "runner",
                           "job",
                           "github.run_id",
                           "github.run_number",
                           "github.run_attempt",
                           "github.workspace",
                           "github.action",
                           "github.action_path",
                           "github.action_ref",
                           "github.action_repository",
                           "github.action_status",
                           "github.token",
                           "github.event_path",
                           "github.env",
                           "github.path",
                           "github.output",
                           "github.state",
                           "github.step_summary"}) {
    scope.MarkUnknown(path);
  }
}

}  // namespace slipway::plan
