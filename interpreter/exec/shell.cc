#include "interpreter/exec/shell.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <map>
#include <set>

#include "interpreter/base/fd_io.h"

namespace slipway::exec {

std::string FindInPath(const std::string& program, const std::string& path) {
  // As the runner's WhichUtil.Which: a full path is taken when it exists; any other name, even
  // one holding a '/', is looked for in the PATH directories only, never in the working
  // directory.
  if (!program.empty() && program.front() == '/') {
    return access(program.c_str(), X_OK) == 0 ? program : "";
  }
  // Found programs are remembered per PATH value: every `run:` step without a `shell:` asks
  // for bash, and the walk costs one access() per PATH entry. A program that is not found is
  // looked up again next time.
  static std::mutex mutex;
  static std::map<std::string, std::string> found;
  std::string key = program + '\0' + path;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = found.find(key); it != found.end()) return it->second;
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) {
      std::lock_guard<std::mutex> lock(mutex);
      if (found.size() >= 64) found.clear();
      found.emplace(std::move(key), candidate);
      return candidate;
    }
    start = end + 1;
  }
  return "";
}

namespace {

bool InPath(const std::string& program, const std::string& path) {
  return !FindInPath(program, path).empty();
}

// Whether `st` is a file slipway may reuse: a plain file with no other name, not a symlink,
// hard link or directory a step left in its place.
bool Reusable(const struct stat& st) { return S_ISREG(st.st_mode) && st.st_nlink == 1; }

// Opens `path` for writing as a regular file and sets `*size` to its current size (0 for a new
// file). When `renamed`, `path` is a file of an earlier step just renamed there, reused when it
// is still a plain file of our own; otherwise a new one is created.
int OpenForRewrite(const std::string& path, bool renamed, mode_t mode, off_t* size) {
  *size = 0;
  if (renamed) {
    int fd = open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st {};
    if (fd >= 0 && fstat(fd, &st) == 0 && Reusable(st) &&
        ((st.st_mode & 07777) == mode || fchmod(fd, mode) == 0)) {
      *size = st.st_size;
      return fd;
    }
    if (fd >= 0) close(fd);
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);  // a symlink itself, not what it points to
  }
  return open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
}

// Makes `path` a file of mode `mode` holding exactly `content`. `recycle` (may be empty) is a
// file of an earlier step that nothing reads any more: it is renamed to `path` and reused
// instead of a new file being created. Creating an inode can cost far more than a rename: ext4
// without a journal skips every inode freed in the last minutes when it allocates one, so a
// job of short steps that created and deleted six files per step made each step slower than
// the last. A reused file is overwritten in place and then cut to size, not emptied first: on
// ext4, emptying a file and writing it again makes close() start the disk write at once
// (auto_da_alloc) and frees and reallocates its block.
Expected<bool> WriteNewFile(const std::string& path, std::string_view content, mode_t mode,
                            const std::string& recycle = "") {
  bool renamed = !recycle.empty() && recycle != path && rename(recycle.c_str(), path.c_str()) == 0;
  if (renamed && content.empty()) {
    // The usual case for the step files: the step wrote nothing to it, nothing to do.
    struct stat st {};
    if (lstat(path.c_str(), &st) == 0 && Reusable(st) && st.st_size == 0 &&
        (st.st_mode & 07777) == mode) {
      return true;
    }
  }
  off_t old_size = 0;
  int fd = OpenForRewrite(path, renamed, mode, &old_size);
  if (fd < 0) return MakeUnexpected(fmt::format("cannot create \"{}\": {}", path, strerror(errno)));
  if (!WriteAll(fd, content)) {
    int saved = errno;
    close(fd);
    return MakeUnexpected(fmt::format("cannot write \"{}\": {}", path, strerror(saved)));
  }
  if (old_size > static_cast<off_t>(content.size()) &&
      ftruncate(fd, static_cast<off_t>(content.size())) != 0) {
    int saved = errno;
    close(fd);
    return MakeUnexpected(fmt::format("cannot write \"{}\": {}", path, strerror(saved)));
  }
  close(fd);
  return true;
}

std::string RunnerArchOnce() {
  utsname name{};
  if (uname(&name) != 0) return "X64";
  std::string machine = name.machine;
  if (machine == "x86_64") return "X64";
  if (machine == "aarch64" || machine == "arm64") return "ARM64";
  if (machine.rfind("arm", 0) == 0) return "ARM";
  if (machine == "i386" || machine == "i686") return "X86";
  return machine;
}

