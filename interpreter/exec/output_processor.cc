#include "interpreter/exec/output_processor.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "interpreter/base/ascii.h"
#include "interpreter/base/fd_io.h"
#include "interpreter/exec/annotations.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/real_job_runner.h"
#include "interpreter/exec/step_executor.h"
#include "interpreter/expr/unicode.h"

namespace slipway::exec {
namespace {

// The runner takes these settings from its own environment, then from the step's env context.
std::string Setting(const ResolvedStep& step, const char* name) {
  if (const char* own = std::getenv(name)) return own;
  auto it = step.env.find(name);
  return it != step.env.end() && it->is_string() ? it->get<std::string>() : "";
}

// .NET bool.TryParse: "true" ignoring case and surrounding blanks (ACTIONS_ALLOW_UNSECURE_COMMANDS).
bool DotNetTrue(std::string_view text) {
  return SameIgnoringCase(expr::TrimWhiteSpace(text), "true");
}

// StringUtil.ConvertToBoolean: "1", "true" or "$true", ignoring case
// (ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS).
bool RunnerTrue(std::string_view text) {
  const std::string lowered = AsciiLower(text);
  return lowered == "1" || lowered == "true" || lowered == "$true";
}

// GitHub's runner refuses NODE_OPTIONS in ::set-env:: (SetEnvCommandExtension._setEnvBlockList).
constexpr std::string_view kSetEnvBlockList[] = {"NODE_OPTIONS"};

// The commands whose processed line is not echoed even with `::echo::on` (OmitEcho).
bool OmitsEcho(WorkflowCommandKind kind) {
  switch (kind) {
    case WorkflowCommandKind::kAddMask:
    case WorkflowCommandKind::kDebug:
    case WorkflowCommandKind::kError:
    case WorkflowCommandKind::kWarning:
    case WorkflowCommandKind::kNotice:
      return true;
    default:
      return false;
  }
}

// The exception .NET's ArgumentNullException(name) carries (ArgUtil.NotNullOrEmpty).
std::string ValueCannotBeNull(const char* name) {
  return fmt::format("Value cannot be null. (Parameter '{}')", name);
}

// File.ReadAllText's failures, in .NET's words where it has them.
Expected<std::string> ReadMatcherFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return MakeUnexpected(fmt::format("Could not find file '{}'.", path));
    if (errno == EACCES) {
      return MakeUnexpected(fmt::format("Access to the path '{}' is denied.", path));
    }
    return MakeUnexpected(fmt::format("Cannot read '{}': {}", path, std::strerror(errno)));
  }
  struct stat st {};
  const bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  close(fd);
  if (!regular) return MakeUnexpected(fmt::format("Access to the path '{}' is denied.", path));
  // A matcher file is a few kilobytes; one that is not is refused rather than read whole.
  constexpr off_t kMaxMatcherFile = 16 * 1024 * 1024;
  if (st.st_size > kMaxMatcherFile) {
    return MakeUnexpected(fmt::format("The matcher file '{}' is larger than 16 MiB", path));
  }
  return ReadText(path);
}

}  // namespace

void SetStepOutput(std::map<std::string, std::string>* outputs, const std::string& name,
                   std::string value) {
  for (auto& [key, existing] : *outputs) {
    if (SameIgnoringCase(key, name)) {
      existing = std::move(value);
      return;
    }
  }
  (*outputs)[name] = std::move(value);
}

OutputProcessor::OutputProcessor(const ResolvedStep& step, StepIo& io, ProblemMatchers& matchers,
                                 std::map<std::string, std::string>* outputs,
                                 std::function<std::string(const std::string&)> to_host)
    : io_(io),
      matchers_(matchers),
      outputs_(outputs),
      parser_(RunnerTrue(Setting(step, "ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS"))) {
  const RunEnvironment& run = io.run();
  files_.workspace = run.workspace;
  files_.to_host = std::move(to_host);
  repository_ = run.github.value("repository", "");
  // ::set-env and ::add-path work again when ACTIONS_ALLOW_UNSECURE_COMMANDS is true (the
  // runner's SetEnvCommandExtension / AddPathCommandExtension, bool.TryParse).
  allow_unsecure_commands_ = DotNetTrue(Setting(step, "ACTIONS_ALLOW_UNSECURE_COMMANDS"));
  // Each step starts with echo off, on with step debugging (ExecutionContext: Step_Debug).
  echo_ = run.debug;
  matchers_.BeginStep();
}

