#include "stdlib/smoke_test/smoke_test.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/fake_step_context.h"
#include "tests/support/loopback_http_server.h"

namespace slipway::stdlib::smoke_test {
namespace {

using slipway::testing::FakeStepContext;
using slipway::testing::LoopbackHttpServer;
using slipway::testing::ScratchDir;
using step_api::StepStatus;

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(SmokeTestTest, AllChecksPassAndReportIsWritten) {
  LoopbackHttpServer server;
  ASSERT_TRUE(server.ok());
  server.Respond("/api/health", 200, R"({"status":"ok","db":{"connected":true},"items":[1,2]})");
  server.Respond("/api/echo", 201, "created thing");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  step_api::StepInputs inputs;
  inputs.with = {{"base-url", server.base_url() + "/"},
                 {"headers", "X-Smoke: yes"},
                 {"checks", "- name: health\n  path: /api/health\n  json:\n    status: ok\n"
                            "    db.connected: true\n    items[1]: 2\n"
                            "- name: echo\n  method: post\n  path: api/echo\n  body: hello\n"
                            "  expect-status: '200,201'\n  body-contains: created\n"}};
  step_api::StepOutcome outcome = Make()->Run(inputs, context);
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message << "\n" << context.LogText();
  EXPECT_EQ(outcome.outputs["passed"], "2");
  EXPECT_EQ(outcome.outputs["failed"], "0");
  EXPECT_TRUE(context.sleeps().empty());
  std::vector<LoopbackHttpServer::Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const auto& r : requests) {
    EXPECT_EQ(r.headers.at("x-smoke"), "yes");
    if (r.path == "/api/echo") {
      EXPECT_EQ(r.method, "POST");
      EXPECT_EQ(r.body, "hello");
    }
  }
  std::string xml = ReadAll(std::filesystem::path(context.artifacts_dir()) /
                            "smoke-test-report.xml");
  EXPECT_NE(xml.find("<testsuite name=\"smoke-test\" tests=\"2\" failures=\"0\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("name=\"health\""), std::string::npos);
}

TEST(SmokeTestTest, RetriesUntilTheServiceRecovers) {
  LoopbackHttpServer server;
  server.Respond("/ready", 503, "warming up");
  server.Respond("/ready", 503, "warming up");
  server.Respond("/ready", 200, "ready");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  step_api::StepInputs inputs;
  inputs.with = {{"base-url", server.base_url()},
                 {"retries", "3"},
                 {"retry-delay", "10s"},
                 {"checks", nlohmann::json::array({{{"path", "/ready"}}})}};
  step_api::StepOutcome outcome = Make()->Run(inputs, context);
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << context.LogText();
  EXPECT_EQ(server.CountRequests("/ready"), 3);
  ASSERT_EQ(context.sleeps().size(), 2u);
  EXPECT_EQ(context.sleeps()[0], std::chrono::seconds(10));
}

TEST(SmokeTestTest, FailuresAreReportedWithReasons) {
  LoopbackHttpServer server;
  server.Respond("/a", 500, "boom");
  server.Respond("/b", 200, R"({"status":"degraded"})");
  server.Respond("/c", 200, "hello world");
  LoopbackHttpServer::Response slow;
  slow.body = "slow";
  slow.delay = std::chrono::milliseconds(150);
  server.Respond("/slow", slow);
  ScratchDir dir;
  FakeStepContext context(dir.path());
  step_api::StepInputs inputs;
  inputs.with = {{"base-url", server.base_url()},
                 {"retries", 1},
                 {"report", "reports/smoke.xml"},
                 {"checks", nlohmann::json::array({
                                {{"name", "a"}, {"path", "/a"}},
                                {{"name", "b"}, {"path", "/b"}, {"json", {{"status", "ok"}}}},
                                {{"name", "c"}, {"path", "/c"}, {"body-contains", "goodbye"}},
                                {{"name", "slow"}, {"path", "/slow"}, {"max-latency-ms", 50}},
                                {{"name", "ok"}, {"path", "/c"}},
                            })}};
  step_api::StepOutcome outcome = Make()->Run(inputs, context);
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message, "4 of 5 smoke checks failed");
  EXPECT_EQ(outcome.outputs["passed"], "1");
  EXPECT_EQ(outcome.outputs["failed"], "4");
  EXPECT_EQ(server.CountRequests("/a"), 2);  // first attempt + one retry
  std::string log = context.LogText();
  EXPECT_NE(log.find("FAIL a: status 500, expected 200"), std::string::npos) << log;
  EXPECT_NE(log.find("FAIL b: JSON path \"status\" is \"degraded\", expected \"ok\""),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("FAIL c: body does not contain \"goodbye\""), std::string::npos) << log;
  EXPECT_NE(log.find("FAIL slow: latency"), std::string::npos) << log;
  std::string xml = ReadAll(std::filesystem::path(context.artifacts_dir()) / "reports/smoke.xml");
  EXPECT_NE(xml.find("failures=\"4\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure message=\"status 500, expected 200\">"), std::string::npos) << xml;
}

