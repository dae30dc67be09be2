#pragma once
/// What the reference rules (rule_expr_inputs.cc, rule_expr_needs.cc, rule_expr_steps.cc,
/// rule_expr_matrix.cc, rule_expr_shapes.cc, rule_expr_injection.cc) share: every named-value
/// access of every parseable `${{ }}` in a workflow, with the job and step it sits in, and the
/// step ids of a job in the order they run (the items of a `parallel:` list in place).

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/expr/analysis.h"
#include "interpreter/validate/rule.h"

namespace slipway::validate {

/// One read of a named value (`needs.build.outputs.x`) inside one expression of the workflow.
struct ExprAccess {
  const yaml::Node* node = nullptr;  // the scalar holding the expression
  size_t expr_offset = 0;            // byte offset of the expression text in node->value
  const expr::NamedValueAccess* access = nullptr;
  /// Key path to the scalar: jobs/<id>/steps/<n>/run, with n the step's position in run order.
  const std::vector<std::string>* path = nullptr;
  const model::Job* job = nullptr;  // the job it sits in, or nullptr (workflow level)
  std::optional<size_t> step;       // its step's position in run order, when inside a step
  const yaml::Node* step_node = nullptr;

  /// The position of segment `index` (through the end of the access) in the file.
  SourceRange RangeFrom(size_t index) const;
  /// The access as written in the file (`github.event.commits[0].message`).
  std::string_view Text() const;
  /// Segment `index`'s name, lower-cased ("" past the end).
  std::string Segment(size_t index) const;
  size_t segment_count() const { return access->segments.size(); }
  /// True for a `*` filter or a literal index at `index`: a name not to check.
  bool IsIndexed(size_t index) const;
};

/// Calls `visit` for every named-value access of every expression of the workflow that parses
/// (syntax errors are expr-syntax's), in file order.
void ForEachAccess(const RuleContext& context, const std::function<void(const ExprAccess&)>& visit);

/// A step id and the step's mapping, in run order.
struct StepIdInfo {
  std::string id;
  const yaml::Node* id_node = nullptr;
  size_t position = 0;
};
/// The ids of `job`'s steps in run order (steps without an id are skipped).
std::vector<StepIdInfo> StepIdsInOrder(const model::Job& job);

/// The candidate nearest to `word` ignoring case, as "; did you mean \"x\"?", or "".
std::string SuggestIgnoringCase(std::string_view word, const std::vector<std::string>& candidates);
/// "\"a\", \"b\"" — for listing what exists.
std::string QuotedList(const std::vector<std::string>& names);
/// Case-insensitive membership.
bool ContainsIgnoringCase(const std::vector<std::string>& names, std::string_view word);

}  // namespace slipway::validate
