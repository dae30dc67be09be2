#pragma once
/// Strings with embedded "${{ }}": splitting them, evaluating them, and `if:` conditions.
/// GitHub's rules (actions/runner ObjectTemplating/TemplateReader.cs): the closing "}}" is the
/// first one outside a '...' string; an unclosed "${{" is an error; a string that is exactly
/// one expression keeps the expression's value, anything else becomes a string (each
/// expression converted as format() converts it).

#include <cstdint>
#include <string>
#include <optional>
#include <string_view>
#include <vector>

#include "interpreter/base/expected.h"
#include "interpreter/expr/ast.h"
#include "interpreter/expr/error.h"
#include "interpreter/expr/evaluator.h"
#include "interpreter/expr/parser.h"

namespace slipway::expr {

/// One piece of a template. For an expression, `text` is the trimmed inside of "${{ }}" and
/// `offset` its byte offset in the template; `open_offset` is where "${{" starts.
struct TemplatePart {
  bool is_expression = false;
  std::string_view text;
  uint32_t offset = 0;
  uint32_t open_offset = 0;
};

/// True when `text` contains "${{".
bool HasExpressions(std::string_view text);

/// One "${{ ... }}" found by FindExpressions. Offsets are bytes into the scanned text.
struct ExpressionSpan {
  uint32_t open = 0;      // where "${{" starts
  uint32_t inner = 0;     // just past "${{"
  std::string_view text;  // between "${{" and "}}", untrimmed; to the end when not closed
  bool closed = true;
};

/// The scanner every `${{ }}` reader uses (templates here, the plan, the validator): each
/// "${{" in order, closed by the first "}}" outside a '...' string literal (a doubled '' is an
/// escaped quote). An unclosed one ends the scan, returned with closed = false.
std::vector<ExpressionSpan> FindExpressions(std::string_view text);

/// The string `text` stands for when it is exactly one `${{ }}` holding one string literal
/// (`${{ 'ubuntu-latest' }}`, `${{ '' }}`): GitHub's template reader turns such a scalar into
/// that plain string while it reads the workflow (TemplateReader.ParseScalar), so
/// `if: ${{ 'false' }}` is the condition `false` and `shell: ${{ 'bash' }}` is `bash`.
/// nullopt otherwise, and also when the string itself holds "${{" (slipway would read it as an
/// expression again; kept as the expression, which evaluates to the same text).
std::optional<std::string> LiteralOnlyTemplate(std::string_view text);

/// Splits `text` (which must outlive the parts). Errors: an unclosed "${{" (offset of the
/// "${{"), an empty "${{ }}" (offset of the "${{").
Expected<std::vector<TemplatePart>, Error> SplitTemplate(std::string_view text);

/// Evaluates a template: one bare expression gives its value; otherwise the concatenation as a
/// string. Error offsets are relative to `text`.
Expected<Value, Error> EvaluateTemplate(std::string_view text, const Value& context,
                                        const ParseOptions& parse_options,
                                        const EvalOptions& eval_options = {});
/// Same, always converted to a string (null → "").
Expected<std::string, Error> EvaluateTemplateToString(std::string_view text, const Value& context,
                                                      const ParseOptions& parse_options,
                                                      const EvalOptions& eval_options = {});

/// A parsed `if:` condition.
struct Condition {
  Expr expr;
  /// GitHub adds "success() &&" when the condition calls no status function.
  bool implicit_success = true;
  /// Byte offset of the expression text inside the original condition string.
  uint32_t offset = 0;
};

/// Parses an `if:` value: a bare expression or one wrapped in "${{ }}". Text mixing literals
/// and "${{ }}" is a string (true when non-empty), as on GitHub.
Expected<Condition, Error> ParseCondition(std::string_view text, const ParseOptions& options);
/// Evaluates a condition to true/false (an empty condition means success()).
Expected<bool, Error> EvaluateCondition(const Condition& condition, const Value& context,
                                        const EvalOptions& options = {});

}  // namespace slipway::expr
