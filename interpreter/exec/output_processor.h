#pragma once
/// The output side of a step whose process slipway reads (`run:`, `docker://`), as the
/// runner's OutputManager.OnDataReceived and ActionCommandManager.TryProcessCommand handle
/// each line: a workflow command is processed (and not logged, unless `::echo::on`), a line a
/// problem matcher recognises becomes an annotation, any other line goes to the log.

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "interpreter/exec/problem_matchers.h"
#include "interpreter/exec/workflow_commands.h"

namespace slipway::exec {

class StepIo;
struct ResolvedStep;

/// Sets output `name` of a step: matched ignoring case, keeping its first spelling, as in the
/// runner's steps context (DictionaryContextData): `foo` then `FOO` is one output, `foo`.
void SetStepOutput(std::map<std::string, std::string>* outputs, const std::string& name,
                   std::string value);

/// One step's output, line by line. `matchers` are the job's (they outlast the step);
/// `outputs` receives `::set-output::` values; `to_host` (empty for a step on the host) turns
/// the paths of a step in a container into the host's.
class OutputProcessor {
 public:
  OutputProcessor(const ResolvedStep& step, StepIo& io, ProblemMatchers& matchers,
                  std::map<std::string, std::string>* outputs,
                  std::function<std::string(const std::string&)> to_host = {});
  /// One line of output, without its line break.
  void Line(std::string_view line);
  /// Why a command failed the step ("" when none did): the first error.
  const std::string& failure() const { return failure_; }

 private:
  void Handle(const WorkflowCommand& command, std::string_view line);
  /// A command extension threw: the runner's two errors, and the step fails.
  void Failed(const WorkflowCommand& command, std::string_view line, const std::string& message);
  void AddMatcher(const WorkflowCommand& command, std::string_view line);
  void RemoveMatcher(const WorkflowCommand& command, std::string_view line);
  /// A command's path (a container's translated to the host's) rooted at github.workspace
  /// (Path.Combine) unless it is absolute.
  std::string Rooted(const std::string& path) const;

  StepIo& io_;
  ProblemMatchers& matchers_;
  std::map<std::string, std::string>* outputs_;
  WorkflowCommandParser parser_;
  IssueFiles files_;
  std::string repository_;
  bool allow_unsecure_commands_ = false;
  bool echo_ = false;  // EchoOnActionCommand
  /// A refused stop token ended the runner's reading of the output: later lines are logged
  /// only (no command, no matcher).
  bool abandoned_ = false;
  std::string failure_;
};

}  // namespace slipway::exec
