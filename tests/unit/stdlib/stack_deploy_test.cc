#include "stdlib/stack_deploy/stack_deploy.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "stdlib/files.h"
#include "stdlib/stack_deploy/local_stack.h"
#include "stdlib/stack_deploy/tool_commands.h"
#include "tests/support/fake_step_context.h"
#include "tests/support/golden.h"
#include "tests/support/loopback_http_server.h"

namespace slipway::stdlib::stack_deploy {
namespace {

namespace fs = std::filesystem;
using slipway::testing::FakeStepContext;
using slipway::testing::ReadFile;
using slipway::testing::ScratchDir;
using step_api::StepOutcome;
using step_api::StepStatus;

StepOutcome RunStep(FakeStepContext& context, nlohmann::json with) {
  step_api::StepInputs inputs;
  inputs.with = std::move(with);
  return Make()->Run(inputs, context);
}

TEST(StackDeployLocalTest, DeploysVersionsAndRollsBack) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  std::ofstream(fs::path(context.workspace()) / "template.yaml") << "Resources: {A: 1}\n";
  nlohmann::json with = {{"stack-name", "web"},
                         {"template", "template.yaml"},
                         {"parameters", "Environment=production\nVersion=1.0.0"},
                         {"outputs", "url=https://web.example/{version}\nbucket=web-assets"}};
  StepOutcome first = RunStep(context, with);
  ASSERT_EQ(first.status, StepStatus::kSuccess) << first.message;
  EXPECT_EQ(first.outputs["version"], "v1");
  EXPECT_EQ(first.outputs["previous-version"], "");
  EXPECT_EQ(first.outputs["url"], "https://web.example/v1");
  EXPECT_EQ(first.outputs["bucket"], "web-assets");

  std::ofstream(fs::path(context.workspace()) / "template.yaml") << "Resources: {A: 2}\n";
  with["parameters"] = "Environment=production\nVersion=1.1.0";
  StepOutcome second = RunStep(context, with);
  ASSERT_EQ(second.status, StepStatus::kSuccess) << second.message;
  EXPECT_EQ(second.outputs["version"], "v2");
  EXPECT_EQ(second.outputs["previous-version"], "v1");

  fs::path stack = fs::path(context.state_dir()) / "stacks" / "web";
  EXPECT_EQ(ReadFile(stack / "current"), "v2\n");
  EXPECT_EQ(ReadFile(stack / "v1" / "template.yaml"), "Resources: {A: 1}\n");
  EXPECT_EQ(ReadFile(stack / "v2" / "template.yaml"), "Resources: {A: 2}\n");
  nlohmann::json v2 = nlohmann::json::parse(ReadFile(stack / "v2" / "version.json"));
  EXPECT_EQ(v2["parameters"]["Version"], "1.1.0");
  EXPECT_EQ(v2["previous"], "v1");
  EXPECT_EQ(v2["created_at"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(v2["template_sha256"], Sha256Hex("Resources: {A: 2}\n"));

  StepOutcome rollback = RunStep(context, {{"stack-name", "web"}, {"action", "rollback"}});
  ASSERT_EQ(rollback.status, StepStatus::kSuccess) << rollback.message;
  EXPECT_EQ(rollback.outputs["version"], "v1");
  EXPECT_EQ(rollback.outputs["rolled-back-from"], "v2");
  EXPECT_EQ(rollback.outputs["url"], "https://web.example/v1");
  EXPECT_EQ(ReadFile(stack / "current"), "v1\n");

  // Nothing before v1: a second rollback fails and leaves the pointer alone.
  StepOutcome again = RunStep(context, {{"stack-name", "web"}, {"action", "rollback"}});
  EXPECT_EQ(again.status, StepStatus::kFailure);
  EXPECT_EQ(again.message, "stack web has no version before v1 to roll back to");
  EXPECT_EQ(ReadFile(stack / "current"), "v1\n");

  // A deploy after a rollback takes the next free number.
  StepOutcome third = RunStep(context, with);
  EXPECT_EQ(third.outputs["version"], "v3");
  EXPECT_EQ(third.outputs["previous-version"], "v1");
  std::string history = ReadFile(stack / "history.jsonl");
  EXPECT_EQ(std::count(history.begin(), history.end(), '\n'), 4) << history;
}

TEST(StackDeployLocalTest, RollbackToTargetVersion) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(RunStep(context, {{"stack-name", "api"}}).status, StepStatus::kSuccess);
  }
  StepOutcome missing =
      RunStep(context, {{"stack-name", "api"}, {"action", "rollback"}, {"target-version", "v9"}});
  EXPECT_EQ(missing.status, StepStatus::kFailure);
  EXPECT_EQ(missing.message, "stack api has no version \"v9\"");
  StepOutcome ok =
      RunStep(context, {{"stack-name", "api"}, {"action", "rollback"}, {"target-version", "v1"}});
  ASSERT_EQ(ok.status, StepStatus::kSuccess) << ok.message;
  LocalStackStore store(context.state_dir(), "api");
  EXPECT_EQ(store.Current(), 1);
  EXPECT_EQ(store.Versions(), (std::vector<int>{1, 2, 3}));
}

TEST(StackDeployLocalTest, RollbackWithNothingDeployedFails) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunStep(context, {{"stack-name", "api"}, {"action", "rollback"}});
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message, "stack api has no deployed version to roll back");
}

