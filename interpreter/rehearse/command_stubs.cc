#include "interpreter/rehearse/command_stubs.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <re2/re2.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "interpreter/rehearse/virtual_clock.h"

extern char** environ;

namespace slipway::rehearse {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::atomic<int> next_socket{0};

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string ReadAll(int fd) {
  std::string out;
  char buffer[8192];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

// An abstract-namespace address: no file, no length limit from the state directory's path.
sockaddr_un Address(const std::string& name, socklen_t* length) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  size_t n = std::min(name.size(), sizeof(address.sun_path) - 2);
  std::memcpy(address.sun_path + 1, name.data(), n);
  *length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + n);
  return address;
}

// The program a pattern is about: its first word when that is literal.
std::string ProgramOf(const ArgvPattern& pattern) {
  std::string text = pattern.text;
  if (pattern.regex && !text.empty() && text[0] == '^') text.erase(0, 1);
  size_t end = text.find_first_of(pattern.regex ? " \\[(.*+?|{$" : " *?[");
  std::string word = text.substr(0, end);
  if (end != std::string::npos && text[end] != ' ' && !pattern.regex) return "";
  if (word.empty() || word.find('/') != std::string::npos) return "";
  return word;
}

// Shell single-quoting for the shim script.
std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// "{{--outputs-file}}" → the argument that follows --outputs-file in `argv` (or its
// --outputs-file=VALUE form), so a rule can write where the caller asked.
std::string ExpandArgs(const std::string& text, const std::vector<std::string>& argv) {
  std::string out = text;
  for (size_t open = out.find("{{"); open != std::string::npos; open = out.find("{{", open)) {
    size_t close = out.find("}}", open);
    if (close == std::string::npos) break;
    std::string flag = out.substr(open + 2, close - open - 2);
    std::string value;
    for (size_t i = 0; i < argv.size(); ++i) {
      if (argv[i] == flag && i + 1 < argv.size()) value = argv[i + 1];
      if (argv[i].rfind(flag + "=", 0) == 0) value = argv[i].substr(flag.size() + 1);
    }
    out.replace(open, close + 2 - open, value);
    open += value.size();
  }
  return out;
}

}  // namespace

const char* const kDefaultStubbedPrograms[] = {
    "aws",  "gh",  "sam",     "cdk",     "cfn-lint", "docker", "npm",  "npx",    "yarn",
    "pip",  "pip3", "python", "python3", "node",     "curl",   "wget", "kubectl", "terraform",
    "git",  "date", "locust", "pytest", "flake8", "bandit", "safety", nullptr};

std::set<std::string> ShimmedPrograms(const std::vector<CommandRule>& rules,
                                      const std::vector<std::string>& passthrough) {
  std::set<std::string> programs;
  for (const char* const* p = kDefaultStubbedPrograms; *p; ++p) programs.insert(*p);
  for (const CommandRule& rule : rules) {
    std::string program = ProgramOf(rule.pattern);
    if (!program.empty()) programs.insert(program);
  }
  for (const std::string& program : passthrough) programs.insert(program);
  return programs;
}

std::string CallRecord::Joined() const {
  std::string out;
  for (const std::string& arg : argv) {
    if (!out.empty()) out += ' ';
    out += arg;
  }
  return out;
}

bool ArgvMatches(const ArgvPattern& pattern, const std::string& joined) {
  if (pattern.regex) {
    RE2 re(pattern.text, RE2::Quiet);
    return re.ok() && RE2::FullMatch(joined, re);
  }
  return GlobMatch(pattern.text, joined);
}

CommandStubs::CommandStubs(std::vector<CommandRule> rules, std::vector<std::string> passthrough,
                           VirtualClock* clock)
    : rules_(std::move(rules)),
      used_(rules_.size(), 0),
      passthrough_(std::move(passthrough)),
      clock_(clock) {}

CommandStubs::~CommandStubs() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
}