// The github context keys GitHub's runner exports as GITHUB_<KEY> (GitHubContext.cs).
constexpr std::string_view kGithubEnvAllowlist[] = {
    "action_path", "action_ref",     "action_repository", "action",
    "actor",       "actor_id",       "api_url",           "base_ref",
    "event_name",  "event_path",     "graphql_url",       "head_ref",
    "job",         "ref_name",       "ref_protected",     "ref_type",
    "ref",         "repository",     "repository_id",     "repository_owner",
    "repository_owner_id", "retention_days", "run_attempt", "run_id",
    "run_number",  "server_url",     "sha",               "triggering_actor",
    "workflow",    "workflow_ref",   "workflow_sha",      "workspace",
};

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

const std::string& RunnerArch() {
  static const std::string arch = RunnerArchOnce();
  return arch;
}

std::vector<std::string> SplitCommandLine(std::string_view line) {
  // .NET's ParseArgumentsIntoList / GetNextArgument (System.Diagnostics.Process on Unix).
  std::vector<std::string> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i == line.size()) break;
    std::string current;
    bool in_quotes = false;
    while (i < line.size()) {
      size_t backslashes = 0;
      while (i < line.size() && line[i] == '\\') {
        ++i;
        ++backslashes;
      }
      if (backslashes > 0) {
        if (i >= line.size() || line[i] != '"') {
          current.append(backslashes, '\\');
        } else {
          // Pairs of backslashes before a quote are one backslash each; an odd one left makes
          // the quote literal.
          current.append(backslashes / 2, '\\');
          if (backslashes % 2 != 0) {
            current.push_back('"');
            ++i;
          }
        }
        continue;
      }
      char c = line[i];
      if (c == '"') {
        if (in_quotes && i + 1 < line.size() && line[i + 1] == '"') {
          current.push_back('"');  // "" inside quotes: a literal quote, still quoted
          ++i;
        } else {
          in_quotes = !in_quotes;
        }
        ++i;
        continue;
      }
      if ((c == ' ' || c == '\t') && !in_quotes) break;
      current.push_back(c);
      ++i;
    }
    words.push_back(std::move(current));
  }
  return words;
}

