// The kShell executor (step_executor.h): a `run:` step as GitHub's runner runs it. The script
// goes to a file (0600) in the job's scratch directory, the shell runs it with the step's
// environment, the output passes through the workflow-command parser and the Masker, then the
// file commands (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY) are read. The
// script and the step files are emptied when the step ends, so nothing a step wrote (a secret
// in a script or in GITHUB_ENV) stays on disk; the scratch directory goes when the job ends.
// In a job with `container:` the same process runs in the job container (`podman exec`); the
// kContainerAction executor is this one too, with `RUNTIME run IMAGE` for the process
// (job_containers.h), so both read their output and step files exactly as a `run:` step does.
#include <fcntl.h>
#include <sys/stat.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <charconv>
#include <cerrno>
#include <optional>

#include "interpreter/base/fd_io.h"
#include "interpreter/base/ascii.h"
#include "interpreter/exec/console.h"
#include "interpreter/exec/job_containers.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/output_processor.h"
#include "interpreter/exec/process.h"
#include "interpreter/exec/real_job_runner.h"
#include "interpreter/exec/run_store.h"
#include "interpreter/exec/shell.h"
#include "interpreter/exec/step_executor.h"
#include "interpreter/exec/step_log.h"
#include "interpreter/exec/workflow_commands.h"
#include "interpreter/expr/unicode.h"

