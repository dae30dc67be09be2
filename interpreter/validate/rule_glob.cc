// Branch, tag and path filters:
// https://docs.github.com/actions/using-workflows/workflow-syntax-for-github-actions#filter-pattern-cheat-sheet
// Patterns use *, **, ?, +, [...] and a leading ! to negate. A character class must close and
// its ranges must go forwards. `branches` with `branches-ignore` (likewise tags, paths) on one
// event is an error: "You cannot use both the branches and branches-ignore filters for the same
// event" (docs, on.<push|pull_request|pull_request_target>.<branches|branches-ignore>), and
// GitHub refuses such a file ("you may only define one of `branches` and `branches-ignore` for
// a single event"). Likely mistakes GitHub accepts are warnings: a negated pattern in an
// -ignore list, or a list of only negated patterns (which matches nothing).
#include <fmt/format.h>

#include <string>
#include <vector>

#include "interpreter/validate/rule.h"
#include "interpreter/validate/rule_util.h"

namespace slipway::validate {
namespace {

/// Why `pattern` is not a valid filter pattern, or "" when it is; sets `*offset` to the
/// offending character.
std::string GlobError(std::string_view pattern, size_t* offset) {
  *offset = 0;
  if (pattern.empty()) return "a pattern must not be empty";
  size_t i = pattern[0] == '!' ? 1 : 0;
  if (i == pattern.size()) return "\"!\" must be followed by a pattern";
  for (; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (c != '[') continue;
    size_t open = i;
    size_t close = pattern.find(']', open + 1);
    if (close == std::string_view::npos) {
      *offset = open;
      return "\"[\" is not closed by \"]\"";
    }
    std::string_view set = pattern.substr(open + 1, close - open - 1);
    if (set.empty()) {
      *offset = open;
      return "a character class \"[]\" must not be empty";
    }
    for (size_t k = 1; k + 1 < set.size(); ++k) {
      if (set[k] == '-' && set[k - 1] > set[k + 1]) {
        *offset = open;
        return fmt::format("range \"{}\" goes backwards", set.substr(k - 1, 3));
      }
    }
    i = close;
  }
  return "";
}

void CheckList(const RuleContext& context, const std::vector<model::Str>& patterns,
               std::string_view filter, bool is_ignore) {
  bool any_positive = false;
  for (const model::Str& pattern : patterns) {
    if (pattern.has_expr || pattern.value.empty()) {  // empty: the schema reports it
      any_positive = true;
      continue;
    }
    size_t offset = 0;
    std::string error = GlobError(pattern.value, &offset);
    if (!error.empty()) {
      SourceRange where = pattern.where;
      if (pattern.node) where.begin = pattern.node->PositionOf(offset);
      where.length = 1;
      context.diagnostics.Error(
          "glob", where,
          fmt::format("invalid {} pattern \"{}\": {}", filter, pattern.value, error));
      any_positive = true;  // one finding per mistake
      continue;
    }
    bool negated = pattern.value[0] == '!';
    any_positive |= !negated;
    if (negated && is_ignore) {
      context.diagnostics.Warning(
          "glob", pattern.where,
          fmt::format("negated pattern \"{}\" in \"{}\" has no effect; put it in the "
                      "matching non-ignore filter",
                      pattern.value, filter));
    }
  }
  if (!is_ignore && !patterns.empty() && !any_positive) {
    context.diagnostics.Warning(
        "glob", patterns.front().where,
        fmt::format("\"{}\" has only negated patterns, so it matches nothing", filter));
  }
}

void CheckPair(const RuleContext& context, const model::Trigger& trigger, const char* name,
               bool has, bool has_ignore, const std::vector<model::Str>& list,
               const std::vector<model::Str>& ignore) {
  CheckList(context, list, name, false);
  CheckList(context, ignore, std::string(name) + "-ignore", true);
  if (has && has_ignore && trigger.node) {
    const yaml::Node* key = trigger.node->FindKey(std::string(name) + "-ignore");
    context.diagnostics.Error(
        "glob", key ? key->where : trigger.event.where,
        fmt::format("\"{0}\" and \"{0}-ignore\" cannot both filter \"{1}\" (GitHub: \"you may "
                    "only define one of `{0}` and `{0}-ignore` for a single event\"); use \"!\" "
                    "patterns in \"{0}\" instead",
                    name, trigger.event.value));
  }
}

}  // namespace

void CheckGlobs(const RuleContext& context) {
  for (const model::Trigger& trigger : context.workflow.on) {
    CheckPair(context, trigger, "branches", trigger.has_branches, trigger.has_branches_ignore,
              trigger.branches, trigger.branches_ignore);
    CheckPair(context, trigger, "tags", trigger.has_tags, trigger.has_tags_ignore, trigger.tags,
              trigger.tags_ignore);
    CheckPair(context, trigger, "paths", trigger.has_paths, trigger.has_paths_ignore, trigger.paths,
              trigger.paths_ignore);
  }
}

}  // namespace slipway::validate
