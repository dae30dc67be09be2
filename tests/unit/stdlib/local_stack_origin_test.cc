// Who deployed each version of a local stack, and which versions a rollback may restore: only
// those deployed to the environment it acts for, from a ref that environment admits (attack
// audit 13, finding 26).
#include "stdlib/stack_deploy/local_stack_origin.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "stdlib/stack_deploy/local_stack.h"
#include "stdlib/stack_deploy/stack_deploy.h"
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

StepOutcome RunStep(FakeStepContext& context, nlohmann::json with,
                    nlohmann::json written = nlohmann::json::object()) {
  step_api::StepInputs inputs;
  inputs.with = std::move(with);
  inputs.with_written = std::move(written);
  return Make()->Run(inputs, context);
}

// Sets who runs the next step.
void RunAs(FakeStepContext& context, const std::string& run_id, const std::string& ref,
           const std::string& environment) {
  step_api::RunOrigin& origin = context.mutable_origin();
  origin.run_id = run_id;
  origin.ref = ref;
  origin.environment = environment;
  origin.job = environment.empty() ? "preview" : "deploy";
}

const nlohmann::json kRollback = {{"stack-name", "web"}, {"action", "rollback"}};

TEST(LocalStackOriginTest, EachVersionAndHistoryLineNamesTheRunBehindIt) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  context.set_policy("production", {"refs/heads/main", "refs/tags/v1.2.0"});
  RunAs(context, "41", "refs/heads/main", "production");
  ASSERT_EQ(RunStep(context, {{"stack-name", "web"}}).status, StepStatus::kSuccess);
  RunAs(context, "42", "refs/tags/v1.2.0", "production");
  ASSERT_EQ(RunStep(context, {{"stack-name", "web"}}).status, StepStatus::kSuccess);
  ASSERT_EQ(RunStep(context, kRollback).status, StepStatus::kSuccess) << context.LogText();

  LocalStackStore store(context.state_dir(), "web");
  EXPECT_EQ(store.ReadVersion(1)["deployed_by"],
            (nlohmann::json{{"run_id", "41"},
                            {"workflow", ".github/workflows/deploy.yml"},
                            {"job", "deploy"},
                            {"ref", "refs/heads/main"},
                            {"sha", "0123456789abcdef0123456789abcdef01234567"},
                            {"actor", "alice"},
                            {"environment", "production"}}));
  EXPECT_EQ(store.ReadVersion(2)["deployed_by"]["run_id"], "42");
  std::istringstream history(ReadFile(store.dir() / "history.jsonl"));
  std::vector<std::string> by;
  for (std::string line; std::getline(history, line);) {
    nlohmann::json event = nlohmann::json::parse(line);
    by.push_back(event["event"].get<std::string>() + " " + event["version"].get<std::string>() +
                 " by " + event["by"]["run_id"].get<std::string>() + " " +
                 event["by"]["ref"].get<std::string>() + " " +
                 event["by"]["environment"].get<std::string>());
  }
  EXPECT_EQ(by, (std::vector<std::string>{"deploy v1 by 41 refs/heads/main production",
                                          "deploy v2 by 42 refs/tags/v1.2.0 production",
                                          "rollback v1 by 42 refs/tags/v1.2.0 production"}));
}

// The previous version deployed to the same environment is the rollback target; what an
// ungated run or another environment deployed in between is passed over, and the log says why.
TEST(LocalStackOriginTest, RollbackReturnsToThePreviousVersionOfItsEnvironment) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  RunAs(context, "1", "refs/heads/main", "production");
  ASSERT_EQ(RunStep(context, {{"stack-name", "web"}}).status, StepStatus::kSuccess);
  RunAs(context, "2", "refs/heads/feature", "");
  ASSERT_EQ(RunStep(context, {{"stack-name", "web"}}).status, StepStatus::kSuccess);
  RunAs(context, "3", "refs/heads/main", "staging");
  ASSERT_EQ(RunStep(context, {{"stack-name", "web"}}).status, StepStatus::kSuccess);
  RunAs(context, "4", "refs/heads/main", "production");
  ASSERT_EQ(RunStep(context, {{"stack-name", "web"}}).status, StepStatus::kSuccess);

  StepOutcome rollback = RunStep(context, kRollback);
  ASSERT_EQ(rollback.status, StepStatus::kSuccess) << rollback.message;
  EXPECT_EQ(rollback.outputs["version"], "v1");
  EXPECT_EQ(rollback.outputs["rolled-back-from"], "v4");
  std::string log = context.LogText();
  EXPECT_NE(log.find("stack web: passing over v3: v3 was deployed by run 3 "
                     "(.github/workflows/deploy.yml, job deploy) from refs/heads/main to "
                     "environment \"staging\", and a job of environment \"production\" restores "
                     "only versions deployed to \"production\""),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("stack web: passing over v2: v2 was deployed by run 2 "
                     "(.github/workflows/deploy.yml, job preview) from refs/heads/feature without "
                     "an environment"),
            std::string::npos)
      << log;
}

