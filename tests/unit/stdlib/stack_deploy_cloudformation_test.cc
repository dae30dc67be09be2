// stack-deploy with tool cloudformation against a fake CloudFormation Query API on 127.0.0.1:
// responses are scripted per Action; every request is checked for a well-formed SigV4
// Authorization header.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "stdlib/aws_sigv4.h"
#include "stdlib/files.h"
#include "stdlib/stack_deploy/cloudformation.h"
#include "stdlib/stack_deploy/stack_deploy.h"
#include "tests/support/fake_cloudformation.h"
#include "tests/support/fake_step_context.h"
#include "tests/support/loopback_http_server.h"

namespace slipway::stdlib::stack_deploy {
namespace {

namespace fs = std::filesystem;
using slipway::testing::CfnError;
using slipway::testing::CfnResult;
using slipway::testing::CfnXml;
using slipway::testing::FakeCloudFormation;
using slipway::testing::FakeStepContext;
using slipway::testing::Form;
using slipway::testing::LoopbackHttpServer;
using slipway::testing::ScratchDir;
using step_api::StepOutcome;
using step_api::StepStatus;

constexpr char kStackId[] = "arn:aws:cloudformation:us-east-1:123456789012:stack/web/1a2b";
constexpr char kChangeSetId[] =
    "arn:aws:cloudformation:us-east-1:123456789012:changeSet/slipway-x/9z";

LoopbackHttpServer::Response Stack(const std::string& status, const Form& outputs = {},
                                   const Form& parameters = {}, const std::string& reason = "") {
  std::string member = "<member><StackName>web</StackName><StackId>" + std::string(kStackId) +
                       "</StackId><StackStatus>" + status + "</StackStatus>";
  if (!reason.empty()) member += "<StackStatusReason>" + reason + "</StackStatusReason>";
  member += "<Parameters>";
  for (const auto& [k, v] : parameters) {
    member += "<member><ParameterKey>" + k + "</ParameterKey><ParameterValue>" + v +
              "</ParameterValue></member>";
  }
  member += "</Parameters><Capabilities><member>CAPABILITY_IAM</member></Capabilities><Outputs>";
  for (const auto& [k, v] : outputs) {
    member += "<member><OutputKey>" + k + "</OutputKey><OutputValue>" + v +
              "</OutputValue><Description>d</Description></member>";
  }
  member += "</Outputs></member>";
  return CfnResult("DescribeStacks", "<Stacks>" + member + "</Stacks>");
}

LoopbackHttpServer::Response NoStack() {
  return CfnError(400, "ValidationError", "Stack with id web does not exist");
}

LoopbackHttpServer::Response ChangeSet(const std::string& status, const std::string& reason = "",
                                       const std::vector<std::string>& changes = {}) {
  std::string result =
      "<ChangeSetName>slipway-x</ChangeSetName><ChangeSetId>" + std::string(kChangeSetId) +
      "</ChangeSetId><Status>" + status + "</Status><ExecutionStatus>" +
      (status == "CREATE_COMPLETE" ? "AVAILABLE" : "UNAVAILABLE") + "</ExecutionStatus>";
  if (!reason.empty()) result += "<StatusReason>" + reason + "</StatusReason>";
  result += "<Changes>";
  for (const std::string& logical : changes) {
    result +=
        "<member><Type>Resource</Type><ResourceChange><Action>Modify</Action>"
        "<LogicalResourceId>" +
        logical +
        "</LogicalResourceId>"
        "<ResourceType>AWS::Lambda::Function</ResourceType>"
        "<Replacement>False</Replacement></ResourceChange></member>";
  }
  result += "</Changes>";
  return CfnResult("DescribeChangeSet", result);
}

struct Event {
  std::string id, logical, status, reason;
};

LoopbackHttpServer::Response Events(const std::vector<Event>& newest_first) {
  std::string result = "<StackEvents>";
  for (const Event& e : newest_first) {
    result += "<member><EventId>" + e.id +
              "</EventId><StackName>web</StackName>"
              "<LogicalResourceId>" +
              e.logical +
              "</LogicalResourceId>"
              "<ResourceType>AWS::S3::Bucket</ResourceType>"
              "<Timestamp>2024-05-01T12:00:0" +
              e.id.substr(e.id.size() - 1) +
              "Z</Timestamp>"
              "<ResourceStatus>" +
              e.status + "</ResourceStatus>";
    if (!e.reason.empty())
      result += "<ResourceStatusReason>" + e.reason + "</ResourceStatusReason>";
    result += "</member>";
  }
  return CfnResult("DescribeStackEvents", result + "</StackEvents>");
}

LoopbackHttpServer::Response Created() {
  return CfnResult("CreateChangeSet",
                   "<Id>" + std::string(kChangeSetId) + "</Id><StackId>" + kStackId + "</StackId>");
}

std::map<std::string, std::string> Credentials(const std::string& endpoint) {
  return {{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
          {"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
          {"AWS_REGION", "us-east-1"},
          {"AWS_ENDPOINT_URL_CLOUDFORMATION", endpoint}};
}

StepOutcome RunStep(FakeStepContext& context, nlohmann::json with,
                    std::map<std::string, std::string> env) {
  step_api::StepInputs inputs;
  inputs.with = std::move(with);
  inputs.with["tool"] = "cloudformation";
  inputs.env = std::move(env);
  return Make()->Run(inputs, context);
}

// Every request carries a well-formed SigV4 header for the right scope.
void ExpectSigned(const FakeCloudFormation& fake, bool with_token) {
  const RE2 shape(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/(\\d{8})/us-east-1/cloudformation/aws4_request, "
      "SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}");
  for (const LoopbackHttpServer::Request& request : fake.requests()) {
    auto header = [&](const char* name) {
      auto it = request.headers.find(name);
      return it == request.headers.end() ? std::string() : it->second;
    };
    std::string date, signed_headers;
    ASSERT_TRUE(RE2::FullMatch(header("authorization"), shape, &date, &signed_headers))
        << header("authorization");
    EXPECT_EQ(header("x-amz-date").substr(0, 8), date);
    EXPECT_TRUE(RE2::FullMatch(header("x-amz-date"), "\\d{8}T\\d{6}Z")) << header("x-amz-date");
    EXPECT_EQ(signed_headers, with_token ? "content-type;host;x-amz-date;x-amz-security-token"
                                         : "content-type;host;x-amz-date");
    EXPECT_EQ(header("x-amz-security-token"), with_token ? "session-token-value" : "");
    EXPECT_EQ(header("content-type"), "application/x-www-form-urlencoded; charset=utf-8");
  }
}

TEST(StackDeployCloudFormationTest, CreatesWaitsExecutesAndReturnsOutputs) {
  FakeCloudFormation fake;
  ASSERT_TRUE(fake.ok());
  fake.On("DescribeStacks", NoStack());
  fake.On("CreateChangeSet", Created());
  fake.On("DescribeChangeSet", ChangeSet("CREATE_PENDING"));
  fake.On("DescribeChangeSet", ChangeSet("CREATE_COMPLETE", "", {"Api", "Bucket"}));
  fake.On("DescribeStackEvents", Events({{"e1", "web", "REVIEW_IN_PROGRESS", "User Initiated"}}));
  fake.On("ExecuteChangeSet", CfnResult("ExecuteChangeSet"));
  fake.On("DescribeStacks", Stack("CREATE_IN_PROGRESS"));
  fake.On("DescribeStackEvents", Events({{"e2", "Bucket", "CREATE_IN_PROGRESS", ""},
                                         {"e1", "web", "REVIEW_IN_PROGRESS", "User Initiated"}}));
  fake.On("DescribeStacks", Stack("CREATE_COMPLETE", {{"ApiUrl", "https://api.example/prod"}}));
  fake.On("DescribeStackEvents", Events({{"e4", "web", "CREATE_COMPLETE", ""},
                                         {"e3", "Bucket", "CREATE_COMPLETE", ""},
                                         {"e2", "Bucket", "CREATE_IN_PROGRESS", ""}}));

  ScratchDir dir;
  FakeStepContext context(dir.path());
  std::string body =
      "Parameters:\n  Stage: {Type: String}\nResources:\n  Bucket: {Type: "
      "AWS::S3::Bucket}\n";
  std::ofstream(fs::path(context.workspace()) / "template.yaml") << body;
  auto env = Credentials(fake.url());
  env["AWS_SESSION_TOKEN"] = "session-token-value";
  StepOutcome outcome = RunStep(context,
                                {{"stack-name", "web"},
                                 {"template", "template.yaml"},
                                 {"parameters", "Stage=prod\nVersion=1.2.0"},
                                 {"capabilities", "CAPABILITY_IAM CAPABILITY_AUTO_EXPAND"},
                                 {"tags", {{"team", "web & api"}}}},
                                env);
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message << "\n" << context.LogText();
  EXPECT_EQ(outcome.outputs["ApiUrl"], "https://api.example/prod");
  EXPECT_EQ(outcome.outputs["stack-status"], "CREATE_COMPLETE");
  EXPECT_EQ(outcome.outputs["stack-id"], kStackId);
  EXPECT_EQ(outcome.outputs["change-set-id"], kChangeSetId);
  EXPECT_EQ(outcome.outputs["changes"], "2");
  EXPECT_EQ(outcome.outputs["action"], "deploy");

  EXPECT_EQ(fake.actions(),
            (std::vector<std::string>{"DescribeStacks", "CreateChangeSet", "DescribeChangeSet",
                                      "DescribeChangeSet", "DescribeStackEvents",
                                      "ExecuteChangeSet", "DescribeStacks", "DescribeStackEvents",
                                      "DescribeStacks", "DescribeStackEvents"}));
  Form create = fake.Calls("CreateChangeSet").at(0);
  EXPECT_EQ(create["StackName"], "web");
  EXPECT_EQ(create["ChangeSetType"], "CREATE");
  EXPECT_EQ(create["TemplateBody"], body);
  EXPECT_EQ(create["Parameters.member.1.ParameterKey"], "Stage");
  EXPECT_EQ(create["Parameters.member.1.ParameterValue"], "prod");
  EXPECT_EQ(create["Parameters.member.2.ParameterKey"], "Version");
  EXPECT_EQ(create["Capabilities.member.1"], "CAPABILITY_IAM");
  EXPECT_EQ(create["Capabilities.member.2"], "CAPABILITY_AUTO_EXPAND");
  EXPECT_EQ(create["Tags.member.1.Key"], "team");
  EXPECT_EQ(create["Tags.member.1.Value"], "web & api");
  EXPECT_TRUE(RE2::FullMatch(create["ChangeSetName"], "[a-zA-Z][-a-zA-Z0-9]*"));
  // Later calls name the stack by its id and the change set by its ARN.
  EXPECT_EQ(fake.Calls("ExecuteChangeSet").at(0)["ChangeSetName"], kChangeSetId);
  EXPECT_EQ(fake.Calls("ExecuteChangeSet").at(0)["StackName"], kStackId);
  ExpectSigned(fake, /*with_token=*/true);

  // Polls wait on the step's clock; events are logged once each, oldest first.
  EXPECT_EQ(context.sleeps().size(), 2u);
  std::string log = context.LogText();
  EXPECT_NE(log.find("  Modify Api (AWS::Lambda::Function)"), std::string::npos) << log;
  size_t in_progress = log.find("Bucket (AWS::S3::Bucket) CREATE_IN_PROGRESS");
  size_t complete = log.find("Bucket (AWS::S3::Bucket) CREATE_COMPLETE");
  ASSERT_NE(in_progress, std::string::npos) << log;
  ASSERT_NE(complete, std::string::npos) << log;
  EXPECT_LT(in_progress, complete);
  EXPECT_EQ(log.find("REVIEW_IN_PROGRESS: User Initiated"), std::string::npos) << log;
  EXPECT_EQ(log.find("Bucket (AWS::S3::Bucket) CREATE_IN_PROGRESS", in_progress + 1),
            std::string::npos)
      << log;
  // The secret and the session token are masked.
  EXPECT_NE(std::find(context.masks().begin(), context.masks().end(),
                      "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            context.masks().end());
  EXPECT_NE(std::find(context.masks().begin(), context.masks().end(), "session-token-value"),
            context.masks().end());
}

TEST(StackDeployCloudFormationTest, SignatureCoversTheBodyAsReceived) {
  FakeCloudFormation fake;
  fake.On("DescribeStacks", Stack("UPDATE_COMPLETE"));
  fake.On("CreateChangeSet", CfnError(400, "ValidationError", "Template format error"));
  ScratchDir dir;
  FakeStepContext context(dir.path());
  std::ofstream(fs::path(context.workspace()) / "t.json") << "{}";
  StepOutcome outcome =
      RunStep(context, {{"stack-name", "web"}, {"template", "t.json"}}, Credentials(fake.url()));
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "CloudFormation CreateChangeSet failed: ValidationError: Template format error "
            "(HTTP 400)");
  ExpectSigned(fake, /*with_token=*/false);

  // Rebuild what the server received and check the signature against it; then tamper.
  LoopbackHttpServer::Request received = fake.requests().at(1);
  aws::SignableRequest signable;
  signable.method = received.method;
  signable.path = received.path;
  for (const char* name : {"content-type", "host", "x-amz-date"}) {
    signable.headers.emplace_back(name, received.headers[name]);
  }
  signable.body = received.body;
  EXPECT_EQ(received.headers["host"], fake.url().substr(7));  // 127.0.0.1:<port>
  aws::AwsCredentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  std::string date = received.headers["x-amz-date"];
  EXPECT_EQ(aws::AuthorizationHeader(signable, credentials, date, "us-east-1", "cloudformation"),
            received.headers["authorization"]);
  signable.body += "&Capabilities.member.1=CAPABILITY_IAM";
  EXPECT_NE(aws::AuthorizationHeader(signable, credentials, date, "us-east-1", "cloudformation"),
            received.headers["authorization"]);
}

TEST(StackDeployCloudFormationTest, UpdateWithNoChangesSucceeds) {
  FakeCloudFormation fake;
  fake.On("DescribeStacks", Stack("UPDATE_COMPLETE", {{"ApiUrl", "https://api.example/v1"}},
                                  {{"Stage", "prod"}, {"Old", "x"}, {"Secret", "****"}}));
  fake.On("CreateChangeSet", Created());
  fake.On("DescribeChangeSet",
          ChangeSet("FAILED",
                    "The submitted information didn't contain changes. Submit different "
                    "information to create a change set."));
  fake.On("DeleteChangeSet", CfnResult("DeleteChangeSet"));
  ScratchDir dir;
  FakeStepContext context(dir.path());
  std::ofstream(fs::path(context.workspace()) / "template.json")
      << R"({"Parameters": {"Stage": {"Type": "String"}, "Secret": {"Type": "String"}},
            "Resources": {}})";
  StepOutcome outcome = RunStep(
      context,
      {{"stack-name", "web"}, {"template", "template.json"}, {"parameters", {{"Stage", "prod"}}}},
      Credentials(fake.url()));
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  EXPECT_EQ(outcome.outputs["ApiUrl"], "https://api.example/v1");
  EXPECT_EQ(outcome.outputs["stack-status"], "UPDATE_COMPLETE");
  EXPECT_EQ(outcome.outputs["changes"], "0");
  EXPECT_EQ(fake.Calls("ExecuteChangeSet").size(), 0u);
  EXPECT_EQ(fake.Calls("DeleteChangeSet").size(), 1u);
  Form create = fake.Calls("CreateChangeSet").at(0);
  EXPECT_EQ(create["ChangeSetType"], "UPDATE");
  // Secret is still declared and not given: it keeps its value; Old is gone from the template.
  EXPECT_EQ(create["Parameters.member.2.ParameterKey"], "Secret");
  EXPECT_EQ(create["Parameters.member.2.UsePreviousValue"], "true");
  EXPECT_EQ(create.count("Parameters.member.3.ParameterKey"), 0u);
  EXPECT_NE(context.LogText().find("no changes: stack web is up to date"), std::string::npos);
}

TEST(StackDeployCloudFormationTest, FailedStackReportsTheFirstFailedEvent) {
  FakeCloudFormation fake;
  fake.On("DescribeStacks", NoStack());
  fake.On("CreateChangeSet", Created());
  fake.On("DescribeChangeSet", ChangeSet("CREATE_COMPLETE", "", {"Bucket"}));
  fake.On("DescribeStackEvents", Events({{"e1", "web", "REVIEW_IN_PROGRESS", ""}}));
  fake.On("ExecuteChangeSet", CfnResult("ExecuteChangeSet"));
  fake.On("DescribeStacks", Stack("ROLLBACK_IN_PROGRESS", {}, {},
                                  "The following resource(s) "
                                  "failed to create: [Bucket]."));
  fake.On("DescribeStackEvents",
          Events({{"e4", "Queue", "CREATE_FAILED", "Resource creation cancelled"},
                  {"e3", "Bucket", "CREATE_FAILED", "web-assets already exists"},
                  {"e2", "Bucket", "CREATE_IN_PROGRESS", ""},
                  {"e1", "web", "REVIEW_IN_PROGRESS", ""}}));
  fake.On("DescribeStacks", Stack("ROLLBACK_COMPLETE"));
  fake.On("DescribeStackEvents", Events({{"e5", "web", "ROLLBACK_COMPLETE", ""},
                                         {"e4", "Queue", "CREATE_FAILED", "cancelled"}}));
  ScratchDir dir;
  FakeStepContext context(dir.path());
  std::ofstream(fs::path(context.workspace()) / "template.yaml") << "Resources: {}\n";
  StepOutcome outcome = RunStep(context, {{"stack-name", "web"}, {"template", "template.yaml"}},
                                Credentials(fake.url()));
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "stack web ended in ROLLBACK_COMPLETE: Bucket: web-assets already exists");
  EXPECT_EQ(outcome.outputs["stack-status"], "ROLLBACK_COMPLETE");
  EXPECT_NE(context.LogText().find("Bucket (AWS::S3::Bucket) CREATE_FAILED: web-assets already "
                                   "exists"),
            std::string::npos);
}

TEST(StackDeployCloudFormationTest, MissingCredentialsFailClearly) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunStep(context, {{"stack-name", "web"}}, {{"AWS_REGION", "eu-west-1"}});
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "tool cloudformation needs AWS credentials in the step's environment: "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (use "
            "aws-actions/configure-aws-credentials or `env:`; profiles and instance roles are "
            "not read)");
  outcome = RunStep(context, {{"stack-name", "web"}},
                    {{"AWS_REGION", "eu-west-1"}, {"AWS_ACCESS_KEY_ID", "AKID"}});
  EXPECT_NE(outcome.message.find(": AWS_SECRET_ACCESS_KEY is not set"), std::string::npos)
      << outcome.message;
  outcome = RunStep(context, {{"stack-name", "web"}},
                    {{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "s"}});
  EXPECT_EQ(outcome.message,
            "tool cloudformation needs a region: set input \"region\", AWS_REGION or "
            "AWS_DEFAULT_REGION");
  EXPECT_TRUE(context.commands().empty());
}

TEST(StackDeployCloudFormationTest, AccessDeniedSurfacesTheAwsMessageWithoutRetrying) {
  FakeCloudFormation fake;
  fake.On("DescribeStacks",
          CfnError(403, "AccessDenied",
                   "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
                   "cloudformation:DescribeStacks"));
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome =
      RunStep(context, {{"stack-name", "web"}, {"template", "t.yaml"}}, Credentials(fake.url()));
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "CloudFormation DescribeStacks failed: AccessDenied: User: "
            "arn:aws:iam::123456789012:user/ci is not authorized to perform: "
            "cloudformation:DescribeStacks (HTTP 403)");
  EXPECT_EQ(fake.actions().size(), 1u);
}

