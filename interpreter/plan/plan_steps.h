#pragma once
/// The steps of one planned job: each step's `if` decision, its `run` script or
/// `uses` with `with:` resolved where known, its env, and for built-in steps
/// (`uses: slipway/...`) the catalog's preview of what they would do.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "interpreter/base/diagnostic.h"
#include "interpreter/model/workflow.h"
#include "interpreter/plan/plan.h"
#include "interpreter/plan/resolve.h"
#include "interpreter/step_api/step_api.h"

namespace slipway::plan {

/// The environment variables a scope sees: values resolved where known, and the
/// names whose values are only known at run time (they read secrets or step outputs).
struct EnvLayer {
  nlohmann::ordered_json values = nlohmann::ordered_json::object();
  std::vector<std::string> unknown;
  /// Adds `map` on top (each value evaluated in `scope`); records resolved texts in `out`.
  void Add(const model::StrMap& map, const Scope& scope,
           std::vector<std::pair<std::string, Resolved>>* out);
  /// Sets `env` in `scope` and marks the unknown names.
  void Install(Scope& scope) const;
};

/// Plans `job`'s steps. `job_scope` holds the job's contexts (its `env` from
/// `job_env`); `job_skipped` marks every step skipped.
std::vector<PlannedStep> PlanSteps(const model::Job& job, const Scope& job_scope,
                                   const EnvLayer& job_env, bool job_skipped,
                                   const step_api::StepCatalog* catalog, Diagnostics& diagnostics);

/// The reason text for a condition's reference known only at run time.
std::string UnknownReason(const std::string& reference);

}  // namespace slipway::plan
