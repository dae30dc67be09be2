// backup of a CloudFormation stack (tools cdk, sam, cloudformation) against a fake CloudFormation
// Query API on 127.0.0.1 that answers by Action; no aws CLI is involved.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <deque>
#include <filesystem>
#include <map>
#include <mutex>

#include "stdlib/aws_query.h"
#include "stdlib/aws_sigv4.h"
#include "stdlib/backup/backup.h"
#include "stdlib/backup/cloud_stack.h"
#include "stdlib/files.h"
#include "tests/support/fake_cloudformation.h"
#include "tests/support/fake_step_context.h"
#include "tests/support/golden.h"
#include "tests/support/loopback_http_server.h"

namespace slipway::stdlib::backup {
namespace {

namespace fs = std::filesystem;
using slipway::testing::CfnError;
using slipway::testing::CfnResult;
using slipway::testing::CfnXml;
using slipway::testing::FakeCloudFormation;
using slipway::testing::FakeStepContext;
using slipway::testing::Form;
using slipway::testing::LoopbackHttpServer;
using slipway::testing::ReadFile;
using slipway::testing::ScratchDir;
using step_api::StepOutcome;
using step_api::StepStatus;

constexpr char kStackId[] = "arn:aws:cloudformation:eu-west-1:123456789012:stack/web/1a2b";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

LoopbackHttpServer::Response Stack(const std::string& status = "UPDATE_COMPLETE") {
  return CfnResult(
      "DescribeStacks",
      "<Stacks><member><StackId>" + std::string(kStackId) +
          "</StackId><StackName>web</StackName><Description>the web tier</Description>"
          "<Parameters><member><ParameterKey>Stage</ParameterKey><ParameterValue>prod"
          "</ParameterValue></member><member><ParameterKey>Debug</ParameterKey><ParameterValue>"
          "true</ParameterValue></member></Parameters>"
          "<CreationTime>2024-04-01T10:00:00.123Z</CreationTime>"
          "<StackStatus>" +
          status +
          "</StackStatus><DisableRollback>false</DisableRollback>"
          "<TimeoutInMinutes>30</TimeoutInMinutes><NotificationARNs/>"
          "<Capabilities><member>CAPABILITY_IAM</member></Capabilities>"
          "<Outputs><member><OutputKey>ApiUrl</OutputKey><OutputValue>https://api.example/prod?a=1"
          "&amp;b=2</OutputValue><Description>the API</Description></member></Outputs>"
          "<Tags><member><Key>team</Key><Value>web</Value></member></Tags>"
          "<RollbackConfiguration/><DriftInformation><StackDriftStatus>NOT_CHECKED"
          "</StackDriftStatus></DriftInformation></member></Stacks>");
}

// XML-escapes a template body the way the API sends it.
std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

LoopbackHttpServer::Response Template(const std::string& body) {
  return CfnResult("GetTemplate", "<TemplateBody>" + Escape(body) +
                                      "</TemplateBody><StagesAvailable><member>Original</member>"
                                      "<member>Processed</member></StagesAvailable>");
}

LoopbackHttpServer::Response Resources() {
  std::string members;
  for (const char* logical : {"Api", "Bucket"}) {
    members += std::string("<member><StackName>web</StackName><StackId>") + kStackId +
               "</StackId><LogicalResourceId>" + logical +
               "</LogicalResourceId><PhysicalResourceId>web-" + logical +
               "-XYZ</PhysicalResourceId><ResourceType>AWS::S3::Bucket</ResourceType>"
               "<Timestamp>2024-04-01T10:01:00Z</Timestamp><ResourceStatus>CREATE_COMPLETE"
               "</ResourceStatus><DriftInformation><StackResourceDriftStatus>NOT_CHECKED"
               "</StackResourceDriftStatus></DriftInformation></member>";
  }
  return CfnResult("DescribeStackResources", "<StackResources>" + members + "</StackResources>");
}

std::map<std::string, std::string> Env(const std::string& endpoint) {
  return {{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
          {"AWS_SECRET_ACCESS_KEY", kSecret},
          {"AWS_REGION", "eu-west-1"},
          {"AWS_ENDPOINT_URL_CLOUDFORMATION", endpoint}};
}

StepOutcome RunBackup(FakeStepContext& context, nlohmann::json with,
                      std::map<std::string, std::string> env) {
  step_api::StepInputs inputs;
  inputs.with = std::move(with);
  inputs.env = std::move(env);
  return Make()->Run(inputs, context);
}

nlohmann::json StackBackup(const std::string& tool) {
  return {{"name", "pre-deploy"}, {"source", "stack"}, {"tool", tool}, {"stack-name", "web"}};
}

nlohmann::json ReadJson(const fs::path& path) {
  return nlohmann::json::parse(ReadFile(path), nullptr, false);
}

const char kJsonTemplate[] =
    "{\n  \"Parameters\": {\"Stage\": {\"Type\": \"String\"}},\n"
    "  \"Resources\": {\"Bucket\": {\"Type\": \"AWS::S3::Bucket\", \"Condition\": \"A<B & "
    "C\"}}\n}\n";

TEST(BackupCloudFormationTest, SavesStackTemplateAndResourcesWithChecksums) {
  FakeCloudFormation fake;
  ASSERT_TRUE(fake.ok());
  fake.On("DescribeStacks", Stack());
  fake.On("GetTemplate", Template(kJsonTemplate));
  fake.On("DescribeStackResources", Resources());
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunBackup(context, StackBackup("cloudformation"), Env(fake.url()));
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message << "\n" << context.LogText();
  EXPECT_TRUE(context.commands().empty());  // no aws CLI

  EXPECT_EQ(fake.actions(),
            (std::vector<std::string>{"DescribeStacks", "GetTemplate", "DescribeStackResources"}));
  std::vector<Form> calls = fake.calls();
  EXPECT_EQ(calls[0]["StackName"], "web");
  EXPECT_EQ(calls[1]["StackName"], kStackId);  // the very stack that was described
  EXPECT_EQ(calls[1]["TemplateStage"], "Original");
  EXPECT_EQ(calls[2]["StackName"], kStackId);
  const RE2 authorization(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/eu-west-1/cloudformation/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date, Signature=[0-9a-f]{64}");
  for (const LoopbackHttpServer::Request& request : fake.requests()) {
    EXPECT_TRUE(RE2::FullMatch(request.headers.at("authorization"), authorization))
        << request.headers.at("authorization");
  }

  fs::path root = outcome.outputs["path"];
  EXPECT_EQ(root, fs::path(context.artifacts_dir()) / "backups" / "pre-deploy");
  // describe-stacks.json has the AWS CLI's shape and types.
  nlohmann::json stacks = ReadJson(root / "stack" / "describe-stacks.json");
  ASSERT_TRUE(stacks.is_object()) << ReadFile(root / "stack" / "describe-stacks.json");
  ASSERT_EQ(stacks["Stacks"].size(), 1u);
  const nlohmann::json& stack = stacks["Stacks"][0];
  EXPECT_EQ(stack["StackId"], kStackId);
  EXPECT_EQ(stack["StackStatus"], "UPDATE_COMPLETE");
  EXPECT_EQ(stack["Parameters"],
            nlohmann::json::parse(R"([{"ParameterKey": "Stage", "ParameterValue": "prod"},
                                      {"ParameterKey": "Debug", "ParameterValue": "true"}])"));
  EXPECT_EQ(stack["Outputs"][0]["OutputValue"], "https://api.example/prod?a=1&b=2");
  EXPECT_EQ(stack["Tags"], nlohmann::json::parse(R"([{"Key": "team", "Value": "web"}])"));
  EXPECT_EQ(stack["Capabilities"], nlohmann::json::parse(R"(["CAPABILITY_IAM"])"));
  EXPECT_EQ(stack["NotificationARNs"], nlohmann::json::array());
  EXPECT_EQ(stack["DisableRollback"], false);
  EXPECT_EQ(stack["TimeoutInMinutes"], 30);
  EXPECT_EQ(stack["RollbackConfiguration"], nlohmann::json::object());
  EXPECT_EQ(stack["DriftInformation"]["StackDriftStatus"], "NOT_CHECKED");
  EXPECT_FALSE(stacks.contains("ResponseMetadata"));
  // A JSON template is printed as JSON, and saved byte for byte, ready to redeploy.
  nlohmann::json got = ReadJson(root / "stack" / "template.json");
  EXPECT_EQ(got["TemplateBody"], nlohmann::json::parse(kJsonTemplate));
  EXPECT_EQ(got["StagesAvailable"], nlohmann::json::parse(R"(["Original", "Processed"])"));
  EXPECT_EQ(ReadFile(root / "stack" / "template-body.json"), kJsonTemplate);
  EXPECT_FALSE(fs::exists(root / "stack" / "template-body.yaml"));
  nlohmann::json resources = ReadJson(root / "stack" / "stack-resources.json");
  ASSERT_EQ(resources["StackResources"].size(), 2u);
  EXPECT_EQ(resources["StackResources"][1]["PhysicalResourceId"], "web-Bucket-XYZ");

  // Checksums and metadata as for every other source.
  const char* files[] = {"stack/describe-stacks.json", "stack/stack-resources.json",
                         "stack/template-body.json", "stack/template.json"};
  std::string sums;
  for (const char* file : files) sums += Sha256Hex(ReadFile(root / file)) + "  " + file + "\n";
  EXPECT_EQ(ReadFile(root / "SHA256SUMS"), sums);
  EXPECT_EQ(outcome.outputs["checksum"], Sha256Hex(sums));
  EXPECT_EQ(outcome.outputs["files"], "4");
  nlohmann::json metadata = ReadJson(root / "metadata.json");
  EXPECT_EQ(metadata["source"], "stack");
  EXPECT_EQ(metadata["files"].size(), 4u);
  EXPECT_EQ(metadata["sha256sums_sha256"], Sha256Hex(sums));
  EXPECT_EQ(metadata["stack"], nlohmann::json({{"name", "web"},
                                               {"tool", "cloudformation"},
                                               {"region", "eu-west-1"},
                                               {"endpoint", fake.url()},
                                               {"exists", true},
                                               {"stack_id", kStackId},
                                               {"status", "UPDATE_COMPLETE"}}));
  // The secret key never reaches a log unmasked.
  EXPECT_NE(std::find(context.masks().begin(), context.masks().end(), kSecret),
            context.masks().end());
}

// cdk and sam deploy CloudFormation stacks too, and are backed up through the same API; a YAML
// template stays a string, as in the CLI's output.
TEST(BackupCloudFormationTest, CdkAndSamStacksAndYamlTemplates) {
  const std::string yaml = "Resources:\n  Fn: {Type: 'AWS::Serverless::Function'}  # a & b\n";
  for (const char* tool : {"cdk", "sam"}) {
    FakeCloudFormation fake;
    fake.On("DescribeStacks", Stack("CREATE_COMPLETE"));
    fake.On("GetTemplate", Template(yaml));
    fake.On("DescribeStackResources", Resources());
    ScratchDir dir;
    FakeStepContext context(dir.path());
    StepOutcome outcome = RunBackup(context, StackBackup(tool), Env(fake.url()));
    ASSERT_EQ(outcome.status, StepStatus::kSuccess) << tool << ": " << outcome.message;
    fs::path root = outcome.outputs["path"];
    EXPECT_EQ(ReadJson(root / "stack" / "template.json")["TemplateBody"], yaml) << tool;
    EXPECT_EQ(ReadFile(root / "stack" / "template-body.yaml"), yaml) << tool;
    nlohmann::json metadata = ReadJson(root / "metadata.json");
    EXPECT_EQ(metadata["stack"]["tool"], tool);
    EXPECT_EQ(metadata["stack"]["status"], "CREATE_COMPLETE");
    EXPECT_EQ(fake.actions().size(), 3u) << tool;
  }
}

// Before the first deploy there is nothing to restore: the backup succeeds and says so.
TEST(BackupCloudFormationTest, MissingStackRecordsNone) {
  FakeCloudFormation fake;
  fake.On("DescribeStacks", CfnError(400, "ValidationError", "Stack with id web does not exist"));
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunBackup(context, StackBackup("cloudformation"), Env(fake.url()));
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  EXPECT_EQ(fake.actions(), std::vector<std::string>{"DescribeStacks"});
  fs::path root = outcome.outputs["path"];
  EXPECT_FALSE(fs::exists(root / "stack"));
  EXPECT_EQ(outcome.outputs["files"], "0");
  EXPECT_EQ(ReadFile(root / "SHA256SUMS"), "");
  nlohmann::json metadata = ReadJson(root / "metadata.json");
  EXPECT_EQ(metadata["stack"]["exists"], false);
  EXPECT_TRUE(metadata["stack"]["status"].is_null());
  EXPECT_TRUE(metadata["stack"]["stack_id"].is_null());
  EXPECT_NE(context.LogText().find("stack web does not exist yet; the backup records none"),
            std::string::npos)
      << context.LogText();

  // A stack created by a change set that never ran has nothing deployed either.
  FakeCloudFormation review;
  review.On("DescribeStacks", Stack("REVIEW_IN_PROGRESS"));
  outcome = RunBackup(context, StackBackup("cloudformation"), Env(review.url()));
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  EXPECT_EQ(review.actions(), std::vector<std::string>{"DescribeStacks"});
  metadata = ReadJson(fs::path(outcome.outputs["path"]) / "metadata.json");
  EXPECT_EQ(metadata["stack"]["exists"], false);
  EXPECT_EQ(metadata["stack"]["status"], "REVIEW_IN_PROGRESS");
}

TEST(BackupCloudFormationTest, MissingCredentialsFailClearly) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunBackup(context, StackBackup("cdk"), {{"AWS_REGION", "eu-west-1"}});
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "backup of stack web needs AWS credentials in the step's environment: "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (use "
            "aws-actions/configure-aws-credentials or `env:`; profiles and instance roles are "
            "not read)");
  outcome = RunBackup(context, StackBackup("sam"),
                      {{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "s"}});
  EXPECT_EQ(outcome.message,
            "backup of stack web needs a region: set input \"region\", AWS_REGION or "
            "AWS_DEFAULT_REGION");
  EXPECT_TRUE(context.commands().empty());
}

TEST(BackupCloudFormationTest, AccessDeniedSurfacesTheAwsMessageWithoutRetrying) {
  FakeCloudFormation fake;
  fake.On("DescribeStacks",
          CfnError(403, "AccessDenied",
                   "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
                   "cloudformation:DescribeStacks"));
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunBackup(context, StackBackup("cloudformation"), Env(fake.url()));
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "backup: CloudFormation DescribeStacks failed: AccessDenied: User: "
            "arn:aws:iam::123456789012:user/ci is not authorized to perform: "
            "cloudformation:DescribeStacks (HTTP 403)");
  EXPECT_EQ(fake.actions().size(), 1u);
  EXPECT_TRUE(context.sleeps().empty());

  // GetTemplate denied fails the backup too: without the template there is nothing to restore.
  FakeCloudFormation no_template;
  no_template.On("DescribeStacks", Stack());
  no_template.On("GetTemplate", CfnError(403, "AccessDenied", "not allowed: GetTemplate"));
  outcome = RunBackup(context, StackBackup("cloudformation"), Env(no_template.url()));
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "backup: CloudFormation GetTemplate failed: AccessDenied: not allowed: GetTemplate "
            "(HTTP 403)");
}

// The resource list is optional: a policy without DescribeStackResources still gets a backup,
// and the metadata says what is missing and why.
TEST(BackupCloudFormationTest, ResourcesDeniedIsAWarning) {
  FakeCloudFormation fake;
  fake.On("DescribeStacks", Stack());
  fake.On("GetTemplate", Template(kJsonTemplate));
  fake.On("DescribeStackResources", CfnError(403, "AccessDenied", "no resources for you"));
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunBackup(context, StackBackup("cloudformation"), Env(fake.url()));
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  fs::path root = outcome.outputs["path"];
  EXPECT_FALSE(fs::exists(root / "stack" / "stack-resources.json"));
  EXPECT_EQ(outcome.outputs["files"], "3");
  nlohmann::json metadata = ReadJson(root / "metadata.json");
  EXPECT_EQ(metadata["stack"]["resources_error"], "AccessDenied: no resources for you (HTTP 403)");
  EXPECT_NE(context.LogText().find("warning: backup: CloudFormation DescribeStackResources "
                                   "failed: AccessDenied: no resources for you (HTTP 403); "
                                   "stack-resources.json is not included"),
            std::string::npos)
      << context.LogText();
}

TEST(BackupCloudFormationTest, RetriesThrottlingOnTheStepClock) {
  FakeCloudFormation fake;
  fake.On("DescribeStacks", CfnError(400, "Throttling", "Rate exceeded"));
  fake.On("DescribeStacks", Stack());
  fake.On("GetTemplate", CfnXml(503, "<html>busy</html>"));
  fake.On("GetTemplate", Template(kJsonTemplate));
  fake.On("DescribeStackResources", Resources());
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunBackup(context, StackBackup("cloudformation"), Env(fake.url()));
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  EXPECT_EQ(fake.actions().size(), 5u);
  EXPECT_EQ(context.sleeps(),
            (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(1000),
                                                    std::chrono::milliseconds(1000)}));