TEST(StackDeployCloudFormationTest, RetriesThrottlingAndServerErrors) {
  FakeCloudFormation fake;
  fake.On("DescribeStacks", CfnXml(503, "<html>busy</html>"));
  fake.On("DescribeStacks", CfnError(400, "Throttling", "Rate exceeded"));
  fake.On("DescribeStacks", NoStack());
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunStep(context, {{"stack-name", "web"}}, Credentials(fake.url()));
  // After two retries the stack is found missing, and creating needs a template.
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message, "input \"template\" is required to create stack web");
  EXPECT_EQ(fake.actions().size(), 3u);
  EXPECT_EQ(context.sleeps().size(), 2u);
}

TEST(StackDeployCloudFormationTest, DiffLogsChangesAndDeletesTheChangeSet) {
  FakeCloudFormation fake;
  fake.On("DescribeStacks", Stack("UPDATE_COMPLETE"));
  fake.On("CreateChangeSet", Created());
  fake.On("DescribeChangeSet", ChangeSet("CREATE_IN_PROGRESS"));
  fake.On("DescribeChangeSet", ChangeSet("CREATE_COMPLETE", "", {"Api", "Worker", "Table"}));
  fake.On("DeleteChangeSet", CfnResult("DeleteChangeSet"));
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunStep(
      context,
      {{"stack-name", "web"}, {"action", "diff"}, {"template", "s3://artifacts/web/t.yaml"}},
      Credentials(fake.url()));
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  EXPECT_EQ(outcome.outputs["changes"], "3");
  EXPECT_EQ(fake.Calls("ExecuteChangeSet").size(), 0u);
  EXPECT_EQ(fake.Calls("DeleteChangeSet").size(), 1u);
  Form create = fake.Calls("CreateChangeSet").at(0);
  EXPECT_EQ(create["TemplateURL"], "https://artifacts.s3.us-east-1.amazonaws.com/web/t.yaml");
  EXPECT_EQ(create.count("TemplateBody"), 0u);
  EXPECT_NE(context.LogText().find("  Modify Worker (AWS::Lambda::Function)"), std::string::npos);
}

