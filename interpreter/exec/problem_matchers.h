#pragma once
/// Problem matchers: `::add-matcher::FILE` registers matchers that turn lines of a step's output
/// into annotations, for the rest of the job, until `::remove-matcher owner=OWNER::`.
/// As actions/runner does it: src/Runner.Worker/IssueMatcher.cs (the file's shape, its
/// validation, single- and multi-line matching), Handlers/OutputManager.cs (the output side:
/// OnDataReceived, ConvertToIssue) and ExecutionContext.cs (AddMatchers/RemoveMatchers);
/// https://github.com/actions/toolkit/blob/main/docs/problem-matchers.md.
///
/// The runner's regexps are .NET's (RegexOptions.ECMAScript); slipway runs them with RE2,
/// after writing .NET's named groups `(?<name>...)` and `\uXXXX` in RE2's syntax and numbering
/// groups as .NET does (unnamed groups first, then named ones). What RE2 cannot run
/// (lookaround, backreferences, atomic groups) makes the matcher file invalid, with a message
/// that says so (tests/conformance/run_differences.txt).

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/base/expected.h"
#include "interpreter/exec/annotations.h"

namespace re2 {
class RE2;
}

namespace slipway::exec {

/// One pattern of a matcher (IssuePatternConfig): its regexp and the .NET group numbers of
/// each field.
struct IssuePattern {
  std::shared_ptr<const re2::RE2> regex;
  /// RE2's group for each .NET group number (0: the whole match).
  std::vector<int> groups;
  std::optional<int> file, line, column, severity, code, message, from_path;
  bool loop = false;
};

/// One validated matcher (IssueMatcherConfig).
struct MatcherConfig {
  std::string owner;
  std::string severity;   // default severity; "" is error
  std::string from_path;  // default fromPath
  std::vector<IssuePattern> patterns;
};
using MatcherConfigs = std::vector<std::shared_ptr<const MatcherConfig>>;

/// What ParseMatchers reads: whole matchers, validated (::add-matcher::), or only their owners
/// (::remove-matcher::FILE, which does not validate).
enum class MatcherRead { kValidated, kOwnersOnly };

/// A matcher file's text read as IOUtil.LoadObject<IssueMatchersConfig> and Validate() read it:
/// the matchers, in file order (none for an empty file, `null` or no `problemMatcher`), or
/// the runner's message ("Owner must not be empty", "Duplicate owner name 'x'", ...).
Expected<MatcherConfigs> ParseMatchers(std::string_view json_text,
                                       MatcherRead read = MatcherRead::kValidated);

/// The fields a line (or a run of lines) matched (IssueMatch); nullopt where no pattern names
/// the field.
struct IssueMatch {
  std::optional<std::string> file, line, column, severity, code, message, from_path;
};

/// A matcher with its multi-line state (IssueMatcher).
class IssueMatcher {
 public:
  explicit IssueMatcher(std::shared_ptr<const MatcherConfig> config);
  const std::string& owner() const { return config_->owner; }
  /// The match `line` completes, if any.
  std::optional<IssueMatch> Match(std::string_view line);
  void Reset();

 private:
  std::shared_ptr<const MatcherConfig> config_;
  std::vector<std::optional<IssueMatch>> state_;  // one per pattern but the last
};

/// Where matched file names are resolved (ConvertToIssue).
struct IssueFiles {
  std::string workspace;  // github.workspace (absolute)
  /// For a step in a container: its paths as the host's (JobContainers::ToHostPath); empty on
  /// the host.
  std::function<std::string(const std::string&)> to_host;
};

/// IssueMatch → annotation (OutputManager.ConvertToIssue): nullopt for an empty message or an
/// unknown severity; a line/column that is not digits, and a file that does not exist or is
/// not under the workspace, are left out.
std::optional<Issue> ConvertToIssue(const IssueMatch& match, const IssueFiles& files);

/// The output side's removal of color codes before matching. The runner's pattern is
/// `\x0033\[[0-9;]*m?` (and its quick check the C# string "\033["): .NET reads `\x00` and C#
/// has no octal escapes, so what it removes is a NUL, "33[", digits and semicolons and an
/// optional "m" — never an ESC sequence. Kept as the runner has it.
std::string StripColorCodes(std::string_view line);

/// The matchers of a job (the root ExecutionContext's) and those a step's output goes through
/// (the OutputManager's, which follows the job's changes in its own order).
class ProblemMatchers {
 public:
  /// A step starts: its matchers are the job's, in the job's order, with no running match.
  void BeginStep();
  /// ::add-matcher:: (AddMatchers): each config replaces the job's matcher of the same owner
  /// (ignoring case) and goes first.
  void Add(const MatcherConfigs& configs);
  /// ::remove-matcher:: (RemoveMatchers), owners compared ignoring case.
  void Remove(const std::vector<std::string>& owners);
  bool empty() const { return step_.empty(); }
  /// The annotation the first matching matcher makes of `stripped` (a line after
  /// StripColorCodes); the other matchers' running matches are reset when one matches.
  std::optional<Issue> Match(std::string_view stripped, const IssueFiles& files);

 private:
  MatcherConfigs job_;
  std::vector<IssueMatcher> step_;
};

}  // namespace slipway::exec
