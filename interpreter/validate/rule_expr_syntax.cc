// `${{ }}` syntax: https://docs.github.com/actions/learn-github-actions/expressions
// Every "${{" is closed by "}}", holds an expression, and that expression parses (the expr
// module's parser, names unchecked here). A bare `if:` is an expression without "${{".
#include <fmt/format.h>

#include <string>

#include "interpreter/expr/functions.h"
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

void CheckText(const RuleContext& context, const yaml::Node& node, std::string_view text,
               size_t offset, bool is_job_if) {
  expr::ParseOptions options;
  options.allow_any_name = true;
  Expected<expr::Expr, expr::Error> parsed = expr::Parse(text, options);
  if (parsed) return;
  const expr::Error& error = parsed.error();
  // In a job's `if`, status functions take job ids: success('build', 'test').
  if (is_job_if && error.message.find("Too many parameters supplied") != std::string::npos) {
    std::string_view name = text.substr(error.offset, error.length);
    if (expr::IsStatusFunction(name)) return;
  }
  context.diagnostics.Error(
      "expr-syntax", RangeAt(node, offset + error.offset, std::max<uint32_t>(error.length, 1)),
      "invalid expression: " + Humanize(error.message));
}

}  // namespace

void CheckExpressionSyntax(const RuleContext& context) {
  if (!context.workflow.yaml) return;
  ForEachExpressionScalar(*context.workflow.yaml, [&context](const ScalarSite& site) {
    const yaml::Node& node = *site.node;
    std::vector<ExprSpan> spans = SplitExpressions(node.value);
    if (spans.empty()) {
      if (!site.is_key && IsIfPath(*site.path) && !yaml::IsBoolScalar(node) &&
          !yaml::IsNumberScalar(node)) {
        CheckText(context, node, node.value, 0, site.path->size() == 3);
      }
      return;
    }
    // GitHub turns a scalar with expressions into one format() expression, capped in length.
    if (node.value.size() > expr::kMaxExprLength) {
      context.diagnostics.Error(
          "expr-syntax", node.where,
          fmt::format("value with expressions is {} characters long; the maximum is {}",
                      node.value.size(), expr::kMaxExprLength));
      return;
    }
    for (const ExprSpan& span : spans) {
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
      CheckText(context, node, span.text, span.inner,
                IsIfPath(*site.path) && site.path->size() == 3);
    }
  });
}

}  // namespace slipway::validate
