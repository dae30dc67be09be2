#pragma once
/// Where secrets come from: `--secrets-file` (dotenv format; `ENVIRONMENT.NAME=` for an
/// environment's secret) and `SLIPWAY_SECRET_<NAME>` variables of slipway's own environment
/// (which win). They become `secrets.NAME` and reach a
/// process only through its environment, and every value is registered with the Masker.

#include <map>
#include <string>
#include <string_view>

#include "interpreter/base/expected.h"

namespace slipway::exec {

/// Parses dotenv text: `NAME=value`, optional `export `, `#` comments and blank lines, values
/// in '...' (literal) or "..." (with \n, \", \\ escapes; may span lines). Errors name the line:
/// "line 3: expected NAME=VALUE".
Expected<std::map<std::string, std::string>> ParseDotenv(std::string_view text);

/// The secrets one job sees. A name without a dot is the repository's and reaches every job;
/// "ENVIRONMENT.NAME" (in the secrets file: `production.DB_PASSWORD=...`) is that
/// environment's NAME: it reaches only the jobs deploying to it, over a repository secret of
/// the same name, as on GitHub. `environment` is "" for a job without one.
std::map<std::string, std::string> SecretsForJob(const std::map<std::string, std::string>& all,
                                                 std::string_view environment);

/// Only `environment`'s own secrets ("ENVIRONMENT.NAME" entries, keyed by NAME): what a job of
/// a called workflow sees besides the secrets passed to its call.
std::map<std::string, std::string> EnvironmentSecrets(
    const std::map<std::string, std::string>& all, std::string_view environment);

/// SLIPWAY_SECRET_<NAME>=value entries of `environment`, keyed by NAME.
std::map<std::string, std::string> SecretsFromEnvironment(
    const std::map<std::string, std::string>& environment);

/// `environment` without slipway's own variables (every SLIPWAY_* name: SLIPWAY_SECRET_*,
/// SLIPWAY_AUDIT_KEY and whatever else configures slipway itself): what child processes
/// inherit. Variables slipway sets for a step on purpose (SLIPWAY_TRAFFIC_PERCENT ...) are
/// added after this.
std::map<std::string, std::string> WithoutSlipwaySecrets(
    std::map<std::string, std::string> environment);

}  // namespace slipway::exec
