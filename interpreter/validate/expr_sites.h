#pragma once
/// Positions of `${{ }}` expressions in the workflow file. The expressions themselves are found
/// and parsed once per validation by ExpressionIndex (expr_index.h), with the expr module's
/// scanner (expr::FindExpressions).

#include <string>
#include <vector>

#include "interpreter/yaml/node.h"

namespace slipway::validate {

/// Where an `if:` sits: jobs/<id>/if or jobs/<id>/steps/<n>/if.
bool IsIfPath(const std::vector<std::string>& path);

/// The position in the file of byte `offset` of `node`'s value.
SourceRange RangeAt(const yaml::Node& node, size_t offset, uint32_t length);

}  // namespace slipway::validate