// Who may restore what: a table of (version deployed by, rollback run by, policy) → refusal.
TEST(LocalStackOriginTest, ExplicitTargetOfAnotherEnvironmentOrRefIsRefused) {
  struct Case {
    const char* name;
    const char* deployed_ref;
    const char* deployed_environment;
    const char* ref;
    const char* environment;
    bool policy;          // production admits refs/heads/main and refs/tags/v1.0.0
    const char* refusal;  // "" → restored
  } cases[] = {
      {"same environment and ref", "refs/heads/main", "production", "refs/heads/main", "production",
       false, ""},
      {"admitted tag", "refs/tags/v1.0.0", "production", "refs/heads/main", "production", true, ""},
      {"ref the policy refuses", "refs/heads/hotfix", "production", "refs/heads/main", "production",
       true,
       "stack web: rollback to v1 refused: v1 was deployed by run 1 (.github/workflows/deploy.yml, "
       "job deploy) from refs/heads/hotfix to environment \"production\", a ref the "
       "deployment_branches of environment \"production\" do not admit"},
      {"other ref without a policy", "refs/tags/v1.0.0", "production", "refs/heads/main",
       "production", false,
       "stack web: rollback to v1 refused: v1 was deployed by run 1 (.github/workflows/deploy.yml, "
       "job deploy) from refs/tags/v1.0.0 to environment \"production\", not from this run's ref "
       "refs/heads/main; environment \"production\" has no deployment_branches that would admit "
       "other refs"},
      {"ungated version, production rollback", "refs/heads/main", "", "refs/heads/main",
       "production", false,
       "stack web: rollback to v1 refused: v1 was deployed by run 1 (.github/workflows/deploy.yml, "
       "job preview) from refs/heads/main without an environment, and a job of environment "
       "\"production\" restores only versions deployed to \"production\""},
      {"ungated, other ref", "refs/heads/feature", "", "refs/heads/main", "", false,
       "stack web: rollback to v1 refused: v1 was deployed by run 1 (.github/workflows/deploy.yml, "
       "job preview) from refs/heads/feature without an environment, not from this run's ref "
       "refs/heads/main; without an environment, only versions deployed from the same ref are "
       "restored"},
      {"ungated, same ref", "refs/heads/main", "", "refs/heads/main", "", false, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScratchDir dir;
    FakeStepContext context(dir.path());
    if (c.policy) context.set_policy("production", {"refs/heads/main", "refs/tags/v1.0.0"});
    RunAs(context, "1", c.deployed_ref, c.deployed_environment);
    ASSERT_EQ(RunStep(context, {{"stack-name", "web"}}).status, StepStatus::kSuccess);
    RunAs(context, "2", c.ref, c.environment);
    ASSERT_EQ(RunStep(context, {{"stack-name", "web"}}).status, StepStatus::kSuccess);
    nlohmann::json with = kRollback;
    with["target-version"] = "v1";
    StepOutcome rollback = RunStep(context, with);
    LocalStackStore store(context.state_dir(), "web");
    if (std::string(c.refusal).empty()) {
      EXPECT_EQ(rollback.status, StepStatus::kSuccess) << rollback.message;
      EXPECT_EQ(store.Current(), 1);
    } else {
      EXPECT_EQ(rollback.status, StepStatus::kFailure);
      EXPECT_EQ(rollback.message, c.refusal);
      EXPECT_EQ(store.Current(), 2);
    }
  }
}

// The example's shape: the deploy job (environment production) deployed the live version, and
// the same run's rollback job, which has no environment, undoes it. Another run's ungated job
// does not take down what production deployed.
TEST(LocalStackOriginTest, OnlyTheRunThatDeployedItUndoesItWithoutTheEnvironment) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  RunAs(context, "1", "refs/heads/main", "production");
  ASSERT_EQ(RunStep(context, {{"stack-name", "web"}}).status, StepStatus::kSuccess);
  RunAs(context, "2", "refs/heads/main", "production");
  ASSERT_EQ(RunStep(context, {{"stack-name", "web"}}).status, StepStatus::kSuccess);

  RunAs(context, "3", "refs/heads/main", "");
  StepOutcome other = RunStep(context, kRollback);
  EXPECT_EQ(other.status, StepStatus::kFailure);
  EXPECT_EQ(other.message,
            "stack web: rollback refused: the live version v2 was deployed by run 2 "
            "(.github/workflows/deploy.yml, job deploy) from refs/heads/main to environment "
            "\"production\", and a job without an environment does not take it down; roll it "
            "back from a job of environment \"production\"");
  LocalStackStore store(context.state_dir(), "web");
  EXPECT_EQ(store.Current(), 2);

  RunAs(context, "2", "refs/heads/main", "");  // run 2's rollback job
  StepOutcome own = RunStep(context, kRollback);
  ASSERT_EQ(own.status, StepStatus::kSuccess) << own.message;
  EXPECT_EQ(store.Current(), 1);
}

