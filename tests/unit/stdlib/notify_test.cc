#include "stdlib/notify/notify.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/fake_step_context.h"
#include "tests/support/loopback_http_server.h"
#include "tests/support/smtp_sink.h"

namespace slipway::stdlib::notify {
namespace {

using slipway::testing::FakeStepContext;
using slipway::testing::LoopbackHttpServer;
using slipway::testing::ScratchDir;
using slipway::testing::SmtpSink;
using step_api::StepStatus;

TEST(NotifyTest, SlackRetriesOnServerErrorThenSucceeds) {
  LoopbackHttpServer server;
  server.Respond("/services/T000/B000/secret-token", 500, "oops");
  server.Respond("/services/T000/B000/secret-token", 503, "oops");
  server.Respond("/services/T000/B000/secret-token", 200, "ok");
  std::string url = server.base_url() + "/services/T000/B000/secret-token";
  ScratchDir dir;
  FakeStepContext context(dir.path());
  step_api::StepInputs inputs;
  inputs.with = {{"channel", "slack"},
                 {"webhook-url", url},
                 {"status", "failure"},
                 {"mention", "U111,U222"},
                 {"fields", "version=v1.2.0\nenvironment=production"},
                 {"message", "Deploy of {version} to {environment}: {status}"},
                 {"retry-delay", "1s"}};
  step_api::StepOutcome outcome = Make()->Run(inputs, context);
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message << context.LogText();
  EXPECT_EQ(outcome.outputs["attempts"], "3");
  ASSERT_EQ(server.CountRequests("/services/T000/B000/secret-token"), 3);
  // Backoff doubles: 1s, then 2s.
  ASSERT_EQ(context.sleeps().size(), 2u);
  EXPECT_EQ(context.sleeps()[0], std::chrono::seconds(1));
  EXPECT_EQ(context.sleeps()[1], std::chrono::seconds(2));
  nlohmann::json payload = nlohmann::json::parse(server.requests().back().body);
  EXPECT_EQ(payload["text"], "<@U111> <@U222> Deploy of v1.2.0 to production: failure");
  EXPECT_EQ(payload["attachments"][0]["color"], "danger");
  EXPECT_EQ(server.requests().back().headers.at("content-type"), "application/json");
  // The webhook URL is a secret: masked, and never in the log.
  ASSERT_FALSE(context.masks().empty());
  EXPECT_EQ(context.masks()[0], url);
  EXPECT_EQ(context.LogText().find("secret-token"), std::string::npos) << context.LogText();
}

TEST(NotifyTest, ClientErrorIsNotRetried) {
  LoopbackHttpServer server;
  server.Respond("/hook", 404, "no such hook");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  step_api::StepInputs inputs;
  inputs.with = {{"channel", "webhook"}, {"webhook-url", server.base_url() + "/hook"}};
  step_api::StepOutcome outcome = Make()->Run(inputs, context);
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message, "could not send webhook notification after 1 attempt: HTTP 404");
  EXPECT_EQ(server.CountRequests("/hook"), 1);
  EXPECT_TRUE(context.sleeps().empty());
}

TEST(NotifyTest, GivesUpAfterRetries) {
  LoopbackHttpServer server;
  server.Respond("/hook", 500, "");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  step_api::StepInputs inputs;
  inputs.with = {{"channel", "webhook"}, {"webhook-url", server.base_url() + "/hook"},
                 {"retries", 2}};
  step_api::StepOutcome outcome = Make()->Run(inputs, context);
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message, "could not send webhook notification after 3 attempts: HTTP 500");
  EXPECT_EQ(server.CountRequests("/hook"), 3);
}

TEST(NotifyTest, WebhookSendsTheGivenBody) {
  LoopbackHttpServer server;
  server.Respond("/status", 204, "");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  step_api::StepInputs inputs;
  inputs.with = {{"channel", "webhook"},
                 {"webhook-url", server.base_url() + "/status"},
                 {"method", "put"},
                 {"headers", "Authorization: Bearer abc"},
                 {"body", R"({"component": "app", "status": "operational"})"}};
  step_api::StepOutcome outcome = Make()->Run(inputs, context);
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].method, "PUT");
  EXPECT_EQ(server.requests()[0].body, R"({"component": "app", "status": "operational"})");
  EXPECT_EQ(server.requests()[0].headers.at("authorization"), "Bearer abc");
}

