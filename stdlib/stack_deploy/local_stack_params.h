#pragma once
/// What the `local` stack tool writes about parameters and outputs: never a secret. A value
/// whose `with:` text referenced `secrets` is recorded as that text (`${{ secrets.DB_PASSWORD }}`)
/// and resolved again from the secrets of the job that needs it later (a rollback restarting
/// the version); outputs built from secrets are recorded as "***".

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "interpreter/step_api/step_api.h"

namespace slipway::stdlib::stack_deploy {

/// True when `written` (a `with:` value as written) reads the secrets context.
bool UsesSecrets(const std::string& written);

/// The parameters to record: `values`, except where `written[name]` uses secrets.
nlohmann::json RecordParameters(const std::map<std::string, std::string>& values,
                                const std::map<std::string, std::string>& written);

/// The outputs to record: `values`, with "***" where `written[name]` uses secrets.
nlohmann::json RecordOutputs(const std::map<std::string, std::string>& values,
                             const std::map<std::string, std::string>& written);

/// A version record (`version.json`, whose "parameters" and "outputs" are also written alone) as
/// it may be stored: every string passed through the run's masker (step_api::MaskJson), so a
/// secret that reached the step another way than `${{ secrets.NAME }}` text (env, a step output)
/// is stored as "***". Where masking changed something a restart needs (a parameter, the start
/// command), the record lists it under "unrecorded" ("parameter DB_URL", "start"), so a later
/// restart refuses instead of starting the app with "***".
nlohmann::json MaskVersionRecord(const nlohmann::json& meta, const step_api::StepContext& context);

/// "" when a recorded version can be started again from its record; else why not.
std::string UnrecordedProblem(const nlohmann::json& meta);

/// The values to start a recorded version with: recorded `${{ secrets.NAME }}` texts are
/// resolved from `context.Secret` (the restoring job's secrets, its environment's included).
/// "" or why not (a secret the job does not have; a recorded text mixing a secret with other
/// expressions). Only for a version local_stack_origin.h allows this job to restore.
std::string RestoreParameters(const nlohmann::json& recorded, const step_api::StepContext& context,
                              std::map<std::string, std::string>* values);

}  // namespace slipway::stdlib::stack_deploy
