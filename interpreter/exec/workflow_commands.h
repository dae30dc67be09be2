#pragma once
/// The runner's workflow commands, as a step writes them to its output, and the file commands
/// (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH) it writes to the files exec gives it.
/// https://docs.github.com/en/actions/using-workflows/workflow-commands-for-github-actions

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interpreter/base/expected.h"

namespace slipway::exec {

enum class WorkflowCommandKind {
  kAddMask,  // ::add-mask::VALUE
  kError,    // ::error file=F,line=L,col=C,endLine=,endColumn=,title=T::MESSAGE
  kWarning,
  kNotice,
  kDebug,         // ::debug::MESSAGE
  kGroup,         // ::group::TITLE
  kEndGroup,      // ::endgroup::
  kSetOutput,     // ::set-output name=N::VALUE (deprecated, still honoured, with a warning)
  kSaveState,     // ::save-state name=N::VALUE (deprecated)
  kEcho,          // ::echo::on|off
  kStopCommands,  // ::stop-commands::TOKEN (handled inside the parser)
  kDisabled,      // ::set-env / ::add-path: disabled by GitHub for security; reported as errors
  kAddMatcher,     // ::add-matcher::PATH (problem_matchers.h)
  kRemoveMatcher,  // ::remove-matcher owner=OWNER:: or ::remove-matcher::PATH
  kUnknown,        // ::anything-else::: the line is ordinary output
};

/// Whether `name` (any case) is one of the runner's registered commands, which a
/// `::stop-commands::` token may not be (ActionCommandManager.ValidateStopToken).
bool IsRegisteredCommand(std::string_view name);

/// The runner's refusal of a stop token (Constants.Runner.UnsupportedStopCommandTokenDisabled).
extern const char kUnsupportedStopTokenMessage[];

/// One parsed `::name key=value,...::data` line, with GitHub's escapes undone.
struct WorkflowCommand {
  WorkflowCommandKind kind = WorkflowCommandKind::kUnknown;
  std::string name;                               // as written, e.g. "error"
  std::map<std::string, std::string> properties;  // file, line, col, title, name, ...
  std::string data;                               // the message / value
  /// For kStopCommands: the token is empty, `pause-logging` or a command's name, and such tokens
  /// are not allowed; commands go on being processed and the step fails.
  bool refused_stop_token = false;
};

/// Parses a step's output line by line. Stateful, for `::stop-commands::TOKEN`: after it, no
/// line is a command until the line `::TOKEN::`.
class WorkflowCommandParser {
 public:
  /// `allow_unsecure_stop_tokens`: ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS is true, so an
  /// empty token, `pause-logging` or a command's name stops commands too (an empty one for good:
  /// the runner resumes only on a non-empty token).
  explicit WorkflowCommandParser(bool allow_unsecure_stop_tokens = false)
      : allow_unsecure_stop_tokens_(allow_unsecure_stop_tokens) {}
  /// The command on `line` (without its newline), or nullopt when the line is plain output
  /// (including every line while commands are stopped, and the resume line itself).
  std::optional<WorkflowCommand> ParseLine(std::string_view line);
  bool commands_stopped() const { return stopped_; }

 private:
  bool allow_unsecure_stop_tokens_;
  bool stopped_ = false;
  std::string stop_token_;
};

/// Undoes the escapes of a command's data (%25 %0D %0A) or property value (also %3A %2C); upper case
/// only, as the runner's ordinal String.Replace (`%0a` stays as written).
std::string UnescapeCommandData(std::string_view text);
std::string UnescapeCommandProperty(std::string_view text);

/// Parses a GITHUB_OUTPUT / GITHUB_ENV file: `NAME=value` lines and the multi-line form
/// `NAME<<DELIMITER`, lines..., `DELIMITER`. Later assignments win. Errors are the runner's
/// messages (FileCommandManager.cs), e.g. "Invalid value. Matching delimiter not found 'EOF'";
/// `before_error` (optional)
/// then receives the pairs read before the bad line, which the runner has applied already.
Expected<std::vector<std::pair<std::string, std::string>>> ParseFileCommands(
    std::string_view text,
    std::vector<std::pair<std::string, std::string>>* before_error = nullptr);

/// Parses a GITHUB_PATH file: one directory per non-empty line (CRLF, CR or LF), as written.
std::vector<std::string> ParsePathFile(std::string_view text);

}  // namespace slipway::exec
