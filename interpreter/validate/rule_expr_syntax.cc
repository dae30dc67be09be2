// `${{ }}` syntax: https://docs.github.com/actions/learn-github-actions/expressions
// Every "${{" is closed by "}}", holds an expression, and that expression parses (the expr
// module's parser, names unchecked here). A bare `if:` is an expression without "${{".
#include <fmt/format.h>

#include <string>

#include "interpreter/expr/parser.h"
#include "interpreter/validate/expr_sites.h"
#include "interpreter/validate/rule.h"

namespace slipway::validate {
namespace {

/// GitHub's parser message without its "Located at position..." tail, lower-case first.
std::string Humanize(const std::string& message) {
  std::string text = message.substr(0, message.find(". Located at position"));
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z' &&
      !(text.size() > 1 && text[1] >= 'A' && text[1] <= 'Z')) {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  return text;
}

void Report(const RuleContext& context, const yaml::Node& node, const IndexedExpression& e) {
  const expr::Error& error = e.parsed->error();
  context.diagnostics.Error(
      "expr-syntax",
      RangeAt(node, e.span.inner + error.offset, std::max<uint32_t>(error.length, 1)),
      "invalid expression: " + Humanize(error.message));
}

}  // namespace

void CheckExpressionSyntax(const RuleContext& context) {
  for (const IndexedScalar& scalar : context.expressions.scalars()) {
    const yaml::Node& node = *scalar.node;
    if (scalar.expressions.size() == 1 && scalar.expressions[0].bare_if) {
      if (!scalar.expressions[0].ok()) Report(context, node, scalar.expressions[0]);
      continue;
    }
    // GitHub turns a scalar with expressions into one format() expression, capped in length.
    if (node.value.size() > expr::kMaxExprLength) {
      context.diagnostics.Error(
          "expr-syntax", node.where,
          fmt::format("value with expressions is {} characters long; the maximum is {}",
                      node.value.size(), expr::kMaxExprLength));
      continue;
    }
    for (const IndexedExpression& e : scalar.expressions) {
      const expr::ExpressionSpan& span = e.span;
      if (!span.closed) {
        SourcePos at = node.PositionOf(span.open);
        context.diagnostics.Error(
            "expr-syntax", RangeAt(node, span.open, 3),
            fmt::format("\"}}}}\" expected (to close \"${{{{\" at {}:{})", at.line, at.col));
        continue;
      }
      if (span.text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        context.diagnostics.Error(
            "expr-syntax", RangeAt(node, span.open, static_cast<uint32_t>(span.text.size() + 5)),
            "empty expression \"${{ }}\"; an expression was expected");
        continue;
      }
      if (span.text.size() > expr::kMaxExprLength) {
        context.diagnostics.Error("expr-syntax", RangeAt(node, span.open, 3),
                                  fmt::format("expression is {} characters long; the maximum is {}",
                                              span.text.size(), expr::kMaxExprLength));
        continue;
      }
      if (e.parsed && !e.ok()) Report(context, node, e);
    }
  }
}

}  // namespace slipway::validate
