#include "stdlib/stack_deploy/local_stack.h"

#include <algorithm>
#include <fstream>

#include "interpreter/base/json_nesting.h"
#include "stdlib/files.h"
#include "stdlib/input_reader.h"
#include "stdlib/stack_deploy/local_stack_app.h"
#include "stdlib/stack_deploy/local_stack_lb.h"
#include "stdlib/stack_deploy/local_stack_origin.h"
#include "stdlib/stack_deploy/local_stack_params.h"
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
  return value > 0 ? std::optional<int>(value) : std::optional<int>();
}

// A version's life: written as deploying, deployed only once its health check passed.
constexpr char kDeploying[] = "deploying";
constexpr char kDeployed[] = "deployed";
constexpr char kFailed[] = "failed";
constexpr char kInterrupted[] = "interrupted";

// Writes version.json as it may be stored: masked, with what a restart would miss (see
// MaskVersionRecord).
bool WriteVersion(const fs::path& dir, const nlohmann::json& meta,
                  const step_api::StepContext& context, std::string* error) {
  return WriteFileAtomic(dir / "version.json", MaskVersionRecord(meta, context).dump(2) + "\n",
                         error);
}

bool AppendHistory(const fs::path& stack_dir, const nlohmann::json& event, std::string* error) {
  std::ofstream out(stack_dir / "history.jsonl", std::ios::app);
  out << event.dump() << "\n";
  out.flush();
  if (!out) *error = "cannot append to " + (stack_dir / "history.jsonl").string();
  return static_cast<bool>(out);
}

LocalBalancer BalancerFor(const LocalStackStore& store, const nlohmann::json& meta) {
  return LocalBalancer(store.dir(), meta.value("port", 0), meta.value("blue_port", 0),
                       meta.value("green_port", 0));
}