TEST(StackDeployLocalTest, DiffReportsParameterChanges) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome fresh = RunStep(context, {{"stack-name", "s"}, {"action", "diff"}});
  EXPECT_EQ(fresh.outputs["changed"], "true");
  ASSERT_EQ(
      RunStep(context, {{"stack-name", "s"}, {"parameters", {{"A", "1"}, {"B", "2"}}}}).status,
      StepStatus::kSuccess);
  StepOutcome same =
      RunStep(context, {{"stack-name", "s"}, {"action", "diff"}, {"parameters", "A=1\nB=2"}});
  EXPECT_EQ(same.outputs["changed"], "false");
  StepOutcome changed =
      RunStep(context, {{"stack-name", "s"}, {"action", "diff"}, {"parameters", "A=5\nC=3"}});
  EXPECT_EQ(changed.outputs["changed"], "true");
  std::string log = context.LogText();
  EXPECT_NE(log.find("~ parameter A: 1 -> 5"), std::string::npos) << log;
  EXPECT_NE(log.find("+ parameter C=3"), std::string::npos) << log;
  EXPECT_NE(log.find("- parameter B"), std::string::npos) << log;
  // diff never records a version.
  EXPECT_EQ(LocalStackStore(context.state_dir(), "s").Versions(), (std::vector<int>{1}));
}

TEST(StackDeployLocalTest, StartsTheAppAndWaitsUntilHealthy) {
  int port = 0;
  {
    slipway::testing::LoopbackHttpServer probe;  // borrow a free port
    port = probe.port();
  }
  ScratchDir dir;
  FakeStepContext context(dir.path());
  context.set_real_sleep(true);
  std::ofstream(fs::path(context.workspace()) / "index.html") << "version page\n";
  StepOutcome outcome =
      RunStep(context, {{"stack-name", "app"},
                        {"start", "exec python3 -m http.server \"$PORT\" --bind 127.0.0.1"},
                        {"port", port},
                        {"start-timeout", "20s"}});
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message << "\n" << context.LogText();
  EXPECT_EQ(outcome.outputs["url"], "http://127.0.0.1:" + std::to_string(port));
  fs::path stack = fs::path(context.state_dir()) / "stacks" / "app";
  int pid = std::atoi(ReadFile(stack / "app.pid").c_str());
  ASSERT_GT(pid, 1);
  // Rolling back with nothing before v1 fails; a failing start fails the deploy and keeps v1.
  StepOutcome bad = RunStep(
      context,
      {{"stack-name", "app"}, {"start", "exit 3"}, {"port", port}, {"start-timeout", "2s"}});
  EXPECT_EQ(bad.status, StepStatus::kFailure);
  EXPECT_NE(bad.message.find("deploy of v2 failed"), std::string::npos) << bad.message;
  LocalStackStore store(context.state_dir(), "app");
  EXPECT_EQ(store.Current(), 1);
  EXPECT_EQ(store.ReadVersion(2)["status"], "failed");
  // Clean up the app we started (v1 was restarted after the failed deploy).
  int live = std::atoi(ReadFile(stack / "app.pid").c_str());
  if (live > 1) ::kill(-live, SIGKILL);
}