TEST(StackDeployCloudFormationTest, UpdateWithoutTemplateReusesThePreviousOne) {
  FakeCloudFormation fake;
  fake.On("DescribeStacks", Stack("UPDATE_COMPLETE", {}, {{"Stage", "prod"}, {"Version", "1"}}));
  fake.On("CreateChangeSet", Created());
  fake.On("DescribeChangeSet", ChangeSet("FAILED", "No updates are to be performed."));
  fake.On("DeleteChangeSet", CfnResult("DeleteChangeSet"));
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunStep(context, {{"stack-name", "web"}, {"parameters", "Version=2"}},
                                Credentials(fake.url()));
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  Form create = fake.Calls("CreateChangeSet").at(0);
  EXPECT_EQ(create["UsePreviousTemplate"], "true");
  EXPECT_EQ(create["Parameters.member.1.ParameterKey"], "Version");
  EXPECT_EQ(create["Parameters.member.1.ParameterValue"], "2");
  EXPECT_EQ(create["Parameters.member.2.ParameterKey"], "Stage");
  EXPECT_EQ(create["Parameters.member.2.UsePreviousValue"], "true");
}

TEST(StackDeployCloudFormationTest, RefusesStacksThatCannotBeUpdated) {
  FakeCloudFormation fake;
  fake.On("DescribeStacks", Stack("ROLLBACK_COMPLETE"));
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome =
      RunStep(context, {{"stack-name", "web"}, {"template", "t.yaml"}}, Credentials(fake.url()));
  EXPECT_EQ(outcome.message,
            "stack web is ROLLBACK_COMPLETE (its creation failed) and cannot be updated; delete "
            "it and deploy again");
  FakeCloudFormation busy;
  busy.On("DescribeStacks", Stack("UPDATE_IN_PROGRESS"));
  outcome =
      RunStep(context, {{"stack-name", "web"}, {"template", "t.yaml"}}, Credentials(busy.url()));
  EXPECT_EQ(outcome.message,
            "stack web is busy (UPDATE_IN_PROGRESS); wait for that operation to finish");
}

