// traffic-shift's haproxy provider against a real HAProxy on loopback: two servers ("blue"
// answers "blue", "green" answers "green"); after each phase the share of green answers is
// measured from outside, through HAProxy's frontend.
#include <gtest/gtest.h>

#include <cstdlib>

#include "stdlib/traffic_shift/haproxy_runtime.h"
#include "stdlib/traffic_shift/traffic_shift.h"
#include "tests/support/fake_step_context.h"
#include "tests/support/haproxy_fixture.h"
#include "tests/support/loopback_http_server.h"

namespace slipway::stdlib::traffic_shift {
namespace {

using slipway::testing::FakeStepContext;
using slipway::testing::HaproxyProcess;
using slipway::testing::LoopbackHttpServer;
using slipway::testing::MeasureShare;
using slipway::testing::ScratchDir;
using step_api::StepOutcome;
using step_api::StepStatus;

constexpr int kSamples = 100;

class TrafficHaproxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    blue_.Respond("/", 200, "blue");
    green_.Respond("/", 200, "green");
    ASSERT_TRUE(blue_.ok() && green_.ok());
    haproxy_ = std::make_unique<HaproxyProcess>(
        dir_.path(), slipway::testing::FreeLoopbackPort(),
        std::vector<HaproxyProcess::Server>{{"blue", blue_.port(), 100},
                                            {"green", green_.port(), 100}});
    if (!haproxy_->ok()) GTEST_SKIP() << "HAProxy cannot start here: " << haproxy_->error();
    // Before the shift: all traffic on blue.
    std::string answer;
    ASSERT_EQ(haproxy::RuntimeCommand(haproxy_->socket(), "set server app/green weight 0",
                                      &answer),
              "");
  }

  nlohmann::json Inputs(const std::string& health_url) const {
    return {{"target", "web"},          {"provider", "haproxy"},
            {"haproxy-socket", haproxy_->socket()},
            {"backend", "app"},         {"server", "green"},
            {"previous-server", "blue"}, {"phases", "10,50,100"},
            {"bake-time", "1s"},        {"health-url", health_url}};
  }

  StepOutcome Run(FakeStepContext& context, nlohmann::json with) {
    step_api::StepInputs inputs;
    inputs.with = std::move(with);
    return Make()->Run(inputs, context);
  }

  ScratchDir dir_;
  LoopbackHttpServer blue_, green_;
  std::unique_ptr<HaproxyProcess> haproxy_;
};

TEST_F(TrafficHaproxyTest, ShareOfTheNewVersionFollowsEachPhase) {
  ASSERT_DOUBLE_EQ(MeasureShare(haproxy_->url() + "/", "green", kSamples), 0);
  std::vector<double> measured;
  LoopbackHttpServer health;  // the phase's health check: measure the live share first
  health.SetHandler([&](const LoopbackHttpServer::Request&) {
    measured.push_back(MeasureShare(haproxy_->url() + "/", "green", kSamples));
    return LoopbackHttpServer::Response{200, "{}", "application/json", {}};
  });
  FakeStepContext context(dir_.path() / "ctx");
  StepOutcome outcome = Run(context, Inputs(health.base_url() + "/health"));
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message << context.LogText();
  ASSERT_EQ(measured.size(), 3u);
  // Round robin over weights 10:90 is exact per 100 requests; allow sampling slack anyway.
  const double expected[] = {10, 50, 100};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(measured[i], expected[i], 6) << "phase " << i;
  }
  haproxy::ServerWeight green;
  ASSERT_EQ(haproxy::GetWeight(haproxy_->socket(), "app", "green", &green), "");
  EXPECT_EQ(green.current, 100);
  EXPECT_EQ(outcome.outputs["previous-percent"], "0");
}

TEST_F(TrafficHaproxyTest, BreachShiftsBackToZero) {
  LoopbackHttpServer health;
  health.Respond("/health", 200, "{}");
  health.Respond("/health", 503, "{}");
  FakeStepContext context(dir_.path() / "ctx");
  StepOutcome outcome = Run(context, Inputs(health.base_url() + "/health"));
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "traffic shift of web aborted at 50%: health URL answered 503, expected 200; "
            "reverted to 0%");
  EXPECT_DOUBLE_EQ(MeasureShare(haproxy_->url() + "/", "green", kSamples), 0);
}

TEST_F(TrafficHaproxyTest, HaproxyErrorsAreReported) {
  FakeStepContext context(dir_.path() / "ctx");
  nlohmann::json with = Inputs("http://127.0.0.1:9/health");
  with["server"] = "purple";
  StepOutcome outcome = Run(context, with);
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "traffic shift of web: cannot read the current weights: HAProxy: get weight "
            "app/purple: No such server.");
  with = Inputs("http://127.0.0.1:9/health");
  with["haproxy-socket"] = (dir_.path() / "missing.sock").string();
  outcome = Run(context, with);
  EXPECT_NE(outcome.message.find("cannot connect to the HAProxy runtime API at"),
            std::string::npos)
      << outcome.message;
}

TEST_F(TrafficHaproxyTest, DifferentConfiguredWeightsAreRefused) {
  std::string answer;
  // The runtime API cannot change the initial weight; a second HAProxy with 100/50 shows it.
  ScratchDir other_dir;
  HaproxyProcess other(other_dir.path(), slipway::testing::FreeLoopbackPort(),
                       {{"blue", blue_.port(), 100}, {"green", green_.port(), 50}});
  ASSERT_TRUE(other.ok()) << other.error();
  EXPECT_EQ(haproxy::SetShare(other.socket(), "app", "green", "blue", 10),
            "servers app/green and app/blue are configured with different weights (50 and "
            "100); give them the same weight so that percentages are shares of traffic");
}

}  // namespace
}  // namespace slipway::stdlib::traffic_shift