// A parameter that held a secret not written as `${{ secrets.NAME }}` (here: through env) is
// stored as "***"; a rollback that would restart that version refuses, before stopping what
// serves, instead of starting the app with "***".
TEST(StackDeployLocalTest, RollbackRefusesAVersionWhoseSecretWasNotRecorded) {
  int port = 0;
  {
    slipway::testing::LoopbackHttpServer probe;  // borrow a free port
    port = probe.port();
  }
  ScratchDir dir;
  FakeStepContext context(dir.path());
  context.set_real_sleep(true);
  context.set_secret("DB_PASS", "hunter2-env-secret");
  auto deploy = [&](const std::string& version, const std::string& token,
                    const std::string& token_written) {
    step_api::StepInputs inputs;
    inputs.with = {{"stack-name", "app"},
                   {"start", "exec python3 -m http.server \"$PORT\" --bind 127.0.0.1"},
                   {"port", port},
                   {"start-timeout", "20s"},
                   {"parameters", "VERSION=" + version + "\nTOKEN=" + token}};
    inputs.with_written = {{"parameters", "VERSION=" + version + "\nTOKEN=" + token_written}};
    return Make()->Run(inputs, context);
  };
  StepOutcome v1 = deploy("1", "hunter2-env-secret", "${{ env.TOKEN }}");
  ASSERT_EQ(v1.status, StepStatus::kSuccess) << v1.message << "\n" << context.LogText();
  StepOutcome v2 = deploy("2", "public", "public");
  ASSERT_EQ(v2.status, StepStatus::kSuccess) << v2.message << "\n" << context.LogText();
  fs::path stack = fs::path(context.state_dir()) / "stacks" / "app";
  int live = std::atoi(ReadFile(stack / "app.pid").c_str());
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(stack)) {
    if (entry.is_regular_file()) {
      EXPECT_EQ(ReadFile(entry.path()).find("hunter2-env-secret"), std::string::npos)
          << entry.path();
    }
  }
  EXPECT_EQ(nlohmann::json::parse(ReadFile(stack / "v1" / "parameters.json"))["TOKEN"], "***");

  StepOutcome refused = RunStep(context, {{"stack-name", "app"}, {"action", "rollback"}});
  EXPECT_EQ(refused.status, StepStatus::kFailure);
  EXPECT_EQ(refused.message.find("stack app: rollback to v1 failed: its record holds \"***\" for "
                                 "parameter TOKEN"),
            0u)
      << refused.message;
  EXPECT_EQ(ReadFile(stack / "current"), "v2\n");
  EXPECT_EQ(std::atoi(ReadFile(stack / "app.pid").c_str()), live);  // v2 still serves
  EXPECT_EQ(::kill(live, 0), 0);
  if (live > 1) ::kill(-live, SIGKILL);
}

TEST(StackDeployToolsTest, CdkDeployCommandAndOutputs) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  std::string seen;
  context.set_command_handler([&](const std::string& script, std::string* output) {
    seen = script;
    size_t at = script.find("--outputs-file ");
    std::string file = script.substr(at + 15, script.find(' ', at + 15) - at - 15);
    std::ofstream(file) << R"({"AvesaStack": {"ApiUrl": "https://api.example", "Count": 3}})";
    *output = "deployed";
    return 0;
  });
  StepOutcome outcome = RunStep(context, {{"tool", "cdk"},
                                          {"app", "python app.py"},
                                          {"working-directory", "infrastructure"},
                                          {"stacks", "--all"},
                                          {"context", "environment=prod\n"},
                                          {"region", "us-east-2"},
                                          {"timeout", "20m"}});
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  std::string expected_prefix =
      "cd infrastructure && AWS_REGION=us-east-2 AWS_DEFAULT_REGION=us-east-2 timeout 1200 "
      "cdk deploy --all --app 'python app.py' --context environment=prod --require-approval "
      "never --outputs-file ";
  EXPECT_EQ(seen.substr(0, expected_prefix.size()), expected_prefix) << seen;
  EXPECT_EQ(outcome.outputs["ApiUrl"], "https://api.example");
  EXPECT_EQ(outcome.outputs["Count"], "3");
}

