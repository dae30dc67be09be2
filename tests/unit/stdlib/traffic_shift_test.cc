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
  context.set_command_handler([](const std::string&, std::string*) { return 0; });
  StepOutcome outcome = RunShift(context, {{"target", "amplify:app/main"},
                                           {"provider", "command"},
                                           {"apply-command", "set-weight {percent}"},
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
  context.set_command_handler([](const std::string&, std::string*) { return 0; });
  ASSERT_EQ(RunShift(context, {{"target", "web"}, {"phases", "20"}, {"bake-time", "1s"},
                               {"provider", "command"}, {"apply-command", "true"},
                               {"health-url", server.base_url() + "/health"}})
                .status,
            StepStatus::kSuccess);
  std::vector<std::string> applied;
  context.set_command_handler([&](const std::string& script, std::string*) {
    applied.push_back(script.substr(script.rfind('\n') + 1));
    return 0;
  });
  StepOutcome outcome = RunShift(context, {{"target", "web"},
                                           {"provider", "command"},
                                           {"revert-to", "previous"},
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
  context.set_command_handler([](const std::string&, std::string*) { return 0; });
  StepOutcome outcome = RunShift(context, {{"target", "api"},
                                           {"provider", "command"},
                                           {"apply-command", "true"},
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
  StepOutcome outcome = RunShift(context, {{"target", "svc"},
                                           {"provider", "command"},
                                           {"apply-command", "true"},
                                           {"health-command", "true"}});
  EXPECT_EQ(outcome.status, StepStatus::kCancelled);
  EXPECT_EQ(State(context, "svc")["percent"], 0);
  ASSERT_GE(context.commands().size(), 3u);  // apply 10, health at 10, apply 0 (revert)
  EXPECT_NE(context.commands()[0].find("SLIPWAY_TRAFFIC_PERCENT=10"), std::string::npos);
  EXPECT_NE(context.commands()[1].find("SLIPWAY_TRAFFIC_PERCENT=10"), std::string::npos);
  EXPECT_NE(context.commands().back().find("SLIPWAY_TRAFFIC_PERCENT=0"), std::string::npos);
}

TEST(TrafficShiftTest, BadInputs) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome unchecked =
      RunShift(context, {{"target", "x"}, {"provider", "command"}, {"apply-command", "true"}});
  EXPECT_EQ(unchecked.message,
            "traffic shift: give \"health-url\" or \"health-command\": traffic is never shifted "
            "unchecked");
  StepOutcome order = RunShift(context, {{"target", "x"}, {"phases", "50,10"},
                                         {"provider", "command"}, {"apply-command", "true"},
                                         {"health-command", "true"}});
  EXPECT_EQ(order.message,
            "traffic shift: input \"phases\": expected ascending percentages from 1 to 100");
  EXPECT_TRUE(context.commands().empty());
}

// Without a provider nothing would move: the step refuses instead of writing a number down.
TEST(TrafficShiftTest, NoProviderIsRefused) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunShift(context, {{"target", "x"}, {"health-command", "true"}});
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "traffic shift: input \"provider\" is required (haproxy, lambda-alias, alb or "
            "command): traffic is never shifted on paper only");
  EXPECT_FALSE(fs::exists(fs::path(context.state_dir()) / "traffic"));
  StepOutcome missing = RunShift(context, {{"target", "x"}, {"provider", "haproxy"},
                                           {"backend", "app"}, {"health-command", "true"}});
  EXPECT_EQ(missing.message,
            "traffic shift: provider haproxy needs input \"haproxy-socket\"; provider haproxy "
            "needs input \"server\"");
  StepOutcome crossed = RunShift(context, {{"target", "x"}, {"provider", "command"},
                                           {"apply-command", "true"}, {"listener-arn", "arn"},
                                           {"health-command", "true"}});
  EXPECT_EQ(crossed.message,
            "traffic shift: input \"listener-arn\" applies to provider alb, not command");
  EXPECT_TRUE(context.commands().empty());
}

TEST(TrafficShiftTest, FailingHealthCommandRevertsToZero) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  std::vector<std::string> applied;
  context.set_command_handler([&](const std::string& script, std::string*) {
    applied.push_back(script.substr(script.rfind('\n') + 1));
    return applied.size() == 2 ? 3 : 0;
  });
  StepOutcome outcome = RunShift(context, {{"target", "web"}, {"provider", "command"},
                                           {"apply-command", "lb-weight {percent}"},
                                           {"bake-time", "1s"}, {"health-command", "true"}});
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "traffic shift of web aborted at 10%: health command exited with 3; reverted to 0%");
  EXPECT_EQ(applied, (std::vector<std::string>{"lb-weight 10", "true", "lb-weight 0"}));
}

TEST(TrafficShiftTest, PreviewShowsPhases) {
  step_api::StepInputs inputs;
  inputs.with = {{"target", "amplify:app/main"},
                 {"provider", "haproxy"},
                 {"haproxy-socket", "/run/haproxy.sock"},
                 {"backend", "web"},
                 {"server", "green"},
                 {"previous-server", "blue"},
                 {"health-url", "https://app/health"}};
  step_api::StepPreview preview = Make()->Preview(inputs);
  EXPECT_EQ(preview.summary,
            "shift amplify:app/main to the new version: 10% → 50% → 100%, bake 5m per phase");
  EXPECT_EQ(preview.details,
            (std::vector<std::string>{
                "provider haproxy: runtime API at /run/haproxy.sock: set server web/green weight "
                "N% and web/blue weight (100-N)%",
                "health: GET https://app/health", "on failure: revert to 0% and fail"}));
}

}  // namespace
}  // namespace slipway::stdlib::traffic_shift
