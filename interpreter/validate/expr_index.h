#pragma once
/// ExpressionIndex: every `${{ }}` of a workflow, found with the expr module's scanner
/// (expr::FindExpressions) and parsed once per validation. The expression rules (syntax,
/// context availability, the reference rules and the lints) read this list instead of each
/// walking the YAML tree and parsing every expression again.

#include <optional>
#include <string>
#include <vector>

#include "interpreter/base/expected.h"
#include "interpreter/expr/analysis.h"
#include "interpreter/expr/ast.h"
#include "interpreter/expr/error.h"
#include "interpreter/expr/template.h"
#include "interpreter/model/workflow.h"
#include "interpreter/yaml/node.h"

namespace slipway::validate {

/// One expression: a `${{ }}` span of a scalar, or a whole bare `if:` value.
struct IndexedExpression {
  expr::ExpressionSpan span;  // for a bare if: open = inner = 0, text = the whole value
  bool bare_if = false;
  /// Set when the span is closed, not empty and not over the length limit.
  std::optional<Expected<expr::Expr, expr::Error>> parsed;
  expr::Analysis analysis;  // of *parsed when it parsed
  bool ok() const { return parsed && parsed->has_value(); }
};

/// A scalar holding expressions (or a non-empty `if:`), with where it sits.
struct IndexedScalar {
  const yaml::Node* node = nullptr;
  bool is_key = false;  // a mapping key (expressions never allowed there)
  /// Mapping keys and sequence indices leading to it; a step's index is its position in run
  /// order (the items of a background-steps `parallel:` list counted in place).
  std::vector<std::string> path;
  const model::Job* job = nullptr;  // the job it sits in (nullptr: workflow level)
  std::optional<size_t> step;       // its step's position in run order
  const yaml::Node* step_node = nullptr;
  /// False under keys that take no expression at all (a job's needs/uses/permissions, a step's
  /// id/uses/shell): expr-allowed reports those, and the reference rules skip them.
  bool reads_checked = true;
  std::vector<IndexedExpression> expressions;
};

class ExpressionIndex {
 public:
  /// With `two_threads`, the second half of the jobs is indexed on a thread of its own (large
  /// files); the index is the same either way.
  explicit ExpressionIndex(const model::Workflow& workflow, bool two_threads = false);
  const std::vector<IndexedScalar>& scalars() const { return scalars_; }

 private:
  std::vector<IndexedScalar> scalars_;
};

}  // namespace slipway::validate
