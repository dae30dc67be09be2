#pragma once
/// The one builder of evaluation scopes: which contexts an expression sees, for `plan` (the
/// planner) and `run` (the scheduler's job `if:`, a job's steps). GitHub's context
/// availability
/// (https://docs.github.com/actions/learn-github-actions/contexts#context-availability) decides
/// what a key may read; validate checks that statically (rule expr-context), and this builder gives
/// each evaluation exactly the contexts that exist at that moment:
///   - a context given here is set (the JSON is copied once into the scope);
///   - `github.job` and `github.run_id` are overlaid on the shared github context, so the
///     event payload is not copied per job;
///   - in a plan, contexts that exist only once the run starts (secrets, steps, runner, job,
///     github.run_id, ...) are marked unknown with MarkRunTimeOnly, so an expression that
///     reads one is shown as written rather than guessed.

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "interpreter/plan/resolve.h"

namespace slipway::plan {

/// The contexts to put in a scope. A null pointer leaves that context out (or, in a child
/// scope, inherited from the parent).
struct EvaluationContexts {
  const nlohmann::ordered_json* github = nullptr;
  std::string job_id;  // overlaid as github.job when not empty
  std::string run_id;  // overlaid as github.run_id when not empty
  const nlohmann::ordered_json* inputs = nullptr;
  const nlohmann::ordered_json* vars = nullptr;
  const nlohmann::ordered_json* needs = nullptr;
  const nlohmann::ordered_json* secrets = nullptr;
  const nlohmann::ordered_json* steps = nullptr;
  const nlohmann::ordered_json* matrix = nullptr;
  const nlohmann::ordered_json* strategy = nullptr;
  const nlohmann::ordered_json* runner = nullptr;
  const nlohmann::ordered_json* job = nullptr;
  const nlohmann::ordered_json* env = nullptr;
  StatusAssumption status;
};

/// Puts `contexts` into `scope` (which may already have a parent).
void FillScope(Scope& scope, const EvaluationContexts& contexts);

/// A new scope holding `contexts`, child of `parent` (may be null).
std::unique_ptr<Scope> MakeScope(const EvaluationContexts& contexts, const Scope* parent = nullptr);

/// Marks the contexts and github members that exist only once a run starts as unknown (plan).
void MarkRunTimeOnly(Scope& scope);

}  // namespace slipway::plan
