#include "interpreter/validate/rule_expr_refs.h"

#include <fmt/format.h>

#include <algorithm>

#include "interpreter/expr/parser.h"
#include "interpreter/validate/expr_sites.h"
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
  return index < access->segments.size() ? Lower(access->segments[index].name) : std::string();
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

/// Where the walk is: the job and step the scalars belong to.
struct Scope {
  const model::Job* job = nullptr;
  std::optional<size_t> step;
  const yaml::Node* step_node = nullptr;
};

class Walker {
 public:
  Walker(const RuleContext& context, const std::function<void(const ExprAccess&)>& visit)
      : context_(context), visit_(visit) {}

  void WalkRoot(const yaml::Node& root) {
    if (!root.is_mapping()) return;
    for (const auto& [key, value] : root.entries) {
      path_.push_back(key.value);
      if (key.value == "jobs" && value.is_mapping()) {
        for (const auto& [job_key, job_value] : value.entries) {
          path_.push_back(job_key.value);
          Scope scope;
          scope.job = context_.workflow.FindJob(job_key.value);
          WalkJob(job_value, scope);
          path_.pop_back();
        }
      } else {
        Walk(value, Scope{});
      }
      path_.pop_back();
    }
  }

 private:
  void WalkJob(const yaml::Node& job, const Scope& scope) {
    if (!job.is_mapping()) return;
    for (const auto& [key, value] : job.entries) {
      path_.push_back(key.value);
      if (key.value == "needs" || key.value == "uses" || key.value == "permissions") {
        path_.pop_back();
        continue;  // no expressions here: expr-context's to report
      }
      if (key.value == "steps" && value.is_sequence()) {
        size_t position = 0;
        WalkSteps(value, scope, position);
      } else {
        Walk(value, scope);
      }
      path_.pop_back();
    }
  }

  void WalkSteps(const yaml::Node& steps, const Scope& job_scope, size_t& position) {
    for (const yaml::Node& step : steps.items) {
      Scope scope = job_scope;
      scope.step = position;
      scope.step_node = &step;
      path_.push_back(std::to_string(position++));
      const yaml::Node* nested = nullptr;
      if (step.is_mapping()) {
        for (const auto& [key, value] : step.entries) {
          if (key.value == "parallel" && value.is_sequence()) {
            nested = &value;
            continue;
          }
          if (key.value == "id" || key.value == "uses" || key.value == "shell") continue;
          path_.push_back(key.value);
          Walk(value, scope);
          path_.pop_back();
        }
      }
      path_.pop_back();
      if (nested) WalkSteps(*nested, job_scope, position);
    }
  }

  void Walk(const yaml::Node& node, const Scope& scope) {
    if (node.is_scalar()) {
      Visit(node, scope);
    } else if (node.is_sequence()) {
      for (size_t i = 0; i < node.items.size(); ++i) {
        path_.push_back(std::to_string(i));
        Walk(node.items[i], scope);
        path_.pop_back();
      }
    } else if (node.is_mapping()) {
      for (const auto& [key, value] : node.entries) {
        path_.push_back(key.value);
        Walk(value, scope);
        path_.pop_back();
      }
    }
  }

  void Visit(const yaml::Node& node, const Scope& scope) {
    std::vector<ExprSpan> spans = SplitExpressions(node.value);
    if (spans.empty()) {
      if (IsIfPath(path_) && !node.value.empty() && !yaml::IsBoolScalar(node) &&
          !yaml::IsNumberScalar(node)) {
        VisitExpression(node, node.value, 0, scope);
      }
      return;
    }
    for (const ExprSpan& span : spans) {
      if (span.closed) VisitExpression(node, span.text, span.inner, scope);
    }
  }

  void VisitExpression(const yaml::Node& node, std::string_view text, size_t offset,
                       const Scope& scope) {
    expr::ParseOptions options;
    options.allow_any_name = true;
    options.allow_unknown_functions = true;
    Expected<expr::Expr, expr::Error> parsed = expr::Parse(text, options);
    if (!parsed || parsed->empty()) return;
    expr::Analysis analysis = expr::Analyze(*parsed);
    for (const expr::NamedValueAccess& access : analysis.accesses) {
      ExprAccess use;
      use.node = &node;
      use.expr_offset = offset;
      use.access = &access;
      use.path = &path_;
      use.job = scope.job;
      use.step = scope.step;
      use.step_node = scope.step_node;
      visit_(use);
    }
  }

  const RuleContext& context_;
  const std::function<void(const ExprAccess&)>& visit_;
  std::vector<std::string> path_;
};

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
  if (!context.workflow.yaml) return;
  Walker walker(context, visit);
  walker.WalkRoot(*context.workflow.yaml);
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
  for (const std::string& candidate : candidates) lowered.push_back(Lower(candidate));
  std::string match = ClosestMatch(Lower(word), lowered);
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
  std::string lower = Lower(word);
  for (const std::string& name : names) {
    if (Lower(name) == lower) return true;
  }
  return false;
}

}  // namespace slipway::validate