Expected<std::string> FormatScriptArgument(std::string_view format, std::string_view path) {
  // .NET's string.Format with one argument: "{{" and "}}" are braces, "{0}" the argument;
  // any other brace is a FormatException on the runner (the step fails).
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c == '{' && i + 1 < format.size() && format[i + 1] == '{') {
      out.push_back('{');
      ++i;
    } else if (c == '}' && i + 1 < format.size() && format[i + 1] == '}') {
      out.push_back('}');
      ++i;
    } else if (c == '{' && format.substr(i, 3) == "{0}") {
      out.append(path);
      i += 2;
    } else if (c == '{' || c == '}') {
      return MakeUnexpected(fmt::format(
          "\"{}\": input string was not in a correct format (the argument format is .NET's "
          "string.Format: {{0}} is the script file, {{{{ and }}}} are braces)",
          format));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Expected<ShellTemplate> ResolveShell(std::string_view shell, const std::string& path) {
  ShellTemplate t;
  t.extension = ".sh";
  if (shell.empty()) {
    // As GitHub's runner (ScriptHandler.cs): with no `shell:`, the `sh` arguments `-e {0}` run
    // by bash when it is on PATH (so no pipefail, no --noprofile), else by sh.
    if (InPath("bash", path)) {
      t.argv = {"bash", "-e", "{0}"};
    } else {
      t.argv = {"sh", "-e", "{0}"};
    }
  } else if (shell == "bash") {
    t.argv = {"bash", "--noprofile", "--norc", "-eo", "pipefail", "{0}"};
  } else if (shell == "sh") {
    t.argv = {"sh", "-e", "{0}"};
  } else if (shell == "python") {
    // Debian has no `python` unless python-is-python3 is installed.
    t.argv = {InPath("python", path) ? "python" : "python3", "{0}"};
    t.extension = ".py";
  } else if (shell == "pwsh" || shell == "powershell") {
    t.argv = {std::string(shell), "-command", ". '{0}'"};
    t.extension = ".ps1";
    t.prologue = "$ErrorActionPreference = 'stop'\n";
    t.epilogue = "\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }\n";
  } else if (shell == "cmd") {
    return MakeUnexpected(std::string("shell \"cmd\" is only available on Windows runners"));
  } else {
    // ScriptHandler.cs: the command is the text before the first space, the rest (leading
    // spaces dropped) an argument format for string.Format, whose result .NET splits into
    // arguments (SplitCommandLine). Here each argument is formatted after the split, so that a
    // script path holding spaces stays one argument (the runner's paths hold none).
    size_t space = shell.find(' ');
    std::string command(shell.substr(0, space));
    std::string_view format = space == std::string_view::npos ? "" : shell.substr(space + 1);
    while (!format.empty() && std::isspace(static_cast<unsigned char>(format.front()))) {
      format.remove_prefix(1);
    }
    std::string format_text(format);
    if (format_text.empty()) {
      format_text = command == "bash"   ? "--noprofile --norc -e -o pipefail {0}"
                    : command == "sh"   ? "-e {0}"
                    : command == "python" ? "{0}"
                    : command == "pwsh" || command == "powershell" ? "-command \". '{0}'\""
                                                                    : "";
    }
    if (command.empty() || format_text.find("{0}") == std::string::npos) {
      return MakeUnexpected(fmt::format(
          "custom shell \"{}\" must contain \"{{0}}\" (the script file), e.g. \"{} {{0}}\"", shell,
          command.empty() ? std::string("perl") : command));
    }
    if (Expected<std::string> checked = FormatScriptArgument(format_text, "");
        !checked) {
      return MakeUnexpected(fmt::format("custom shell: {}", checked.error()));
    }
    t.argv = {command};
    for (std::string& word : SplitCommandLine(format_text)) t.argv.push_back(std::move(word));
    // The script file's extension comes from the command's name, as written
    // (ScriptHandlerHelpers.GetScriptFileExtension): none for anything but these.
    t.extension = command == "bash" || command == "sh" ? ".sh"
                  : command == "python"                ? ".py"
                  : command == "pwsh" || command == "powershell" ? ".ps1"
                                                                 : "";
  }
  return t;
}

Expected<ShellCommand> PrepareScript(const ShellTemplate& shell, std::string_view script,
                                     const std::string& temp_dir, const std::string& recycle) {
  static std::atomic<uint64_t> counter{0};
  std::string path =
      fmt::format("{}/script-{}-{}{}", temp_dir, getpid(), ++counter, shell.extension);
  std::string content = shell.prologue;
  content.append(script);
  content.append(shell.epilogue);
  // 0600: the shell reads the file (`bash FILE`); nobody else may, and it is not run directly.
  Expected<bool> written = WriteNewFile(path, content, 0600, recycle);
  if (!written) return MakeUnexpected(written.error());
  ShellCommand command;
  command.script_path = path;
  command.argv.push_back(shell.argv.front());
  for (size_t i = 1; i < shell.argv.size(); ++i) {
    Expected<std::string> expanded = FormatScriptArgument(shell.argv[i], path);
    if (!expanded) return MakeUnexpected(expanded.error());
    command.argv.push_back(std::move(expanded).value());
  }
  return command;
}

Expected<StepFiles> CreateStepFiles(const std::string& dir, const std::string& step_key,
                                    const StepFiles* recycle) {
  StepFiles files;
  files.output = fmt::format("{}/{}.output", dir, step_key);
  files.env = fmt::format("{}/{}.env", dir, step_key);
  files.path = fmt::format("{}/{}.path", dir, step_key);
  files.step_summary = fmt::format("{}/{}.summary.md", dir, step_key);
  files.state = fmt::format("{}/{}.state", dir, step_key);
  std::string StepFiles::*const members[] = {&StepFiles::output, &StepFiles::env, &StepFiles::path,
                                             &StepFiles::step_summary, &StepFiles::state};
  for (std::string StepFiles::*member : members) {
    Expected<bool> written =
        WriteNewFile(files.*member, "", 0600, recycle ? recycle->*member : std::string());
    if (!written) return MakeUnexpected(written.error());
  }
  return files;
}

std::map<std::string, std::string> RunnerEnvironment(const nlohmann::ordered_json& github,
                                                     const nlohmann::ordered_json& runner,
                                                     const std::string& action,
                                                     const StepFiles* files) {
  std::map<std::string, std::string> env = {{"CI", "true"}, {"GITHUB_ACTIONS", "true"}};
  for (std::string_view key : kGithubEnvAllowlist) {
    auto it = github.find(key);
    if (it == github.end()) continue;
    if (it->is_string()) {
      env["GITHUB_" + Upper(key)] = it->get<std::string>();
    } else if (it->is_boolean()) {
      env["GITHUB_" + Upper(key)] = it->get<bool>() ? "true" : "false";
    }
  }
  env["GITHUB_ACTION"] = action;
  for (auto it = runner.begin(); it != runner.end(); ++it) {
    if (it->is_string()) env["RUNNER_" + Upper(it.key())] = it->get<std::string>();
  }
  if (files) {
    env["GITHUB_OUTPUT"] = files->output;
    env["GITHUB_ENV"] = files->env;
    env["GITHUB_PATH"] = files->path;
    env["GITHUB_STATE"] = files->state;
    env["GITHUB_STEP_SUMMARY"] = files->step_summary;
  }
  return env;
}

}  // namespace slipway::exec
