// timeout-minutes and cancel-timeout-minutes written as numbers are in range (a warning: GitHub's
// parser accepts any number):
// https://docs.github.com/actions/using-workflows/workflow-syntax-for-github-actions#jobsjob_idtimeout-minutes
// GitHub casts the number to an Int32 of whole minutes (WorkflowTemplateConverter
// ConvertToJobTimeout), so a job's 0.5 is a 0-minute job and 1e26 overflows;
// model::TimeoutMinutesProblem has the ranges. An expression is checked by plan when it resolves
// and by run when the job starts.
#include "interpreter/model/timeout_minutes.h"
#include "interpreter/validate/rule.h"

namespace slipway::validate {
namespace {

void CheckOne(const RuleContext& context, const std::optional<model::Str>& value,
              model::TimeoutKey key) {
  if (!value || value->has_expr) return;
  std::optional<double> minutes = model::TimeoutNumber(value->value);
  if (!minutes) return;  // not a number: the schema says so
  // Quoted as written ("1e26"), not as the model's string form of the number ("1E+26").
  const std::string& written = value->node ? value->node->value : value->value;
  if (std::optional<std::string> problem = model::TimeoutMinutesProblem(key, *minutes, written)) {
    // GitHub's parser accepts the number (the conformance corpus has such files); plan and
    // run refuse it before anything runs, so here it is a warning.
    context.diagnostics.Warning("timeout-minutes", value->where,
                                *problem + " (plan and run refuse it)");
  }
}

}  // namespace

void CheckTimeoutMinutes(const RuleContext& context) {
  for (const model::Job& job : context.workflow.jobs) {
    CheckOne(context, job.timeout_minutes, model::TimeoutKey::kJob);
    CheckOne(context, job.cancel_timeout_minutes, model::TimeoutKey::kJobCancel);
    for (const model::Step& step : job.steps) {
      CheckOne(context, step.timeout_minutes, model::TimeoutKey::kStep);
    }
  }
}

}  // namespace slipway::validate