Expected<bool> CommandStubs::Start(const std::string& bin_dir, const std::string& self_exe) {
  bin_dir_ = bin_dir;
  socket_name_ = fmt::format("slipway-stubs-{}-{}", getpid(), next_socket++);
  std::error_code ec;
  fs::create_directories(bin_dir, ec);
  if (ec) return MakeUnexpected(fmt::format("cannot create \"{}\": {}", bin_dir, ec.message()));
  for (const std::string& program : ShimmedPrograms(rules_, passthrough_)) {
    std::string path = bin_dir + "/" + program;
    std::ofstream out(path, std::ios::trunc);
    out << "#!/bin/sh\nexec " << Quote(self_exe) << " test --stub-call " << Quote(socket_name_)
        << " --stub-bin " << Quote(bin_dir) << " -- " << Quote(program) << " \"$@\"\n";
    out.close();
    if (!out || chmod(path.c_str(), 0755) != 0) {
      return MakeUnexpected(fmt::format("cannot write the shim \"{}\"", path));
    }
  }
  listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  socklen_t length = 0;
  sockaddr_un address = Address(socket_name_, &length);
  if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      listen(listen_fd_, 64) != 0) {
    return MakeUnexpected(fmt::format("cannot listen for stub calls: {}", std::strerror(errno)));
  }
  thread_ = std::thread([this] { Serve(); });
  return true;
}

void CommandStubs::Serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::string request = ReadAll(fd);
    std::string answer = Answer(request);
    if (!WriteAll(fd, answer)) {
      // The shim went away (its step was cancelled); its call is recorded all the same.
    }
    close(fd);
  }
}

std::string CommandStubs::Answer(const std::string& request_text) {
  json request = json::parse(request_text, nullptr, false);
  if (!request.is_object()) return json{{"exit", 2}, {"stderr", "bad stub request\n"}}.dump();
  CallRecord call;
  call.argv = request.value("argv", std::vector<std::string>{});
  call.cwd = request.value("cwd", "");
  call.env_names = request.value("env", std::vector<std::string>{});
  call.stdin_text = request.value("stdin", "");
  call.at = clock_ ? std::chrono::duration_cast<Duration>(clock_->Latest()) : Duration{0};
  std::string joined = call.Joined();
  json answer = {{"exit", 0}, {"stdout", ""}, {"stderr", ""}};
  std::lock_guard<std::mutex> lock(mutex_);
  const CommandRule* chosen = nullptr;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const CommandRule& rule = rules_[i];
    if (rule.times && used_[i] >= *rule.times) continue;
    if (!ArgvMatches(rule.pattern, joined)) continue;
    ++used_[i];
    chosen = &rule;
    break;
  }
  std::string program = call.argv.empty() ? "" : call.argv[0];
  bool pass = chosen ? chosen->passthrough
                     : std::find(passthrough_.begin(), passthrough_.end(), program) !=
                           passthrough_.end();
  if (chosen && !chosen->passthrough) {
    call.answer = CallAnswer::kRule;
    for (const auto& [written, content] : chosen->files) {
      std::string path = ExpandArgs(written, call.argv);
      fs::path target = fs::path(path).is_absolute() ? fs::path(path) : fs::path(call.cwd) / path;
      std::error_code ec;
      fs::create_directories(target.parent_path(), ec);
      std::ofstream out(target, std::ios::binary | std::ios::trunc);
      out << content;
      out.close();
      if (!out) {
        answer["exit"] = 2;
        answer["stderr"] = fmt::format("stub: cannot write \"{}\"\n", target.string());
      }
    }
    if (chosen->delay.count() > 0 && clock_) clock_->Advance(chosen->delay);
    answer["stdout"] = chosen->stdout_text;
    answer["stderr"] = answer["stderr"].get<std::string>() + chosen->stderr_text;
    if (answer["exit"] == 0) answer["exit"] = chosen->exit_code;
  } else if (pass || (!chosen && program == "date")) {
    call.answer = CallAnswer::kPassthrough;
    std::vector<std::string> args(call.argv.begin() + (call.argv.empty() ? 0 : 1),
                                  call.argv.end());
    if (program == "date" && !pass) {
      // `date` follows the virtual clock unless it is asked about another time.
      bool other = false;
      for (const std::string& arg : args) {
        if (arg.rfind("-d", 0) == 0 || arg.rfind("--date", 0) == 0 || arg.rfind("-r", 0) == 0 ||
            arg.rfind("--reference", 0) == 0 || arg.rfind("-s", 0) == 0 ||
            arg.rfind("--set", 0) == 0) {
          other = true;
        }
      }
      if (!other && clock_) {
        auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                           clock_->WallNow().time_since_epoch())
                           .count();
        args.insert(args.begin(), fmt::format("--date=@{}", seconds));
      }
    }
    answer["exec"] = program;
    answer["args"] = args;
  } else {
    call.answer = CallAnswer::kUnstubbed;
    answer["exit"] = 127;
    answer["stderr"] = fmt::format("unstubbed call: {} (add a rule or allow passthrough)\n", joined);
  }
  calls_.push_back(std::move(call));
  return answer.dump();
}

