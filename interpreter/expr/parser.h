#pragma once
/// Parse: expression text → Expr, or the first error (with GitHub's message and the offset).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/base/expected.h"
#include "interpreter/expr/ast.h"
#include "interpreter/expr/error.h"

namespace slipway::expr {

/// GitHub's limits (ExpressionConstants.cs): tree depth and text length (UTF-16 units).
inline constexpr int kMaxExprDepth = 50;
inline constexpr size_t kMaxExprLength = 21000;
/// Bracket nesting the parser follows before giving up with the depth error. Plain grouping
/// parentheses add no tree depth on GitHub, so nesting past this cap is the one place where
/// slipway rejects what GitHub would accept; it keeps the recursion far from the stack limit.
inline constexpr int kMaxParseNesting = 1000;

/// What a parse accepts.
struct ParseOptions {
  /// Context names that may appear (case-insensitive), unless allow_any_name.
  std::vector<std::string> named_values;
  /// Accept every name (syntax-only parsing, e.g. for the validator, which checks names itself).
  bool allow_any_name = false;
  /// Accept unknown function names (they fail at evaluation); for syntax-only parsing.
  bool allow_unknown_functions = false;
  /// FunctionGroup bits available (core always is).
  uint8_t function_groups = 0xFF;
  /// A job's `if:`: arities are FunctionInfo::max_args_in_job_if (success('build') is allowed,
  /// always('build') is not).
  bool job_condition = false;
};

/// The standard context names: github env inputs vars secrets needs steps matrix job runner
/// strategy.
const std::vector<std::string>& StandardContextNames();

/// Parses `text` (the inside of "${{ }}", or a bare `if:` condition).
Expected<Expr, Error> Parse(std::string_view text, const ParseOptions& options);

}  // namespace slipway::expr
