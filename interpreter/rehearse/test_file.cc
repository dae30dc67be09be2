#include "interpreter/rehearse/test_file.h"

#include <fmt/format.h>
#include <fnmatch.h>

#include <re2/re2.h>

#include <filesystem>
#include <set>

#include "interpreter/model/load_workflow.h"
#include "interpreter/validate/schema_pass.h"
#include "interpreter/yaml/loader.h"
#include "schemas/embedded.h"

namespace slipway::rehearse {
namespace {

namespace fs = std::filesystem;
using yaml::Node;

/// YAML 1.2 core-schema value of a node as JSON (the schema pass has already checked shapes).
nlohmann::json ToJson(const Node& node) {
  switch (node.kind) {
    case yaml::NodeKind::kNull:
      return nullptr;
    case yaml::NodeKind::kSequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const Node& item : node.items) out.push_back(ToJson(item));
      return out;
    }
    case yaml::NodeKind::kMapping: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [key, value] : node.entries) out[key.value] = ToJson(value);
      return out;
    }
    case yaml::NodeKind::kScalar:
      break;
  }
  bool flag = false;
  double number = 0;
  if (yaml::IsNullScalar(node)) return nullptr;
  if (yaml::IsBoolScalar(node, &flag)) return flag;
  if (yaml::IsNumberScalar(node, &number)) {
    if (number == static_cast<double>(static_cast<int64_t>(number)) &&
        node.value.find_first_of(".eE") == std::string::npos) {
      return static_cast<int64_t>(number);
    }
    return number;
  }
  return node.value;
}

