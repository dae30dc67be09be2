// `matrix.<key>` names an axis or an `include` key of the job's matrix, and every key of an
// `exclude` entry names an axis:
// https://docs.github.com/actions/using-jobs/using-a-matrix-for-your-jobs
// A misspelt `matrix.` name evaluates to null on GitHub (a warning); an `exclude` key that
// matches no axis makes GitHub refuse the matrix when the run starts (an error, [matrix]).
// When the matrix, an axis list or `include` is itself an expression, any key may exist.
#include <fmt/format.h>

#include <map>

#include "interpreter/validate/rule_expr_refs.h"
#include "interpreter/base/ascii.h"
#include "interpreter/validate/rule_util.h"

namespace slipway::validate {
namespace {

/// What the values of one matrix key hold when they are objects (axis items, include values).
struct ValueShape {
  bool all_objects = true;  // every value is a mapping
  bool is_open = false;     // some value is an expression: its members are unknown
  std::vector<std::string> members;
};

/// The keys a job's matrix has, or nullopt when they cannot be known statically.
struct MatrixKeys {
  bool has_matrix = false;
  bool is_open = false;  // an expression decides the keys
  std::vector<std::string> axes;
  std::vector<std::string> all;              // axes and include keys
  std::map<std::string, ValueShape> shapes;  // by lower-cased key
};

void AddValue(ValueShape& shape, const yaml::Node& value) {
  if (value.is_scalar() && HasExpression(value.value)) {
    shape.is_open = true;
    return;
  }
  if (!value.is_mapping()) {
    shape.all_objects = false;
    return;
  }
  for (const auto& [key, member] : value.entries) {
    if (HasExpression(key.value)) shape.is_open = true;
    if (!ContainsIgnoringCase(shape.members, key.value)) shape.members.push_back(key.value);
  }
}

MatrixKeys KeysOf(const model::Job& job) {
  MatrixKeys keys;
  if (!job.node) return keys;
  const yaml::Node* strategy = job.node->Find("strategy");
  if (!strategy) return keys;
  if (!strategy->is_mapping()) {
    keys.has_matrix = keys.is_open = strategy->is_scalar();
    return keys;
  }
  const yaml::Node* matrix = strategy->Find("matrix");
  if (!matrix) return keys;
  keys.has_matrix = true;
  if (!matrix->is_mapping()) {
    keys.is_open = true;
    return keys;
  }
  for (const auto& [key, value] : matrix->entries) {
    if (HasExpression(key.value)) keys.is_open = true;
    if (key.value == "exclude") continue;
    if (key.value != "include") {
      keys.axes.push_back(key.value);
      if (!ContainsIgnoringCase(keys.all, key.value)) keys.all.push_back(key.value);
      ValueShape& shape = keys.shapes[AsciiLower(key.value)];
      if (value.is_sequence()) {
        for (const yaml::Node& item : value.items) AddValue(shape, item);
      } else {
        shape.is_open = true;
      }
      continue;
    }
    if (!value.is_sequence()) {
      keys.is_open |= !value.is_null();
      continue;
    }
    for (const yaml::Node& item : value.items) {
      if (!item.is_mapping()) {
        keys.is_open = true;
        continue;
      }
      for (const auto& [include_key, include_value] : item.entries) {
        if (!ContainsIgnoringCase(keys.all, include_key.value)) {
          keys.all.push_back(include_key.value);
        }
        AddValue(keys.shapes[AsciiLower(include_key.value)], include_value);
      }
    }
  }
  return keys;
}

void CheckExclude(const RuleContext& context, const model::Job& job, const MatrixKeys& keys) {
  // With neither axes nor include, [matrix] already reports the matrix as empty.
  if (keys.is_open || keys.all.empty() || !job.node) return;
  const yaml::Node* strategy = job.node->Find("strategy");
  const yaml::Node* matrix = strategy ? strategy->Find("matrix") : nullptr;
  const yaml::Node* exclude = matrix ? matrix->Find("exclude") : nullptr;
  if (!exclude || !exclude->is_sequence()) return;
  for (const yaml::Node& item : exclude->items) {
    if (!item.is_mapping()) continue;
    for (const auto& [key, value] : item.entries) {
      if (ContainsIgnoringCase(keys.axes, key.value)) continue;
      std::string hint = SuggestIgnoringCase(key.value, keys.axes);
      if (hint.empty()) {
        hint = keys.axes.empty() ? "; the matrix has no axes"
                                 : fmt::format("; the axes are {}", QuotedList(keys.axes));
      }
      context.diagnostics.Error(
          "matrix", key.where,
          fmt::format("\"exclude\" key \"{}\" matches no axis of the matrix of job \"{}\"{}",
                      key.value, job.id.value, hint));
    }
  }
}

/// `matrix.<key>.<member>` where every value of <key> is an object: the member must be one of
/// theirs (actionlint's check of object-valued matrix entries).
void CheckMember(const RuleContext& context, const ExprAccess& use, const MatrixKeys& keys) {
  if (use.segment_count() < 3 || use.IsIndexed(2)) return;
  auto it = keys.shapes.find(use.Segment(1));
  if (it == keys.shapes.end()) return;
  const ValueShape& shape = it->second;
  if (shape.is_open || !shape.all_objects || shape.members.empty()) return;
  const std::string& member = use.access->segments[2].name;
  if (ContainsIgnoringCase(shape.members, member)) return;
  std::string hint = SuggestIgnoringCase(member, shape.members);
  if (hint.empty()) hint = fmt::format("; its values have {}", QuotedList(shape.members));
  context.diagnostics.Warning(
      "expr-matrix", use.RangeFrom(2),
      fmt::format("no value of matrix key \"{}\" in job \"{}\" has \"{}\", so it is always "
                  "null{}",
                  use.access->segments[1].name, use.job->id.value, member, hint));
}

bool InStrategy(const std::vector<std::string>& path) {
  return path.size() >= 3 && path[0] == "jobs" && path[2] == "strategy";
}

}  // namespace

void CheckExpressionMatrix(const RuleContext& context) {
  std::vector<MatrixKeys> keys_by_job;
  keys_by_job.reserve(context.workflow.jobs.size());
  for (const model::Job& job : context.workflow.jobs) {
    keys_by_job.push_back(KeysOf(job));
    CheckExclude(context, job, keys_by_job.back());
  }
  ForEachAccess(context, [&](const ExprAccess& use) {
    if (!use.job || use.Segment(0) != "matrix" || use.segment_count() < 2 || use.IsIndexed(1) ||
        InStrategy(*use.path)) {
      return;
    }
    const MatrixKeys& keys = keys_by_job[static_cast<size_t>(use.job - &context.workflow.jobs[0])];
    if (keys.is_open) return;
    const std::string& written = use.access->segments[1].name;
    if (!keys.has_matrix) {
      context.diagnostics.Warning(
          "expr-matrix", use.RangeFrom(1),
          fmt::format("job \"{}\" has no matrix, so \"matrix.{}\" is always null",
                      use.job->id.value, written));
      return;
    }
    if (ContainsIgnoringCase(keys.all, written)) {
      CheckMember(context, use, keys);
      return;
    }
    std::string hint = SuggestIgnoringCase(written, keys.all);
    if (hint.empty()) hint = fmt::format("; its keys are {}", QuotedList(keys.all));
    context.diagnostics.Warning(
        "expr-matrix", use.RangeFrom(1),
        fmt::format("the matrix of job \"{}\" has no key \"{}\", so it is always null{}",
                    use.job->id.value, written, hint));
  });
}

}  // namespace slipway::validate
