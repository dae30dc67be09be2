#pragma once
/// Turning a `run:` step into a process as GitHub's runner does: the script is written to a
/// temporary file and the shell named by `shell:` runs it; the step gets the GITHUB_* and
/// RUNNER_* variables and the files GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY
/// (and GITHUB_STATE).
/// https://docs.github.com/en/actions/using-workflows/workflow-syntax-for-github-actions#jobsjob_idstepsshell
/// https://docs.github.com/en/actions/learn-github-actions/variables#default-environment-variables

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/base/expected.h"

namespace slipway::exec {

/// How a `shell:` value runs a script file: argv[0] the command, each other argument a .NET
/// format string (FormatScriptArgument) in which "{0}" stands for the file's path.
struct ShellTemplate {
  std::vector<std::string>
      argv;               // e.g. {"bash", "--noprofile", "--norc", "-eo", "pipefail", "{0}"}
  std::string extension;  // appended to the script file name: ".sh", ".py", ".ps1"
  std::string prologue;   // prepended to the script (pwsh: stop on errors)
  std::string epilogue;   // appended to the script (pwsh: propagate $LASTEXITCODE)
};

/// The template for a `shell:` value:
///   ""        (unspecified) `bash -e {0}`, or `sh -e {0}` when bash is not in `path`
///   bash      `bash --noprofile --norc -eo pipefail {0}`
///   sh        `sh -e {0}`
///   python    `python {0}`
///   pwsh      `pwsh -command ". '{0}'"`   powershell likewise
///   otherwise COMMAND FORMAT as GitHub's runner reads it: the command up to the first space,
///             then an argument format that must contain {0} (`perl {0}`, `bash -x {0}`), split
///             into arguments with .NET's rules (SplitCommandLine) and formatted with .NET's
///             string.Format ({{ and }} are braces; any other brace is an error).
/// Errors are messages ("custom shell \"perl\" must contain \"{0}\"...").
Expected<ShellTemplate> ResolveShell(std::string_view shell, const std::string& path);

/// The first executable `program` in the directories of `path` (a PATH value), as its full
/// path (a relative `program` holding a '/' too: `./x` is looked for as DIR/./x); `program`
/// itself when it is a full path to an executable; "" when not found.
std::string FindInPath(const std::string& program, const std::string& path);

/// A `run:` step made ready to spawn.
struct ShellCommand {
  std::vector<std::string> argv;
  std::string script_path;
};

/// Writes `script` (with the template's prologue/epilogue) to a new file (0600) in `temp_dir` and
/// returns the argv that runs it. `recycle` (optional) is the script file of an earlier step
/// that has finished: it is renamed and rewritten instead of a new file being created (see
/// CreateStepFiles). Errors are messages.
Expected<ShellCommand> PrepareScript(const ShellTemplate& shell, std::string_view script,
                                     const std::string& temp_dir, const std::string& recycle = "");

/// Paths of the files a step writes to talk back (each created empty by CreateStepFiles).
struct StepFiles {
  std::string output;        // GITHUB_OUTPUT
  std::string env;           // GITHUB_ENV
  std::string path;          // GITHUB_PATH
  std::string step_summary;  // GITHUB_STEP_SUMMARY
  std::string state;         // GITHUB_STATE
};

/// Creates the empty files for step `step_key` (unique within the job) under `dir`. `recycle`
/// (optional) are the files of the job's previous step, already read: they are renamed to the
/// new names and emptied rather than new files created, because allocating inodes is what
/// costs most per step on some file systems (ext4 without a journal). Each step still gets
/// fresh paths, so a path a finished step remembered no longer names the new step's file (only
/// a descriptor a background process of an earlier step keeps open on one still reaches it).
Expected<StepFiles> CreateStepFiles(const std::string& dir, const std::string& step_key,
                                    const StepFiles* recycle = nullptr);

/// The variables GitHub's runner sets for a step (ScriptHandler.cs, GitHubContext.cs,
/// RunnerContext.cs): CI and GITHUB_ACTIONS; GITHUB_<KEY> for each allow-listed key of the
/// `github` context that holds a string or a boolean ("true"/"false": the runner's
/// BooleanContextData.ToString);
/// RUNNER_<KEY> for each key of the `runner` context; GITHUB_ACTION; and, with `files`, the
/// step files (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STATE, GITHUB_STEP_SUMMARY).
std::map<std::string, std::string> RunnerEnvironment(const nlohmann::ordered_json& github,
                                                     const nlohmann::ordered_json& runner,
                                                     const std::string& action,
                                                     const StepFiles* files);

/// runner.arch for this machine: X86, X64, ARM or ARM64.
const std::string& RunnerArch();

/// Splits a command line into arguments as .NET does on Unix (Process.ParseArgumentsIntoList),
/// which is how GitHub's runner hands a custom shell's, a container's and a docker action's
/// arguments to a process: spaces and tabs separate, double quotes group (`""` inside quotes is
/// a quote), backslashes are literal except before a double quote (`\"` is a quote); single
/// quotes are ordinary characters.
std::vector<std::string> SplitCommandLine(std::string_view line);

/// .NET's string.Format(format, path): "{0}" is `path`, "{{" and "}}" are braces; any other
/// brace is an error (a FormatException on the runner).
Expected<std::string> FormatScriptArgument(std::string_view format, std::string_view path);

}  // namespace slipway::exec