std::string OutputProcessor::Rooted(const std::string& written) const {
  const std::string path = files_.to_host ? files_.to_host(written) : written;
  if (!path.empty() && path[0] == '/') return path;
  const std::string& workspace = files_.workspace;
  return workspace.empty() || workspace.back() == '/' ? workspace + path : workspace + "/" + path;
}

void OutputProcessor::Line(std::string_view line) {
  if (abandoned_) {
    io_.Log(line);
    return;
  }
  std::optional<WorkflowCommand> command = parser_.ParseLine(line);
  if (command && command->kind == WorkflowCommandKind::kStopCommands) {
    if (command->refused_stop_token) {
      // ValidateStopToken throws outside the extensions' try/catch, out of the runner's
      // output reader: the step fails, the line is not written, and nothing after it is
      // processed (run_differences.txt: slipway still logs the rest).
      io_.Log(std::string("error: ") + kUnsupportedStopTokenMessage);
      if (failure_.empty()) failure_ = kUnsupportedStopTokenMessage;
      abandoned_ = true;
      return;
    }
    // The runner echoes ::stop-commands::, but first makes a token longer than 6 characters a
    // secret (ActionCommandManager.cs), so the log shows neither it nor the line that resumes
    // commands.
    if (command->data.size() > 6) io_.run().masker->Add(command->data);
    io_.Log(line);
    return;
  }
  if (command && command->kind != WorkflowCommandKind::kUnknown) {
    if (echo_ && !OmitsEcho(command->kind)) io_.Log(line);
    Handle(*command, line);
    return;
  }
  if (!matchers_.empty()) {
    const std::string stripped = StripColorCodes(line);
    if (std::optional<Issue> issue = matchers_.Match(stripped, files_)) {
      AddIssue(io_, std::move(*issue), stripped);
      return;
    }
  }
  io_.Log(line);
}

void OutputProcessor::Failed(const WorkflowCommand& command, std::string_view line,
                             const std::string& message) {
  // "Unable to process command '<the line>'": the command's name for those that omit echo.
  io_.Log(fmt::format("error: Unable to process command '{}' successfully.",
                      OmitsEcho(command.kind) ? std::string_view(command.name) : line));
  io_.Log("error: " + message);
  if (failure_.empty()) failure_ = message;
}