TEST(NotifyTest, EmailThroughSmtpWithRetry) {
  SmtpSink sink;
  ASSERT_TRUE(sink.ok());
  sink.RefuseFirst(1);
  ScratchDir dir;
  FakeStepContext context(dir.path());
  std::ofstream(std::filesystem::path(context.workspace()) / "release-notes.md")
      << "Release {version}\n\n- fixed login\n.leading dot line\n";
  step_api::StepInputs inputs;
  inputs.with = {{"channel", "email"},
                 {"smtp-url", sink.url()},
                 {"from", "deploy@example.com"},
                 {"to", "a@example.com, b@example.com"},
                 {"subject", "{title} {version} deployed"},
                 {"title", "Bayon CoAgent"},
                 {"fields", {{"version", "v2.0.0"}}},
                 {"message-file", "release-notes.md"}};
  step_api::StepOutcome outcome = Make()->Run(inputs, context);
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message << context.LogText();
  EXPECT_EQ(outcome.outputs["attempts"], "2");
  std::vector<SmtpSink::Message> messages = sink.messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].from, "deploy@example.com");
  EXPECT_EQ(messages[0].recipients, (std::vector<std::string>{"a@example.com", "b@example.com"}));
  EXPECT_NE(messages[0].data.find("Subject: Bayon CoAgent v2.0.0 deployed\r\n"), std::string::npos)
      << messages[0].data;
  EXPECT_NE(messages[0].data.find("Date: Wed, 01 May 2024 12:00:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(messages[0].data.find("\r\n\r\nRelease v2.0.0\r\n\r\n- fixed login\r\n"
                                  ".leading dot line\r\n"),
            std::string::npos)
      << messages[0].data;
}

TEST(NotifyTest, TemplateUsedWithoutMessage) {
  Config config;
  config.status = "rollback";
  config.title = "Production deployment";
  EXPECT_EQ(RenderMessage(config, ""), ":rewind: Production deployment is being rolled back");
  config.status = "success";
  EXPECT_EQ(RenderMessage(config, ""), ":white_check_mark: Production deployment succeeded");
}

TEST(NotifyTest, BadInputsAreReported) {
  struct Case {
    nlohmann::json with;
    std::string error;
  };
  const Case cases[] = {
      {{{"channel", "pager"}}, "input \"channel\": expected slack, webhook or email, got \"pager\""},
      {{{"channel", "slack"}}, "channel slack needs \"webhook-url\""},
      {{{"channel", "email"}, {"smtp-url", "smtp://x"}}, "channel email needs \"to\""},
      {{{"channel", "slack"}, {"webhook-url", "http://x"}, {"to", "a@b"}},
       "input \"to\" applies to channel email, not \"slack\""},
      {{{"channel", "slack"}, {"webhook-url", "http://x"}, {"status", "great"}},
       "input \"status\": expected success, failure, started, rollback, cancelled or info"},
  };
  for (const Case& c : cases) {
    std::string error;
    EXPECT_FALSE(ParseConfig(c.with, &error).has_value()) << c.with.dump();
    EXPECT_NE(error.find(c.error), std::string::npos) << "got: " << error;
  }
}

TEST(NotifyTest, PreviewNeverShowsTheWebhookUrl) {
  step_api::StepInputs inputs;
  inputs.with = {{"channel", "slack"},
                 {"webhook-url", "https://hooks.slack.com/services/SECRET"},
                 {"status", "started"},
                 {"message", "deploying"}};
  step_api::StepPreview preview = Make()->Preview(inputs);
  EXPECT_EQ(preview.summary, "notify Slack webhook (started)");
  for (const std::string& line : preview.details) {
    EXPECT_EQ(line.find("SECRET"), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace slipway::stdlib::notify
