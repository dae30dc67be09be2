#include "stdlib/traffic_shift/traffic_shift.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "stdlib/files.h"
#include "tests/support/fake_step_context.h"
#include "tests/support/loopback_http_server.h"

namespace slipway::stdlib::traffic_shift {
namespace {

namespace fs = std::filesystem;
using slipway::testing::FakeStepContext;
using slipway::testing::LoopbackHttpServer;
using slipway::testing::ScratchDir;
using step_api::StepOutcome;
using step_api::StepStatus;

StepOutcome RunShift(FakeStepContext& context, nlohmann::json with) {
  step_api::StepInputs inputs;
  inputs.with = std::move(with);
  return Make()->Run(inputs, context);
}

nlohmann::json State(FakeStepContext& context, const std::string& name) {
  std::string text, error;
  ReadFileText(fs::path(context.state_dir()) / "traffic" / (name + ".json"), &text, &error);
  return nlohmann::json::parse(text, nullptr, false);
}

TEST(TrafficShiftTest, AllPhasesHealthy) {
  LoopbackHttpServer server;
  server.Respond("/health", 200, R"({"error_rate": 0.1})");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunShift(context, {{"target", "amplify:app/main"},
                                           {"version", "v2"},
                                           {"phases", "10,50,100"},
                                           {"bake-time", "5m"},
                                           {"health-url", server.base_url() + "/health"},
                                           {"max-error-rate", "1"}});
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message << context.LogText();
  EXPECT_EQ(outcome.outputs["percent"], "100");
  EXPECT_EQ(server.CountRequests("/health"), 3);
  EXPECT_EQ(context.sleeps(), (std::vector<std::chrono::milliseconds>(3, std::chrono::minutes(5))));
  nlohmann::json state = State(context, "amplify_app_main");
  EXPECT_EQ(state["percent"], 100);
  EXPECT_EQ(state["version"], "v2");
  ASSERT_EQ(state["history"].size(), 3u);
  EXPECT_EQ(state["history"][0]["percent"], 10);
}

TEST(TrafficShiftTest, FailingHealthCheckRevertsToPreviousWeights) {
  LoopbackHttpServer server;
  server.Respond("/health", 200, R"({"error_rate": 0.1})");
  server.Respond("/health", 200, R"({"error_rate": 0.2})");
  server.Respond("/health", 500, "down");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  // A first shift that stops at 20 %: that is the "previous" weight to return to.
  ASSERT_EQ(RunShift(context, {{"target", "web"}, {"phases", "20"}, {"bake-time", "1s"},
                               {"health-url", server.base_url() + "/health"}})
                .status,
            StepStatus::kSuccess);
  std::vector<std::string> applied;
  context.set_command_handler([&](const std::string& script, std::string*) {
    applied.push_back(script.substr(script.rfind('\n') + 1));
    return 0;
  });
  StepOutcome outcome = RunShift(context, {{"target", "web"},
                                           {"phases", nlohmann::json::array({40, 60, 100})},
                                           {"bake-time", "1s"},
                                           {"health-url", server.base_url() + "/health"},
                                           {"apply-command", "set-weight --percent {percent}"}});
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "traffic shift of web aborted at 60%: health URL answered 500, expected 200; "
            "reverted to 20%");
  EXPECT_EQ(outcome.outputs["failed-phase"], "60");
  EXPECT_EQ(applied, (std::vector<std::string>{"set-weight --percent 40",
                                               "set-weight --percent 60",
                                               "set-weight --percent 20"}));
  nlohmann::json state = State(context, "web");
  EXPECT_EQ(state["percent"], 20);
  EXPECT_EQ(state["history"].back()["event"], "revert");
}

TEST(TrafficShiftTest, ErrorRateBreachRevertsToZero) {
  LoopbackHttpServer server;
  server.Respond("/health", 200, R"({"metrics": {"errors": 7.5}})");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunShift(context, {{"target", "api"},
                                           {"bake-time", "0s"},
                                           {"health-url", server.base_url() + "/health"},
                                           {"max-error-rate", "5"},
                                           {"error-rate-field", "metrics.errors"},
                                           {"revert-to", "zero"}});
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "traffic shift of api aborted at 10%: error rate 7.5 above 5; reverted to 0%");
  EXPECT_EQ(State(context, "api")["percent"], 0);
}

TEST(TrafficShiftTest, HealthCommandAndCancellation) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  context.CancelOnSleep(2);
  StepOutcome outcome = RunShift(context, {{"target", "svc"}, {"health-command", "true"}});
  EXPECT_EQ(outcome.status, StepStatus::kCancelled);
  EXPECT_EQ(State(context, "svc")["percent"], 0);
  ASSERT_FALSE(context.commands().empty());
  EXPECT_NE(context.commands()[0].find("SLIPWAY_TRAFFIC_PERCENT=10"), std::string::npos);
}

TEST(TrafficShiftTest, BadInputs) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome unchecked = RunShift(context, {{"target", "x"}});
  EXPECT_EQ(unchecked.message,
            "traffic shift: give \"health-url\" or \"health-command\": traffic is never shifted "
            "unchecked");
  StepOutcome order = RunShift(context, {{"target", "x"}, {"phases", "50,10"},
                                         {"health-command", "true"}});
  EXPECT_EQ(order.message,
            "traffic shift: input \"phases\": expected ascending percentages from 1 to 100");
  EXPECT_TRUE(context.commands().empty());
}

TEST(TrafficShiftTest, PreviewShowsPhases) {
  step_api::StepInputs inputs;
  inputs.with = {{"target", "amplify:app/main"}, {"health-url", "https://app/health"}};
  step_api::StepPreview preview = Make()->Preview(inputs);
  EXPECT_EQ(preview.summary,
            "shift amplify:app/main to the new version: 10% → 50% → 100%, bake 5m per phase");
}

}  // namespace
}  // namespace slipway::stdlib::traffic_shift