// Starts a recorded version (single mode: the stack's one app; blue/green: in its slot) with
// `parameters`, and waits for its health check. "" or why not.
std::string StartVersion(const LocalStackStore& store, const nlohmann::json& meta,
                         const std::map<std::string, std::string>& parameters,
                         step_api::StepContext& context) {
  std::string marker = AppMarker(store.dir());
  std::map<std::string, std::string> env = parameters;
  env[marker.substr(0, marker.find('='))] = marker.substr(marker.find('=') + 1);
  env["STACK_NAME"] = meta.value("stack", "");
  env["STACK_VERSION"] = meta.value("version", "");
  fs::path pid_file = store.dir() / "app.pid";
  fs::path log_file = store.dir() / "app.log";
  int port = meta.value("port", 0);
  std::string slot = meta.value("slot", "");
  if (!slot.empty()) {
    LocalBalancer balancer = BalancerFor(store, meta);
    pid_file = balancer.SlotPidFile(slot);
    log_file = balancer.SlotLogFile(slot);
    port = balancer.SlotPort(slot);
    StopProcess(pid_file, marker, context);
    if (!PortFree(port)) {
      return "port " + std::to_string(port) + " of slot " + slot +
             " is in use by a process this stack did not start";
    }
  }
  if (port > 0) env["PORT"] = std::to_string(port);
  int pid = 0;
  std::string start = meta.value("start", "");
  std::string error = StartDetached(start, env, pid_file, log_file, context, &pid);
  if (!error.empty()) return error;
  context.Log("started " + meta.value("version", "") + (slot.empty() ? "" : " in slot " + slot) +
              " (pid " + std::to_string(pid) + "): " + start);
  if (port <= 0) return "";
  std::string url = "http://127.0.0.1:" + std::to_string(port) + meta.value("health_path", "/");
  error = WaitHealthy(url, pid, std::chrono::milliseconds(meta.value("start_timeout_ms", 30'000)),
                      log_file, context);
  if (!error.empty()) {
    StopProcess(pid_file, marker, context);
    return "the app " + error;
  }
  context.Log("health check passed at " + url);
  return "";
}

// Is the recorded version's process still serving in its slot (blue/green)?
bool SlotServes(const LocalStackStore& store, const nlohmann::json& meta) {
  std::string slot = meta.value("slot", "");
  if (slot.empty()) return false;
  LocalBalancer balancer = BalancerFor(store, meta);
  std::string text, error;
  if (!ReadFileText(store.dir() / (slot + ".version"), &text, &error)) return false;
  return text == meta.value("version", "") + "\n" &&
         RunningPid(balancer.SlotPidFile(slot), AppMarker(store.dir())) != 0;
}

// Versions a killed run left half-deployed are never rollback targets: mark them, stop what
// they started unless it serves the live version, and say so.
void Reconcile(const LocalStackStore& store, step_api::StepContext& context) {
  std::optional<int> current = store.Current();
  for (int v : store.Versions()) {
    nlohmann::json meta = store.ReadVersion(v);
    if (meta.value("status", "") != kDeploying) continue;
    context.Log("stack " + meta.value("stack", "") + ": " + VersionName(v) +
                " was being deployed when its run stopped; marking it interrupted");
    meta["status"] = kInterrupted;
    std::string error;
    if (!WriteVersion(store.VersionDir(v), meta, context, &error)) {
      context.Log("warning: " + error);
    }
    std::string slot = meta.value("slot", "");
    nlohmann::json live = current ? store.ReadVersion(*current) : nlohmann::json(nullptr);
    bool slot_is_live = !slot.empty() && live.is_object() && live.value("slot", "") == slot;
    if (!slot.empty() && !slot_is_live) {
      StopProcess(BalancerFor(store, meta).SlotPidFile(slot), AppMarker(store.dir()), context);
    }
  }
  if (current) {
    nlohmann::json live = store.ReadVersion(*current);
    if (live.is_object() && !live.value("slot", "").empty() && !SlotServes(store, live)) {
      context.Log("warning: the live version " + VersionName(*current) +
                  " is not running in its slot " + live.value("slot", ""));
    }
  }
}

StepOutcome OutcomeFor(const LocalStackStore& store, const nlohmann::json& meta,
                       const std::map<std::string, std::string>& outputs,
                       std::optional<int> previous) {
  StepOutcome outcome;
  for (const auto& [name, value] : outputs) outcome.outputs[name] = value;
  outcome.outputs["version"] = meta.value("version", "");
  outcome.outputs["previous-version"] = previous ? VersionName(*previous) : "";
  outcome.outputs["stack-dir"] = store.dir().string();
  int port = meta.value("port", 0);
  if (port > 0 && !outcome.outputs.count("url")) {
    outcome.outputs["url"] = "http://127.0.0.1:" + std::to_string(port);
  }
  std::string slot = meta.value("slot", "");
  if (!slot.empty()) {
    LocalBalancer balancer = BalancerFor(store, meta);
    outcome.outputs["slot"] = slot;
    outcome.outputs["version-url"] = "http://127.0.0.1:" + std::to_string(balancer.SlotPort(slot));
    outcome.outputs["haproxy-socket"] = balancer.socket().string();
    outcome.outputs["haproxy-backend"] = LocalBalancer::kBackend;
    outcome.outputs["server"] = slot;
    outcome.outputs["previous-server"] = previous ? LocalBalancer::Other(slot) : "";
  }
  return outcome;
}

std::map<std::string, std::string> RecordedOutputs(const nlohmann::json& meta) {
  std::map<std::string, std::string> out;
  if (meta.contains("outputs") && meta["outputs"].is_object()) {
    for (const auto& [name, value] : meta["outputs"].items()) out[name] = ScalarText(value);
  }
  return out;
}

// Parameters and template digest of what a deploy would record, for deploy and diff.
bool Describe(const Config& config, step_api::StepContext& context, nlohmann::json* facts,
              std::string* template_text, std::string* error) {
  (*facts)["parameters"] = RecordParameters(config.parameters, config.parameters_written);
  if (!config.template_path.empty()) {
    fs::path path(config.template_path);
    if (path.is_relative()) path = fs::path(context.workspace()) / path;
    if (!ReadFileText(path, template_text, error)) return false;
    (*facts)["template"] = config.template_path;
    (*facts)["template_sha256"] = Sha256Hex(*template_text);
  }
  return true;
}


// Writes "<slot>.version" so a later run can tell which version a slot's process serves.
bool RecordSlot(const LocalStackStore& store, const std::string& slot, const std::string& version,
                std::string* error) {
  return WriteFileAtomic(store.dir() / (slot + ".version"), version + "\n", error);
}

StepOutcome Deploy(const Config& config, const LocalStackStore& store,
                   step_api::StepContext& context) {
  Reconcile(store, context);
  nlohmann::json facts;
  std::string template_text, error;
  if (!Describe(config, context, &facts, &template_text, &error)) return Fail(error);
  std::vector<int> versions = store.Versions();
  int number = versions.empty() ? 1 : versions.back() + 1;
  std::optional<int> previous = store.Current();
  nlohmann::json previous_meta = previous ? store.ReadVersion(*previous) : nlohmann::json(nullptr);
  std::string version = VersionName(number);
  fs::path dir = store.VersionDir(number);
  std::map<std::string, std::string> fill = {{"version", version},
                                             {"stack", config.stack},
                                             {"port", std::to_string(config.port)}};
  std::map<std::string, std::string> outputs;
  for (const auto& [name, value] : config.outputs) outputs[name] = FillPlaceholders(value, fill);
  nlohmann::json meta = {{"stack", config.stack},
                         {"version", version},
                         {"number", number},
                         {"created_at", FormatUtc(context.NowMs())},
                         {"previous", previous ? VersionName(*previous) : ""},
                         {"parameters", facts["parameters"]},
                         {"outputs", RecordOutputs(outputs, config.outputs_written)},
                         {"deployed_by", DeployedBy(context.origin())},
                         {"status", kDeploying}};
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
  // Blue/green: the new version goes to the slot the live one does not use.
  bool previous_in_slot = previous_meta.is_object() && !previous_meta.value("slot", "").empty() &&
                          SlotServes(store, previous_meta);
  if (config.blue_green) {
    meta["blue_port"] = config.slot_ports[0];
    meta["green_port"] = config.slot_ports[1];
    meta["slot"] = previous_in_slot ? LocalBalancer::Other(previous_meta.value("slot", "")) : "blue";
  }
  // What is stored passes the run's masker: a secret that came through env or a step output
  // (not written as `${{ secrets.NAME }}`) is stored as "***" (DESIGN: no secret in the state).
  nlohmann::json stored = MaskVersionRecord(meta, context);
  bool written =
      WriteFileAtomic(dir / "parameters.json", stored["parameters"].dump(2) + "\n", &error) &&
      WriteFileAtomic(dir / "outputs.json", stored["outputs"].dump(2) + "\n", &error);
  if (written && facts.contains("template")) {
    written = WriteFileAtomic(dir / ("template" + fs::path(config.template_path).extension().string()),
                              context.Mask(template_text), &error);
  }
  if (written) written = WriteVersion(dir, meta, context, &error);
  if (!written) return Fail("could not write stack version: " + error);
  context.Log("stack " + config.stack + ": writing " + version + " in " + dir.string());

  auto failed = [&](const std::string& why) {
    meta["status"] = kFailed;
    std::string write_error;
    std::string message = "stack " + config.stack + ": deploy of " + version + " failed: " + why;
    if (!WriteVersion(dir, meta, context, &write_error)) message += " (and " + write_error + ")";
    return Fail(message);
  };
  if (!config.start.empty()) {
    std::string marker = AppMarker(store.dir());
    if (config.blue_green) {
      LocalBalancer balancer = BalancerFor(store, meta);
      if (previous_meta.is_object() && previous_meta.value("slot", "").empty()) {
        StopProcess(store.dir() / "app.pid", marker, context);  // switching to blue/green
      }
      std::string lb_error = balancer.Ensure(context);
      if (!lb_error.empty()) return failed(lb_error);
      std::string start_error = StartVersion(store, meta, config.parameters, context);
      if (!start_error.empty()) return failed(start_error);
      if (!RecordSlot(store, meta["slot"], version, &error)) return failed(error);
      if (!previous_in_slot) {
        // Nothing else serves: the first version takes all traffic at once.
        std::string live_error = balancer.SetLive(meta["slot"]);
        if (!live_error.empty()) return failed(live_error);
        context.Log("slot " + meta.value("slot", "") + " takes all traffic (nothing else serves)");
      } else {
        context.Log(version + " runs in slot " + meta.value("slot", "") + " with 0% of traffic; " +
                    VersionName(*previous) + " keeps serving until the traffic shifts");
      }
    } else {
      StopProcess(store.dir() / "app.pid", marker, context);
      std::string start_error = StartVersion(store, meta, config.parameters, context);
      if (!start_error.empty()) {
        // Put the previous version's app back, so a failed deploy leaves things as they were.
        if (previous_meta.is_object() && previous_meta.contains("start")) {
          std::map<std::string, std::string> parameters;
          std::string restore_error = RestoreRefusal(
              previous_meta, ActingEnvironment(previous_meta, context.origin()), context);
          if (restore_error.empty()) restore_error = UnrecordedProblem(previous_meta);
          if (restore_error.empty()) {
            restore_error =
                RestoreParameters(previous_meta.value("parameters", nlohmann::json::object()),
                                  context, &parameters);
          }
          if (restore_error.empty()) {
            restore_error = StartVersion(store, previous_meta, parameters, context);
          }
          if (!restore_error.empty()) {
            context.Log("could not restart " + VersionName(*previous) + ": " + restore_error);
          }
        }
        return failed(start_error);
      }
    }
  }
  meta["status"] = kDeployed;
  if (!WriteVersion(dir, meta, context, &error)) {
    return Fail("could not write stack version: " + error);
  }
  if (!WriteFileAtomic(store.dir() / "current", version + "\n", &error)) {
    return Fail("could not update the current version: " + error);
  }
  if (!AppendHistory(store.dir(),
                     {{"event", "deploy"},
                      {"version", version},
                      {"previous", meta["previous"]},
                      {"at", meta["created_at"]},
                      {"by", meta["deployed_by"]}},
                     &error)) {
    return Fail(error);
  }
  context.Log("stack " + config.stack + ": " + version + " is deployed" +
              (previous ? " (was " + VersionName(*previous) + ")" : ""));
  StepOutcome outcome = OutcomeFor(store, meta, outputs, previous);
  if (config.blue_green && !previous_in_slot) outcome.outputs["previous-server"] = "";
  outcome.outputs["action"] = "deploy";
  return outcome;
}

// The version a rollback acting for `environment` returns to: `target-version`, else the newest
// deployed version before the live one that it may restore (RestoreRefusal), never a failed or
// interrupted deploy. 0 with `error` when there is none.
int RollbackTarget(const Config& config, const LocalStackStore& store, int current,
                   const std::string& environment, step_api::StepContext& context,
                   std::string* error) {
  if (!config.target_version.empty()) {
    std::optional<int> parsed = ParseVersionName(config.target_version);
    nlohmann::json meta = parsed ? store.ReadVersion(*parsed) : nlohmann::json(nullptr);
    if (meta.is_null()) {
      *error = "stack " + config.stack + " has no version \"" + config.target_version + "\"";
      return 0;
    }
    if (meta.value("status", "") != kDeployed) {
      *error = "stack " + config.stack + ": " + config.target_version +
               " was never deployed successfully";
      return 0;
    }
    std::string refusal = RestoreRefusal(meta, environment, context);
    if (!refusal.empty()) {
      *error = "stack " + config.stack + ": rollback to " + config.target_version +
               " refused: " + refusal;
      return 0;
    }
    return *parsed;
  }
  std::vector<int> versions = store.Versions();
  std::vector<std::pair<int, std::string>> passed_over;  // versions it may not restore, and why
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    if (*it >= current) continue;
    nlohmann::json meta = store.ReadVersion(*it);  // null when unreadable: never a target
    if (!meta.is_object() || meta.value("status", "") != kDeployed) continue;
    std::string refusal = RestoreRefusal(meta, environment, context);
    if (refusal.empty()) {
      for (const auto& [version, why] : passed_over) {
        context.Log("stack " + config.stack + ": passing over " + VersionName(version) + ": " +
                    why);
      }
      return *it;
    }
    passed_over.emplace_back(*it, refusal);
  }
  std::string reasons;
  for (const auto& [version, why] : passed_over) {
    reasons += (reasons.empty() ? "" : "; ") + why;
  }
  *error = "stack " + config.stack + " has no version before " + VersionName(current) +
           " to roll back to" + (reasons.empty() ? "" : " that this job may restore: " + reasons);
  return 0;
}

StepOutcome Rollback(const Config& config, const LocalStackStore& store,
                     step_api::StepContext& context) {
  Reconcile(store, context);
  std::optional<int> current = store.Current();
  if (config.from_version && *config.from_version == "") {
    context.Log("stack " + config.stack +
                ": this run deployed no version (from-version is empty); nothing to roll back");
    return {StepStatus::kSuccess, 0, "", {{"action", "none"}}};
  }
  if (!current) return Fail("stack " + config.stack + " has no deployed version to roll back");
  if (config.from_version && *config.from_version != VersionName(*current)) {
    context.Log("stack " + config.stack + ": " + *config.from_version +
                " (from-version) is not live; " + VersionName(*current) +
                " is, and was not deployed by this run; nothing to roll back");
    return {StepStatus::kSuccess, 0, "", {{"action", "none"}, {"version", VersionName(*current)}}};
  }
  nlohmann::json from = store.ReadVersion(*current);
  std::string environment = ActingEnvironment(from, context.origin());
  std::string error = TakeDownRefusal(from, environment);
  if (!error.empty()) return Fail("stack " + config.stack + ": rollback refused: " + error);
  int target = RollbackTarget(config, store, *current, environment, context, &error);
  if (target == 0) return Fail(error);
  nlohmann::json meta = store.ReadVersion(target);
  auto fail = [&](const std::string& why) {
    return Fail("stack " + config.stack + ": rollback to " + VersionName(target) + " failed: " + why);
  };
  std::string marker = AppMarker(store.dir());
  if (meta.contains("start")) {
    // The target's parameters from its record; needed only where it must be started again.
    std::map<std::string, std::string> parameters;
    auto restore = [&]() -> std::string {
      std::string why = UnrecordedProblem(meta);
      return why.empty() ? RestoreParameters(meta.value("parameters", nlohmann::json::object()),
                                             context, &parameters)
                         : why;
    };
    std::string slot = meta.value("slot", "");
    if (!slot.empty()) {
      LocalBalancer balancer = BalancerFor(store, meta);
      error = balancer.Ensure(context);
      if (!error.empty()) return fail(error);
      if (SlotServes(store, meta)) {
        context.Log(VersionName(target) + " still runs in slot " + slot + "; switching back");
      } else {
        error = restore();
        if (error.empty()) error = StartVersion(store, meta, parameters, context);
        if (!error.empty()) return fail(error);
        if (!RecordSlot(store, slot, meta.value("version", ""), &error)) return fail(error);
      }
      error = balancer.SetLive(slot);
      if (!error.empty()) return fail(error);
      std::string from_slot = from.is_object() ? from.value("slot", "") : "";
      if (!from_slot.empty() && from_slot != slot) {
        StopProcess(balancer.SlotPidFile(from_slot), marker, context);
      }
      context.Log("slot " + slot + " (" + VersionName(target) + ") takes all traffic again");
    } else {
      error = restore();  // before stopping what serves
      if (!error.empty()) return fail(error);
      StopProcess(store.dir() / "app.pid", marker, context);
      error = StartVersion(store, meta, parameters, context);
      if (!error.empty()) return fail(error);
    }
  } else if (from.is_object() && from.contains("start")) {
    StopProcess(store.dir() / "app.pid", marker, context);
  }
  if (!WriteFileAtomic(store.dir() / "current", VersionName(target) + "\n", &error)) {
    return Fail("could not update the current version: " + error);
  }
  if (!AppendHistory(store.dir(),
                     {{"event", "rollback"},
                      {"version", VersionName(target)},
                      {"from", VersionName(*current)},
                      {"at", FormatUtc(context.NowMs())},
                      {"by", DeployedBy(context.origin())}},
                     &error)) {
    return Fail(error);
  }
  context.Log("stack " + config.stack + ": rolled back from " + VersionName(*current) + " to " +
              VersionName(target));
  StepOutcome outcome = OutcomeFor(store, meta, RecordedOutputs(meta), current);
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
  // The live record is masked; compare like with like (a changed secret value is not seen).
  facts["parameters"] = step_api::MaskJson(facts["parameters"], context);
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
  if (!JsonNestingError(text).empty()) return nullptr;
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
    std::string target = config.target_version.empty()
                             ? std::string("the previous version its environment deployed")
                             : config.target_version;
    details.push_back("switch " + where + "current to " + target +
                      (config.from_version ? " if " + (config.from_version->empty()
                                                           ? std::string("this run deployed one")
                                                           : *config.from_version + " is live")
                                           : std::string()));
  } else if (config.action == "diff") {
    details.push_back("compare template and parameters with the live version in " + where);
  } else {
    details.push_back("record the next version (v<N+1>) in " + where +
                      " and make it current once it is healthy");
    if (!config.template_path.empty()) details.push_back("template: " + config.template_path);
  }
  nlohmann::json recorded = RecordParameters(config.parameters, config.parameters_written);
  for (const auto& [name, value] : config.parameters) {
    details.push_back("parameter " + name + "=" + ScalarText(recorded.value(name, value)));
  }
  if (!config.start.empty() && config.action != "diff") {
    if (config.blue_green) {
      details.push_back("blue/green behind HAProxy on http://127.0.0.1:" +
                        std::to_string(config.port) + ": start the app in the idle slot (ports " +
                        std::to_string(config.slot_ports[0]) + "/" +
                        std::to_string(config.slot_ports[1]) + ", health " + config.health_path +
                        ") with 0% of traffic while another version serves");
    } else {
      details.push_back("restart the app: " + config.start +
                        (config.port > 0 ? " on http://127.0.0.1:" + std::to_string(config.port) +
                                               " (health " + config.health_path + ")"
                                         : std::string()));
    }
  }
  return details;
}

}  // namespace slipway::stdlib::stack_deploy