TEST(StackDeployCloudFormationTest, CancelledWhileWaitingForTheChangeSet) {
  FakeCloudFormation fake;
  fake.On("DescribeStacks", NoStack());
  fake.On("CreateChangeSet", Created());
  fake.On("DescribeChangeSet", ChangeSet("CREATE_PENDING"));
  ScratchDir dir;
  FakeStepContext context(dir.path());
  context.CancelOnSleep(1);
  std::ofstream(fs::path(context.workspace()) / "t.yaml") << "Resources: {}\n";
  StepOutcome outcome =
      RunStep(context, {{"stack-name", "web"}, {"template", "t.yaml"}}, Credentials(fake.url()));
  EXPECT_EQ(outcome.status, StepStatus::kCancelled);
  EXPECT_EQ(fake.Calls("ExecuteChangeSet").size(), 0u);
}

TEST(StackDeployCloudFormationTest, WaitIsBoundedByTheTimeout) {
  FakeCloudFormation fake;
  fake.On("DescribeStacks", NoStack());
  fake.On("CreateChangeSet", Created());
  fake.On("DescribeChangeSet", ChangeSet("CREATE_PENDING"));
  ScratchDir dir;
  FakeStepContext context(dir.path());
  std::ofstream(fs::path(context.workspace()) / "t.yaml") << "Resources: {}\n";
  StepOutcome outcome =
      RunStep(context, {{"stack-name", "web"}, {"template", "t.yaml"}, {"timeout", "20s"}},
              Credentials(fake.url()));
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_NE(outcome.message.find("is still CREATE_PENDING after 20s"), std::string::npos)
      << outcome.message;
  EXPECT_EQ(context.sleeps().size(), 4u);  // 5 s polls on the step's clock
}

