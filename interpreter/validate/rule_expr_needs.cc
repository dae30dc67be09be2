// Job outputs read through `needs.<job>` (in a job) and `jobs.<job>` (in a reusable workflow's
// `on.workflow_call.outputs.<id>.value`):
// https://docs.github.com/actions/learn-github-actions/contexts#needs-context
// `needs` holds only the jobs a job lists in its own `needs` (not their dependencies), each
// with `outputs` (the ones it declares) and `result`. GitHub evaluates anything else to null,
// so these are warnings.
#include <fmt/format.h>

#include <unordered_map>

#include "interpreter/validate/rule_expr_refs.h"
#include "interpreter/base/ascii.h"
#include "interpreter/validate/rule_util.h"

namespace slipway::validate {
namespace {

/// Jobs by lower-cased id: contexts look names up ignoring case (needs.Build is needs.build).
/// Built once per workflow, so checking a reference does not scan every job.
class JobsIgnoringCase {
 public:
  explicit JobsIgnoringCase(const model::Workflow& workflow) {
    jobs_.reserve(workflow.jobs.size());
    for (const model::Job& job : workflow.jobs) jobs_.try_emplace(AsciiLower(job.id.value), &job);
  }
  const model::Job* Find(std::string_view id) const {
    auto it = jobs_.find(AsciiLower(id));
    return it == jobs_.end() ? nullptr : it->second;
  }

 private:
  std::unordered_map<std::string, const model::Job*> jobs_;
};

/// Checks `<context>.<job>.<property>[.<output>]` once the job is known to be readable.
void CheckJobProperties(const RuleContext& context, const ExprAccess& use, const model::Job& target,
                        std::string_view context_name) {
  if (use.segment_count() < 3 || use.IsIndexed(2)) return;
  const std::string& property = use.access->segments[2].name;
  std::string lower = AsciiLower(property);
  if (lower != "outputs" && lower != "result") {
    static const std::vector<std::string> kProperties = {"outputs", "result"};
    std::string hint = SuggestIgnoringCase(property, kProperties);
    context.diagnostics.Warning(
        "expr-needs", use.RangeFrom(2),
        fmt::format("\"{}.{}\" has only \"outputs\" and \"result\", not \"{}\"{}", context_name,
                    use.access->segments[1].name, property, hint));
    return;
  }
  if (lower != "outputs" || use.segment_count() < 4 || use.IsIndexed(3)) return;
  // A reusable-workflow call's outputs are declared in the called workflow.
  if (target.uses) return;
  std::vector<std::string> outputs;
  for (const auto& [name, value] : target.outputs) outputs.push_back(name.value);
  const std::string& written = use.access->segments[3].name;
  if (ContainsIgnoringCase(outputs, written)) return;
  std::string hint = SuggestIgnoringCase(written, outputs);
  if (hint.empty()) {
    hint = outputs.empty() ? "; it declares no \"outputs\""
                           : fmt::format("; its outputs are {}", QuotedList(outputs));
  }
  context.diagnostics.Warning("expr-needs", use.RangeFrom(3),
                              fmt::format("job \"{}\" has no output \"{}\", so it is always null{}",
                                          target.id.value, written, hint));
}

void CheckNeeds(const RuleContext& context, const JobsIgnoringCase& jobs, const ExprAccess& use) {
  if (!use.job || use.segment_count() < 2 || use.IsIndexed(1)) return;
  const model::Job& job = *use.job;
  const std::string& written = use.access->segments[1].name;
  std::vector<std::string> needs;
  for (const model::Str& need : job.needs) needs.push_back(need.value);
  if (!ContainsIgnoringCase(needs, written)) {
    const model::Job* other = jobs.Find(written);
    std::string message;
    if (other && other != &job) {
      message = fmt::format(
          "job \"{}\" is not in the \"needs\" of job \"{}\", so \"needs.{}\" is always null; "
          "only jobs listed in \"needs\" are available (add \"{}\" to \"needs\")",
          other->id.value, job.id.value, written, other->id.value);
    } else {
      std::string hint = SuggestIgnoringCase(written, needs);
      if (hint.empty()) {
        hint = needs.empty() ? fmt::format("; job \"{}\" has no \"needs\"", job.id.value)
                             : fmt::format("; its \"needs\" are {}", QuotedList(needs));
      }
      message = fmt::format(
          "job \"{}\" is not in the \"needs\" of job \"{}\", so \"needs.{}\" is "
          "always null{}",
          written, job.id.value, written, hint);
    }
    context.diagnostics.Warning("expr-needs", use.RangeFrom(1), message);
    return;
  }
  const model::Job* target = jobs.Find(written);
  if (target) CheckJobProperties(context, use, *target, "needs");
}

void CheckJobs(const RuleContext& context, const JobsIgnoringCase& jobs, const ExprAccess& use) {
  if (use.segment_count() < 2 || use.IsIndexed(1)) return;
  const std::string& written = use.access->segments[1].name;
  const model::Job* target = jobs.Find(written);
  if (!target) {
    std::vector<std::string> ids;
    for (const model::Job& job : context.workflow.jobs) ids.push_back(job.id.value);
    context.diagnostics.Warning(
        "expr-needs", use.RangeFrom(1),
        fmt::format("job \"{}\" is not defined in this workflow, so \"jobs.{}\" is always null{}",
                    written, written, SuggestIgnoringCase(written, ids)));
    return;
  }
  CheckJobProperties(context, use, *target, "jobs");
}

bool IsWorkflowCallOutput(const std::vector<std::string>& path) {
  return path.size() == 5 && path[0] == "on" && path[1] == "workflow_call" &&
         path[2] == "outputs" && path[4] == "value";
}

}  // namespace

void CheckExpressionNeeds(const RuleContext& context) {
  const JobsIgnoringCase jobs(context.workflow);
  ForEachAccess(context, [&](const ExprAccess& use) {
    std::string head = use.Segment(0);
    if (head == "needs") {
      CheckNeeds(context, jobs, use);
    } else if (head == "jobs" && IsWorkflowCallOutput(*use.path)) {
      CheckJobs(context, jobs, use);
    }
  });
}

}  // namespace slipway::validate
