#include "stdlib/backup/cloud_stack.h"

#include <chrono>
#include <set>
#include <string_view>

#include "interpreter/base/json_nesting.h"
#include "stdlib/aws_query.h"
#include "stdlib/files.h"

namespace slipway::stdlib::backup {
namespace {

namespace fs = std::filesystem;
using aws::QueryParams;
using aws::QueryResponse;
using aws::XmlElement;
using step_api::StepOutcome;
using step_api::StepStatus;

constexpr char kApiVersion[] = "2010-05-15";
constexpr std::chrono::milliseconds kCallTimeout{30'000};
constexpr int kAttempts = 4;  // per call, for throttling / 5xx / no response

// Fields of DescribeStacks, GetTemplate and DescribeStackResources whose type the XML does not
// show: an empty list looks like an empty string, and booleans and numbers are text.
const std::set<std::string_view> kListFields = {
    "Stacks",           "Parameters",       "Outputs",        "Tags",           "Capabilities",
    "NotificationARNs", "RollbackTriggers", "StackResources", "StagesAvailable"};
const std::set<std::string_view> kObjectFields = {"RollbackConfiguration", "DriftInformation",
                                                  "ModuleInfo"};
const std::set<std::string_view> kBooleanFields = {"DisableRollback", "EnableTerminationProtection",
                                                   "RetainExceptOnCreate", "NoEcho"};
const std::set<std::string_view> kIntegerFields = {"TimeoutInMinutes", "MonitoringTimeInMinutes"};

nlohmann::json Leaf(const XmlElement& element) {
  if (kListFields.count(element.name)) return nlohmann::json::array();
  if (kObjectFields.count(element.name)) return nlohmann::json::object();
  if (kBooleanFields.count(element.name) && (element.text == "true" || element.text == "false")) {
    return element.text == "true";
  }
  if (kIntegerFields.count(element.name) && !element.text.empty() &&
      element.text.find_first_not_of("0123456789") == std::string::npos &&
      element.text.size() < 10) {
    return std::stoi(element.text);
  }
  return element.text;
}

// The CLI writes JSON with four-space indents; bytes that are not UTF-8 are replaced, never
// thrown about.
std::string Dump(const nlohmann::json& value) {
  return value.dump(4, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

bool IsMissingStack(const QueryResponse& response) {
  return response.error_code == "ValidationError" &&
         response.error_message.find("does not exist") != std::string::npos;
}

class Capture {
 public:
  Capture(const aws::ServiceTarget& target, step_api::StepContext& context)
      : target_(target), context_(context) {
    endpoint_.url = target.endpoint;
    endpoint_.region = target.region;
    endpoint_.service = "cloudformation";
    endpoint_.version = kApiVersion;
  }

  // Calls `action`; on failure fills `outcome` and returns nullptr, else the <ActionResult>.
  const XmlElement* Call(const std::string& action, const QueryParams& params,
                         QueryResponse* response, StepOutcome* outcome) {
    bool cancelled = false;
    *response = aws::CallQueryApiWithRetries(endpoint_, target_.credentials, action, params,
                                             context_, kAttempts, kCallTimeout, &cancelled);
    if (cancelled) {
      *outcome = {StepStatus::kCancelled, 1, "cancelled", {}};
      return nullptr;
    }
    const XmlElement* result = response->ok() ? response->xml->Child(action + "Result") : nullptr;
    if (!result) {
      *outcome = {StepStatus::kFailure,
                  1,
                  "backup: CloudFormation " + action + " failed: " + response->Describe(),
                  {}};
    }
    return result;
  }

 private:
  const aws::ServiceTarget& target_;
  step_api::StepContext& context_;
  aws::QueryEndpoint endpoint_;
};

}  // namespace

nlohmann::json QueryXmlToJson(const XmlElement& element) {
  if (element.children.empty()) return Leaf(element);
  bool is_list = kListFields.count(element.name) > 0;
  if (!is_list) {
    is_list = true;
    for (const XmlElement& child : element.children) is_list = is_list && child.name == "member";
  }
  if (is_list) {
    nlohmann::json items = nlohmann::json::array();
    for (const XmlElement& child : element.children) items.push_back(QueryXmlToJson(child));
    return items;
  }
  nlohmann::json object = nlohmann::json::object();
  for (const XmlElement& child : element.children) {
    if (!object.contains(child.name)) object[child.name] = QueryXmlToJson(child);
  }
  return object;
}

StepOutcome CaptureCloudStack(const CloudStackRequest& request,
                              const std::map<std::string, std::string>& env,
                              step_api::StepContext& context, const fs::path& dir,
                              nlohmann::json* stack_metadata) {
  aws::ServiceTarget target;
  std::string error =
      aws::ResolveServiceTarget("cloudformation", "backup of stack " + request.stack,
                                request.region, request.endpoint, env, &target);
  if (!error.empty()) return {StepStatus::kFailure, 1, error, {}};
  context.AddMask(target.credentials.secret_access_key);
  if (!target.credentials.session_token.empty()) context.AddMask(target.credentials.session_token);
  context.Log("CloudFormation endpoint " + target.endpoint + " (region " + target.region + ")");
  *stack_metadata = {{"name", request.stack},   {"tool", request.tool},
                     {"region", target.region}, {"endpoint", target.endpoint},
                     {"exists", false},         {"stack_id", nullptr},
                     {"status", nullptr}};

  Capture capture(target, context);
  QueryResponse response;
  StepOutcome failure;
  const XmlElement* stacks =
      capture.Call("DescribeStacks", {{"StackName", request.stack}}, &response, &failure);
  if (!stacks) {
    if (failure.status == StepStatus::kFailure && IsMissingStack(response)) {
      // A first deployment has nothing to restore: record that instead of failing the pipeline
      // before its first deploy.
      context.Log("stack " + request.stack + " does not exist yet; the backup records none");
      return {};
    }
    return failure;
  }
  const XmlElement* stack = stacks->Path("Stacks/member");
  if (!stack) {
    return {StepStatus::kFailure,
            1,
            "backup: CloudFormation DescribeStacks returned no stack for " + request.stack,
            {}};
  }
  std::string stack_id = stack->TextAt("StackId");
  std::string status = stack->TextAt("StackStatus");
  (*stack_metadata)["stack_id"] = stack_id;
  (*stack_metadata)["status"] = status;
  if (status == "REVIEW_IN_PROGRESS") {
    // Created by a change set that never ran: no template or resources are deployed yet.
    context.Log("stack " + request.stack +
                " is REVIEW_IN_PROGRESS (never deployed); the backup records none");
    return {};
  }
  (*stack_metadata)["exists"] = true;
  context.Log("stack " + request.stack + " is " + status);
  if (!WriteFileAtomic(dir / "describe-stacks.json", context.Mask(Dump(QueryXmlToJson(*stacks))),
                       &error)) {
    return {StepStatus::kFailure, 1, error, {}};
  }

  const XmlElement* got = capture.Call(
      "GetTemplate", {{"StackName", stack_id}, {"TemplateStage", "Original"}}, &response, &failure);
  if (!got) return failure;
  nlohmann::json template_json = QueryXmlToJson(*got);
  std::string body = got->Child("TemplateBody") ? got->Child("TemplateBody")->text : "";
  // As the CLI does, a JSON template is printed as JSON and a YAML one as a string.
  nlohmann::json parsed = JsonNestingError(body).empty()
                              ? nlohmann::json::parse(body, nullptr, false)
                              : nlohmann::json(nlohmann::json::value_t::discarded);
  bool is_json = !parsed.is_discarded() && parsed.is_object();
  if (is_json) template_json["TemplateBody"] = parsed;
  if (!WriteFileAtomic(dir / "template.json", context.Mask(Dump(template_json)), &error) ||
      !WriteFileAtomic(dir / (is_json ? "template-body.json" : "template-body.yaml"),
                       context.Mask(body),
                       &error)) {
    return {StepStatus::kFailure, 1, error, {}};
  }

  const XmlElement* resources =
      capture.Call("DescribeStackResources", {{"StackName", stack_id}}, &response, &failure);
  if (!resources) {
    if (failure.status == StepStatus::kCancelled) return failure;
    // The resource list is a convenience for whoever restores: a policy that allows reading
    // the stack and its template but not its resources still gets a backup, with the reason.
    context.Log("warning: " + failure.message + "; stack-resources.json is not included");
    (*stack_metadata)["resources_error"] = response.Describe();
    return {};
  }
  if (!WriteFileAtomic(dir / "stack-resources.json",
                       context.Mask(Dump(QueryXmlToJson(*resources))), &error)) {
    return {StepStatus::kFailure, 1, error, {}};
  }
  return {};
}

}  // namespace slipway::stdlib::backup
