#include "stdlib/stack_deploy/local_stack.h"

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "stdlib/files.h"
#include "stdlib/http_client.h"
#include "stdlib/input_reader.h"
#include "stdlib/text_util.h"

namespace slipway::stdlib::stack_deploy {
namespace fs = std::filesystem;
namespace {

using step_api::StepOutcome;
using step_api::StepStatus;

StepOutcome Fail(std::string message) { return {StepStatus::kFailure, 1, std::move(message), {}}; }

std::string VersionName(int version) { return "v" + std::to_string(version); }

std::optional<int> ParseVersionName(std::string_view name) {
  if (name.size() < 2 || name[0] != 'v' || name.size() > 10) return std::nullopt;
  int value = 0;
  for (char c : name.substr(1)) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value > 0 ? std::optional<int>(value) : std::nullopt;
}

bool IsIdentifier(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// The id a started app carries in its environment, so we only ever stop our own process.
std::string AppMarker(const fs::path& stack_dir) {
  return "SLIPWAY_STACK_ID=" + Sha256Hex(fs::absolute(stack_dir).string()).substr(0, 16);
}

bool ProcessHasMarker(int pid, const std::string& marker) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  if (!in) return false;
  std::string environ((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string needle = marker;
  needle.push_back('\0');
  return environ.find(needle) != std::string::npos ||
         (environ.size() >= marker.size() &&
          environ.compare(environ.size() - marker.size(), marker.size(), marker) == 0);
}

// True while `pid` runs; a zombie (exited, not yet reaped) counts as gone.
bool ProcessAlive(int pid) {
  std::string stat, error;
  if (!ReadFileText("/proc/" + std::to_string(pid) + "/stat", &stat, &error)) return false;
  size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z' &&
         stat[close + 2] != 'X';
}

// Stops the stack's app if one is running (SIGTERM to its process group, then SIGKILL).
void StopApp(const fs::path& stack_dir, step_api::StepContext& context) {
  fs::path pid_file = stack_dir / "app.pid";
  std::string text, error;
  if (!ReadFileText(pid_file, &text, &error)) return;
  int pid = std::atoi(text.c_str());
  std::error_code ec;
  fs::remove(pid_file, ec);
  if (pid <= 1 || !ProcessHasMarker(pid, AppMarker(stack_dir))) return;
  context.Log("stopping the running app (pid " + std::to_string(pid) + ")");
  ::kill(-pid, SIGTERM);
  for (int i = 0; i < 20 && ProcessAlive(pid) && ProcessHasMarker(pid, AppMarker(stack_dir));
       ++i) {
    if (!context.Sleep(std::chrono::milliseconds(100))) break;
  }
  if (ProcessAlive(pid) && ProcessHasMarker(pid, AppMarker(stack_dir))) ::kill(-pid, SIGKILL);
}

// Starts `start` for `version` in the background and waits until it answers on its port.
std::string StartApp(const fs::path& stack_dir, const nlohmann::json& meta,
                     step_api::StepContext& context) {
  std::string start = meta.value("start", "");
  int port = meta.value("port", 0);
  std::string version = meta.value("version", "");
  std::string script = "cd " + ShellQuote(context.workspace()) + " || exit 1\n";
  script += "export " + AppMarker(stack_dir) + "\n";
  script += "export STACK_NAME=" + ShellQuote(meta.value("stack", "")) + "\n";
  script += "export STACK_VERSION=" + ShellQuote(version) + "\n";
  if (port > 0) script += "export PORT=" + std::to_string(port) + "\n";
  if (meta.contains("parameters") && meta["parameters"].is_object()) {
    for (const auto& [name, value] : meta["parameters"].items()) {
      if (IsIdentifier(name)) {
        script += "export " + name + "=" + ShellQuote(ScalarText(value)) + "\n";
      }
    }
  }
  fs::path log = stack_dir / "app.log";
  // The command's process group is killed when this script ends (exec cleans up after every
  // command), so return only once the app leads its own session: setsid makes the background
  // child a session leader, whose session id in /proc/PID/stat (field 6) equals its pid.
  script += "setsid bash -c " + ShellQuote(start) + " > " + ShellQuote(log.string()) +
            " 2>&1 < /dev/null &\npid=$!\n"
            "for _ in $(seq 500); do\n"
            "  [ \"$(awk '{print $6}' /proc/$pid/stat 2>/dev/null)\" = \"$pid\" ] && break\n"
            "  sleep 0.01\n"
            "done\n"
            "echo \"$pid\"\n";
  std::string output;
  int code = context.RunCommandQuietly(script, &output);
  int pid = std::atoi(output.c_str());
  if (code != 0 || pid <= 1) return "could not start the app: " + output;
  std::string error;
  WriteFileAtomic(stack_dir / "app.pid", std::to_string(pid) + "\n", &error);
  context.Log("started app " + version + " (pid " + std::to_string(pid) + "): " + start);
  if (port <= 0) return "";
  std::string url = "http://127.0.0.1:" + std::to_string(port) + meta.value("health_path", "/");
  int64_t timeout_ms = meta.value("start_timeout_ms", int64_t{30'000});
  constexpr int64_t kPollMs = 200;
  for (int64_t waited = 0; waited <= timeout_ms; waited += kPollMs) {
    if (!ProcessAlive(pid)) {
      return "the app exited during start-up (see " + log.string() + ")";
    }
    HttpRequest probe;
    probe.url = url;
    probe.timeout = std::chrono::milliseconds(1000);
    HttpResponse response = SendHttp(probe);
    if (response.received() && response.status >= 200 && response.status < 300) {
      context.Log("app is healthy at " + url);
      return "";
    }
    if (!context.Sleep(std::chrono::milliseconds(kPollMs))) return "cancelled";
  }
  return "the app did not become healthy at " + url + " within " +
         FormatDuration(std::chrono::milliseconds(timeout_ms));
}

void AppendHistory(const fs::path& stack_dir, const nlohmann::json& event) {
  std::ofstream out(stack_dir / "history.jsonl", std::ios::app);
  out << event.dump() << "\n";
}

StepOutcome OutcomeFor(const LocalStackStore& store, const nlohmann::json& meta,
                       std::optional<int> previous) {
  StepOutcome outcome;
  if (meta.contains("outputs") && meta["outputs"].is_object()) {
    for (const auto& [name, value] : meta["outputs"].items()) {
      outcome.outputs[name] = ScalarText(value);
    }
  }
  outcome.outputs["version"] = meta.value("version", "");
  outcome.outputs["previous-version"] = previous ? VersionName(*previous) : "";
  outcome.outputs["stack-dir"] = store.dir().string();
  if (meta.value("port", 0) > 0 && !outcome.outputs.count("url")) {
    outcome.outputs["url"] = "http://127.0.0.1:" + std::to_string(meta.value("port", 0));
  }
  return outcome;
}

// Parameters and template digest of what a deploy would record, for deploy and diff.
bool Describe(const Config& config, step_api::StepContext& context, nlohmann::json* facts,
              std::string* template_text, std::string* error) {
  (*facts)["parameters"] = config.parameters;
  if (!config.template_path.empty()) {
    fs::path path(config.template_path);
    if (path.is_relative()) path = fs::path(context.workspace()) / path;
    if (!ReadFileText(path, template_text, error)) return false;
    (*facts)["template"] = config.template_path;
    (*facts)["template_sha256"] = Sha256Hex(*template_text);
  }
  return true;
}

StepOutcome Deploy(const Config& config, const LocalStackStore& store,
                   step_api::StepContext& context) {
  nlohmann::json facts;
  std::string template_text, error;
  if (!Describe(config, context, &facts, &template_text, &error)) return Fail(error);
  std::vector<int> versions = store.Versions();
  int number = versions.empty() ? 1 : versions.back() + 1;
  std::optional<int> previous = store.Current();
  std::string version = VersionName(number);
  fs::path dir = store.VersionDir(number);
  std::map<std::string, std::string> fill = {{"version", version},
                                             {"stack", config.stack},
                                             {"port", std::to_string(config.port)}};
  nlohmann::json outputs = nlohmann::json::object();
  for (const auto& [name, value] : config.outputs) outputs[name] = FillPlaceholders(value, fill);
  nlohmann::json meta = {{"stack", config.stack},
                         {"version", version},
                         {"number", number},
                         {"created_at", FormatUtc(context.NowMs())},
                         {"previous", previous ? VersionName(*previous) : ""},
                         {"parameters", facts["parameters"]},
                         {"outputs", outputs},
                         {"status", "deployed"}};
  if (facts.contains("template")) {
    meta["template"] = facts["template"];
    meta["template_sha256"] = facts["template_sha256"];
  }
  if (!config.start.empty()) {
    meta["start"] = config.start;
    meta["port"] = config.port;
    meta["health_path"] = config.health_path;
    meta["start_timeout_ms"] = config.start_timeout.count();
  }
  bool written = WriteFileAtomic(dir / "parameters.json", meta["parameters"].dump(2) + "\n", &error) &&
                 WriteFileAtomic(dir / "outputs.json", outputs.dump(2) + "\n", &error);
  if (written && facts.contains("template")) {
    written = WriteFileAtomic(dir / ("template" + fs::path(config.template_path).extension().string()),
                              template_text, &error);
  }
  if (written) written = WriteFileAtomic(dir / "version.json", meta.dump(2) + "\n", &error);
  if (!written) return Fail("could not write stack version: " + error);
  context.Log("stack " + config.stack + ": recorded " + version + " in " + dir.string());

  if (!config.start.empty()) {
    StopApp(store.dir(), context);
    std::string start_error = StartApp(store.dir(), meta, context);
    if (!start_error.empty()) {
      StopApp(store.dir(), context);
      meta["status"] = "failed";
      WriteFileAtomic(dir / "version.json", meta.dump(2) + "\n", &error);
      // Put the previous version's app back, so a failed deploy leaves things as they were.
      if (previous) {
        nlohmann::json old = store.ReadVersion(*previous);
        if (old.contains("start")) StartApp(store.dir(), old, context);
      }
      return Fail("stack " + config.stack + ": deploy of " + version + " failed: " + start_error);
    }
  }
  if (!WriteFileAtomic(store.dir() / "current", version + "\n", &error)) {
    return Fail("could not update the current version: " + error);
  }
  AppendHistory(store.dir(), {{"event", "deploy"},
                              {"version", version},
                              {"previous", meta["previous"]},
                              {"at", meta["created_at"]}});
  context.Log("stack " + config.stack + ": " + version + " is live" +
              (previous ? " (was " + VersionName(*previous) + ")" : ""));
  StepOutcome outcome = OutcomeFor(store, meta, previous);
  outcome.outputs["action"] = "deploy";
  return outcome;
}

StepOutcome Rollback(const Config& config, const LocalStackStore& store,
                     step_api::StepContext& context) {
  std::optional<int> current = store.Current();
  if (!current) return Fail("stack " + config.stack + " has no deployed version to roll back");
  int target = 0;
  if (!config.target_version.empty()) {
    std::optional<int> parsed = ParseVersionName(config.target_version);
    if (!parsed || store.ReadVersion(*parsed).is_null()) {
      return Fail("stack " + config.stack + " has no version \"" + config.target_version + "\"");
    }
    target = *parsed;
  } else {
    // The newest good version older than the live one.
    for (int v : store.Versions()) {
      if (v < *current && store.ReadVersion(v).value("status", "") != "failed") target = v;
    }
    if (target == 0) {
      return Fail("stack " + config.stack + " has no version before " + VersionName(*current) +
                  " to roll back to");
    }
  }
  nlohmann::json meta = store.ReadVersion(target);
  std::string error;
  if (meta.contains("start")) {
    StopApp(store.dir(), context);
    std::string start_error = StartApp(store.dir(), meta, context);
    if (!start_error.empty()) {
      return Fail("stack " + config.stack + ": rollback to " + VersionName(target) +
                  " failed: " + start_error);
    }
  } else if (store.ReadVersion(*current).contains("start")) {
    StopApp(store.dir(), context);
  }
  if (!WriteFileAtomic(store.dir() / "current", VersionName(target) + "\n", &error)) {
    return Fail("could not update the current version: " + error);
  }
  AppendHistory(store.dir(), {{"event", "rollback"},
                              {"version", VersionName(target)},
                              {"from", VersionName(*current)},
                              {"at", FormatUtc(context.NowMs())}});
  context.Log("stack " + config.stack + ": rolled back from " + VersionName(*current) + " to " +
              VersionName(target));
  StepOutcome outcome = OutcomeFor(store, meta, current);
  outcome.outputs["action"] = "rollback";
  outcome.outputs["rolled-back-from"] = VersionName(*current);
  return outcome;
}

StepOutcome Diff(const Config& config, const LocalStackStore& store,
                 step_api::StepContext& context) {
  nlohmann::json facts;
  std::string template_text, error;
  if (!Describe(config, context, &facts, &template_text, &error)) return Fail(error);
  std::optional<int> current = store.Current();
  StepOutcome outcome;
  outcome.outputs["action"] = "diff";
  if (!current) {
    context.Log("stack " + config.stack + ": not deployed yet; a deploy would create v1");
    outcome.outputs["changed"] = "true";
    return outcome;
  }
  nlohmann::json live = store.ReadVersion(*current);
  std::vector<std::string> changes;
  if (live.value("template_sha256", "") != facts.value("template_sha256", "")) {
    changes.push_back("template changed");
  }
  nlohmann::json old_params = live.value("parameters", nlohmann::json::object());
  for (const auto& [name, value] : facts["parameters"].items()) {
    if (!old_params.contains(name)) {
      changes.push_back("+ parameter " + name + "=" + ScalarText(value));
    } else if (old_params[name] != value) {
      changes.push_back("~ parameter " + name + ": " + ScalarText(old_params[name]) + " -> " +
                        ScalarText(value));
    }
  }
  for (const auto& [name, value] : old_params.items()) {
    if (!facts["parameters"].contains(name)) changes.push_back("- parameter " + name);
  }
  context.Log("stack " + config.stack + ": compared with live " + VersionName(*current) + ": " +
              (changes.empty() ? "no changes" : std::to_string(changes.size()) + " change(s)"));
  for (const std::string& change : changes) context.Log("  " + change);
  outcome.outputs["changed"] = changes.empty() ? "false" : "true";
  outcome.outputs["version"] = VersionName(*current);
  return outcome;
}

}  // namespace

LocalStackStore::LocalStackStore(const fs::path& state_dir, const std::string& stack)
    : dir_(state_dir / "stacks" / stack) {}

std::vector<int> LocalStackStore::Versions() const {
  std::vector<int> out;
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) return out;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir_, ec)) {
    std::optional<int> v = ParseVersionName(entry.path().filename().string());
    if (v && entry.is_directory(ec)) out.push_back(*v);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<int> LocalStackStore::Current() const {
  std::string text, error;
  if (!ReadFileText(dir_ / "current", &text, &error)) return std::nullopt;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return ParseVersionName(text);
}

fs::path LocalStackStore::VersionDir(int version) const { return dir_ / VersionName(version); }

nlohmann::json LocalStackStore::ReadVersion(int version) const {
  std::string text, error;
  if (!ReadFileText(VersionDir(version) / "version.json", &text, &error)) return nullptr;
  nlohmann::json meta = nlohmann::json::parse(text, nullptr, false);
  return meta.is_discarded() || !meta.is_object() ? nlohmann::json(nullptr) : meta;
}

StepOutcome RunLocal(const Config& config, step_api::StepContext& context) {
  LocalStackStore store(context.state_dir(), config.stack);
  if (config.action == "rollback") return Rollback(config, store, context);
  if (config.action == "diff") return Diff(config, store, context);
  return Deploy(config, store, context);
}

std::vector<std::string> PreviewLocal(const Config& config) {
  std::vector<std::string> details;
  std::string where = "<state-dir>/stacks/" + config.stack + "/";
  if (config.action == "rollback") {
    details.push_back("switch " + where + "current to " +
                      (config.target_version.empty() ? std::string("the previous version")
                                                     : config.target_version));
  } else if (config.action == "diff") {
    details.push_back("compare template and parameters with the live version in " + where);
  } else {
    details.push_back("record the next version (v<N+1>) in " + where + " and make it current");
    if (!config.template_path.empty()) details.push_back("template: " + config.template_path);
  }
  for (const auto& [name, value] : config.parameters) {
    details.push_back("parameter " + name + "=" + value);
  }
  if (!config.start.empty() && config.action != "diff") {
    details.push_back("restart the app: " + config.start +
                      (config.port > 0 ? " on http://127.0.0.1:" + std::to_string(config.port) +
                                             " (health " + config.health_path + ")"
                                       : std::string()));
  }
  return details;
}

}  // namespace slipway::stdlib::stack_deploy
