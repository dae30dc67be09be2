// `on.schedule[*].cron`: GitHub's POSIX cron syntax (model/cron.h), each error pointing at the
// field or item that is wrong.
// https://docs.github.com/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#schedule
#include <fmt/format.h>

#include "interpreter/model/cron.h"
#include "interpreter/validate/rule.h"

namespace slipway::validate {

void CheckCron(const RuleContext& context) {
  for (const model::Trigger& trigger : context.workflow.on) {
    for (const model::Str& cron : trigger.crons) {
      if (cron.has_expr) continue;
      Expected<model::CronSchedule, model::CronError> parsed =
          model::CronSchedule::Parse(cron.value);
      if (parsed) continue;
      const model::CronError& error = parsed.error();
      SourceRange where = cron.where;
      if (cron.node && error.length < cron.value.size()) {
        where.begin = cron.node->PositionOf(error.offset);
        where.length = static_cast<uint32_t>(error.length);
      }
      context.diagnostics.Error("cron", where,
                                fmt::format("invalid cron \"{}\": {}", cron.value, error.message));
    }
  }
}

}  // namespace slipway::validate