TEST(StackDeployCloudFormationTest, RollbackOfAFailedUpdateUsesRollbackStack) {
  FakeCloudFormation fake;
  fake.On("DescribeStacks", Stack("UPDATE_FAILED"));
  fake.On("DescribeStackEvents", Events({{"e1", "web", "UPDATE_FAILED", "x"}}));
  fake.On("RollbackStack",
          CfnResult("RollbackStack", "<StackId>" + std::string(kStackId) + "</StackId>"));
  fake.On("DescribeStacks", Stack("UPDATE_ROLLBACK_IN_PROGRESS"));
  fake.On("DescribeStacks", Stack("UPDATE_ROLLBACK_COMPLETE", {{"ApiUrl", "https://old"}}));
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome =
      RunStep(context, {{"stack-name", "web"}, {"action", "rollback"}}, Credentials(fake.url()));
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  EXPECT_EQ(outcome.outputs["stack-status"], "UPDATE_ROLLBACK_COMPLETE");
  EXPECT_EQ(outcome.outputs["ApiUrl"], "https://old");
  EXPECT_EQ(fake.Calls("RollbackStack").size(), 1u);
}

TEST(StackDeployCloudFormationTest, RollbackRedeploysTheTemplateSavedBeforeTheUpdate) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  std::ofstream(fs::path(context.workspace()) / "t.yaml") << "Resources: {New: {}}\n";
  {
    // Deploy an update: the live template and parameters are saved first.
    FakeCloudFormation fake;
    fake.On("DescribeStacks",
            Stack("UPDATE_COMPLETE", {}, {{"Version", "1.0"}, {"Password", "****"}}));
    fake.On("CreateChangeSet", Created());
    fake.On("DescribeChangeSet", ChangeSet("CREATE_COMPLETE", "", {"New"}));
    fake.On("GetTemplate", CfnResult("GetTemplate",
                                     "<TemplateBody>Resources: {Old: {}}\n&lt;x&gt;"
                                     "</TemplateBody>"));
    fake.On("DescribeStackEvents", Events({{"e1", "web", "UPDATE_COMPLETE", ""}}));
    fake.On("DescribeStackEvents",
            Events({{"e2", "web", "UPDATE_COMPLETE", ""}, {"e1", "web", "UPDATE_COMPLETE", ""}}));
    fake.On("ExecuteChangeSet", CfnResult("ExecuteChangeSet"));
    fake.On("DescribeStacks", Stack("UPDATE_COMPLETE"));
    StepOutcome deployed = RunStep(
        context, {{"stack-name", "web"}, {"template", "t.yaml"}, {"parameters", "Version=2.0"}},
        Credentials(fake.url()));
    ASSERT_EQ(deployed.status, StepStatus::kSuccess) << deployed.message;
    EXPECT_EQ(fake.Calls("GetTemplate").at(0)["TemplateStage"], "Original");
  }
  fs::path saved =
      fs::path(context.state_dir()) / "cloudformation" / "us-east-1" / "web" / "previous.json";
  ASSERT_TRUE(fs::exists(saved));
  FakeCloudFormation fake;
  // Looked at twice: to choose how to roll back, then by the change set it deploys.
  fake.On("DescribeStacks",
          Stack("UPDATE_COMPLETE", {}, {{"Version", "2.0"}, {"Password", "****"}}));
  fake.On("DescribeStacks",
          Stack("UPDATE_COMPLETE", {}, {{"Version", "2.0"}, {"Password", "****"}}));
  fake.On("CreateChangeSet", Created());
  fake.On("DescribeChangeSet", ChangeSet("CREATE_COMPLETE", "", {"Old"}));
  fake.On("DescribeStackEvents", Events({{"e2", "web", "UPDATE_COMPLETE", ""}}));
  fake.On("DescribeStackEvents",
          Events({{"e3", "web", "UPDATE_COMPLETE", ""}, {"e2", "web", "UPDATE_COMPLETE", ""}}));
  fake.On("ExecuteChangeSet", CfnResult("ExecuteChangeSet"));
  fake.On("DescribeStacks", Stack("UPDATE_COMPLETE", {{"ApiUrl", "https://v1"}}));
  StepOutcome outcome =
      RunStep(context, {{"stack-name", "web"}, {"action", "rollback"}}, Credentials(fake.url()));
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  EXPECT_EQ(outcome.outputs["ApiUrl"], "https://v1");
  Form create = fake.Calls("CreateChangeSet").at(0);
  EXPECT_EQ(create["TemplateBody"], "Resources: {Old: {}}\n<x>");
  EXPECT_EQ(create["Parameters.member.1.ParameterKey"], "Version");
  EXPECT_EQ(create["Parameters.member.1.ParameterValue"], "1.0");
  // The NoEcho parameter keeps its live value rather than the masked "****".
  EXPECT_EQ(create["Parameters.member.2.ParameterKey"], "Password");
  EXPECT_EQ(create["Parameters.member.2.UsePreviousValue"], "true");
  EXPECT_EQ(create["Capabilities.member.1"], "CAPABILITY_IAM");
  EXPECT_EQ(fake.Calls("GetTemplate").size(), 0u);  // a rollback does not overwrite the save
  EXPECT_TRUE(context.sleeps().empty());            // the new stack event shows the update happened
}

