#pragma once
/// Finding the `${{ }}` expressions of a workflow: every scalar (and mapping key) of the YAML
/// tree with the path that leads to it, split into its expressions. The expression rules
/// (rule_expr_*.cc) are built on this.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/yaml/node.h"

namespace slipway::validate {

/// One `${{ ... }}` inside a scalar.
struct ExprSpan {
  size_t open = 0;        // byte offset of "${{" in the scalar's value
  size_t inner = 0;       // byte offset of the text after "${{"
  std::string_view text;  // the text between "${{" and "}}" (into the node's value)
  bool closed = true;     // false when no "}}" follows
};

/// Splits a scalar's value into its expressions. Quoted strings inside an expression may
/// contain "}}" ('a}}b' does not close it).
std::vector<ExprSpan> SplitExpressions(std::string_view value);

/// A scalar of the tree and where it sits. `path` holds the mapping keys and sequence indices
/// leading to it, with the items of a background-steps `parallel:` list flattened into the
/// enclosing `steps` (so a nested step's path is jobs/<id>/steps/<n>/...).
struct ScalarSite {
  const yaml::Node* node = nullptr;
  bool is_key = false;  // the scalar is a mapping key (path ends with the key itself)
  const std::vector<std::string>* path = nullptr;
};

/// Calls `visit` for every scalar (values and keys) of `root` that contains "${{" (and, for
/// `if:` values, every non-empty scalar, since `if:` is an expression even without "${{").
void ForEachExpressionScalar(const yaml::Node& root,
                             const std::function<void(const ScalarSite&)>& visit);

/// Where an `if:` sits: jobs/<id>/if or jobs/<id>/steps/<n>/if.
bool IsIfPath(const std::vector<std::string>& path);

/// The position in the file of byte `offset` of `node`'s value.
SourceRange RangeAt(const yaml::Node& node, size_t offset, uint32_t length);

}  // namespace slipway::validate