std::vector<CallRecord> CommandStubs::calls() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return calls_;
}

int RunStubClient(const std::string& socket_name, const std::string& bin_dir,
                  const std::vector<std::string>& argv) {
  json request;
  request["argv"] = argv;
  std::error_code ec;
  request["cwd"] = fs::current_path(ec).string();
  std::vector<std::string> names;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    names.push_back(entry.substr(0, entry.find('=')));
  }
  std::sort(names.begin(), names.end());
  request["env"] = names;
  struct stat st {};
  // Only a pipe or a file is read: a terminal or /dev/null has nothing for the stub.
  if (fstat(STDIN_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode))) {
    request["stdin"] = ReadAll(STDIN_FILENO);
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  socklen_t length = 0;
  sockaddr_un address = Address(socket_name, &length);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    std::cerr << "slipway stub: the rehearsal that owns this shim is gone\n";
    return 127;
  }
  std::string text = request.dump(-1, ' ', false, json::error_handler_t::replace);
  bool sent = WriteAll(fd, text);
  shutdown(fd, SHUT_WR);
  std::string reply_text = sent ? ReadAll(fd) : "";
  close(fd);
  json reply = json::parse(reply_text, nullptr, false);
  if (!reply.is_object()) {
    std::cerr << "slipway stub: no answer from the rehearsal\n";
    return 127;
  }
  if (reply.contains("exec")) {
    // The real program: the first one on PATH outside the shim directory. In an isolated
    // rehearsal (isolation.h) the programs on PATH are dispatchers back to the shims, and the
    // real ones are in kRealProgramsEnv's directory, searched first.
    std::string program = reply["exec"].get<std::string>();
    const char* path_env = getenv("PATH");
    std::string path = path_env ? path_env : "/usr/bin:/bin";
    if (const char* real = getenv(kRealProgramsEnv); real && *real) {
      path = std::string(real) + ":" + path;
    }
    std::vector<std::string> args = reply.value("args", std::vector<std::string>{});
    std::vector<char*> c_args;
    c_args.push_back(program.data());
    for (std::string& arg : args) c_args.push_back(arg.data());
    c_args.push_back(nullptr);
    size_t start = 0;
    while (start <= path.size()) {
      size_t end = path.find(':', start);
      std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
      start = end == std::string::npos ? path.size() + 1 : end + 1;
      if (dir.empty() || fs::equivalent(dir, bin_dir, ec)) continue;
      std::string candidate = dir + "/" + program;
      if (access(candidate.c_str(), X_OK) == 0) {
        execv(candidate.c_str(), c_args.data());
      }
    }
    std::cerr << "slipway stub: passthrough: " << program << ": not found on PATH\n";
    return 127;
  }
  std::string out = reply.value("stdout", "");
  std::string err = reply.value("stderr", "");
  if (!WriteAll(STDOUT_FILENO, out) && !out.empty()) return 141;
  if (!WriteAll(STDERR_FILENO, err) && !err.empty()) return 141;
  return reply.value("exit", 0);
}

}  // namespace slipway::rehearse