  // Cancelled while waiting to retry: the step is cancelled, not failed.
  FakeCloudFormation busy;
  busy.On("DescribeStacks", CfnError(400, "Throttling", "Rate exceeded"));
  FakeStepContext cancelling(dir.path() / "second");
  cancelling.CancelOnSleep(1);
  outcome = RunBackup(cancelling, StackBackup("cloudformation"), Env(busy.url()));
  EXPECT_EQ(outcome.status, StepStatus::kCancelled);
}

// The `region` and `endpoint` inputs win over the environment, as in stack-deploy.
TEST(BackupCloudFormationTest, RegionAndEndpointInputs) {
  FakeCloudFormation fake;
  fake.On("DescribeStacks", CfnError(400, "ValidationError", "Stack with id web does not exist"));
  ScratchDir dir;
  FakeStepContext context(dir.path());
  nlohmann::json with = StackBackup("cloudformation");
  with["region"] = "ap-southeast-2";
  with["endpoint"] = fake.url() + "/";
  std::map<std::string, std::string> env = Env("http://127.0.0.1:1");
  env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:2";
  StepOutcome outcome = RunBackup(context, with, env);
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  ASSERT_EQ(fake.requests().size(), 1u);
  EXPECT_NE(fake.requests()[0].headers.at("authorization").find("/ap-southeast-2/cloudformation/"),
            std::string::npos);
  nlohmann::json metadata = ReadJson(fs::path(outcome.outputs["path"]) / "metadata.json");
  EXPECT_EQ(metadata["stack"]["region"], "ap-southeast-2");
  EXPECT_EQ(metadata["stack"]["endpoint"], fake.url());

  // The local tool has no API to point at.
  outcome = RunBackup(
      context,
      {{"name", "x"}, {"source", "stack"}, {"stack-name", "web"}, {"endpoint", "http://x"}}, {});
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_NE(outcome.message.find(
                "input \"endpoint\" applies to tools cdk, sam and cloudformation, not \"local\""),
            std::string::npos)
      << outcome.message;
  outcome = RunBackup(
      context, {{"name", "x"}, {"source", "files"}, {"paths", "a"}, {"endpoint", "http://x"}}, {});
  EXPECT_NE(outcome.message.find("input \"endpoint\" applies to source stack, not \"files\""),
            std::string::npos)
      << outcome.message;
}

