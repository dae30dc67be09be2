#include "stdlib/stack_deploy/cloudformation.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "interpreter/base/json_nesting.h"
#include "stdlib/aws_query.h"
#include "stdlib/files.h"
#include "stdlib/input_reader.h"
#include "stdlib/stack_deploy/cloudformation_request.h"
#include "stdlib/text_util.h"

namespace slipway::stdlib::stack_deploy {
namespace {

namespace fs = std::filesystem;
using aws::QueryParams;
using aws::QueryResponse;
using aws::XmlElement;
using step_api::StepOutcome;
using step_api::StepStatus;

constexpr char kApiVersion[] = "2010-05-15";
constexpr std::chrono::milliseconds kChangeSetPoll{5'000};
constexpr std::chrono::milliseconds kStackPoll{10'000};
constexpr std::chrono::milliseconds kCallTimeout{30'000};
constexpr int kAttempts = 4;  // per call, for throttling / 5xx / no response

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string EnvValue(const std::map<std::string, std::string>& env, const std::string& key) {
  auto it = env.find(key);
  return it == env.end() ? "" : it->second;
}

std::string JoinKeyValues(const std::map<std::string, std::string>& values) {
  std::string out;
  for (const auto& [key, value] : values) out += (out.empty() ? "" : ", ") + key + "=" + value;
  return out;
}

std::string Join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

// One stack event.
struct StackEvent {
  std::string id, timestamp, logical_id, type, status, reason;
};

class CloudFormationRun {
 public:
  CloudFormationRun(const Config& config, const CloudFormationTarget& target,
                    step_api::StepContext& context)
      : config_(config), target_(target), context_(context) {
    endpoint_.url = target.endpoint;
    endpoint_.region = target.region;
    endpoint_.service = "cloudformation";
    endpoint_.version = kApiVersion;
    deadline_ms_ = context.NowMs() + config.timeout.count();
    outcome_.outputs["action"] = config.action;
  }

  StepOutcome Run() {
    context_.Log("CloudFormation endpoint " + target_.endpoint + " (region " + target_.region +
                 ")");
    if (config_.action == "rollback") return Rollback();
    return DeployOrDiff(std::nullopt);
  }

 private:
  // ---- calls ---------------------------------------------------------------------------

  QueryResponse Call(const std::string& action, const QueryParams& params) {
    return aws::CallQueryApiWithRetries(endpoint_, target_.credentials, action, params, context_,
                                        kAttempts, kCallTimeout, &cancelled_);
  }

  StepOutcome Fail(std::string message) {
    outcome_.status = StepStatus::kFailure;
    outcome_.exit_code = 1;
    outcome_.message = std::move(message);
    return outcome_;
  }
  StepOutcome CallFailed(const std::string& action, const QueryResponse& response) {
    if (cancelled_) return Cancelled();
    return Fail("CloudFormation " + action + " failed: " + response.Describe());
  }
  StepOutcome Cancelled() {
    outcome_.status = StepStatus::kCancelled;
    outcome_.exit_code = 1;
    outcome_.message = "cancelled";
    return outcome_;
  }
  bool TimedOut() const { return context_.NowMs() >= deadline_ms_; }

  // Fills `info`; "" on success (a missing stack is success with exists = false).
  std::string DescribeStack(StackInfo* info, QueryResponse* failed) {
    QueryResponse response = Call("DescribeStacks", {{"StackName", StackRef()}});
    *info = StackInfo{};
    if (!response.ok()) {
      if (response.error_code == "ValidationError" &&
          response.error_message.find("does not exist") != std::string::npos) {
        return "";
      }
      *failed = response;
      return "DescribeStacks";
    }
    const XmlElement* stacks = response.xml->Find("Stacks");
    const XmlElement* stack = stacks ? stacks->Child("member") : nullptr;
    if (!stack) return "";
    info->exists = true;
    info->id = stack->TextAt("StackId");
    info->status = stack->TextAt("StackStatus");
    info->reason = stack->TextAt("StackStatusReason");
    if (const XmlElement* outputs = stack->Child("Outputs")) {
      for (const XmlElement* member : outputs->Children("member")) {
        std::string key = member->TextAt("OutputKey");
        if (!key.empty()) info->outputs[key] = member->TextAt("OutputValue");
      }
    }
    if (const XmlElement* parameters = stack->Child("Parameters")) {
      for (const XmlElement* member : parameters->Children("member")) {
        info->parameters.emplace_back(member->TextAt("ParameterKey"),
                                      member->TextAt("ParameterValue"));
      }
    }
    if (const XmlElement* capabilities = stack->Child("Capabilities")) {
      for (const XmlElement* member : capabilities->Children("member")) {
        info->capabilities.push_back(member->TextAt(""));
      }
    }
    return "";
  }

  // The stack id once known (stable across a delete and re-create), else its name.
  std::string StackRef() const { return stack_id_.empty() ? config_.stack : stack_id_; }

  std::vector<StackEvent> NewEvents() {
    QueryResponse response = Call("DescribeStackEvents", {{"StackName", StackRef()}});
    std::vector<StackEvent> fresh;
    if (!response.ok()) return fresh;  // events are informative only
    const XmlElement* events = response.xml->Find("StackEvents");
    if (!events) return fresh;
    for (const XmlElement* member : events->Children("member")) {  // newest first
      StackEvent event{member->TextAt("EventId"),           member->TextAt("Timestamp"),
                       member->TextAt("LogicalResourceId"), member->TextAt("ResourceType"),
                       member->TextAt("ResourceStatus"),    member->TextAt("ResourceStatusReason")};
      if (!last_event_id_.empty() && event.id == last_event_id_) break;
      fresh.push_back(std::move(event));
    }
    if (!fresh.empty()) last_event_id_ = fresh.front().id;
    std::reverse(fresh.begin(), fresh.end());
    return fresh;
  }

  void LogEvents(const std::vector<StackEvent>& events) {
    for (const StackEvent& e : events) {
      std::string line = "  " + e.timestamp + " " + e.logical_id + " (" + e.type + ") " + e.status;
      if (!e.reason.empty()) line += ": " + e.reason;
      context_.Log(line);
      if (first_failure_.empty() && EndsWith(e.status, "_FAILED") && !e.reason.empty()) {
        first_failure_ = e.logical_id + ": " + e.reason;
      }
    }
  }

  // Waits for the stack operation to end. Returns the final info, or nullopt with the
  // outcome already set (failure / cancel / timeout).
  // `before` is the status before the operation started: CloudFormation starts operations
  // asynchronously, so an unchanged final status with no new event yet is not the end (for a
  // few polls, in case events cannot be read).
  std::optional<StackInfo> WaitForStack(bool rollback, const std::string& before) {
    bool moved = false;
    for (int stale_polls = 0;;) {
      StackInfo info;
      QueryResponse failed;
      std::string error = DescribeStack(&info, &failed);
      if (!error.empty()) {
        outcome_ = CallFailed(error, failed);
        return std::nullopt;
      }
      std::vector<StackEvent> events = NewEvents();
      moved = moved || !events.empty() || info.status != before;
      LogEvents(events);
      if (!info.exists) {
        outcome_ = Fail("stack " + config_.stack + " no longer exists");
        return std::nullopt;
      }
      outcome_.outputs["stack-status"] = info.status;
      StackPhase phase = ClassifyStackStatus(info.status, rollback);
      if (phase != StackPhase::kInProgress && !moved && ++stale_polls <= 3) {
        phase = StackPhase::kInProgress;
      }
      if (phase == StackPhase::kSucceeded) return info;
      if (phase == StackPhase::kFailed) {
        std::string why = !first_failure_.empty() ? first_failure_ : info.reason;
        outcome_ = Fail("stack " + config_.stack + " ended in " + info.status +
                        (why.empty() ? "" : ": " + why));
        return std::nullopt;
      }
      if (TimedOut()) {
        outcome_ =
            Fail("stack " + config_.stack + " is still " + info.status + " after " +
                 FormatDuration(config_.timeout) + "; the operation goes on in CloudFormation");
        return std::nullopt;
      }
      if (cancelled_ || !context_.Sleep(kStackPoll)) {
        context_.Log("cancelled while the stack is " + info.status +
                     "; the operation goes on in CloudFormation");
        outcome_ = Cancelled();
        return std::nullopt;
      }
    }
  }

  // Sets the events watermark so only events of the coming operation are logged.
  void MarkEvents() {
    last_event_id_.clear();
    std::vector<StackEvent> seen = NewEvents();
    (void)seen;
  }

  StepOutcome Succeed(const StackInfo& info) {
    outcome_.outputs["stack-status"] = info.status;
    if (!info.id.empty()) outcome_.outputs["stack-id"] = info.id;
    for (const auto& [key, value] : info.outputs) outcome_.outputs[key] = value;
    outcome_.status = StepStatus::kSuccess;
    outcome_.exit_code = 0;
    outcome_.message.clear();
    return outcome_;
  }

  // ---- deploy / diff -------------------------------------------------------------------

  // Deploys config_ (or, for a rollback, the saved previous version).
  struct Override {
    TemplateSource source;
    std::map<std::string, std::string> parameters;
    std::vector<std::string> capabilities;
  };

  StepOutcome DeployOrDiff(std::optional<Override> previous) {
    StackInfo existing;
    QueryResponse failed;
    std::string error = DescribeStack(&existing, &failed);
    if (!error.empty()) return CallFailed(error, failed);
    const std::string& status = existing.status;
    if (existing.exists && status == "ROLLBACK_COMPLETE") {
      return Fail("stack " + config_.stack +
                  " is ROLLBACK_COMPLETE (its creation failed) and cannot be updated; delete it "
                  "and deploy again");
    }
    if (existing.exists && EndsWith(status, "_IN_PROGRESS") && status != "REVIEW_IN_PROGRESS") {
      return Fail("stack " + config_.stack + " is busy (" + status +
                  "); wait for that operation to finish");
    }
    bool creating = !existing.exists || status == "REVIEW_IN_PROGRESS";

    TemplateSource source;
    std::map<std::string, std::string> parameters = config_.parameters;
    std::vector<std::string> capabilities = config_.capabilities;
    if (previous) {
      source = previous->source;
      parameters = previous->parameters;
      capabilities = previous->capabilities;
    } else {
      error = ResolveTemplate(config_, target_.region, context_.workspace(), creating, &source);
      if (!error.empty()) return Fail(error);
    }
    std::string name = "slipway-" + CompactUtc(context_.NowMs());
    context_.Log(std::string(creating ? "creating" : "updating") + " stack " + config_.stack +
                 ": change set " + name +
                 (source.use_previous   ? " (previous template)"
                  : !source.url.empty() ? " from " + source.url
                  : previous            ? " (the saved previous template)"
                                        : " from " + config_.template_path));
    QueryResponse created =
        Call("CreateChangeSet",
             ChangeSetParams(config_, name, creating, source, parameters, capabilities, existing));
    if (!created.ok()) return CallFailed("CreateChangeSet", created);
    std::string change_set = created.xml->TextAt("CreateChangeSetResult/Id");
    if (change_set.empty()) change_set = name;
    stack_id_ = created.xml->TextAt("CreateChangeSetResult/StackId");
    outcome_.outputs["change-set-id"] = change_set;

    // Wait for the change set.
    int changes = 0;
    bool no_changes = false;
    for (int round = 0;; ++round) {
      QueryParams params = {{"ChangeSetName", change_set}, {"StackName", StackRef()}};
      QueryResponse described = Call("DescribeChangeSet", params);
      if (!described.ok()) return CallFailed("DescribeChangeSet", described);
      const XmlElement* result = described.xml->Find("DescribeChangeSetResult");
      if (!result) return Fail("CloudFormation DescribeChangeSet: no DescribeChangeSetResult");
      std::string state = result->TextAt("Status");
      if (state == "CREATE_COMPLETE") {
        context_.Log("changes:");
        LogChangeSetChanges(context_, *result, &changes);
        // Further pages of changes (bounded).
        std::string token = result->TextAt("NextToken");
        for (int page = 0; !token.empty() && page < 20; ++page) {
          QueryParams more = params;
          more.emplace_back("NextToken", token);
          QueryResponse next = Call("DescribeChangeSet", more);
          if (!next.ok()) break;
          const XmlElement* next_result = next.xml->Find("DescribeChangeSetResult");
          if (!next_result) break;
          LogChangeSetChanges(context_, *next_result, &changes);
          token = next_result->TextAt("NextToken");
        }
        break;
      }
      if (state == "FAILED") {
        std::string reason = result->TextAt("StatusReason");
        if (IsNoChangeReason(reason)) {
          no_changes = true;
          break;
        }
        return Fail("change set " + name + " for stack " + config_.stack + " failed" +
                    (reason.empty() ? "" : ": " + reason));
      }
      if (TimedOut()) {
        return Fail("change set " + name + " is still " + state + " after " +
                    FormatDuration(config_.timeout));
      }
      if (cancelled_ || !context_.Sleep(kChangeSetPoll)) return Cancelled();
    }
    outcome_.outputs["changes"] = std::to_string(changes);

    if (no_changes || config_.action == "diff") {
      context_.Log(no_changes ? "no changes: stack " + config_.stack + " is up to date"
                              : std::to_string(changes) +
                                    " change(s); the change set is not "
                                    "executed (diff)");
      QueryResponse deleted =
          Call("DeleteChangeSet", {{"ChangeSetName", change_set}, {"StackName", StackRef()}});
      if (!deleted.ok()) context_.Log("warning: DeleteChangeSet: " + deleted.Describe());
      if (creating) {
        outcome_.outputs["stack-status"] = existing.exists ? status : "REVIEW_IN_PROGRESS";
        if (!existing.exists) {
          // The change set created an empty stack (REVIEW_IN_PROGRESS); a diff leaves nothing.
          QueryResponse removed = Call("DeleteStack", {{"StackName", StackRef()}});
          if (removed.ok()) {
            outcome_.outputs["stack-status"] = "DELETE_IN_PROGRESS";
            context_.Log("deleting the empty stack " + config_.stack + " the diff created");
          } else {
            context_.Log("warning: DeleteStack: " + removed.Describe());
          }
        }
        return outcome_;
      }
      return Succeed(existing);
    }

    if (!creating && !previous) SavePrevious(existing);
    MarkEvents();
    QueryResponse executed =
        Call("ExecuteChangeSet", {{"ChangeSetName", change_set}, {"StackName", StackRef()}});
    if (!executed.ok()) return CallFailed("ExecuteChangeSet", executed);
    context_.Log("executing change set " + name + "; waiting for stack " + config_.stack);
    std::optional<StackInfo> done = WaitForStack(/*rollback=*/false, existing.status);
    if (!done) return outcome_;
    context_.Log("stack " + config_.stack + " is " + done->status);
    return Succeed(*done);
  }

  // ---- rollback ------------------------------------------------------------------------

  fs::path PreviousFile() const {
    return fs::path(context_.state_dir()) / "cloudformation" / SafeName(target_.region) /
           SafeName(config_.stack) / "previous.json";
  }

  // Saves the live template and parameters so a later rollback can return to them.
  void SavePrevious(const StackInfo& existing) {
    QueryResponse got =
        Call("GetTemplate", {{"StackName", StackRef()}, {"TemplateStage", "Original"}});
    std::string body = got.ok() ? got.xml->TextAt("GetTemplateResult/TemplateBody") : "";
    if (body.empty()) {
      context_.Log("warning: could not save the current template of " + config_.stack +
                   " for rollback" + (got.ok() ? "" : ": " + got.Describe()));
      return;
    }
    nlohmann::json saved = {{"stack", config_.stack},
                            {"region", target_.region},
                            {"stack_status", existing.status},
                            {"saved_at", FormatUtc(context_.NowMs())},
                            {"template_body", body},
                            {"parameters", nlohmann::json::object()},
                            {"capabilities", existing.capabilities}};
    for (const auto& [key, value] : existing.parameters) saved["parameters"][key] = value;
    std::string error;
    if (!WriteFileAtomic(PreviousFile(), saved.dump(2) + "\n", &error)) {
      context_.Log("warning: could not save the previous template: " + error);
    } else {
      context_.Log("saved the current template and parameters to " + PreviousFile().string());
    }
  }

  StepOutcome Rollback() {
    StackInfo info;
    QueryResponse failed;
    std::string error = DescribeStack(&info, &failed);
    if (!error.empty()) return CallFailed(error, failed);
    if (!info.exists)
      return Fail("stack " + config_.stack + " does not exist; nothing to roll back");
    stack_id_ = info.id;
    const std::string& status = info.status;
    std::string action;
    if (status == "UPDATE_IN_PROGRESS") {
      action = "CancelUpdateStack";
    } else if (status == "UPDATE_ROLLBACK_FAILED") {
      action = "ContinueUpdateRollback";
    } else if (EndsWith(status, "_FAILED") && status != "DELETE_FAILED" &&
               status != "ROLLBACK_FAILED") {
      action = "RollbackStack";
    }
    if (!action.empty()) {
      context_.Log("stack " + config_.stack + " is " + status + ": " + action);
      MarkEvents();
      QueryResponse response = Call(action, {{"StackName", StackRef()}});
      if (!response.ok()) return CallFailed(action, response);
      std::optional<StackInfo> done = WaitForStack(/*rollback=*/true, status);
      if (!done) return outcome_;
      context_.Log("stack " + config_.stack + " is " + done->status);
      return Succeed(*done);
    }
    if (EndsWith(status, "_IN_PROGRESS")) {
      return Fail("stack " + config_.stack + " is busy (" + status +
                  "); wait for that operation to finish");
    }
    if (!EndsWith(status, "_COMPLETE") || status == "ROLLBACK_COMPLETE" ||
        status == "DELETE_COMPLETE") {
      return Fail("stack " + config_.stack + " is " + status + "; it cannot be rolled back");
    }
    std::string text;
    if (!ReadFileText(PreviousFile(), &text, &error)) {
      return Fail("stack " + config_.stack + " is " + status +
                  " and no previous template was saved (stack-deploy saves it in " +
                  PreviousFile().string() +
                  " before it updates the stack); nothing to roll "
                  "back to");
    }
    nlohmann::json saved = JsonNestingError(text).empty()
                               ? nlohmann::json::parse(text, nullptr, false)
                               : nlohmann::json(nlohmann::json::value_t::discarded);
    if (!saved.is_object() || !saved.contains("template_body") ||
        !saved["template_body"].is_string()) {
      return Fail("cannot read " + PreviousFile().string() + ": not a saved template");
    }
    Override previous;
    previous.source.body = saved["template_body"].get<std::string>();
    if (saved.contains("parameters") && saved["parameters"].is_object()) {
      for (const auto& [key, value] : saved["parameters"].items()) {
        // NoEcho parameters come back masked; keep their live value instead.
        if (value.is_string() && value.get<std::string>() != "****") {
          previous.parameters[key] = value.get<std::string>();
        }
      }
    }
    // The saved template declared exactly the parameters saved with it.
    previous.source.parsed = {{"Parameters", nlohmann::json::object()}};
    if (saved.contains("parameters") && saved["parameters"].is_object()) {
      for (const auto& [key, value] : saved["parameters"].items()) {
        previous.source.parsed["Parameters"][key] = nlohmann::json::object();
      }
    }
    if (saved.contains("capabilities") && saved["capabilities"].is_array()) {
      for (const auto& c : saved["capabilities"]) {
        if (c.is_string()) previous.capabilities.push_back(c.get<std::string>());
      }
    }
    for (const std::string& c : config_.capabilities) {
      if (std::find(previous.capabilities.begin(), previous.capabilities.end(), c) ==
          previous.capabilities.end()) {
        previous.capabilities.push_back(c);
      }
    }
    context_.Log("stack " + config_.stack + " is " + status + ": redeploying the template saved " +
                 saved.value("saved_at", std::string("earlier")));
    return DeployOrDiff(std::move(previous));
  }

  const Config& config_;
  const CloudFormationTarget& target_;
  step_api::StepContext& context_;
  aws::QueryEndpoint endpoint_;
  int64_t deadline_ms_ = 0;
  std::string stack_id_;
  std::string last_event_id_;
  std::string first_failure_;
  bool cancelled_ = false;
  StepOutcome outcome_;
};

}  // namespace

StackPhase ClassifyStackStatus(std::string_view status, bool rollback) {
  if (EndsWith(status, "_IN_PROGRESS")) return StackPhase::kInProgress;
  if (EndsWith(status, "_FAILED") || status == "DELETE_COMPLETE" || status.empty()) {
    return StackPhase::kFailed;
  }
  bool rolled_back = status.find("ROLLBACK") != std::string_view::npos;
  if (EndsWith(status, "_COMPLETE")) {
    return rolled_back == rollback ? StackPhase::kSucceeded : StackPhase::kFailed;
  }
  return StackPhase::kFailed;
}

bool IsNoChangeReason(std::string_view reason) {
  return reason.find("didn't contain changes") != std::string_view::npos ||
         reason.find("No updates are to be performed") != std::string_view::npos;
}

std::string ResolveCloudFormationTarget(const Config& config,
                                        const std::map<std::string, std::string>& env,
                                        CloudFormationTarget* target) {
  aws::ServiceTarget resolved;
  std::string error = aws::ResolveServiceTarget("cloudformation", "tool cloudformation",
                                                config.region, config.endpoint, env, &resolved);
  if (!error.empty()) return error;
  target->endpoint = resolved.endpoint;
  target->region = resolved.region;
  target->credentials = resolved.credentials;
  return "";
}

StepOutcome RunCloudFormation(const Config& config, const std::map<std::string, std::string>& env,
                              step_api::StepContext& context) {
  CloudFormationTarget target;
  std::string error = ResolveCloudFormationTarget(config, env, &target);
  if (!error.empty()) return {StepStatus::kFailure, 1, error, {{"action", config.action}}};
  context.AddMask(target.credentials.secret_access_key);
  if (!target.credentials.session_token.empty()) context.AddMask(target.credentials.session_token);
  return CloudFormationRun(config, target, context).Run();
}

std::vector<std::string> PreviewCloudFormation(const Config& config,
                                               const std::map<std::string, std::string>& env) {
  std::vector<std::string> details;
  std::string endpoint = config.endpoint;
  if (endpoint.empty()) endpoint = EnvValue(env, "AWS_ENDPOINT_URL_CLOUDFORMATION");
  if (endpoint.empty()) endpoint = EnvValue(env, "AWS_ENDPOINT_URL");
  std::string region = config.region;
  if (region.empty()) region = EnvValue(env, "AWS_REGION");
  if (region.empty()) region = EnvValue(env, "AWS_DEFAULT_REGION");
  std::string where = !endpoint.empty() ? endpoint
                      : !region.empty()
                          ? "https://cloudformation." + region + "." + CloudFormationDomain(region)
                          : "https://cloudformation.<region>.amazonaws.com";
  details.push_back("api: " + where + " (region " +
                    (region.empty() ? std::string("from AWS_REGION at run time") : region) +
                    ", SigV4 with AWS_ACCESS_KEY_ID from the step's environment)");
  std::string wait = "wait up to " + FormatDuration(config.timeout);
  if (config.action == "rollback") {
    details.push_back(
        "rollback: RollbackStack (failed stack), ContinueUpdateRollback "
        "(UPDATE_ROLLBACK_FAILED), CancelUpdateStack (update in progress), else a "
        "change set back to <state-dir>/cloudformation/" +
        (region.empty() ? std::string("<region>") : SafeName(region)) + "/" +
        SafeName(config.stack) + "/previous.json; " + wait);
    return details;
  }
  std::string from = config.template_path.empty()          ? std::string("the previous template")
                     : IsTemplateUrl(config.template_path) ? "TemplateURL " + config.template_path
                                                           : config.template_path;
  details.push_back("change set: CreateChangeSet for stack " + config.stack +
                    " (CREATE if it does not exist, else UPDATE) from " + from);
  if (!config.parameters.empty()) {
    details.push_back("  parameters: " + JoinKeyValues(config.parameters));
  }
  if (!config.capabilities.empty()) {
    details.push_back("  capabilities: " + Join(config.capabilities, " "));
  }
  if (!config.tags.empty()) details.push_back("  tags: " + JoinKeyValues(config.tags));
  if (config.action == "diff") {
    details.push_back("list the change set's changes, then DeleteChangeSet (nothing is executed)");
    return details;
  }
  details.push_back("no changes: success; else ExecuteChangeSet and " + wait +
                    " for *_COMPLETE, logging stack events");
  details.push_back("outputs: the stack's Outputs become step outputs");
  return details;
}

}  // namespace slipway::stdlib::stack_deploy
