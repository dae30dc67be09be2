#pragma once
/// Jobs and their settings: needs, if, runs-on, environment, strategy, steps.

#include <vector>

#include "interpreter/model/step.h"

namespace slipway::model {

/// `defaults.run` at workflow or job level.
struct RunDefaults {
  std::optional<Str> shell;
  std::optional<Str> working_directory;
};

/// `concurrency`: a group (string form or mapping) and cancel-in-progress.
struct Concurrency {
  bool present = false;
  Str group;
  std::optional<Str> cancel_in_progress;  // "true"/"false" or an expression
};

/// `permissions`: either a whole value (read-all, write-all, {}) or per-scope levels.
struct Permissions {
  bool present = false;
  std::optional<Str> all;  // "read-all" | "write-all"
  StrMap scopes;           // contents: read, ...
};

/// `environment:` — a name (string form) or {name, url, deployment}.
struct EnvironmentRef {
  bool present = false;
  Str name;
  std::optional<Str> url;
  std::optional<Str> deployment;
};

/// `strategy:` with its matrix kept as YAML (axes may be expressions or nested values).
struct Strategy {
  bool present = false;
  const yaml::Node* matrix = nullptr;    // mapping, or a scalar `${{ fromJSON(...) }}`
  std::optional<Str> matrix_expr;        // when the whole matrix is an expression
  std::vector<std::pair<Str, const yaml::Node*>> axes;  // key → value node (list or expr)
  std::vector<const yaml::Node*> include;  // each a mapping
  std::vector<const yaml::Node*> exclude;
  std::optional<Str> include_expr, exclude_expr;
  std::optional<Str> fail_fast;
  std::optional<Str> max_parallel;
};

struct Job {
  Str id;
  std::optional<Str> name;
  std::vector<Str> needs;
  std::optional<Str> if_condition;
  const yaml::Node* runs_on = nullptr;  // string, list, or {group, labels}
  EnvironmentRef environment;
  StrMap outputs;
  StrMap env;
  RunDefaults defaults;
  Permissions permissions;
  Concurrency concurrency;
  Strategy strategy;
  std::optional<Str> timeout_minutes;
  std::optional<Str> cancel_timeout_minutes;
  std::optional<Str> continue_on_error;
  const yaml::Node* container = nullptr;
  const yaml::Node* services = nullptr;
  std::optional<Str> uses;  // reusable workflow call
  StrMap with;              // reusable workflow call inputs
  std::optional<Str> secrets_inherit;  // `secrets: inherit`
  StrMap secrets;                      // reusable workflow call secrets
  std::vector<Step> steps;
  SourceRange where;                   // the job id key
  const yaml::Node* node = nullptr;    // the job's mapping
};

}  // namespace slipway::model