TEST(StackDeployToolsTest, SamDeployReadsStackOutputs) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  std::vector<std::string> scripts;
  context.set_command_handler([&](const std::string& script, std::string* output) {
    scripts.push_back(script);
    if (script.find("describe-stacks") != std::string::npos) {
      *output = R"([{"OutputKey": "ApiEndpoint", "OutputValue": "https://x.execute-api"}])";
    }
    return 0;
  });
  StepOutcome outcome =
      RunStep(context, {{"tool", "sam"},
                        {"stack-name", "bayon-prod"},
                        {"template", "template.yaml"},
                        {"region", "us-west-2"},
                        {"capabilities", "CAPABILITY_IAM CAPABILITY_AUTO_EXPAND"},
                        {"parameters", "Environment=production\nVersion=v1.2.0"}});
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  ASSERT_EQ(scripts.size(), 2u);
  EXPECT_EQ(scripts[0],
            "AWS_REGION=us-west-2 AWS_DEFAULT_REGION=us-west-2 timeout 1800 sam deploy "
            "--stack-name bayon-prod --template-file template.yaml --region us-west-2 "
            "--capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND --parameter-overrides "
            "Environment=production Version=v1.2.0 --resolve-s3 --no-confirm-changeset "
            "--no-fail-on-empty-changeset");
  EXPECT_EQ(outcome.outputs["ApiEndpoint"], "https://x.execute-api");
}

// A stack name from a secret: local and cloudformation would name a state directory after it,
// so they refuse; sam and cdk send it to the tool (the pixel-prompt pipeline's
// STACK_NAME_PRODUCTION), and cdk's outputs file is named after its masked form.
TEST(StackDeployToolsTest, StackNameFromASecretNeverNamesAFile) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  context.set_secret("STACK", "pixel-prod-7f3a");
  context.AddMask("pixel-prod-7f3a");
  std::vector<std::string> scripts;
  context.set_command_handler([&](const std::string& script, std::string*) {
    scripts.push_back(script);
    return 0;
  });
  for (const char* tool : {"local", "cloudformation"}) {
    StepOutcome refused = RunStep(
        context, {{"tool", tool}, {"stack-name", "pixel-prod-7f3a"}, {"region", "us-east-1"}});
    EXPECT_EQ(refused.status, StepStatus::kFailure) << tool;
    EXPECT_EQ(
        refused.message,
        "stack deploy: input \"stack-name\" would reveal a secret (\"***\"): a name becomes a "
        "file or directory name, which is never masked; give it a name without secrets")
        << tool;
  }
  EXPECT_FALSE(fs::exists(fs::path(context.state_dir()) / "stacks"));
  EXPECT_FALSE(fs::exists(fs::path(context.state_dir()) / "cloudformation"));
  for (const char* tool : {"sam", "cdk"}) {
    StepOutcome deployed = RunStep(context, {{"tool", tool}, {"stack-name", "pixel-prod-7f3a"}});
    EXPECT_EQ(deployed.status, StepStatus::kSuccess) << tool << ": " << deployed.message;
  }
  ASSERT_GE(scripts.size(), 3u);
  EXPECT_NE(scripts[0].find("--stack-name pixel-prod-7f3a"), std::string::npos) << scripts[0];
  std::string cdk = scripts.back();
  EXPECT_NE(cdk.find("cdk-outputs-___.json"), std::string::npos) << cdk;
}

TEST(StackDeployToolsTest, FailingToolFailsTheStep) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  context.set_command_handler([](const std::string&, std::string*) { return 124; });
  StepOutcome outcome = RunStep(context, {{"tool", "sam"}, {"stack-name", "s"}, {"timeout", "5m"}});
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message, "sam deploy failed with exit code 124 (timed out after 5m)");
}

TEST(StackDeployToolsTest, CloudFormationWithoutCredentialsFailsClearly) {
  // The API path is covered in stack_deploy_cloudformation_test.cc; no shell command is run.
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunStep(context, {{"tool", "cloudformation"}, {"stack-name", "s"}});
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_NE(outcome.message.find("tool cloudformation needs"), std::string::npos)
      << outcome.message;
  EXPECT_TRUE(context.commands().empty());
}

