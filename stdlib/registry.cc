// The only list of built-in steps (compare ninja's kTools[]). Adding a step is one folder
// (schema.json + code) and one row here.
#include "stdlib/registry.h"

#include "stdlib/audit/audit.h"
#include "stdlib/smoke_test/smoke_test.h"

namespace slipway::stdlib {

step_api::StepCatalog BuiltinSteps() {
  std::vector<step_api::StepTypeInfo> types = {
      {"smoke-test", "HTTP checks with retries and assertions", smoke_test::kSchema,
       &smoke_test::Make},
      {"audit", "write an audit entry (who, when, why, what, where, how)", audit::kSchema,
       &audit::Make},
  };
  return step_api::StepCatalog(std::move(types));
}

}  // namespace slipway::stdlib