/// A scalar as the text a workflow would see (inputs, vars, outputs reach steps as strings).
std::string Text(const Node& node) {
  nlohmann::json value = ToJson(node);
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

class Builder {
 public:
  Builder(FileId file, Diagnostics& diagnostics) : file_(file), diagnostics_(diagnostics) {}

  void Error(const Node& at, std::string message) {
    diagnostics_.Error("test-file", at.where, std::move(message));
  }

  Duration DurationOf(const Node& node) {
    std::optional<Duration> parsed = ParseDuration(Text(node));
    if (!parsed) {
      Error(node, fmt::format("\"{}\" is not a duration (e.g. 90s, 5m, 48h)", node.value));
      return Duration{0};
    }
    return *parsed;
  }

  Strings Map(const Node* node) {
    Strings out;
    if (!node) return out;
    for (const auto& [key, value] : node->entries) out[key.value] = Text(value);
    return out;
  }

  std::string Str(const Node& node, std::string_view key, std::string fallback = "") {
    const Node* value = node.Find(key);
    return value ? Text(*value) : fallback;
  }
  std::optional<std::string> Opt(const Node& node, std::string_view key) {
    const Node* value = node.Find(key);
    if (!value) return std::nullopt;
    return Text(*value);
  }
  std::optional<int> Int(const Node& node, std::string_view key) {
    const Node* value = node.Find(key);
    if (!value) return std::nullopt;
    nlohmann::json json = ToJson(*value);
    if (!json.is_number()) return std::nullopt;
    return json.get<int>();
  }

  ArgvPattern Pattern(const Node& node) {
    ArgvPattern pattern;
    if (const Node* regex = node.Find("regex")) {
      pattern.text = regex->value;
      pattern.regex = true;
    } else {
      pattern.text = Str(node, "argv");
    }
    return pattern;
  }

  step_api::StepStatus Status(const Node& node, std::string_view key) {
    return Str(node, key, "success") == "failure" ? step_api::StepStatus::kFailure
                                                  : step_api::StepStatus::kSuccess;
  }

  void Trigger(const Node* node, rehearse::Trigger* out) {
    if (!node) return;
    if (auto v = Opt(*node, "event")) out->event = v;
    if (auto v = Opt(*node, "ref")) out->ref = v;
    if (auto v = Opt(*node, "sha")) out->sha = v;
    if (auto v = Opt(*node, "actor")) out->actor = v;
    for (auto& [k, v] : Map(node->Find("inputs"))) out->inputs[k] = v;
    for (auto& [k, v] : Map(node->Find("vars"))) out->vars[k] = v;
    for (auto& [k, v] : Map(node->Find("secrets"))) out->secrets[k] = v;
    if (const Node* payload = node->Find("payload")) out->payload = ToJson(*payload);
  }

  void Stubs(const Node* node, rehearse::Stubs* out) {
    if (!node) return;
    if (const Node* list = node->Find("commands")) {
      for (const Node& item : list->items) {
        CommandRule rule;
        rule.pattern = Pattern(item);
        rule.stdout_text = Str(item, "stdout");
        rule.stderr_text = Str(item, "stderr");
        rule.exit_code = Int(item, "exit-code").value_or(0);
        rule.files = Map(item.Find("files"));
        if (const Node* delay = item.Find("delay")) rule.delay = DurationOf(*delay);
        rule.times = Int(item, "times");
        rule.passthrough = Str(item, "passthrough") == "true";
        out->commands.push_back(std::move(rule));
      }
    }
    if (const Node* list = node->Find("passthrough")) {
      for (const Node& item : list->items) out->passthrough.push_back(item.value);
    }
    if (const Node* list = node->Find("actions")) {
      for (const Node& item : list->items) {
        out->actions.push_back(
            {Str(item, "uses"), Status(item, "outcome"), Map(item.Find("outputs"))});
      }
    }
    if (const Node* list = node->Find("steps")) {
      for (const Node& item : list->items) {
        out->steps.push_back({Str(item, "job"), Str(item, "step"), Status(item, "outcome"),
                              Map(item.Find("outputs"))});
      }
    }
    if (const Node* list = node->Find("jobs")) {
      for (const Node& item : list->items) {
        std::string result = Str(item, "result", "success");
        exec::JobResult value = result == "failure"     ? exec::JobResult::kFailure
                                : result == "cancelled" ? exec::JobResult::kCancelled
                                                        : exec::JobResult::kSuccess;
        out->jobs.push_back({Str(item, "job"), value, Map(item.Find("outputs"))});
      }
    }
    Stacks(node->Find("stacks"), &out->stacks);
    if (const Node* list = node->Find("http")) {
      for (const Node& item : list->items) {
        HttpRule rule;
        rule.path = Str(item, "path", "*");
        rule.host = Str(item, "host");
        rule.method = Str(item, "method");
        if (const Node* calls = item.Find("calls")) {
          for (const Node& n : calls->items) rule.calls.push_back(ToJson(n).get<int>());
        }
        if (const Node* from = item.Find("from")) rule.from = DurationOf(*from);
        if (const Node* until = item.Find("until")) rule.until = DurationOf(*until);
        rule.status = Int(item, "status").value_or(200);
        rule.body = Str(item, "body");
        if (const Node* json = item.Find("json")) {
          rule.body = ToJson(*json).dump();
          rule.headers["Content-Type"] = "application/json";
        }
        for (auto& [k, v] : Map(item.Find("headers"))) rule.headers[k] = v;
        out->http.push_back(std::move(rule));
      }
    }
  }

  void Stacks(const Node* list, std::vector<StackRule>* out) {
    if (!list) return;
    for (const Node& item : list->items) {
      StackRule rule;
      rule.name = Str(item, "name");
      rule.status = Str(item, "status", rule.status);
      rule.outputs = Map(item.Find("outputs"));
      rule.parameters = Map(item.Find("parameters"));
      rule.template_body = Str(item, "template", rule.template_body);
      rule.resources = Map(item.Find("resources"));
      rule.deploy = Str(item, "deploy", rule.deploy);
      rule.deploy_outputs = Map(item.Find("deploy-outputs"));
      rule.failure_reason = Str(item, "failure-reason", rule.failure_reason);
      out->push_back(std::move(rule));
    }
  }

  void Expect(const Node* node, Expectations* out) {
    if (!node) return;
    out->exit_code = Int(*node, "exit-code");
    if (auto result = Opt(*node, "result")) {
      static const std::pair<const char*, RunOutcome> kNames[] = {
          {"success", RunOutcome::kSuccess},
          {"failure", RunOutcome::kFailure},
          {"cancelled", RunOutcome::kCancelled},
          {"not-triggered", RunOutcome::kNotTriggered},
          {"invalid", RunOutcome::kInvalid}};
      for (const auto& [name, value] : kNames) {
        if (*result == name) out->result = value;
      }
    }
    out->error = Opt(*node, "error");
    if (const Node* jobs = node->Find("jobs")) {
      for (const auto& [key, value] : jobs->entries) {
        JobExpect job;
        if (value.is_scalar()) {
          job.result = value.value;
        } else {
          job.result = Opt(value, "result");
          job.outputs = Map(value.Find("outputs"));
          if (const Node* steps = value.Find("steps")) {
            for (const auto& [step_key, step_value] : steps->entries) {
              StepExpect step;
              if (step_value.is_scalar()) {
                step.outcome = step_value.value;
              } else {
                step.outcome = Opt(step_value, "outcome");
                step.conclusion = Opt(step_value, "conclusion");
                step.outputs = Map(step_value.Find("outputs"));
              }
              job.steps.emplace_back(step_key.value, std::move(step));
            }
          }
        }
        out->jobs.emplace_back(key.value, std::move(job));
      }
    }
    if (const Node* order = node->Find("order")) {
      for (const Node& chain : order->items) {
        std::vector<std::string> ids;
        for (const Node& id : chain.items) ids.push_back(id.value);
        out->order.push_back(std::move(ids));
      }
    }
    if (const Node* calls = node->Find("calls")) {
      for (const Node& item : calls->items) {
        CallExpect call;
        call.pattern = Pattern(item);
        call.count = Int(item, "count");
        call.min = Int(item, "min");
        call.stdin_contains = Opt(item, "stdin-contains");
        call.cwd = Opt(item, "cwd");
        if (const Node* env = item.Find("env")) {
          for (const Node& name : env->items) call.env.push_back(name.value);
        }
        out->calls.push_back(std::move(call));
      }
    }
    if (const Node* http = node->Find("http")) {
      for (const Node& item : http->items) {
        HttpExpect expect;
        expect.path = Str(item, "path");
        expect.host = Str(item, "host");
        expect.method = Str(item, "method");
        expect.count = Int(item, "count");
        expect.min = Int(item, "min");
        expect.body_contains = Opt(item, "body-contains");
        if (const Node* json = item.Find("json")) {
          for (const auto& [key, value] : json->entries) {
            expect.json.emplace_back(key.value, ToJson(value));
          }
        }
        out->http.push_back(std::move(expect));
      }
    }
    if (const Node* emails = node->Find("emails")) {
      for (const Node& item : emails->items) {
        out->emails.push_back({Opt(item, "to"), Opt(item, "subject-contains"),
                               Opt(item, "body-contains"), Int(item, "count")});
      }
    }
    if (const Node* audit = node->Find("audit")) {
      for (const Node& item : audit->items) out->audit.push_back(ToJson(item));
    }
    if (const Node* gates = node->Find("gates")) {
      for (const Node& item : gates->items) {
        out->gates.push_back(
            {Str(item, "environment"), Str(item, "job"), Str(item, "decision")});
      }
    }
    if (const Node* stacks = node->Find("stacks")) {
      for (const Node& item : stacks->items) {
        StackExpect expect{Str(item, "name"), Str(item, "status"), {}};
        if (const Node* actions = item.Find("actions")) {
          for (const Node& a : actions->items) expect.actions.push_back(a.value);
        }
        out->stacks.push_back(std::move(expect));
      }
    }
    if (const Node* console = node->Find("console")) {
      for (const Node& item : console->items) out->console.push_back(item.value);
    }
    if (const Node* logs = node->Find("logs")) {
      for (const Node& item : logs->items) {
        out->logs.push_back({Str(item, "job"), Str(item, "step"), Opt(item, "contains"),
                             Opt(item, "not-contains")});
      }
    }
  }

  /// Patterns are compiled where they are written, so a bad RE2 points at its line.
  void CheckPatterns(const Node& root);

 private:
  FileId file_;
  Diagnostics& diagnostics_;
};

// The nearest `.slipway/environments.yml` in `dir` or above it.
std::string FindEnvironments(fs::path dir) {
  std::error_code ec;
  for (int depth = 0; depth < 64 && !dir.empty(); ++depth) {
    fs::path candidate = dir / ".slipway" / "environments.yml";
    if (fs::exists(candidate, ec)) return candidate.string();
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  return "";
}

void Builder::CheckPatterns(const Node& node) {
  for (const auto& [key, value] : node.entries) {
    if (key.value == "regex" && value.is_scalar()) {
      RE2 re(value.value, RE2::Quiet);
      if (!re.ok()) Error(value, fmt::format("invalid RE2 pattern: {}", re.error()));
    }
    CheckPatterns(value);
  }
  for (const Node& item : node.items) CheckPatterns(item);
}

}  // namespace

const char* RunOutcomeName(RunOutcome outcome) {
  switch (outcome) {
    case RunOutcome::kSuccess:
      return "success";
    case RunOutcome::kFailure:
      return "failure";
    case RunOutcome::kCancelled:
      return "cancelled";
    case RunOutcome::kNotTriggered:
      return "not-triggered";
    case RunOutcome::kInvalid:
      return "invalid";
  }
  return "invalid";
}

std::optional<Duration> ParseDuration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (text.find_first_not_of("0123456789.") == std::string::npos) {
    try {
      return Duration(static_cast<int64_t>(std::stod(text) * 1000));
    } catch (...) {
      return std::nullopt;
    }
  }
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start || i >= text.size()) return std::nullopt;
    int64_t n = std::stoll(text.substr(start, i - start));
    if (text.compare(i, 2, "ms") == 0) {
      total += n;
      i += 2;
      continue;
    }
    switch (text[i]) {
      case 's':
        total += n * 1000;
        break;
      case 'm':
        total += n * 60'000;
        break;
      case 'h':
        total += n * 3'600'000;
        break;
      case 'd':
        total += n * 86'400'000;
        break;
      default:
        return std::nullopt;
    }
    ++i;
  }
  return Duration(total);
}

