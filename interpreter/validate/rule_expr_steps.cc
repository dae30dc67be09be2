// `steps.<id>` names a step of the same job that runs earlier:
// https://docs.github.com/actions/learn-github-actions/contexts#steps-context
// A step sees the steps before it; a job's `outputs` and `environment.url` see all of them.
// Each has `outputs`, `outcome` and `conclusion`. GitHub evaluates anything else to null, so
// these are warnings.
#include <fmt/format.h>

#include "interpreter/validate/rule_expr_refs.h"
#include "interpreter/base/ascii.h"
#include "interpreter/validate/rule_util.h"

namespace slipway::validate {
namespace {

/// How far into the job `steps` reaches at this site, or nullopt where `steps` is not available
/// (expr-context reports those).
std::optional<size_t> VisibleSteps(const ExprAccess& use) {
  if (use.step) return *use.step;
  const std::vector<std::string>& path = *use.path;
  if (path.size() >= 3 && path[0] == "jobs" &&
      (path[2] == "outputs" ||
       (path[2] == "environment" && path.size() == 4 && path[3] == "url"))) {
    return SIZE_MAX;
  }
  return std::nullopt;
}

}  // namespace

void CheckExpressionSteps(const RuleContext& context) {
  ForEachAccess(context, [&](const ExprAccess& use) {
    if (!use.job || use.Segment(0) != "steps" || use.segment_count() < 2 || use.IsIndexed(1)) {
      return;
    }
    std::optional<size_t> visible = VisibleSteps(use);
    if (!visible) return;
    const model::Job& job = *use.job;
    const std::string& written = use.access->segments[1].name;
    std::vector<StepIdInfo> ids = StepIdsInOrder(job);
    const StepIdInfo* found = nullptr;
    for (const StepIdInfo& info : ids) {
      if (AsciiLower(info.id) == AsciiLower(written)) found = &info;
    }
    if (!found) {
      std::vector<std::string> earlier;
      for (const StepIdInfo& info : ids) {
        if (info.position < *visible) earlier.push_back(info.id);
      }
      std::string hint = SuggestIgnoringCase(written, earlier);
      if (hint.empty()) {
        hint = earlier.empty() ? "; no earlier step has an \"id\""
                               : fmt::format("; earlier step ids are {}", QuotedList(earlier));
      }
      context.diagnostics.Warning(
          "expr-steps", use.RangeFrom(1),
          fmt::format("step \"{}\" is not defined in job \"{}\", so \"steps.{}\" is always null{}",
                      written, job.id.value, written, hint));
      return;
    }
    if (found->position >= *visible) {
      const char* when = found->position == *visible ? "is this step itself" : "runs later";
      context.diagnostics.Warning(
          "expr-steps", use.RangeFrom(1),
          fmt::format("step \"{}\" {} (its \"id\" is at {}:{}), so \"steps.{}\" is always null "
                      "here; only earlier steps are available",
                      found->id, when, found->id_node->where.begin.line,
                      found->id_node->where.begin.col, written));
      return;
    }
    if (use.segment_count() < 3 || use.IsIndexed(2)) return;
    const std::string& property = use.access->segments[2].name;
    static const std::vector<std::string> kProperties = {"outputs", "outcome", "conclusion"};
    if (ContainsIgnoringCase(kProperties, property)) return;
    std::string hint = SuggestIgnoringCase(property, kProperties);
    context.diagnostics.Warning(
        "expr-steps", use.RangeFrom(2),
        fmt::format("\"steps.{}\" has only \"outputs\", \"outcome\" and \"conclusion\", not "
                    "\"{}\"{}",
                    written, property, hint));
  });
}

}  // namespace slipway::validate
