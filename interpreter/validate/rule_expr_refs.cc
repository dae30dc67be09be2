#include "interpreter/validate/rule_expr_refs.h"

#include <fmt/format.h>

#include <algorithm>

#include "interpreter/validate/expr_sites.h"
#include "interpreter/base/ascii.h"
#include "interpreter/validate/rule_util.h"

namespace slipway::validate {

namespace {

/// The byte offset in `value` just past `use`'s access. The analysis ends a literal index at
/// its "[", so the index and its "]" are added here.
size_t EndOf(const ExprAccess& use) {
  std::string_view value = use.node->value;
  size_t end = use.expr_offset + use.access->offset + use.access->length;
  const expr::PathSegment& last = use.access->segments.back();
  size_t at = use.expr_offset + last.offset;
  if (at >= value.size() || value[at] != '[' || last.wildcard) return std::min(end, value.size());
  bool in_string = false;
  for (size_t i = at + 1; i < value.size(); ++i) {
    if (value[i] == '\'') in_string = !in_string;
    if (!in_string && value[i] == ']') return i + 1;
  }
  return std::min(end, value.size());
}

}  // namespace

SourceRange ExprAccess::RangeFrom(size_t index) const {
  if (index >= access->segments.size()) index = access->segments.size() - 1;
  size_t start = expr_offset + access->segments[index].offset;
  size_t end = EndOf(*this);
  uint32_t length = static_cast<uint32_t>(end > start ? end - start : 1);
  return RangeAt(*node, start, length);
}

std::string_view ExprAccess::Text() const {
  std::string_view value = node->value;
  size_t start = expr_offset + access->offset;
  if (start >= value.size()) return access->segments[0].name;
  return value.substr(start, EndOf(*this) - start);
}

std::string ExprAccess::Segment(size_t index) const {
  return index < access->segments.size() ? AsciiLower(access->segments[index].name) : std::string();
}

bool ExprAccess::IsIndexed(size_t index) const {
  if (index >= access->segments.size()) return false;
  const expr::PathSegment& segment = access->segments[index];
  if (segment.wildcard) return true;
  // `a[0]` is an index; `a['b']` names property "b" and is checked like `a.b`.
  size_t at = expr_offset + segment.offset;
  if (at >= node->value.size() || node->value[at] != '[') return false;
  return !segment.name.empty() &&
         segment.name.find_first_not_of("0123456789.-") == std::string::npos;
}

namespace {

void CollectStepIds(const yaml::Node& steps, size_t& position, std::vector<StepIdInfo>& out) {
  for (const yaml::Node& step : steps.items) {
    size_t mine = position++;
    if (!step.is_mapping()) continue;
    if (const yaml::Node* id = step.Find("id"); id && id->is_scalar() && !id->value.empty()) {
      out.push_back({id->value, id, mine});
    }
    if (const yaml::Node* nested = step.Find("parallel"); nested && nested->is_sequence()) {
      CollectStepIds(*nested, position, out);
    }
  }
}

}  // namespace

void ForEachAccess(const RuleContext& context,
                   const std::function<void(const ExprAccess&)>& visit) {
  for (const IndexedScalar& scalar : context.expressions.scalars()) {
    if (!scalar.reads_checked) continue;
    for (const IndexedExpression& e : scalar.expressions) {
      if (!e.ok()) continue;
      for (const expr::NamedValueAccess& access : e.analysis.accesses) {
        ExprAccess use;
        use.node = scalar.node;
        use.expr_offset = e.span.inner;
        use.access = &access;
        use.path = &scalar.path;
        use.job = scalar.job;
        use.step = scalar.step;
        use.step_node = scalar.step_node;
        visit(use);
      }
    }
  }
}

std::vector<StepIdInfo> StepIdsInOrder(const model::Job& job) {
  std::vector<StepIdInfo> out;
  if (!job.node) return out;
  const yaml::Node* steps = job.node->Find("steps");
  if (!steps || !steps->is_sequence()) return out;
  size_t position = 0;
  CollectStepIds(*steps, position, out);
  return out;
}

std::string SuggestIgnoringCase(std::string_view word, const std::vector<std::string>& candidates) {
  std::vector<std::string> lowered;
  lowered.reserve(candidates.size());
  for (const std::string& candidate : candidates) lowered.push_back(AsciiLower(candidate));
  std::string match = ClosestMatch(AsciiLower(word), lowered);
  if (match.empty()) return "";
  for (size_t i = 0; i < lowered.size(); ++i) {
    if (lowered[i] == match) return "; did you mean \"" + candidates[i] + "\"?";
  }
  return "";
}

std::string QuotedList(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names)
    out += fmt::format("{}\"{}\"", out.empty() ? "" : ", ", name);
  return out;
}

bool ContainsIgnoringCase(const std::vector<std::string>& names, std::string_view word) {
  std::string lower = AsciiLower(word);
  for (const std::string& name : names) {
    if (AsciiLower(name) == lower) return true;
  }
  return false;
}

}  // namespace slipway::validate
