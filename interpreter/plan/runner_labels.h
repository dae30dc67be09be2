#pragma once
/// `runs-on:` against the labels this machine serves (model/runners.h): every label of a job
/// (string, list, or `{group, labels}`; expressions evaluated first, per matrix leg) must be
/// served, else the job is refused before anything runs — unless the runners file maps the
/// label to this host, which the plan, the run's log and the audit say loudly.
/// https://docs.github.com/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idruns-on

#include <string>
#include <vector>

#include "interpreter/model/runners.h"
#include "interpreter/plan/resolve.h"

namespace slipway::plan {

/// What this machine serves, with where that was decided (for messages).
struct ServedLabels {
  std::vector<std::string> labels;  // as configured; compared ignoring case
  std::vector<std::string> groups;
  std::vector<std::string> mapped;
  /// "\"./.slipway/runners.yml\"", or "the defaults for linux/x86_64 (no \"...\")".
  std::string source;
};

/// From the runners file (nullptr: the defaults for this machine); `looked_at` is where the
/// file was looked for (named in the defaults' source).
ServedLabels MakeServedLabels(const model::RunnersConfig* config, const std::string& path,
                              const std::string& looked_at);

/// One `runs-on` after evaluation.
struct RunsOn {
  std::vector<std::string> labels;
  std::string group;
  bool known = true;         // false: an expression is known only at run time
  std::string unknown_text;  // then: what stays unknown
};

/// Evaluates `node` (string, list or mapping) in `scope`.
RunsOn EvaluateRunsOn(const yaml::Node& node, const Scope& scope);

/// The verdict for one evaluated runs-on.
struct RunnerVerdict {
  enum class Kind { kServed, kMapped, kUnserved, kUnknown };
  Kind kind = Kind::kServed;
  /// kUnserved: why, naming the labels and the source; kMapped: the loud note; else "".
  std::string message;
};

RunnerVerdict JudgeRunsOn(const RunsOn& runs_on, const ServedLabels& served);

}  // namespace slipway::plan
