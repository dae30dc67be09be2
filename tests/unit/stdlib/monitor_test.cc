#include "stdlib/monitor/monitor.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>

#include "stdlib/files.h"
#include "tests/support/fake_step_context.h"
#include "tests/support/loopback_http_server.h"

namespace slipway::stdlib::monitor {
namespace {

using slipway::testing::FakeStepContext;
using slipway::testing::LoopbackHttpServer;
using slipway::testing::ScratchDir;
using step_api::StepOutcome;
using step_api::StepStatus;

StepOutcome RunMonitor(FakeStepContext& context, nlohmann::json with) {
  step_api::StepInputs inputs;
  inputs.with = std::move(with);
  return Make()->Run(inputs, context);
}

TEST(MonitorTest, HealthyForFifteenMinutesOnTheFakeClock) {
  LoopbackHttpServer server;
  server.Respond("/metrics", 200, R"({"error_rate": 0.2, "latency_ms": 180, "alarms": []})");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunMonitor(context, {{"endpoint", server.base_url() + "/metrics"},
                                             {"duration", "15m"},
                                             {"interval", "60s"},
                                             {"max-error-rate", "1"},
                                             {"max-latency-ms", "1000"},
                                             {"max-alarms", "0"}});
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message << context.LogText();
  EXPECT_EQ(outcome.outputs["samples"], "16");
  EXPECT_EQ(server.CountRequests("/metrics"), 16);
  EXPECT_EQ(context.NowMs() - context.start_ms(), 15 * 60 * 1000);
  EXPECT_EQ(context.sleeps().size(), 15u);
  std::string text, error;
  ASSERT_TRUE(ReadFileText(outcome.outputs["report"], &text, &error));
  nlohmann::json report = nlohmann::json::parse(text);
  EXPECT_EQ(report["result"], "healthy");
  EXPECT_EQ(report["samples"].size(), 16u);
}

// A report named after a secret would put the secret in a file name of the state directory.
TEST(MonitorTest, AReportNameWithASecretIsRefused) {
  LoopbackHttpServer server;
  server.Respond("/metrics", 200, R"({"error_rate": 0})");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  context.AddMask("supersecret123");
  StepOutcome outcome = RunMonitor(context, {{"endpoint", server.base_url() + "/metrics"},
                                             {"duration", "1m"},
                                             {"interval", "60s"},
                                             {"max-error-rate", "1"},
                                             {"report", "m-supersecret123.json"}});
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_NE(outcome.message.find("input \"report\" would reveal a secret"), std::string::npos)
      << outcome.message;
  EXPECT_EQ(server.CountRequests("/metrics"), 0);
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(context.artifacts_dir()) /
                                       "m-supersecret123.json"));
}

TEST(MonitorTest, BreachFailsTheStep) {
  LoopbackHttpServer server;
  server.Respond("/m", 200, R"({"error_rate": 0.1, "latency_ms": 100})");
  server.Respond("/m", 200, R"({"error_rate": 0.3, "latency_ms": 100})");
  server.Respond("/m", 200, R"({"error_rate": 4.5, "latency_ms": 1500})");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunMonitor(context, {{"endpoint", server.base_url() + "/m"},
                                             {"duration", "15m"},
                                             {"interval", "30s"},
                                             {"max-error-rate", "1%"},
                                             {"max-latency-ms", 1000}});
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "threshold breached after 1m: error_rate 4.5 > 1, latency_ms 1500 > 1000");
  EXPECT_EQ(outcome.outputs["samples"], "3");
  EXPECT_EQ(outcome.outputs["result"], "breached");
  EXPECT_EQ(context.NowMs() - context.start_ms(), 60 * 1000);
}

TEST(MonitorTest, ConsecutiveBreachesAndCommandSource) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  int call = 0;
  // error rate: ok, bad, ok, bad, bad → fails on the 5th sample with breaches-to-fail 2.
  const char* samples[] = {"0", "9", "0", "9", "9", "0"};
  context.set_command_handler([&](const std::string&, std::string* output) {
    *output = std::string("{\"errors\": {\"rate\": ") + samples[call++ % 6] +
              "}, \"state\": \"OK\"}";
    return 0;
  });
  StepOutcome outcome = RunMonitor(
      context, {{"command", "curl -s metrics"},
                {"duration", "10m"},
                {"interval", "1m"},
                {"breaches-to-fail", 2},
                {"thresholds", "errors.rate: {max: 5}\nstate: {equals: OK}\n"}});
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.outputs["samples"], "5");
  EXPECT_EQ(outcome.outputs["breaches"], "3");
  EXPECT_EQ(outcome.message, "threshold breached after 4m: errors.rate 9 > 5");
}

TEST(MonitorTest, UnreachableEndpointFailsAfterMaxSampleFailures) {
  LoopbackHttpServer server;
  server.Respond("/m", 503, "");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunMonitor(context, {{"endpoint", server.base_url() + "/m"},
                                             {"max-error-rate", 1},
                                             {"max-sample-failures", 2}});
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "monitoring failed: 2 samples in a row could not be taken (endpoint answered 503)");
}

