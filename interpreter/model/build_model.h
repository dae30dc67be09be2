#pragma once
/// BuildModel: YAML tree → typed Workflow. It reads whatever has the expected shape and skips
/// what does not: shape problems are the schema pass's to report (validate/), so this never
/// produces diagnostics and never fails.

#include <memory>

#include "interpreter/model/workflow.h"

namespace slipway::model {

Workflow BuildModel(std::shared_ptr<const yaml::Node> root, FileId file);

}  // namespace slipway::model