TEST(StackDeployCloudFormationTest, AnUnchangedStatusRightAfterExecuteIsNotTheEnd) {
  // CloudFormation starts the update asynchronously: the first DescribeStacks may still show
  // the old UPDATE_COMPLETE with no new event.
  FakeCloudFormation fake;
  fake.On("DescribeStacks", Stack("UPDATE_COMPLETE", {{"ApiUrl", "https://old"}}));
  fake.On("CreateChangeSet", Created());
  fake.On("DescribeChangeSet", ChangeSet("CREATE_COMPLETE", "", {"Api"}));
  fake.On("GetTemplate", CfnResult("GetTemplate", "<TemplateBody>{}</TemplateBody>"));
  fake.On("DescribeStackEvents", Events({{"e1", "web", "UPDATE_COMPLETE", ""}}));
  fake.On("ExecuteChangeSet", CfnResult("ExecuteChangeSet"));
  fake.On("DescribeStacks", Stack("UPDATE_COMPLETE", {{"ApiUrl", "https://old"}}));
  fake.On("DescribeStackEvents", Events({{"e1", "web", "UPDATE_COMPLETE", ""}}));
  fake.On("DescribeStacks", Stack("UPDATE_IN_PROGRESS"));
  fake.On("DescribeStacks", Stack("UPDATE_COMPLETE", {{"ApiUrl", "https://new"}}));
  ScratchDir dir;
  FakeStepContext context(dir.path());
  std::ofstream(fs::path(context.workspace()) / "t.yaml") << "Resources: {}\n";
  StepOutcome outcome =
      RunStep(context, {{"stack-name", "web"}, {"template", "t.yaml"}}, Credentials(fake.url()));
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  EXPECT_EQ(outcome.outputs["ApiUrl"], "https://new");
  EXPECT_EQ(context.sleeps().size(), 2u);
}