TEST(MonitorTest, CancelledWhileWaiting) {
  LoopbackHttpServer server;
  server.Respond("/m", 200, R"({"error_rate": 0})");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  context.CancelOnSleep(3);
  StepOutcome outcome =
      RunMonitor(context, {{"endpoint", server.base_url() + "/m"}, {"max-error-rate", 1}});
  EXPECT_EQ(outcome.status, StepStatus::kCancelled);
  EXPECT_EQ(outcome.outputs["samples"], "3");
}

TEST(MonitorTest, RuleChecks) {
  nlohmann::json sample = {{"alarms", nlohmann::json::array({"HighErrors"})},
                           {"state", "ALARM"},
                           {"rate", "0.5"}};
  EXPECT_EQ(Check({"alarms", 0.0, std::nullopt, std::nullopt}, sample), "alarms 1 > 0");
  EXPECT_EQ(Check({"state", 0.0, std::nullopt, std::nullopt}, sample), "state 1 > 0");
  EXPECT_EQ(Check({"rate", 1.0, std::nullopt, std::nullopt}, sample), "");
  EXPECT_EQ(Check({"missing", 1.0, std::nullopt, std::nullopt}, sample),
            "metric \"missing\" missing");
}

// strtod reads "NaN", "nan(1)" and "inf": NaN compares false with every threshold and -inf
// passes every max, so a non-finite, empty or missing value is a breach (fail closed).
TEST(MonitorTest, NonFiniteOrUnparsableMetricsBreach) {
  const Rule max_rule{"v", 5.0, std::nullopt, std::nullopt};
  const Rule min_rule{"v", std::nullopt, 1.0, std::nullopt};
  for (const char* text : {"NaN", "nan", "nan(1)", "-nan", "inf", "-inf", "Infinity",
                           "-Infinity", "1e999", "-1e999", "NaN%"}) {
    nlohmann::json sample = {{"v", text}};
    EXPECT_EQ(Check(max_rule, sample),
              "metric \"v\" is not a finite number: " + sample["v"].dump())
        << text;
    EXPECT_EQ(Check(min_rule, sample),
              "metric \"v\" is not a finite number: " + sample["v"].dump())
        << text;
  }
  for (const char* text : {"", " ", "abc", "5 ms"}) {
    nlohmann::json sample = {{"v", text}};
    EXPECT_EQ(Check(max_rule, sample), "metric \"v\" is not a number: " + sample["v"].dump())
        << text;
  }
  EXPECT_EQ(Check(max_rule, {{"v", nullptr}}), "metric \"v\" missing");
  EXPECT_EQ(Check(max_rule, nlohmann::json::object()), "metric \"v\" missing");
  EXPECT_EQ(Check(max_rule, {{"v", std::numeric_limits<double>::infinity()}}),
            "metric \"v\" is not a finite number: null");
  EXPECT_EQ(Check(max_rule, {{"v", "4.5%"}}), "");
}

// The attack-round reproduction: the service under deployment answers "NaN" metrics; the
// monitor must fail (and so let an `if: failure()` rollback run) instead of passing.
TEST(MonitorTest, AServiceReportingNaNFailsTheMonitor) {
  LoopbackHttpServer server;
  server.Respond("/metrics", 200,
                 R"j({"error_rate": "NaN", "latency_ms": "nan", "alarms": "nan(1)"})j");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunMonitor(context, {{"endpoint", server.base_url() + "/metrics"},
                                             {"duration", "3m"},
                                             {"interval", "1m"},
                                             {"max-error-rate", "5"},
                                             {"max-latency-ms", "500"},
                                             {"max-alarms", "0"}});
  EXPECT_EQ(outcome.status, StepStatus::kFailure) << context.LogText();
  EXPECT_EQ(outcome.message,
            "threshold breached after 0s: metric \"error_rate\" is not a finite number: "
            "\"NaN\", metric \"latency_ms\" is not a finite number: \"nan\", metric "
            "\"alarms\" is not a finite number: \"nan(1)\"");
  EXPECT_EQ(outcome.outputs["result"], "breached");
}

// F4's pattern in monitor's `headers`: a line break from a `${{ }}` value is refused before
// any sample is taken.
TEST(MonitorTest, HeadersFromAnInputCannotAddHeaders) {
  LoopbackHttpServer server;
  server.Respond("/m", 200, R"({"error_rate": 0})");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  step_api::StepInputs inputs;
  inputs.with = {{"endpoint", server.base_url() + "/m"},
                 {"max-error-rate", 1},
                 {"headers", "X-Env: prod\nHost: internal.example"}};
  inputs.with_written = {{"headers", "X-Env: ${{ inputs.env }}"}};
  StepOutcome outcome = Make()->Run(inputs, context);
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "monitor: input \"headers\": a ${{ }} value brings a line break into the headers, "
            "which would add or replace headers; give one header per line, each value on one "
            "line");
  EXPECT_EQ(server.CountRequests("/m"), 0);
}

TEST(MonitorTest, InputsNeedASourceAndAThreshold) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunMonitor(context, {{"duration", "1m"}});
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "monitor: give \"endpoint\", \"command\" or \"alarm-prefix\" to take samples from; no "
            "thresholds: give max-error-rate, max-latency-ms, max-alarms or thresholds");
}

}  // namespace
}  // namespace slipway::stdlib::monitor