TEST(BackupCloudFormationTest, PreviewNamesTheApiCalls) {
  step_api::StepInputs inputs;
  inputs.with = StackBackup("sam");
  inputs.with["region"] = "us-west-2";
  step_api::StepPreview preview = Make()->Preview(inputs);
  EXPECT_EQ(preview.summary, "back up stack into artifacts/backups/pre-deploy/");
  ASSERT_EQ(preview.details.size(), 2u);
  EXPECT_EQ(preview.details[0],
            "CloudFormation API (region us-west-2), SigV4 with AWS_ACCESS_KEY_ID from the step's "
            "environment: save DescribeStacks, GetTemplate (Original) and DescribeStackResources "
            "for web (nothing if it does not exist yet)");
  EXPECT_EQ(preview.details[1], "with SHA256SUMS and metadata.json");
}

// The resolution shared with stack-deploy (aws::ResolveServiceTarget), for another service.
TEST(BackupCloudFormationTest, ServiceTargetResolution) {
  aws::ServiceTarget target;
  std::map<std::string, std::string> env = {{"AWS_ACCESS_KEY_ID", "a"},
                                            {"AWS_SECRET_ACCESS_KEY", "b"},
                                            {"AWS_SESSION_TOKEN", "t"},
                                            {"AWS_ENDPOINT_URL_STS", "http://sts.local:9/"},
                                            {"AWS_ENDPOINT_URL_CLOUDFORMATION", "http://cfn:1"}};
  ASSERT_EQ(aws::ResolveServiceTarget("sts", "sts", "", "", env, &target), "");
  EXPECT_EQ(target.endpoint, "http://sts.local:9");
  EXPECT_EQ(target.region, "us-east-1");
  EXPECT_EQ(target.credentials.session_token, "t");
  env.erase("AWS_ENDPOINT_URL_STS");
  ASSERT_EQ(aws::ResolveServiceTarget("sts", "sts", "cn-north-1", "", env, &target), "");
  EXPECT_EQ(target.endpoint, "https://sts.cn-north-1.amazonaws.com.cn");

  ScratchDir dir;
  FakeStepContext context(dir.path());
  nlohmann::json with = StackBackup("cloudformation");
  with["endpoint"] = "ftp://cfn.example";
  StepOutcome outcome = RunBackup(context, with, Env("http://127.0.0.1:1"));
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "CloudFormation endpoint \"ftp://cfn.example\" is not an http:// or https:// "
            "URL");
}