TEST(StackDeployCloudFormationTest, DiffOfANewStackRemovesTheEmptyStack) {
  FakeCloudFormation fake;
  fake.On("DescribeStacks", NoStack());
  fake.On("CreateChangeSet", Created());
  // Changes come in pages.
  LoopbackHttpServer::Response first = ChangeSet("CREATE_COMPLETE", "", {"Api", "Table"});
  first.body.replace(first.body.find("</DescribeChangeSetResult>"), 0,
                     "<NextToken>page-2</NextToken>");
  fake.On("DescribeChangeSet", first);
  fake.On("DescribeChangeSet", ChangeSet("CREATE_COMPLETE", "", {"Worker"}));
  fake.On("DeleteChangeSet", CfnResult("DeleteChangeSet"));
  fake.On("DeleteStack", CfnResult("DeleteStack"));
  ScratchDir dir;
  FakeStepContext context(dir.path());
  std::ofstream(fs::path(context.workspace()) / "t.yaml") << "Resources: {}\n";
  StepOutcome outcome =
      RunStep(context, {{"stack-name", "web"}, {"action", "diff"}, {"template", "t.yaml"}},
              Credentials(fake.url()));
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  EXPECT_EQ(outcome.outputs["changes"], "3");
  EXPECT_EQ(fake.Calls("DescribeChangeSet").at(1)["NextToken"], "page-2");
  EXPECT_EQ(fake.Calls("DeleteStack").at(0)["StackName"], kStackId);
  EXPECT_EQ(fake.Calls("ExecuteChangeSet").size(), 0u);
  EXPECT_NE(context.LogText().find("  Modify Worker"), std::string::npos);
}

TEST(StackDeployCloudFormationTest, RollbackWithNothingSavedFails) {
  FakeCloudFormation fake;
  fake.On("DescribeStacks", Stack("UPDATE_COMPLETE"));
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome =
      RunStep(context, {{"stack-name", "web"}, {"action", "rollback"}}, Credentials(fake.url()));
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_NE(outcome.message.find("stack web is UPDATE_COMPLETE and no previous template was "
                                 "saved"),
            std::string::npos)
      << outcome.message;
}

TEST(StackDeployCloudFormationTest, ResolvesEndpointRegionAndCredentials) {
  Config config;
  config.stack = "web";
  CloudFormationTarget target;
  std::map<std::string, std::string> env = {{"AWS_ACCESS_KEY_ID", "AKID"},
                                            {"AWS_SECRET_ACCESS_KEY", "secret"},
                                            {"AWS_DEFAULT_REGION", "eu-west-1"}};
  ASSERT_EQ(ResolveCloudFormationTarget(config, env, &target), "");
  EXPECT_EQ(target.endpoint, "https://cloudformation.eu-west-1.amazonaws.com");
  EXPECT_EQ(target.region, "eu-west-1");
  env["AWS_REGION"] = "cn-north-1";
  ASSERT_EQ(ResolveCloudFormationTarget(config, env, &target), "");
  EXPECT_EQ(target.endpoint, "https://cloudformation.cn-north-1.amazonaws.com.cn");
  env["AWS_ENDPOINT_URL"] = "http://localhost:4566/";
  ASSERT_EQ(ResolveCloudFormationTarget(config, env, &target), "");
  EXPECT_EQ(target.endpoint, "http://localhost:4566");
  env["AWS_ENDPOINT_URL_CLOUDFORMATION"] = "http://127.0.0.1:1";
  ASSERT_EQ(ResolveCloudFormationTarget(config, env, &target), "");
  EXPECT_EQ(target.endpoint, "http://127.0.0.1:1");
  config.endpoint = "https://cfn.internal";
  config.region = "us-west-2";
  ASSERT_EQ(ResolveCloudFormationTarget(config, env, &target), "");
  EXPECT_EQ(target.endpoint, "https://cfn.internal");
  EXPECT_EQ(target.region, "us-west-2");
  // An endpoint alone signs for us-east-1.
  Config bare;
  ASSERT_EQ(ResolveCloudFormationTarget(bare,
                                        {{"AWS_ACCESS_KEY_ID", "a"},
                                         {"AWS_SECRET_ACCESS_KEY", "b"},
                                         {"AWS_ENDPOINT_URL", "http://x:1"}},
                                        &target),
            "");
  EXPECT_EQ(target.region, "us-east-1");
}

TEST(StackDeployCloudFormationTest, ConnectionRefusedIsReported) {
  int port = 0;
  {
    LoopbackHttpServer closed;  // listen, note the port, close
    port = closed.port();
  }
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunStep(context, {{"stack-name", "web"}},
                                Credentials("http://127.0.0.1:" + std::to_string(port)));
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_NE(outcome.message.find("CloudFormation DescribeStacks failed: no response: "),
            std::string::npos)
      << outcome.message;
}