void OutputProcessor::Handle(const WorkflowCommand& command, std::string_view line) {
  const RunEnvironment& run = io_.run();
  switch (command.kind) {
    case WorkflowCommandKind::kAddMask:
      // As AddMaskCommandExtension: the value as written, and each of its lines trimmed, so a
      // value printed with padding or one line of it is masked too.
      if (expr::TrimWhiteSpace(command.data).empty()) {
        io_.Log("warning: Can't add secret mask for empty string in ##[add-mask] command.");
        return;
      }
      if (echo_) io_.Log("::add-mask::***");
      run.masker->Add(command.data);
      for (size_t start = 0; start < command.data.size();) {
        size_t end = command.data.find_first_of("\r\n", start);
        if (end == std::string::npos) end = command.data.size();
        std::string_view piece =
            expr::TrimWhiteSpace(std::string_view(command.data).substr(start, end - start));
        if (!piece.empty()) run.masker->Add(piece);
        start = end + 1;
      }
      return;
    case WorkflowCommandKind::kError:
    case WorkflowCommandKind::kWarning:
    case WorkflowCommandKind::kNotice: {
      Issue issue;
      issue.kind = command.kind == WorkflowCommandKind::kError     ? IssueKind::kError
                   : command.kind == WorkflowCommandKind::kWarning ? IssueKind::kWarning
                                                                   : IssueKind::kNotice;
      issue.message = command.data;
      issue.properties = command.properties;
      // A file inside the workspace is recorded relative to it, with the repository
      // (IssueCommandExtension, IOUtil.MakeRelative).
      if (auto file = issue.properties.find("file");
          file != issue.properties.end() && !file->second.empty()) {
        if (files_.to_host) file->second = files_.to_host(file->second);
        std::string relative = MakeRelative(file->second, files_.workspace);
        if (relative != file->second) {
          if (!repository_.empty()) issue.properties["repo"] = repository_;
          if (!relative.empty()) file->second = std::move(relative);
        }
      }
      AddIssue(io_, std::move(issue));
      return;
    }
    case WorkflowCommandKind::kDebug:
      if (run.debug) io_.Log("debug: " + command.data);
      return;
    case WorkflowCommandKind::kGroup:
      io_.Log("> " + command.data);
      return;
    case WorkflowCommandKind::kEndGroup:
      return;
    case WorkflowCommandKind::kSetOutput: {
      io_.Log("warning: the set-output command is deprecated; write to $GITHUB_OUTPUT");
      auto name = command.properties.find("name");
      if (name == command.properties.end()) {
        return Failed(command, line, "Required field 'name' is missing in ##[set-output] command.");
      }
      SetStepOutput(outputs_, name->second, command.data);
      return;
    }
    case WorkflowCommandKind::kSaveState:
      if (!command.properties.contains("name")) {
        Failed(command, line, "Required field 'name' is missing in ##[save-state] command.");
      }
      return;
    case WorkflowCommandKind::kDisabled: {
      if (!allow_unsecure_commands_) {
        return Failed(command, line,
                      fmt::format("The `{}` command is disabled. Please upgrade to using "
                                  "Environment Files or opt into unsecure command execution by "
                                  "setting the `ACTIONS_ALLOW_UNSECURE_COMMANDS` environment "
                                  "variable to `true`. For more information see: "
                                  "https://github.blog/changelog/"
                                  "2020-10-01-github-actions-deprecating-set-env-and-add-path-"
                                  "commands/",
                                  command.name));
      }
      if (command.name == "add-path") {
        if (command.data.empty()) return Failed(command, line, ValueCannotBeNull("path"));
        io_.AddPath({command.data});
        return;
      }
      auto name = command.properties.find("name");
      if (name == command.properties.end()) {
        return Failed(command, line, "Required field 'name' is missing in ##[set-env] command.");
      }
      for (std::string_view blocked : kSetEnvBlockList) {
        if (SameIgnoringCase(name->second, blocked)) {
          // An error annotation; the step goes on and the variable is not set.
          Issue issue;
          issue.message =
              fmt::format("Can't update {} environment variable using ::set-env:: command.",
                          blocked);
          AddIssue(io_, std::move(issue));
          return;
        }
      }
      io_.SetEnv(name->second, command.data);
      return;
    }
    case WorkflowCommandKind::kEcho: {
      if (command.data.empty()) return Failed(command, line, ValueCannotBeNull("value"));
      const std::string value = AsciiLower(expr::TrimWhiteSpace(command.data));
      if (value == "on") {
        echo_ = true;
      } else if (value == "off") {
        echo_ = false;
      } else {
        Failed(command, line,
               fmt::format("Invalid echo command value. Possible values can be: 'on', 'off'. "
                           "Current value is: '{}'.",
                           command.data));
      }
      return;
    }
    case WorkflowCommandKind::kAddMatcher:
      return AddMatcher(command, line);
    case WorkflowCommandKind::kRemoveMatcher:
      return RemoveMatcher(command, line);
    case WorkflowCommandKind::kStopCommands:
    case WorkflowCommandKind::kUnknown:
      return;
  }
}

void OutputProcessor::AddMatcher(const WorkflowCommand& command, std::string_view line) {
  if (command.data.empty()) {
    io_.Log("warning: File path must be specified.");
    return;
  }
  const std::string path = Rooted(command.data);
  Expected<std::string> text = ReadMatcherFile(path);
  if (!text) return Failed(command, line, text.error());
  Expected<MatcherConfigs> configs = ParseMatchers(*text);
  if (!configs) return Failed(command, line, configs.error());
  if (!configs->empty()) matchers_.Add(*configs);
}

void OutputProcessor::RemoveMatcher(const WorkflowCommand& command, std::string_view line) {
  auto owner = command.properties.find("owner");
  const bool has_owner = owner != command.properties.end() && !owner->second.empty();
  if (has_owner && !command.data.empty()) {
    io_.Log(
        "warning: Either specify an owner name or a file path in ##[remove-matcher] command. "
        "Both values cannot be set.");
    return;
  }
  if (!has_owner && command.data.empty()) {
    io_.Log(
        "warning: Either an owner name or a file path must be specified in ##[remove-matcher] "
        "command.");
    return;
  }
  if (has_owner) {
    matchers_.Remove({owner->second});
    return;
  }
  // By file: the owners the file names (it is read, not validated).
  Expected<std::string> text = ReadMatcherFile(Rooted(command.data));
  if (!text) return Failed(command, line, text.error());
  Expected<MatcherConfigs> configs = ParseMatchers(*text, MatcherRead::kOwnersOnly);
  if (!configs) return Failed(command, line, configs.error());
  std::vector<std::string> owners;
  for (const auto& config : *configs) owners.push_back(config->owner);
  if (!owners.empty()) matchers_.Remove(owners);
}

}  // namespace slipway::exec