TEST(BackupCloudFormationTest, QueryXmlToJsonTable) {
  struct Case {
    const char* xml;
    const char* json;
  };
  const Case cases[] = {
      {"<R><A>x</A></R>", R"({"A": "x"})"},
      {"<R><Tags/></R>", R"({"Tags": []})"},
      {"<R><Custom><member>a</member><member>b</member></Custom></R>", R"({"Custom": ["a", "b"]})"},
      {"<R><Outputs><member><OutputKey>K</OutputKey></member></Outputs></R>",
       R"({"Outputs": [{"OutputKey": "K"}]})"},
      {"<R><EnableTerminationProtection>true</EnableTerminationProtection></R>",
       R"({"EnableTerminationProtection": true})"},
      {"<R><ParameterValue>true</ParameterValue><TimeoutInMinutes>5</TimeoutInMinutes></R>",
       R"({"ParameterValue": "true", "TimeoutInMinutes": 5})"},
      {"<R><TimeoutInMinutes>soon</TimeoutInMinutes></R>", R"({"TimeoutInMinutes": "soon"})"},
      {"<R><DriftInformation/><Empty/></R>", R"({"DriftInformation": {}, "Empty": ""})"},
  };
  for (const Case& c : cases) {
    std::string error;
    std::optional<aws::XmlElement> xml = aws::ParseXml(c.xml, &error);
    ASSERT_TRUE(xml) << c.xml << ": " << error;
    EXPECT_EQ(QueryXmlToJson(*xml), nlohmann::json::parse(c.json)) << c.xml;
  }
}

}  // namespace
}  // namespace slipway::stdlib::backup