TEST(StackDeployCloudFormationTest, PreviewDescribesTheChangeSetFlow) {
  step_api::StepInputs inputs;
  inputs.with = {
      {"tool", "cloudformation"}, {"stack-name", "web"},        {"template", "infra/template.yaml"},
      {"region", "us-west-2"},    {"parameters", "Stage=prod"}, {"capabilities", "CAPABILITY_IAM"},
      {"timeout", "20m"}};
  step_api::StepPreview preview = Make()->Preview(inputs);
  EXPECT_EQ(preview.summary, "deploy stack web with cloudformation");
  EXPECT_EQ(preview.details,
            (std::vector<std::string>{
                "api: https://cloudformation.us-west-2.amazonaws.com (region us-west-2, SigV4 "
                "with AWS_ACCESS_KEY_ID from the step's environment)",
                "change set: CreateChangeSet for stack web (CREATE if it does not exist, else "
                "UPDATE) from infra/template.yaml",
                "  parameters: Stage=prod", "  capabilities: CAPABILITY_IAM",
                "no changes: success; else ExecuteChangeSet and wait up to 20m for *_COMPLETE, "
                "logging stack events",
                "outputs: the stack's Outputs become step outputs"}));
  inputs.with = {{"tool", "cloudformation"}, {"stack-name", "web"}, {"action", "rollback"}};
  preview = Make()->Preview(inputs);
  ASSERT_EQ(preview.details.size(), 2u);
  EXPECT_EQ(preview.details[0],
            "api: https://cloudformation.<region>.amazonaws.com (region from AWS_REGION at run "
            "time, SigV4 with AWS_ACCESS_KEY_ID from the step's environment)");
  EXPECT_NE(preview.details[1].find("RollbackStack"), std::string::npos);
}

TEST(StackDeployCloudFormationTest, InputsAreChecked) {
  std::string error;
  EXPECT_FALSE(ParseConfig(
      {{"tool", "cloudformation"}, {"stack-name", "s"}, {"endpoint", "ftp://x"}}, &error));
  EXPECT_NE(error.find("input \"endpoint\": expected an http:// or https:// URL"),
            std::string::npos);
  EXPECT_FALSE(ParseConfig({{"stack-name", "s"}, {"tags", "a=b"}}, &error));
  EXPECT_NE(error.find("input \"tags\" applies to tool cloudformation, not \"local\""),
            std::string::npos);
  std::optional<Config> ok = ParseConfig(
      {{"tool", "cloudformation"}, {"stack-name", "s"}, {"tags", "team=web\nenv=prod"}}, &error);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->tags, (std::map<std::string, std::string>{{"env", "prod"}, {"team", "web"}}));
}

TEST(StackDeployCloudFormationTest, TemplateProblemsAreReported) {
  FakeCloudFormation fake;
  fake.On("DescribeStacks", NoStack());
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunStep(context, {{"stack-name", "web"}, {"template", "missing.yaml"}},
                                Credentials(fake.url()));
  EXPECT_NE(outcome.message.find("cannot read template \"missing.yaml\""), std::string::npos)
      << outcome.message;
  std::ofstream(fs::path(context.workspace()) / "big.yaml") << std::string(60'000, '#');
  outcome =
      RunStep(context, {{"stack-name", "web"}, {"template", "big.yaml"}}, Credentials(fake.url()));
  EXPECT_NE(outcome.message.find("is 60000 bytes; CloudFormation takes at most 51200"),
            std::string::npos)
      << outcome.message;
  outcome = RunStep(context, {{"stack-name", "web"}, {"template", "http://x/t.yaml"}},
                    Credentials(fake.url()));
  EXPECT_NE(outcome.message.find("https:// only"), std::string::npos) << outcome.message;
  EXPECT_EQ(fake.Calls("CreateChangeSet").size(), 0u);
}

TEST(StackDeployCloudFormationTest, StatusClassification) {
  EXPECT_EQ(ClassifyStackStatus("CREATE_COMPLETE", false), StackPhase::kSucceeded);
  EXPECT_EQ(ClassifyStackStatus("UPDATE_COMPLETE", false), StackPhase::kSucceeded);
  EXPECT_EQ(ClassifyStackStatus("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", false),
            StackPhase::kInProgress);
  EXPECT_EQ(ClassifyStackStatus("REVIEW_IN_PROGRESS", false), StackPhase::kInProgress);
  EXPECT_EQ(ClassifyStackStatus("ROLLBACK_COMPLETE", false), StackPhase::kFailed);
  EXPECT_EQ(ClassifyStackStatus("UPDATE_ROLLBACK_COMPLETE", false), StackPhase::kFailed);
  EXPECT_EQ(ClassifyStackStatus("UPDATE_FAILED", false), StackPhase::kFailed);
  EXPECT_EQ(ClassifyStackStatus("DELETE_COMPLETE", false), StackPhase::kFailed);
  EXPECT_EQ(ClassifyStackStatus("UPDATE_ROLLBACK_COMPLETE", true), StackPhase::kSucceeded);
  EXPECT_EQ(ClassifyStackStatus("ROLLBACK_COMPLETE", true), StackPhase::kSucceeded);
  EXPECT_EQ(ClassifyStackStatus("UPDATE_ROLLBACK_FAILED", true), StackPhase::kFailed);
  EXPECT_TRUE(
      IsNoChangeReason("The submitted information didn't contain changes. Submit "
                       "different information to create a change set."));
  EXPECT_TRUE(IsNoChangeReason("No updates are to be performed."));
  EXPECT_FALSE(IsNoChangeReason("Template error: unresolved resource dependencies"));
}

}  // namespace
}  // namespace slipway::stdlib::stack_deploy
