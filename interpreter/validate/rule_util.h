#pragma once
/// Small helpers shared by the rule files.

#include <string>
#include <string_view>
#include <vector>

#include "interpreter/base/source.h"
#include "interpreter/model/scalar.h"
#include "interpreter/yaml/node.h"

namespace slipway::validate {

/// GitHub's identifier syntax for job, step and input ids: a letter or '_' first, then
/// letters, digits, '-' and '_'.
bool IsValidIdentifier(std::string_view id);

/// What is wrong with `id` as a job or step id (`kind` is "job" or "step"), as GitHub's
/// IdBuilder.TryAddKnownId decides it: the syntax above, shorter than 100 characters
/// (WorkflowConstants.MaxNodeNameLength), and no reserved "__" prefix. "" when it is valid.
std::string IdProblem(std::string_view kind, std::string_view id);


/// True when `text` contains "${{".
inline bool HasExpression(std::string_view text) {
  return text.find("${{") != std::string_view::npos;
}

/// The range of a scalar node (or of whatever node it is).
inline SourceRange RangeOf(const yaml::Node& node) { return node.where; }

}  // namespace slipway::validate
