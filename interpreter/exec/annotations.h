#pragma once
/// Annotations (the runner's "issues"): what `::error::`, `::warning::`, `::notice::` and
/// problem matchers record, and how slipway shows them in a step's log (`error: file:line:
/// title: message`) and, inside GitHub Actions, re-emits them as workflow commands.
/// actions/runner src/Runner.Worker/ExecutionContext.cs AddIssue, ActionCommandManager.cs
/// IssueCommandExtension.

#include <map>
#include <string>
#include <string_view>

namespace slipway::exec {

class StepIo;

enum class IssueKind { kError, kWarning, kNotice };
/// "error", "warning", "notice": the log's word and the workflow command's name.
const char* IssueKindName(IssueKind kind);

/// The runner's _maxIssueMessageLength, in UTF-16 code units, counted after masking.
inline constexpr size_t kMaxIssueMessageLength = 4096;

/// One annotation. `properties` are the command's (lower-cased keys: file, line, col, endline,
/// endcolumn, title) or a problem matcher's (file, line, col, code).
struct Issue {
  IssueKind kind = IssueKind::kError;
  std::string message;
  std::map<std::string, std::string> properties;
};

/// `message` cut to its first `limit` UTF-16 code units (`issue.Message[..4096]`); a character
/// outside the BMP that would be split is left out whole.
std::string CutToUtf16Units(std::string_view message, size_t limit);

/// A workflow command's data (`property` false) or property value escaped as @actions/core
/// escapes them: % CR LF, and in a property also `:` and `,`.
std::string EscapeCommand(std::string_view text, bool property);

/// IOUtil.MakeRelative(path, folder) on Linux: `path` without `folder` and the `/` after it
/// when `folder` is a prefix ending there; "" when they are equal; else `path` unchanged.
std::string MakeRelative(std::string_view path, std::string_view folder);

/// "file:line:col: title: " for the log line of an annotation, with lines and columns kept as
/// GitHub keeps them (IssueCommandExtension.ValidateLinesAndColumns).
std::string AnnotationPrefix(const std::map<std::string, std::string>& properties);

/// Records `issue` as ExecutionContext.AddIssue does: the message masked, then cut to
/// kMaxIssueMessageLength; logged as "<kind>: <prefix><message>", or "<kind>: <log_override>"
/// when one is given (a problem matcher logs the line it matched).
void AddIssue(StepIo& io, Issue issue, std::string_view log_override = {});

}  // namespace slipway::exec
