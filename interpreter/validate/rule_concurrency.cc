// Concurrency groups:
// https://docs.github.com/actions/using-workflows/workflow-syntax-for-github-actions#concurrency
// A literal group name (workflow or job level) longer than GitHub's bound makes the file
// invalid (WorkflowTemplateConverter.ConvertToConcurrency in early validation); a group from an
// expression is checked when it is evaluated (plan, run).
#include <fmt/format.h>

#include "interpreter/expr/unicode.h"
#include "interpreter/model/concurrency_group.h"
#include "interpreter/validate/rule.h"

namespace slipway::validate {
namespace {

void CheckGroup(const RuleContext& context, const model::Concurrency& concurrency) {
  if (!concurrency.present || concurrency.group.has_expr) return;
  const std::string problem = model::ConcurrencyGroupProblem(concurrency.group.value);
  if (problem.empty()) return;
  context.diagnostics.Error(
      "concurrency", concurrency.group.where,
      fmt::format("concurrency group name is {} characters long; GitHub refuses one longer than "
                  "{} (\"{}\")",
                  expr::Utf16Length(concurrency.group.value), model::kMaxConcurrencyGroupLength,
                  problem));
}

}  // namespace

void CheckConcurrency(const RuleContext& context) {
  CheckGroup(context, context.workflow.concurrency);
  for (const model::Job& job : context.workflow.jobs) CheckGroup(context, job.concurrency);
}

}  // namespace slipway::validate
