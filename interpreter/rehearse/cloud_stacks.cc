#include "interpreter/rehearse/cloud_stacks.h"

#include <fmt/format.h>

#include "interpreter/base/xml_escape.h"

namespace slipway::rehearse {
namespace {

constexpr char kNs[] = " xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"";
constexpr char kAccount[] = "123456789012";
constexpr char kRegion[] = "us-east-1";

// application/x-www-form-urlencoded decoding ('+' is a space, %XX a byte).
std::string Decode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::map<std::string, std::string> ParseForm(const std::string& body) {
  std::map<std::string, std::string> form;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    std::string pair = body.substr(start, end - start);
    size_t eq = pair.find('=');
    if (!pair.empty()) {
      form[Decode(pair.substr(0, eq))] = eq == std::string::npos ? "" : Decode(pair.substr(eq + 1));
    }
    start = end + 1;
  }
  return form;
}

std::pair<int, std::string> Result(const std::string& action, const std::string& result = "") {
  return {200, "<?xml version=\"1.0\"?>\n<" + action + "Response" + kNs + "><" + action +
                   "Result>" + result + "</" + action +
                   "Result><ResponseMetadata><RequestId>rehearsal</RequestId>"
                   "</ResponseMetadata></" +
                   action + "Response>"};
}

std::pair<int, std::string> Error(int status, const std::string& code, const std::string& message) {
  return {status, std::string("<ErrorResponse") + kNs + "><Error><Type>Sender</Type><Code>" + code +
                      "</Code><Message>" + XmlEscaped(message) +
                      "</Message></Error><RequestId>rehearsal</RequestId></ErrorResponse>"};
}

// The stack name from a StackName parameter that may be the stack's ARN.
std::string NameOf(const std::string& ref) {
  if (ref.rfind("arn:", 0) != 0) return ref;
  size_t stack = ref.find(":stack/");
  if (stack == std::string::npos) return ref;
  std::string rest = ref.substr(stack + 7);
  return rest.substr(0, rest.find('/'));
}

}  // namespace

CloudStacks::CloudStacks(const std::vector<StackRule>& stacks) {
  for (const StackRule& rule : stacks) {
    Stack stack;
    stack.script = rule;
    stack.exists = rule.status != "absent";
    stack.status = stack.exists ? rule.status : "";
    stack.outputs = rule.outputs;
    stack.parameters = rule.parameters;
    stack.template_body = rule.template_body;
    stacks_[rule.name] = std::move(stack);
  }
}

std::string CloudStacks::Arn(const std::string& name) const {
  return fmt::format("arn:aws:cloudformation:{}:{}:stack/{}/rehearsal", kRegion, kAccount, name);
}

void CloudStacks::AddEvent(Stack& stack, const std::string& name, const std::string& logical,
                           const std::string& type, const std::string& status,
                           const std::string& reason) {
  int n = next_event_++;
  stack.events.insert(stack.events.begin(),
                      Event{fmt::format("{}-event-{}", name, n), logical, type, status, reason,
                            fmt::format("2026-01-01T00:{:02}:{:02}Z", n / 60 % 60, n % 60)});
}

std::string CloudStacks::Describe(const Stack& stack, const std::string& name) const {
  std::string member = "<member><StackName>" + XmlEscaped(name) + "</StackName><StackId>" + Arn(name) +
                       "</StackId><StackStatus>" + stack.status + "</StackStatus>";
  if (!stack.reason.empty()) {
    member += "<StackStatusReason>" + XmlEscaped(stack.reason) + "</StackStatusReason>";
  }
  member += "<CreationTime>2026-01-01T00:00:00Z</CreationTime><Parameters>";
  for (const auto& [k, v] : stack.parameters) {
    member += "<member><ParameterKey>" + XmlEscaped(k) + "</ParameterKey><ParameterValue>" + XmlEscaped(v) +
              "</ParameterValue></member>";
  }
  member += "</Parameters><Outputs>";
  for (const auto& [k, v] : stack.outputs) {
    member += "<member><OutputKey>" + XmlEscaped(k) + "</OutputKey><OutputValue>" + XmlEscaped(v) +
              "</OutputValue></member>";
  }
  return member + "</Outputs></member>";
}

