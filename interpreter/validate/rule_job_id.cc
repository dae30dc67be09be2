// Job ids:
// https://docs.github.com/actions/using-workflows/workflow-syntax-for-github-actions#jobsjob_id
// "must start with a letter or _ and contain only alphanumeric characters, - or _"; GitHub also
// reserves ids starting with "__", caps them below 100 characters and compares them ignoring
// case (so "build" and "BUILD" collide; exact duplicates are already YAML duplicate keys).
#include <fmt/format.h>

#include <map>
#include <string>

#include "interpreter/validate/rule.h"
#include "interpreter/base/ascii.h"
#include "interpreter/validate/rule_util.h"

namespace slipway::validate {

void CheckJobIds(const RuleContext& context) {
  std::map<std::string, const model::Job*> seen;  // lower-cased id → first job
  for (const model::Job& job : context.workflow.jobs) {
    const std::string& id = job.id.value;
    if (job.id.has_expr) continue;  // expr-allowed reports it
    if (std::string problem = IdProblem("job", id); !problem.empty()) {
      context.diagnostics.Error("job-id", job.id.where, std::move(problem));
    }
    auto [it, inserted] = seen.try_emplace(AsciiLower(id), &job);
    if (!inserted) {
      const SourcePos& first = it->second->id.where.begin;
      context.diagnostics.Error(
          "job-id", job.id.where,
          fmt::format("job ID \"{}\" is defined twice (IDs ignore case); previously defined as "
                      "\"{}\" at {}:{}",
                      id, it->second->id.value, first.line, first.col));
    }
  }
}

}  // namespace slipway::validate
