// Expression comparison ignores case
// (https://docs.github.com/actions/learn-github-actions/expressions#operators: "GitHub ignores case
// when comparing strings"), so a guard such as
//   if: inputs.deployment_confirmation != 'DEPLOY TO PRODUCTION'   (then: exit 1)
// lets "deploy to production" through. Warned where a string input is compared with == or !=
// to a literal whose letters are all of one case, and the comparison guards a failure or a
// confirmation: the `if:` of a step whose script ends by failing, any `if:` in a job whose id or
// name says "confirm", or an input whose name says "confirm" (a step "exits non-zero" when the
// last line of its script is `exit N`, N != 0). The fix is an exact match: the
// input's `pattern:` (slipway) or a shell test (`[ "$X" = "DEPLOY TO PRODUCTION" ]`).
#include <fmt/format.h>
#include <re2/re2.h>

#include <optional>
#include <string>

#include "interpreter/expr/unicode.h"
#include "interpreter/validate/expr_sites.h"
#include "interpreter/validate/rule.h"
#include "interpreter/base/ascii.h"
#include "interpreter/validate/rule_util.h"

namespace slipway::validate {
namespace {

using expr::NodeKind;

bool SaysConfirm(std::string_view text) { return AsciiLower(text).find("confirm") != std::string::npos; }

/// The input name read by `n` (inputs.X or github.event.inputs.X), if it is one.
std::optional<std::string> InputRead(const expr::Expr& e, const expr::Node& n) {
  if (n.kind != NodeKind::kProperty) return std::nullopt;
  const expr::Node* parent = &e.node(e.children(n)[0]);
  if (parent->kind == NodeKind::kNamedValue && expr::EqualsIgnoreCase(e.name(*parent), "inputs")) {
    return std::string(e.name(n));
  }
  if (parent->kind != NodeKind::kProperty || !expr::EqualsIgnoreCase(e.name(*parent), "inputs")) {
    return std::nullopt;
  }
  const expr::Node* event = &e.node(e.children(*parent)[0]);
  if (event->kind != NodeKind::kProperty || !expr::EqualsIgnoreCase(e.name(*event), "event")) {
    return std::nullopt;
  }
  const expr::Node* github = &e.node(e.children(*event)[0]);
  if (github->kind != NodeKind::kNamedValue || !expr::EqualsIgnoreCase(e.name(*github), "github")) {
    return std::nullopt;
  }
  return std::string(e.name(n));
}

/// True for text with letters, all upper case or all lower case (ASCII).
bool LettersOfOneCase(std::string_view text) {
  bool upper = false, lower = false;
  for (char c : text) {
    upper = upper || (c >= 'A' && c <= 'Z');
    lower = lower || (c >= 'a' && c <= 'z');
  }
  return upper != lower;
}

/// The declared type of input `name` ("" when no trigger declares it).
std::string InputType(const model::Workflow& workflow, std::string_view name) {
  for (const model::Trigger& trigger : workflow.on) {
    for (const model::InputDef& input : trigger.inputs) {
      if (expr::EqualsIgnoreCase(input.name.value, name)) return input.type_name();
    }
  }
  return "";
}

/// True for a step whose script ends by failing (its last line is `exit N`, N != 0): the step
/// exists to stop the job when its `if:` holds.
bool EndsByFailing(const yaml::Node* step) {
  static const RE2 kExit(R"(\s*exit\s+0*[1-9][0-9]*\s*;?\s*)");
  const yaml::Node* run = step && step->is_mapping() ? step->Find("run") : nullptr;
  if (!run || !run->is_scalar()) return false;
  std::string_view text = run->value;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  const size_t newline = text.rfind('\n');
  const std::string_view last = newline == std::string_view::npos ? text : text.substr(newline + 1);
  return RE2::FullMatch(last, kExit);
}

}  // namespace

void CheckExpressionCase(const RuleContext& context) {
  for (const IndexedScalar& scalar : context.expressions.scalars()) {
    if (scalar.is_key || !IsIfPath(scalar.path)) continue;
    const bool step_if = scalar.path.size() == 5;
    const model::Job* job = scalar.job;
    const bool confirm_job =
        job && (SaysConfirm(job->id.value) || (job->name && SaysConfirm(job->name->value)));
    const bool guards_failure = step_if && EndsByFailing(scalar.step_node);
    for (const IndexedExpression& expression : scalar.expressions) {
      if (!expression.ok() || (*expression.parsed)->empty()) continue;
      const expr::Expr& e = **expression.parsed;
      std::vector<uint32_t> stack = {e.root()};
      while (!stack.empty()) {
        const expr::Node& n = e.node(stack.back());
        stack.pop_back();
        for (uint32_t child : e.children(n)) stack.push_back(child);
        if (n.kind != NodeKind::kEq && n.kind != NodeKind::kNe) continue;
        const expr::Node& left = e.node(e.children(n)[0]);
        const expr::Node& right = e.node(e.children(n)[1]);
        const expr::Node& literal = left.kind == NodeKind::kLiteral ? left : right;
        const expr::Node& other = left.kind == NodeKind::kLiteral ? right : left;
        if (literal.kind != NodeKind::kLiteral || !e.value(literal).is_string()) continue;
        std::optional<std::string> input = InputRead(e, other);
        if (!input) continue;
        const std::string_view text = e.value(literal).string();
        if (!LettersOfOneCase(text) || InputType(context.workflow, *input) != "string") continue;
        if (!guards_failure && !confirm_job && !SaysConfirm(*input)) continue;
        std::string other_case(text);
        const bool is_upper = LettersOfOneCase(text) && AsciiLower(text) != text;
        for (char& c : other_case) {
          if (is_upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
          if (!is_upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        }
        context.diagnostics.Warning(
            "expr-case",
            RangeAt(*scalar.node, expression.span.inner + literal.offset, literal.length),
            fmt::format("\"{}\" ignores case, so input \"{}\" = \"{}\" also {} this guard; for an "
                        "exact match give the input a \"pattern:\" or compare in the shell "
                        "([ \"$VALUE\" = \"{}\" ])",
                        n.kind == NodeKind::kEq ? "==" : "!=", *input, other_case,
                        n.kind == NodeKind::kEq ? "passes" : "gets past", text));
      }
    }
  }
}

}  // namespace slipway::validate
