// Script injection: event fields that whoever opens an issue, a pull request, a comment or a
// branch controls, interpolated straight into a `run:` script (or an actions/github-script
// `script:`), become code:
// https://docs.github.com/actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections
// The fix is to pass the value through `env:` and read the variable, quoted, in the script.
// GitHub runs such workflows, so this is a warning.
#include <fmt/format.h>

#include "interpreter/validate/rule_expr_refs.h"
#include "interpreter/base/ascii.h"
#include "interpreter/validate/rule_util.h"

namespace slipway::validate {
namespace {

// Paths below `github.` ("*" matches any property, a filter or an index), lower case.
constexpr const char* kUntrusted[] = {
    "head_ref",
    "event.issue.title",
    "event.issue.body",
    "event.pull_request.title",
    "event.pull_request.body",
    "event.pull_request.head.ref",
    "event.pull_request.head.label",
    "event.pull_request.head.repo.default_branch",
    "event.pull_request.head.repo.description",
    "event.pull_request.head.repo.homepage",
    "event.discussion.title",
    "event.discussion.body",
    "event.comment.body",
    "event.review.body",
    "event.review_comment.body",
    "event.pages.*.page_name",
    "event.commits.*.message",
    "event.commits.*.author.email",
    "event.commits.*.author.name",
    "event.commits.*.committer.email",
    "event.commits.*.committer.name",
    "event.head_commit.message",
    "event.head_commit.author.email",
    "event.head_commit.author.name",
    "event.head_commit.committer.email",
    "event.head_commit.committer.name",
    "event.workflow_run.head_branch",
    "event.workflow_run.display_title",
    "event.workflow_run.head_commit.message",
    "event.workflow_run.head_commit.author.email",
    "event.workflow_run.head_commit.author.name",
    "event.workflow_run.pull_requests.*.head.ref",
    "event.workflow_run.head_repository.description",
    "event.check_suite.head_branch",
    "event.check_run.check_suite.head_branch",
    "event.release.name",
    "event.release.body",
    "event.label.name",
    "event.milestone.title",
};

/// Whether `use` reads an untrusted field (or something inside one); the field's path if so.
std::optional<std::string> UntrustedField(const ExprAccess& use) {
  if (use.Segment(0) != "github") return std::nullopt;
  for (const char* pattern : kUntrusted) {
    std::string_view rest = pattern;
    size_t index = 1;
    bool matched = true;
    while (matched && !rest.empty()) {
      size_t dot = rest.find('.');
      std::string_view part = rest.substr(0, dot);
      rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
      matched =
          index < use.segment_count() &&
          (part == "*" || (!use.access->segments[index].wildcard && use.Segment(index) == part));
      ++index;
    }
    if (matched) return "github." + std::string(pattern);
  }
  return std::nullopt;
}

/// "run" for a run: script, "script" for actions/github-script; nullopt elsewhere.
const char* ScriptKey(const ExprAccess& use) {
  const std::vector<std::string>& path = *use.path;
  if (!use.step_node || path.size() < 5 || path[0] != "jobs" || path[2] != "steps") {
    return nullptr;
  }
  if (path.size() == 5 && path[4] == "run") return "run";
  if (path.size() == 6 && path[4] == "with" && path[5] == "script") {
    const yaml::Node* uses = use.step_node->Find("uses");
    if (uses && uses->is_scalar() && AsciiLower(uses->value).rfind("actions/github-script@", 0) == 0) {
      return "script";
    }
  }
  return nullptr;
}

/// An environment variable name for the fix: the field's last named segment, upper case.
std::string VariableName(const ExprAccess& use) {
  std::string name;
  for (size_t i = use.segment_count(); i-- > 1;) {
    if (use.IsIndexed(i)) continue;
    name = use.access->segments[i].name;
    break;
  }
  for (char& c : name) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == '-') c = '_';
  }
  return name.empty() ? "VALUE" : name;
}

}  // namespace

void CheckExpressionInjection(const RuleContext& context) {
  ForEachAccess(context, [&](const ExprAccess& use) {
    const char* key = ScriptKey(use);
    if (!key) return;
    std::optional<std::string> field = UntrustedField(use);
    if (!field) return;
    std::string variable = VariableName(use);
    std::string read =
        std::string_view(key) == "run" ? "\"$" + variable + "\"" : "process.env." + variable;
    std::string written(use.Text());
    std::string script = std::string_view(key) == "run" ? "the \"run\" script"
                                                        : "the actions/github-script \"script\"";
    context.diagnostics.Warning(
        "expr-injection", use.RangeFrom(0),
        fmt::format("\"{}\" is controlled by whoever triggers the event and is interpolated "
                    "directly into {}, which allows script injection; pass it "
                    "through \"env:\" ({}: ${{{{ {} }}}}) and use {} instead",
                    written, script, variable, written, read));
  });
}

}  // namespace slipway::validate