namespace slipway::exec {
namespace {

// GitHub's runner refuses these in GITHUB_ENV (FileCommandManager.cs, _setEnvBlockList): it
// reports an error and ignores the line; the step does not fail.
constexpr std::string_view kEnvBlockList[] = {"NODE_OPTIONS"};

// Empties a file the step has finished with (see the file comment); false when it could not.
bool Empty(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT;
  bool ok = ftruncate(fd, 0) == 0;
  close(fd);
  return ok;
}

// What `uses: docker://IMAGE` passes on: `with.args` and `with.entrypoint` are the
// container's; every other input is INPUT_<NAME> (the runner's ContainerActionHandler).
std::string Upper(std::string text) {
  for (char& c : text) {
    c = c == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return text;
}
std::string InputText(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

class ShellExecutor final : public StepExecutor {
 public:
  explicit ShellExecutor(bool container_action) : container_action_(container_action) {}
  StepOutcome Run(const ResolvedStep& step, StepIo& io) override;

 private:
  /// The process of a `run:` step (in the job container when there is one); "" or an error.
  std::string ScriptProcess(const ResolvedStep& step, StepIo& io, const StepFiles& files,
                            ProcessOptions* options);
  /// The process of a `uses: docker://` step; "" or an error.
  std::string ActionProcess(const ResolvedStep& step, StepIo& io, const StepFiles& files,
                            ProcessOptions* options);

  /// Reads what the step wrote to its files; "" or why a file is malformed.
  std::string ReadFileCommands(const StepFiles& files, StepIo& io,
                               std::map<std::string, std::string>* outputs);

  bool container_action_;
  /// Makes the files for this executor's next step ready: from the files of a finished step,
  /// renamed, while a step's process starts (the job thread has nothing else to do then), so a
  /// step does not wait for them. "" or why they cannot be made.
  std::string PrepareNextFiles(const std::string& temp_dir);

  // The previous step's script, reused by the next one (shell.h); the files the next step will
  // use; the files of a finished step, read, to be renamed into the next ones.
  std::string used_script_;
  std::optional<StepFiles> next_files_;
  std::optional<StepFiles> used_files_;
};

// A name for a new set of step files, unique in the process (steps of nested actions share the
// job's directory).
std::string NewStepFilesKey() {
  static std::atomic<uint64_t> counter{0};
  return fmt::format("step-{}", ++counter);
}

std::string ShellExecutor::PrepareNextFiles(const std::string& temp_dir) {
  if (next_files_) return "";
  Expected<StepFiles> made =
      CreateStepFiles(temp_dir, NewStepFilesKey(), used_files_ ? &*used_files_ : nullptr);
  used_files_.reset();
  if (!made) return made.error();
  next_files_ = std::move(made).value();
  return "";
}

std::string ShellExecutor::ReadFileCommands(const StepFiles& files, StepIo& io,
                                            std::map<std::string, std::string>* outputs) {
  std::string problem;
  // Each file is emptied once read (most steps write none, and an empty file costs nothing).
  auto take = [&](const std::string& path) {
    // Most steps write none of their files: one lstat instead of an open, a read and a close.
    struct stat st {};
    if (lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0) {
      return std::string();
    }
    std::string text = ReadText(path);
    if (!text.empty() && !Empty(path)) io.Log(fmt::format("warning: cannot empty \"{}\"", path));
    // Read as the runner's File.ReadAllText / ReadAllLines do: a UTF-8 byte order mark is not
    // part of the text, and bytes that are not UTF-8 read as U+FFFD.
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
    return expr::ReplaceInvalidUtf8(std::move(text));
  };
  // As the runner's ProcessFiles: each file that cannot be read fails the step with two errors.
  auto failed = [&](const char* file, const std::string& error) {
    io.Log(fmt::format("error: Unable to process file command '{}' successfully.", file));
    if (problem.empty()) {
      problem = error;  // logged with the step's failure
    } else {
      io.Log("error: " + error);
    }
  };
  std::vector<std::pair<std::string, std::string>> pairs;
  Expected<std::vector<std::pair<std::string, std::string>>> written =
      ParseFileCommands(take(files.output), &pairs);
  if (written) {
    pairs = std::move(written).value();
  } else {
    failed("output", written.error());
  }
  for (auto& [key, value] : pairs) SetStepOutput(outputs, key, std::move(value));
  pairs.clear();
  Expected<std::vector<std::pair<std::string, std::string>>> env_file =
      ParseFileCommands(take(files.env), &pairs);
  if (env_file) pairs = std::move(env_file).value();
  for (auto& [key, value] : pairs) {
    bool blocked = false;
    for (std::string_view name : kEnvBlockList) blocked = blocked || SameIgnoringCase(key, name);
    if (blocked) {
      io.Log(fmt::format("error: Can't store {} output parameter using '$GITHUB_ENV' command.",
                         key));
      continue;
    }
    io.SetEnv(key, value);
  }
  if (!env_file) failed("env", env_file.error());
  std::vector<std::string> paths = ParsePathFile(take(files.path));
  if (!paths.empty()) io.AddPath(paths);
  std::string summary = take(files.step_summary);
  // The runner attaches no summary over 1 MiB (FileCommandManager.cs, AttachmentSizeLimit):
  // an error in the log, the step's result unchanged.
  constexpr size_t kSummaryLimit = 1024 * 1024;
  if (summary.size() > kSummaryLimit) {
    io.Log(fmt::format("error: $GITHUB_STEP_SUMMARY upload aborted, supports content up to a size "
                       "of {}k, got {}k.",
                       kSummaryLimit / 1024, summary.size() / 1024));
    summary.clear();
  }
  if (!summary.empty()) {
    Expected<bool> appended = io.run().store->AppendSummary(summary);
    if (!appended) io.Log("error: cannot append the step summary: " + appended.error());
  }
  // GITHUB_STATE only matters to an action's post step (none run here), but the runner parses
  // it like GITHUB_OUTPUT, so a malformed line fails the step there too.
  Expected<std::vector<std::pair<std::string, std::string>>> state =
      ParseFileCommands(take(files.state));
  if (!state) failed("state", state.error());
  return problem;
}

std::string ShellExecutor::ScriptProcess(const ResolvedStep& step, StepIo& io,
                                         const StepFiles& files, ProcessOptions* options) {
  JobContainers* containers = io.containers(false);
  bool inside = containers && containers->has_job_container();
  options->env = inside ? io.ContainerEnv(step, &files) : io.ProcessEnv(step, &files);
  // In a container the runner does not look for bash: no `shell:` is `sh -e {0}`. On the host
  // the shell is found on the runner's PATH (with GITHUB_PATH's additions), not the step's.
  const std::string search_path = inside ? "" : io.ShellSearchPath();
  Expected<ShellTemplate> shell = ResolveShell(step.shell, search_path);
  if (!shell) return shell.error();
  Expected<ShellCommand> command = PrepareScript(*shell, step.script, io.temp_dir(), used_script_);
  used_script_.clear();
  if (!command) return command.error();
  used_script_ = command->script_path;
  options->argv = command->argv;
  if (!inside) {
    std::string found = FindInPath(options->argv[0], search_path);
    if (found.empty()) return fmt::format("{}: command not found", options->argv[0]);
    options->argv[0] = std::move(found);
  }
  options->working_directory = step.working_directory;
  if (inside) {
    std::map<std::string, std::string> env = std::move(options->env);
    *options = containers->InJobContainer(std::move(*options), env);
  }
  return "";
}

std::string ShellExecutor::ActionProcess(const ResolvedStep& step, StepIo& io,
                                         const StepFiles& files, ProcessOptions* options) {
  JobContainers* containers = io.containers(true);
  if (!containers) {
    return fmt::format("\"{}\" runs in a container, and no container runtime is available "
                       "(podman or docker; --no-containers does not apply to docker:// steps)",
                       step.uses);
  }
  std::map<std::string, std::string> env = io.ContainerEnv(step, &files);
  std::string entrypoint, args;
  for (auto it = step.with.begin(); it != step.with.end(); ++it) {
    if (it.key() == "args") {
      args = InputText(*it);
    } else if (it.key() == "entrypoint") {
      entrypoint = InputText(*it);
    } else {
      env["INPUT_" + Upper(it.key())] = InputText(*it);
    }
  }
  Expected<ProcessOptions> made = containers->ActionContainer(
      step.uses.substr(std::string_view("docker://").size()), step.action, entrypoint, args, env,
      io.cancel());
  if (!made) return made.error();
  *options = std::move(made).value();
  return "";
}

StepOutcome ShellExecutor::Run(const ResolvedStep& step, StepIo& io) {
  const RunEnvironment& run = io.run();
  if (std::string error = PrepareNextFiles(io.temp_dir()); !error.empty()) {
    return StepOutcome::Failure(error);
  }
  const StepFiles files = std::move(*next_files_);
  next_files_.reset();
  ProcessOptions options;
  std::string error = container_action_ ? ActionProcess(step, io, files, &options)
                                        : ScriptProcess(step, io, files, &options);
  if (!error.empty()) return StepOutcome::Failure(error);
  options.timeout = step.timeout;
  options.record_dir = run.store->processes_dir();
  options.interrupt_grace = run.interrupt_grace;
  options.terminate_grace = run.terminate_grace;
  options.output_grace = std::chrono::seconds(5);

  StepOutcome outcome;
  // Paths a step in a container writes in commands are the container's (TranslateToHostPath).
  std::function<std::string(const std::string&)> to_host;
  if (JobContainers* containers = io.containers(false);
      containers && (container_action_ || containers->has_job_container())) {
    const bool action = container_action_;
    to_host = [containers, action](const std::string& path) {
      return containers->ToHostPath(path, action);
    };
  }
  OutputProcessor output(step, io, io.matchers(), &outcome.outputs, std::move(to_host));
  LineSplitter lines([&](std::string_view line) { output.Line(line); }, *run.masker);
  Expected<ChildProcess> child = ChildProcess::Spawn(options);
  if (!child) {
    if (!used_script_.empty()) Empty(used_script_);
    return StepOutcome::Failure(child.error());
  }
  PrepareNextFiles(io.temp_dir());  // an error comes back when the next step asks again
  ProcessResult result =
      child->Wait([&](OutputStream stream, std::string_view chunk) { lines.Write(stream, chunk); },
                  &io.cancel());
  lines.Flush();
  // Background processes the step started live until the job ends, as on GitHub. A step that
  // left none releases its group now, and its process record serves the next step.
  if (child->GroupAlive()) io.KeepAlive(std::move(child).value());
  if (!used_script_.empty() && !Empty(used_script_)) {
    io.Log("warning: cannot empty the step's script file");
  }

  std::string file_problem = ReadFileCommands(files, io, &outcome.outputs);
  used_files_ = files;
  std::string failure = output.failure();
  switch (result.end) {
    case ProcessEnd::kExited:
      if (result.exit_code != 0) {
        failure = fmt::format("Process completed with exit code {}.", result.exit_code);
      } else if (failure.empty()) {
        failure = file_problem;
      }
      break;
    case ProcessEnd::kSignaled:
      // .NET reports a process killed by signal N as exit code 128 + N (137 for SIGKILL: the
      // message GitHub shows for a step killed when out of memory).
      failure = fmt::format("Process completed with exit code {}.", 128 + result.signal);
      break;
    case ProcessEnd::kTimedOut:
      outcome.timed_out = true;
      break;
    case ProcessEnd::kCancelled:
      return StepOutcome{StepConclusion::kCancelled, "", std::move(outcome.outputs), false};
    case ProcessEnd::kSpawnFailed:
      failure = result.error;
      break;
  }
  if (outcome.timed_out) {
    outcome.outcome = StepConclusion::kFailure;
    return outcome;
  }
  if (!failure.empty()) {
    outcome.outcome = StepConclusion::kFailure;
    outcome.message = std::move(failure);
  }
  return outcome;
}

}  // namespace

std::unique_ptr<StepExecutor> MakeShellExecutor() { return std::make_unique<ShellExecutor>(false); }
std::unique_ptr<StepExecutor> MakeContainerActionExecutor() {
  return std::make_unique<ShellExecutor>(true);
}

}  // namespace slipway::exec
