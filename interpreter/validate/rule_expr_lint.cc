// Expressions that are valid but evidently wrong, as actionlint reports them (warnings: GitHub
// accepts them and they quietly evaluate to false or null):
//   - contains(search, item) whose `item` is evidently an array (a fromJSON('[...]') literal or
//     a `*` filter): contains() looks for `item` inside `search`, and no string or array holds
//     an array, so the result is always false — the arguments are swapped;
//   - indexing a string (`toJSON(github)['job']`, `format(...).x`, `'abc'[0]`): a string has no
//     members, so the result is always null.
// https://docs.github.com/actions/learn-github-actions/expressions#contains
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "interpreter/expr/unicode.h"
#include "interpreter/validate/expr_sites.h"
#include "interpreter/validate/rule.h"

namespace slipway::validate {
namespace {

using expr::NodeKind;

bool IsCall(const expr::Expr& e, const expr::Node& n, std::string_view name) {
  return n.kind == NodeKind::kCall && expr::EqualsIgnoreCase(e.name(n), name);
}

/// A node whose value is a string whatever the contexts hold.
bool IsString(const expr::Expr& e, const expr::Node& n) {
  if (n.kind == NodeKind::kLiteral) return e.value(n).is_string();
  return IsCall(e, n, "format") || IsCall(e, n, "join") || IsCall(e, n, "toJSON");
}

/// A node whose value is an array whatever the contexts hold.
bool IsArray(const expr::Expr& e, const expr::Node& n) {
  if (IsCall(e, n, "fromJSON") && n.child_count == 1) {
    const expr::Node& arg = e.node(e.children(n)[0]);
    if (arg.kind != NodeKind::kLiteral || !e.value(arg).is_string()) return false;
    std::string_view text = expr::TrimWhiteSpace(e.value(arg).string());
    return !text.empty() && text.front() == '[';
  }
  // A `*` filter anywhere down the chain makes an array.
  const expr::Node* at = &n;
  while (at->kind == NodeKind::kProperty || at->kind == NodeKind::kIndex ||
         at->kind == NodeKind::kWildcard) {
    if (at->kind == NodeKind::kWildcard) return true;
    at = &e.node(e.children(*at)[0]);
  }
  return false;
}

std::string Describe(const expr::Expr& e, const expr::Node& n) {
  if (n.kind == NodeKind::kLiteral) return "a string literal";
  return fmt::format("{}() returns a string", e.name(n));
}

void Lint(const RuleContext& context, const IndexedScalar& scalar,
          const IndexedExpression& expression) {
  const expr::Expr& e = **expression.parsed;
  if (e.empty()) return;
  std::vector<uint32_t> stack = {e.root()};
  while (!stack.empty()) {
    const expr::Node& n = e.node(stack.back());
    stack.pop_back();
    for (uint32_t child : e.children(n)) stack.push_back(child);
    const size_t at = expression.span.inner + n.offset;
    if (IsCall(e, n, "contains") && n.child_count == 2 && IsArray(e, e.node(e.children(n)[1]))) {
      context.diagnostics.Warning(
          "expr-lint", RangeAt(*scalar.node, at, n.length),
          "contains() looks for its second argument inside the first, and the second is an "
          "array here, so the result is always false; swap the arguments?");
      continue;
    }
    if (n.kind == NodeKind::kProperty || n.kind == NodeKind::kIndex ||
        n.kind == NodeKind::kWildcard) {
      const expr::Node& object = e.node(e.children(n)[0]);
      if (!IsString(e, object)) continue;
      context.diagnostics.Warning(
          "expr-lint", RangeAt(*scalar.node, at, std::max<uint32_t>(n.length, 1)),
          fmt::format("{}, and indexing a string always gives null", Describe(e, object)));
    }
  }
}

}  // namespace

void CheckExpressionLints(const RuleContext& context) {
  for (const IndexedScalar& scalar : context.expressions.scalars()) {
    if (scalar.is_key) continue;
    for (const IndexedExpression& expression : scalar.expressions) {
      if (expression.ok()) Lint(context, scalar, expression);
    }
  }
}

}  // namespace slipway::validate