std::pair<int, std::string> CloudStacks::Handle(const std::string& form_body) {
  std::map<std::string, std::string> form = ParseForm(form_body);
  std::string action = form["Action"];
  std::lock_guard<std::mutex> lock(mutex_);
  actions_.push_back(action);
  if (form["Version"] != "2010-05-15") {
    return Error(400, "InvalidAction", "expected Version 2010-05-15");
  }
  std::string name = NameOf(form["StackName"]);
  auto it = stacks_.find(name);
  auto missing = [&] {
    return Error(400, "ValidationError", "Stack with id " + name + " does not exist");
  };
  if (action == "DescribeStacks") {
    if (it == stacks_.end() || !it->second.exists) return missing();
    return Result(action, "<Stacks>" + Describe(it->second, name) + "</Stacks>");
  }
  if (action == "CreateChangeSet") {
    if (it == stacks_.end()) {
      return Error(400, "ValidationError",
                   "the rehearsal has no stack \"" + name + "\" (add it to stubs.stacks)");
    }
    Stack& stack = it->second;
    stack.change_set = form["ChangeSetName"];
    stack.change_type = form["ChangeSetType"].empty() ? "UPDATE" : form["ChangeSetType"];
    if (!form["TemplateBody"].empty()) stack.template_body = form["TemplateBody"];
    for (int i = 1; form.count(fmt::format("Parameters.member.{}.ParameterKey", i)); ++i) {
      std::string key = form[fmt::format("Parameters.member.{}.ParameterKey", i)];
      std::string value = form[fmt::format("Parameters.member.{}.ParameterValue", i)];
      if (form[fmt::format("Parameters.member.{}.UsePreviousValue", i)] != "true") {
        stack.parameters[key] = value;
      }
    }
    if (stack.change_type == "CREATE" && !stack.exists) {
      stack.exists = true;
      stack.status = "REVIEW_IN_PROGRESS";
      AddEvent(stack, name, name, "AWS::CloudFormation::Stack", "REVIEW_IN_PROGRESS",
               "User Initiated");
    }
    std::string id = fmt::format("arn:aws:cloudformation:{}:{}:changeSet/{}/rehearsal", kRegion,
                                 kAccount, stack.change_set);
    return Result(action, "<Id>" + id + "</Id><StackId>" + Arn(name) + "</StackId>");
  }
  if (it == stacks_.end() || !it->second.exists) return missing();
  Stack& stack = it->second;
  if (action == "DescribeChangeSet") {
    bool none = stack.script.deploy == "no-changes";
    std::string result = "<ChangeSetName>" + XmlEscaped(stack.change_set) + "</ChangeSetName><StackId>" +
                         Arn(name) + "</StackId><Status>" +
                         (none ? "FAILED" : "CREATE_COMPLETE") + "</Status><ExecutionStatus>" +
                         (none ? "UNAVAILABLE" : "AVAILABLE") + "</ExecutionStatus>";
    if (none) {
      result +=
          "<StatusReason>The submitted information didn't contain changes. Submit different "
          "information to create a change set.</StatusReason>";
    }
    result += "<Changes>";
    if (!none) {
      Strings resources = stack.script.resources;
      if (resources.empty()) resources["Resources"] = "AWS::CloudFormation::Stack";
      for (const auto& [logical, type] : resources) {
        result += "<member><Type>Resource</Type><ResourceChange><Action>" +
                  std::string(stack.change_type == "CREATE" ? "Add" : "Modify") +
                  "</Action><LogicalResourceId>" + XmlEscaped(logical) +
                  "</LogicalResourceId><ResourceType>" + XmlEscaped(type) +
                  "</ResourceType><Replacement>False</Replacement></ResourceChange></member>";
      }
    }
    return Result(action, result + "</Changes>");
  }
  if (action == "ExecuteChangeSet") {
    bool create = stack.change_type == "CREATE";
    std::string verb = create ? "CREATE" : "UPDATE";
    for (const auto& [logical, type] : stack.script.resources) {
      AddEvent(stack, name, logical, type, verb + "_IN_PROGRESS", "");
    }
    if (stack.script.deploy == "failure") {
      std::string failed = stack.script.resources.empty() ? name : stack.script.resources.begin()->first;
      AddEvent(stack, name, failed, "AWS::CloudFormation::Stack", verb + "_FAILED",
               stack.script.failure_reason);
      stack.status = create ? "ROLLBACK_COMPLETE" : "UPDATE_ROLLBACK_COMPLETE";
      stack.reason = "The following resource(s) failed to " + std::string(create ? "create" : "update") +
                     ": [" + failed + "].";
      AddEvent(stack, name, name, "AWS::CloudFormation::Stack", stack.status, stack.reason);
    } else {
      for (const auto& [k, v] : stack.script.deploy_outputs) stack.outputs[k] = v;
      stack.status = verb + "_COMPLETE";
      stack.reason.clear();
      AddEvent(stack, name, name, "AWS::CloudFormation::Stack", stack.status, "");
    }
    stack.change_set.clear();
    return Result(action);
  }
  if (action == "DeleteChangeSet") {
    stack.change_set.clear();
    return Result(action);
  }
  if (action == "DeleteStack") {
    stack.exists = false;
    stack.status.clear();
    return Result(action);
  }
  if (action == "GetTemplate") {
    return Result(action, "<TemplateBody>" + XmlEscaped(stack.template_body) +
                              "</TemplateBody><StagesAvailable><member>Original</member>"
                              "</StagesAvailable>");
  }
  if (action == "DescribeStackEvents") {
    std::string result = "<StackEvents>";
    for (const Event& e : stack.events) {
      result += "<member><EventId>" + e.id + "</EventId><StackName>" + XmlEscaped(name) +
                "</StackName><StackId>" + Arn(name) + "</StackId><LogicalResourceId>" +
                XmlEscaped(e.logical) + "</LogicalResourceId><ResourceType>" + XmlEscaped(e.type) +
                "</ResourceType><Timestamp>" + e.time + "</Timestamp><ResourceStatus>" +
                e.status + "</ResourceStatus>";
      if (!e.reason.empty()) {
        result += "<ResourceStatusReason>" + XmlEscaped(e.reason) + "</ResourceStatusReason>";
      }
      result += "</member>";
    }
    return Result(action, result + "</StackEvents>");
  }
  if (action == "DescribeStackResources") {
    std::string result = "<StackResources>";
    for (const auto& [logical, type] : stack.script.resources) {
      result += "<member><StackName>" + XmlEscaped(name) + "</StackName><StackId>" + Arn(name) +
                "</StackId><LogicalResourceId>" + XmlEscaped(logical) + "</LogicalResourceId>"
                "<PhysicalResourceId>" + XmlEscaped(name + "-" + logical) + "</PhysicalResourceId>"
                "<ResourceType>" + XmlEscaped(type) + "</ResourceType><ResourceStatus>" +
                (stack.status.find("ROLLBACK") != std::string::npos ? "UPDATE_COMPLETE"
                                                                     : "CREATE_COMPLETE") +
                "</ResourceStatus><Timestamp>2026-01-01T00:00:00Z</Timestamp></member>";
    }
    return Result(action, result + "</StackResources>");
  }
  if (action == "RollbackStack" || action == "CancelUpdateStack" ||
      action == "ContinueUpdateRollback") {
    stack.status = action == "RollbackStack" ? "ROLLBACK_COMPLETE" : "UPDATE_ROLLBACK_COMPLETE";
    AddEvent(stack, name, name, "AWS::CloudFormation::Stack", stack.status, "");
    return Result(action, action == "RollbackStack" ? "<StackId>" + Arn(name) + "</StackId>" : "");
  }
  return Error(400, "InvalidAction", "the rehearsal's CloudFormation does not answer " + action);
}

std::map<std::string, std::string> CloudStacks::statuses() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::map<std::string, std::string> out;
  for (const auto& [name, stack] : stacks_) out[name] = stack.exists ? stack.status : "absent";
  return out;
}

std::vector<std::string> CloudStacks::actions() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return actions_;
}

}  // namespace slipway::rehearse