TEST(StackDeployToolsTest, PreviewShowsCommandsAndChangeSet) {
  step_api::StepInputs inputs;
  inputs.with = {{"tool", "sam"}, {"stack-name", "bayon-prod"}, {"timeout", "20m"}};
  step_api::StepPreview preview = Make()->Preview(inputs);
  EXPECT_EQ(preview.summary, "deploy stack bayon-prod with sam");
  ASSERT_EQ(preview.details.size(), 3u);
  EXPECT_EQ(preview.details[0],
            "change set preview: timeout 1200 sam deploy --stack-name bayon-prod --resolve-s3 "
            "--no-confirm-changeset --no-execute-changeset");
  inputs.with = {{"stack-name", "web"}, {"action", "rollback"}};
  preview = Make()->Preview(inputs);
  EXPECT_EQ(preview.summary, "rollback stack web with local");
  ASSERT_FALSE(preview.details.empty());
  EXPECT_EQ(preview.details[0],
            "switch <state-dir>/stacks/web/current to the previous version its "
            "environment deployed");
}

TEST(StackDeployToolsTest, BadInputsAreReported) {
  struct Case {
    nlohmann::json with;
    std::string error;
  };
  const Case cases[] = {
      {nlohmann::json::object(), "input \"stack-name\" is required"},
      {{{"tool", "cdk"}}, "tool cdk needs \"stack-name\" or \"stacks\""},
      {{{"tool", "pulumi"}, {"stack-name", "s"}},
       "input \"tool\": expected local, cdk, sam or cloudformation, got \"pulumi\""},
      {{{"stack-name", "../etc"}}, "is not a valid local stack name"},
      {{{"stack-name", "s"}, {"app", "python app.py"}},
       "input \"app\" applies to tool cdk, not \"local\""},
      {{{"stack-name", "s"}, {"port", 8080}}, "input \"port\" needs \"start\""},
      {{{"stack-name", "s"}, {"target-version", "v1"}},
       "input \"target-version\" applies to action rollback"},
      // A stack name a tool would read as an option (cdk runs `--app=CMD` as the app).
      {{{"tool", "cdk"}, {"stack-name", "--app=id > PWNED"}},
       "input \"stack-name\": \"--app=id > PWNED\" is not a cdk stack name or pattern"},
      {{{"tool", "cdk"}, {"stacks", "Api --force"}},
       "input \"stacks\": \"--force\" is not a cdk stack name or pattern"},
      {{{"tool", "cdk"}, {"stack-name", "--all"}}, "is not a cdk stack name or pattern"},
      {{{"tool", "sam"}, {"stack-name", "--no-execute-changeset"}},
       "is not a CloudFormation stack name (a letter, then letters, digits and '-'; at most 128)"},
      {{{"tool", "sam"}, {"stack-name", "api;x"}}, "is not a CloudFormation stack name"},
      {{{"tool", "sam"}, {"stack-name", std::string(129, 'a')}},
       "is not a CloudFormation stack name"},
      {{{"tool", "cloudformation"}, {"stack-name", "1api"}}, "is not a CloudFormation stack name"},
  };
  for (const Case& c : cases) {
    std::string error;
    EXPECT_FALSE(ParseConfig(c.with, &error).has_value()) << c.with.dump();
    EXPECT_NE(error.find(c.error), std::string::npos) << "got: " << error;
  }
  // cdk's own selectors pass: --all among `stacks`, construct paths and patterns.
  std::string error;
  EXPECT_TRUE(ParseConfig({{"tool", "cdk"}, {"stacks", "--all"}}, &error)) << error;
  EXPECT_TRUE(ParseConfig({{"tool", "cdk"}, {"stacks", "Prod/Api Prod/*"}}, &error)) << error;
  EXPECT_TRUE(ParseConfig({{"tool", "sam"}, {"stack-name", std::string(128, 'a')}}, &error))
      << error;
  // The plan's preview sees expressions unevaluated; the run checks what they evaluate to.
  nlohmann::json unevaluated = {{"tool", "cdk"}, {"stack-name", "${{ inputs.service }}"}};
  EXPECT_TRUE(ParseConfig(unevaluated, &error, /*planning=*/true)) << error;
  EXPECT_FALSE(ParseConfig(unevaluated, &error));
}

}  // namespace
}  // namespace slipway::stdlib::stack_deploy