// A version written before versions recorded their deployer is not restored.
TEST(LocalStackOriginTest, AVersionWithoutItsDeployerIsNotRestored) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  ASSERT_EQ(RunStep(context, {{"stack-name", "web"}}).status, StepStatus::kSuccess);
  ASSERT_EQ(RunStep(context, {{"stack-name", "web"}}).status, StepStatus::kSuccess);
  LocalStackStore store(context.state_dir(), "web");
  nlohmann::json v1 = store.ReadVersion(1);
  v1.erase("deployed_by");
  std::ofstream(store.VersionDir(1) / "version.json") << v1.dump(2);
  StepOutcome rollback = RunStep(context, kRollback);
  EXPECT_EQ(rollback.status, StepStatus::kFailure);
  EXPECT_EQ(rollback.message,
            "stack web has no version before v2 to roll back to that this job may restore: v1's "
            "record does not say which run deployed it (it was written before slipway recorded "
            "that), so it is not restored; deploy that version again instead");
}

// A production deploy whose app fails to start puts the previous version back only when
// production deployed it: feature's command never runs with production's secret.
TEST(LocalStackOriginTest, AFailedDeployDoesNotRestartWhatAnotherEnvironmentDeployed) {
  int port = 0;
  {
    slipway::testing::LoopbackHttpServer probe;  // borrow a free port
    port = probe.port();
  }
  ScratchDir dir;
  FakeStepContext context(dir.path());
  context.set_real_sleep(true);
  fs::path leak = fs::path(context.workspace()) / "LEAK";
  auto deploy = [&](const std::string& start) {
    return RunStep(context,
                   {{"stack-name", "web"},
                    {"start", start},
                    {"port", port},
                    {"start-timeout", "20s"},
                    {"parameters", "TOKEN="}},
                   {{"parameters", "TOKEN=${{ secrets.PROD_TOKEN }}"}});
  };
  RunAs(context, "1", "refs/heads/feature", "");
  StepOutcome feature = deploy(
      "echo \"TOKEN=$TOKEN\" > LEAK; exec python3 -m http.server \"$PORT\" --bind 127.0.0.1");
  ASSERT_EQ(feature.status, StepStatus::kSuccess) << feature.message << context.LogText();
  fs::remove(leak);

  RunAs(context, "2", "refs/heads/main", "production");
  context.set_secret("PROD_TOKEN", "prod-secret-value-42");
  StepOutcome production = deploy("exit 3");
  EXPECT_EQ(production.status, StepStatus::kFailure);
  EXPECT_FALSE(fs::exists(leak)) << ReadFile(leak);
  EXPECT_NE(context.LogText().find("could not restart v1: v1 was deployed by run 1"),
            std::string::npos)
      << context.LogText();
}

}  // namespace
}  // namespace slipway::stdlib::stack_deploy
