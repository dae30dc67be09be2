#pragma once
/// The environments configuration (`.slipway/environments.yml` or `--env-config
/// FILE`): the repository settings GitHub keeps outside workflow files — per
/// environment its URL, required reviewers, wait timer, approval timeout,
/// deployment branch/tag policy, vars and secret names.
///
/// BuildEnvironments reads whatever has the expected shape; shape problems
/// (unknown keys, wrong types) are the schema pass's to report
/// (schemas/environments.schema.json). It reports only what the schema cannot
/// express: unknown team names, durations out of range, and a reviewer count
/// larger than the reviewers that exist.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/base/diagnostic.h"
#include "interpreter/model/scalar.h"

namespace slipway::model {

/// `required_reviewers:` — who may approve and how many distinct approvals are needed.
struct ReviewerRule {
  int count = 1;           // distinct approvals needed
  std::vector<Str> users;  // individual reviewers
  std::vector<Str> teams;  // names of entries of `teams:`
  bool prevent_self_review = false;
};

/// `deployment_branches:` — the refs allowed to deploy. Absent: any ref may
/// deploy. When present, a branch must match `branches` and a tag must match
/// `tags` (an absent list allows no ref of that kind).
struct DeploymentPolicy {
  bool present = false;
  std::vector<Str> branches;
  std::vector<Str> tags;
  SourceRange where;
};

/// One configured environment.
struct EnvironmentConfig {
  Str name;
  std::optional<Str> url;
  std::optional<ReviewerRule> reviewers;  // absent: no approval needed
  std::optional<Str> wait_timer_text;
  int64_t wait_timer_s = 0;
  int64_t approval_timeout_s = 48 * 3600;  // default 48h
  DeploymentPolicy deployment_branches;
  StrMap vars;
  std::vector<Str> secrets;
};

/// A whole environments file. Owns its YAML tree so every Str can point back into it.
struct EnvironmentsConfig {
  std::shared_ptr<const yaml::Node> yaml;
  FileId file = kNoFile;
  std::vector<std::pair<Str, std::vector<Str>>> teams;  // in file order
  std::vector<EnvironmentConfig> environments;          // in file order

  const EnvironmentConfig* Find(std::string_view name) const;
  /// Members of team `team` (empty when there is no such team).
  std::vector<std::string> TeamMembers(std::string_view team) const;
  /// Every user who may approve for `environment`: its users plus its teams'
  /// members, sorted, without duplicates.
  std::vector<std::string> Reviewers(const EnvironmentConfig& environment) const;
  /// Names of the configured environments, in file order (for "did you mean").
  std::vector<std::string> Names() const;
};

/// Parses a duration into seconds: a bare number is minutes (GitHub's unit for wait_timer:
/// "30" is 30 minutes); otherwise numbers with units s, m, h, d ("30s", "5m", "48h", "1h30m",
/// "2d"). nullopt when malformed or beyond 100 years.
std::optional<int64_t> ParseDuration(std::string_view text);

/// YAML tree → EnvironmentsConfig, reporting semantic problems (rule
/// "env-config").
EnvironmentsConfig BuildEnvironments(std::shared_ptr<const yaml::Node> root, FileId file,
                                     Diagnostics& diagnostics);

}  // namespace slipway::model
