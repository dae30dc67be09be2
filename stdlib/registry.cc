// The only list of built-in steps (compare ninja's kTools[]). Adding a step is one folder
// (schema.json + code) and one row here.
#include "stdlib/registry.h"

#include "stdlib/audit/audit.h"
#include "stdlib/backup/backup.h"
#include "stdlib/monitor/monitor.h"
#include "stdlib/notify/notify.h"
#include "stdlib/smoke_test/smoke_test.h"
#include "stdlib/stack_deploy/stack_deploy.h"
#include "stdlib/traffic_shift/traffic_shift.h"

namespace slipway::stdlib {

step_api::StepCatalog BuiltinSteps() {
  std::vector<step_api::StepTypeInfo> types = {
      {"stack-deploy", "deploy, diff or roll back a stack (local|cdk|sam|cloudformation)",
       stack_deploy::kSchema, &stack_deploy::Make},
      {"smoke-test", "HTTP checks with retries and assertions", smoke_test::kSchema,
       &smoke_test::Make},
      {"notify", "Slack, webhook or e-mail notification with templates and retries",
       notify::kSchema, &notify::Make},
      {"backup", "snapshot stack state, files or command output with checksums",
       backup::kSchema, &backup::Make},
      {"traffic-shift", "move traffic in phases with bake time and health checks; revert on breach",
       traffic_shift::kSchema, &traffic_shift::Make},
      {"monitor", "watch metrics for a duration against thresholds; fail on breach",
       monitor::kSchema, &monitor::Make},
      {"audit", "write an audit entry (who, when, why, what, where, how)", audit::kSchema,
       &audit::Make},
  };
  return step_api::StepCatalog(std::move(types));
}

}  // namespace slipway::stdlib
