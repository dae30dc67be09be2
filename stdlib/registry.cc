// The only list of built-in steps (compare ninja's kTools[]). Adding a step is one folder
// (schema.json + code) and one row here.
#include "stdlib/registry.h"

namespace slipway::stdlib {

step_api::StepCatalog BuiltinSteps() {
  std::vector<step_api::StepTypeInfo> types = {
  };
  return step_api::StepCatalog(std::move(types));
}

}  // namespace slipway::stdlib
