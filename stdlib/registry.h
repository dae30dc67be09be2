#pragma once
/// The built-in steps: the one table lives in registry.cc.

#include "interpreter/step_api/step_api.h"

namespace slipway::stdlib {

/// Every built-in step type, in the order `slipway steps` lists them.
step_api::StepCatalog BuiltinSteps();

}  // namespace slipway::stdlib
