#pragma once
/// Who deployed each version of a `local` stack, and for whom a version may be restored.
///
/// Every version records the run behind it (`deployed_by`: run id, workflow, job, ref, commit,
/// actor, environment), and so does every line of history.jsonl. Restoring a version (a
/// rollback, or a failed deploy putting the previous version back) puts it live and may start
/// its recorded `start:` command again, with the restoring job's secrets resolved into its
/// parameters and the step's environment around it. So a version is restored only for the
/// environment it was deployed to, from a ref that environment admits: a version an ungated run
/// (a feature branch, no environment) deployed never runs with production's secrets, and an
/// ungated job does not take down what a gated one deployed.

#include <nlohmann/json.hpp>
#include <string>

#include "interpreter/step_api/step_api.h"

namespace slipway::stdlib::stack_deploy {

/// The `deployed_by` record of a version deployed by `origin` (also each history line's `by`).
nlohmann::json DeployedBy(const step_api::RunOrigin& origin);

/// "run 7 (.github/workflows/feature.yml, job preview) from refs/heads/feature without an
/// environment", or "... to environment \"production\"": who deployed a version, for messages.
std::string DescribeDeployer(const nlohmann::json& deployed_by);

/// The environment a restore acts for: the job's own; for a job without one, the environment of
/// the live version `live` when this very run deployed it (the run passed that environment's
/// gate, and its rollback job undoes its own deploy); else none ("").
std::string ActingEnvironment(const nlohmann::json& live, const step_api::RunOrigin& origin);

/// "" when the live version `live` may be replaced by a restore acting for `environment`: it
/// was deployed without an environment, or to that one. Else why not.
std::string TakeDownRefusal(const nlohmann::json& live, const std::string& environment);

/// "" when the version record `meta` may be restored (put live, its app started with this job's
/// secrets) by a restore acting for `environment` in the run `context` describes. Else why not:
/// its record does not say who deployed it; it was deployed to another environment or without
/// one; or from a ref the environment's deployment_branches refuse (without deployment_branches:
/// from another ref than this run's).
std::string RestoreRefusal(const nlohmann::json& meta, const std::string& environment,
                           const step_api::StepContext& context);

}  // namespace slipway::stdlib::stack_deploy