TEST(SmokeTestTest, UnreachableServiceFails) {
  int port = 0;
  {
    LoopbackHttpServer closed;  // take a free port, then close it
    port = closed.port();
  }
  ScratchDir dir;
  FakeStepContext context(dir.path());
  step_api::StepInputs inputs;
  inputs.with = {{"retries", 0},
                 {"checks", nlohmann::json::array(
                                {{{"url", "http://127.0.0.1:" + std::to_string(port) + "/"}}})}};
  step_api::StepOutcome outcome = Make()->Run(inputs, context);
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_NE(context.LogText().find("no response"), std::string::npos) << context.LogText();
}

// A report named after a secret would put the secret in a file name of the state directory
// (listed by `show` and `report`): the step fails before any check runs or file is written.
TEST(SmokeTestTest, AReportNameWithASecretIsRefused) {
  LoopbackHttpServer server;
  server.Respond("/", 200, "ok");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  context.AddMask("supersecret123");
  step_api::StepInputs inputs;
  inputs.with = {{"report", "r-supersecret123.xml"},
                 {"checks", nlohmann::json::array({{{"url", server.base_url() + "/"}}})}};
  step_api::StepOutcome outcome = Make()->Run(inputs, context);
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_NE(outcome.message.find("input \"report\" would reveal a secret"), std::string::npos)
      << outcome.message;
  EXPECT_EQ(server.requests().size(), 0u);
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(context.artifacts_dir()) /
                                       "r-supersecret123.xml"));
}

TEST(SmokeTestTest, CancelDuringRetryDelayStops) {
  LoopbackHttpServer server;
  server.Respond("/x", 500, "");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  context.CancelOnSleep(1);
  step_api::StepInputs inputs;
  inputs.with = {{"base-url", server.base_url()},
                 {"retries", 5},
                 {"checks", nlohmann::json::array({{{"path", "/x"}}})}};
  step_api::StepOutcome outcome = Make()->Run(inputs, context);
  EXPECT_EQ(outcome.status, StepStatus::kCancelled);
  EXPECT_EQ(server.CountRequests("/x"), 1);
}

struct BadInputCase {
  nlohmann::json with;
  std::string error;
};

TEST(SmokeTestTest, BadInputsAreReported) {
  const BadInputCase cases[] = {
      {{{"checks", nlohmann::json::array()}}, "input \"checks\": expected a non-empty list of checks"},
      {{{"checks", "- path: /x\n"}}, "check 1: \"path\" needs the step input \"base-url\""},
      {{{"checks", "- url: http://x\n  metod: POST\n"}},
       "unknown key \"metod\" in check 1; did you mean \"method\"?"},
      {{{"checks", "- url: http://x\n  expect-status: ok\n"}},
       "check 1: \"expect-status\" must be a status code or a list of them, got \"ok\""},
      {{{"checks", "- {url: http://x}\n"}, {"retries", "many"}},
       "input \"retries\": expected an integer, got \"many\""},
      {{{"checks", "- {url: http://x}\n"}, {"report", "../escape.xml"}},
       "input \"report\": expected a file name under the artifacts directory, got "
       "\"../escape.xml\""},
      {{{"checks", "- [unclosed\n"}}, "input \"checks\": invalid YAML"},
  };
  for (const BadInputCase& c : cases) {
    std::string error;
    EXPECT_FALSE(ParseConfig(c.with, &error).has_value()) << c.with.dump();
    EXPECT_NE(error.find(c.error), std::string::npos) << "got: " << error;
  }
}

TEST(SmokeTestTest, PreviewDescribesChecksWithoutNetwork) {
  step_api::StepInputs inputs;
  inputs.with = {{"base-url", "https://app.example.com"},
                 {"retries", "3"},
                 {"retry-delay", "10s"},
                 {"checks", "- name: auth\n  path: /api/auth/session\n  expect-status: 200\n"
                            "  max-latency-ms: 500\n"}};
  step_api::StepPreview preview = Make()->Preview(inputs);
  EXPECT_EQ(preview.summary, "1 HTTP check in parallel, 3 retries every 10s");
  ASSERT_EQ(preview.details.size(), 2u);
  EXPECT_EQ(preview.details[0],
            "auth: GET https://app.example.com/api/auth/session → expect 200, ≤ 500 ms");
}

}  // namespace
}  // namespace slipway::stdlib::smoke_test
