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

TEST_F(TrafficHaproxyTest, LoopbackTcpRuntimeApiWorksToo) {
  LoopbackHttpServer health;
  health.Respond("/health", 200, "{}");
  FakeStepContext context(dir_.path() / "ctx");
  nlohmann::json with = Inputs(health.base_url() + "/health");
  with["haproxy-socket"] = haproxy_->tcp_socket();
  with["phases"] = "30";
  StepOutcome outcome = Run(context, with);
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  EXPECT_NEAR(MeasureShare(haproxy_->url() + "/", "green", kSamples), 30, 6);
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


// A server name from an input must not smuggle runtime API commands in: HAProxy runs each
// ';'-separated command of a line (and each line). The injected commands would re-point both
// servers; the names are refused before anything is sent, and the addresses stay as they were.
TEST_F(TrafficHaproxyTest, CommandsSmuggledInNamesAreRefusedBeforeAnythingIsSent) {
  auto addresses = [&] {
    std::string answer;
    EXPECT_EQ(haproxy::RuntimeCommand(haproxy_->socket(), "show servers state app", &answer), "");
    return answer.substr(answer.find('\n', answer.find("# be_id")) + 1);
  };
  std::string before = addresses();
  ASSERT_NE(before.find("127.0.0.1"), std::string::npos) << before;
  const std::string injected =
      "green; set server app/blue addr 203.0.113.66 port 8080; set server app/green addr "
      "203.0.113.66 port 8080";
  LoopbackHttpServer health;
  health.Respond("/health", 200, "{}");
  for (const char* key : {"server", "previous-server", "backend"}) {
    for (const std::string& value : {injected, std::string("green\nset server app/blue addr "
                                                           "203.0.113.66 port 8080"),
                                     std::string("green weight 100%")}) {
      SCOPED_TRACE(std::string(key) + " = " + value);
      FakeStepContext context(dir_.path() / "ctx");
      nlohmann::json with = Inputs(health.base_url() + "/health");
      with[key] = value;
      StepOutcome outcome = Run(context, with);
      EXPECT_EQ(outcome.status, StepStatus::kFailure);
      EXPECT_NE(outcome.message.find("input \"" + std::string(key) +
                                     "\": \"green"),
                std::string::npos)
          << outcome.message;
      EXPECT_NE(outcome.message.find("is not an HAProxy name (letters, digits, '-', '_', '.', "
                                     "':'); nothing was sent to HAProxy"),
                std::string::npos)
          << outcome.message;
      EXPECT_EQ(addresses(), before);
    }
  }
  // The client refuses such names too, whoever calls it.
  haproxy::ServerWeight weight;
  EXPECT_NE(haproxy::GetWeight(haproxy_->socket(), "app", injected, &weight), "");
  EXPECT_NE(haproxy::SetShare(haproxy_->socket(), "app", "green", injected, 10), "");
  EXPECT_EQ(addresses(), before);
  // HAProxy's own identifier characters pass.
  EXPECT_TRUE(haproxy::IsValidName("be_app-2.blue:v1"));
  EXPECT_FALSE(haproxy::IsValidName(""));
  EXPECT_FALSE(haproxy::IsValidName("a b"));
}

// A revert that HAProxy did not take is reported as such, not as "reverted": here the revert
// finds the runtime API gone (HAProxy stopped after the first phase).
TEST_F(TrafficHaproxyTest, FailedRevertIsReportedAsFailed) {
  LoopbackHttpServer health;
  health.SetHandler([&](const LoopbackHttpServer::Request&) {
    haproxy_.reset();  // the load balancer goes away: nothing can be reverted
    return LoopbackHttpServer::Response{503, "{}", "application/json", {}};
  });
  FakeStepContext context(dir_.path() / "ctx");
  StepOutcome outcome = Run(context, Inputs(health.base_url() + "/health"));
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message.find("traffic shift of web aborted at 10%: health URL answered 503, "
                                 "expected 200; could not revert to 0%: cannot connect to the "
                                 "HAProxy runtime API at "),
            0u)
      << outcome.message;
  EXPECT_EQ(outcome.message.find("reverted"), std::string::npos) << outcome.message;
  EXPECT_EQ(outcome.outputs["result"], "revert-failed");
  EXPECT_EQ(outcome.outputs["percent"], "unknown");
  EXPECT_NE(context.LogText().find("web: could not revert to 0%"), std::string::npos)
      << context.LogText();
}

}  // namespace
}  // namespace slipway::stdlib::traffic_shift