bool GlobMatch(std::string_view pattern, std::string_view text) {
  return fnmatch(std::string(pattern).c_str(), std::string(text).c_str(), 0) == 0;
}

std::optional<TestFile> LoadTestFile(SourceManager& sources, const std::string& path,
                                     Diagnostics& diagnostics) {
  std::string text, error;
  if (!model::ReadWholeFile(path, &text, &error)) {
    FileId file = sources.Add(path, "");
    diagnostics.Error("io", SourceRange{file, {}, 0}, "cannot read file: " + error);
    return std::nullopt;
  }
  FileId file = sources.Add(path, std::move(text));
  size_t errors_before = diagnostics.error_count();
  std::optional<Node> root = yaml::LoadYaml(sources, file, diagnostics);
  if (!root) return std::nullopt;
  validate::SchemaCheckOptions options;
  options.root_name = "test file";
  validate::CheckAgainstSchema(*root, schemas::Embedded("test"), options, diagnostics);
  if (diagnostics.error_count() > errors_before) return std::nullopt;

  Builder build(file, diagnostics);
  TestFile out;
  out.path = path;
  fs::path dir = fs::absolute(fs::path(path)).parent_path();
  out.workflow = (dir / root->Find("workflow")->value).lexically_normal().string();
  std::error_code ec;
  if (!fs::is_regular_file(out.workflow, ec)) {
    build.Error(*root->Find("workflow"),
                fmt::format("workflow \"{}\" not found", root->Find("workflow")->value));
  }
  if (const Node* environments = root->Find("environments")) {
    out.environments = (dir / environments->value).lexically_normal().string();
    if (!fs::is_regular_file(out.environments, ec)) {
      build.Error(*environments,
                  fmt::format("environments file \"{}\" not found", environments->value));
    }
  } else {
    out.environments = FindEnvironments(fs::path(out.workflow).parent_path());
  }
  rehearse::Trigger shared_trigger;
  build.Trigger(root->Find("trigger"), &shared_trigger);
  rehearse::Stubs shared_stubs;
  build.Stubs(root->Find("stubs"), &shared_stubs);
  Strings shared_files = build.Map(root->Find("files"));

  std::set<std::string> names;
  for (const Node& item : root->Find("scenarios")->items) {
    Scenario scenario;
    scenario.name = item.Find("name")->value;
    scenario.where = item.where.begin;
    if (!names.insert(scenario.name).second) {
      build.Error(*item.Find("name"),
                  fmt::format("scenario \"{}\" is defined twice", scenario.name));
    }
    scenario.description = build.Str(item, "description");
    scenario.trigger = shared_trigger;
    build.Trigger(item.Find("trigger"), &scenario.trigger);
    scenario.files = shared_files;
    if (const Node* files = item.Find("files")) {
      // null takes a shared file away (a prerequisite missing from the checkout).
      for (const auto& [key, value] : files->entries) {
        if (yaml::IsNullScalar(value)) {
          scenario.files.erase(key.value);
        } else {
          scenario.files[key.value] = Text(value);
        }
      }
    }
    if (const Node* approvals = item.Find("approvals")) {
      for (const Node& a : approvals->items) {
        ScriptedApproval approval;
        approval.environment = build.Str(a, "environment");
        approval.by = build.Str(a, "by");
        if (const Node* at = a.Find("at")) approval.at = build.DurationOf(*at);
        approval.decision = build.Str(a, "decision", "approve") == "reject"
                                ? ApprovalDecision::kReject
                                : ApprovalDecision::kApprove;
        approval.comment = build.Str(a, "comment");
        approval.where = a.where.begin;
        scenario.approvals.push_back(std::move(approval));
      }
    }
    build.Stubs(item.Find("stubs"), &scenario.stubs);
    auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
    append(scenario.stubs.commands, shared_stubs.commands);
    append(scenario.stubs.passthrough, shared_stubs.passthrough);
    append(scenario.stubs.actions, shared_stubs.actions);
    append(scenario.stubs.steps, shared_stubs.steps);
    append(scenario.stubs.jobs, shared_stubs.jobs);
    append(scenario.stubs.http, shared_stubs.http);
    append(scenario.stubs.stacks, shared_stubs.stacks);
    build.Expect(item.Find("expect"), &scenario.expect);
    out.scenarios.push_back(std::move(scenario));
  }
  build.CheckPatterns(*root);
  if (diagnostics.error_count() > errors_before) return std::nullopt;
  return out;
}

}  // namespace slipway::rehearse
