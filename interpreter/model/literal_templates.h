#pragma once
/// GitHub's template reader turns a scalar that is exactly `${{ '<text>' }}` into the plain
/// string <text> while it reads a workflow or an action (expr::LiteralOnlyTemplate); slipway
/// does the same on the YAML tree before anything reads it, keys and values alike.

#include "interpreter/yaml/node.h"

namespace slipway::model {

void FoldLiteralTemplates(yaml::Node& node);

}  // namespace slipway::model
