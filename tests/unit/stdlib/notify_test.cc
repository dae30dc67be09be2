#include "stdlib/notify/notify.h"

#include "stdlib/http_client.h"

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

// Attack audit 14, F3: CR/LF from a dispatch input in the subject would add headers (Bcc,
// Content-Type) and replace the body; the step fails before connecting, and says why.
TEST(NotifyTest, LineBreaksInTheSubjectAreRefused) {
  SmtpSink sink;
  ASSERT_TRUE(sink.ok());
  const std::string reasons[] = {
      "hotfix\r\nBcc: attacker@evil.example\r\n\r\n<a href=x>approve</a>",
      "hotfix\nBcc: attacker@evil.example", "hotfix\rX: 1", std::string("hotfix\0X", 8)};
  for (const std::string& reason : reasons) {
    ScratchDir dir;
    FakeStepContext context(dir.path());
    step_api::StepInputs inputs;
    std::string subject = "Deploy requested: " + reason;
    inputs.with = {{"channel", "email"},     {"smtp-url", sink.url()},
                   {"from", "bot@example.com"}, {"to", "ops@example.com"},
                   {"subject", subject},     {"message", "Release notes"}};
    step_api::StepOutcome outcome = Make()->Run(inputs, context);
    EXPECT_EQ(outcome.status, StepStatus::kFailure) << reason;
    EXPECT_EQ(outcome.message,
              "notify: e-mail not sent: the subject contains a line break or NUL, which would "
              "add headers or replace the body");
  }
  EXPECT_EQ(sink.sessions(), 0);
  EXPECT_TRUE(sink.messages().empty());
}

// F3: a newline that an input brings into `to` would add a recipient (a second RCPT TO); an
// address that is not a plain mailbox is refused; a list from one expression uses commas.
TEST(NotifyTest, RecipientsAreTheAuthors) {
  SmtpSink sink;
  ASSERT_TRUE(sink.ok());
  struct Case {
    nlohmann::json to;
    std::string written;
    std::string error;  // "" when it is sent
  };
  const Case cases[] = {
      {"ops@example.com\nattacker@evil.example", "${{ inputs.to }}",
       "notify: input \"to\": a ${{ }} value brings a line break into the recipients; separate "
       "recipients given by one expression with commas"},
      {"ops@example.com\rattacker@evil.example", "ops@example.com${{ inputs.x }}",
       "notify: input \"to\": a ${{ }} value brings a line break into the recipients; separate "
       "recipients given by one expression with commas"},
      {"Ops <ops@example.com>", "",
       "notify: e-mail not sent: to: \"Ops <ops@example.com>\" is not an e-mail address slipway "
       "sends to (the part before @ must be letters, digits, dots and !#$%&'*+-/=?^_`{|}~, at "
       "most 64 characters)"},
      {"ops@example.com>\rRCPT TO:<x@evil.example", "",
       "notify: e-mail not sent: to: the address contains a line break or NUL"},
      {"ops", "", "notify: e-mail not sent: to: \"ops\" is not an e-mail address (expected "
                  "local@domain)"},
      {"ops@exa mple.com", "",
       "notify: e-mail not sent: to: \"ops@exa mple.com\" is not an e-mail address slipway "
       "sends to (the domain must be a host name or an [address literal])"},
      {"a@example.com, b@example.com", "${{ secrets.LIST }}", ""},
      {"a@example.com\nb@example.com", "a@example.com\nb@example.com", ""},
      {"o'brien+deploy@[127.0.0.1]", "", ""},
  };
  size_t sent = 0;
  for (const Case& c : cases) {
    ScratchDir dir;
    FakeStepContext context(dir.path());
    step_api::StepInputs inputs;
    inputs.with = {{"channel", "email"},
                   {"smtp-url", sink.url()},
                   {"from", "bot@example.com"},
                   {"to", c.to},
                   {"retries", 0}};
    if (!c.written.empty()) inputs.with_written = {{"to", c.written}};
    step_api::StepOutcome outcome = Make()->Run(inputs, context);
    if (c.error.empty()) {
      EXPECT_EQ(outcome.status, StepStatus::kSuccess) << c.to << outcome.message;
      ++sent;
    } else {
      EXPECT_EQ(outcome.status, StepStatus::kFailure) << c.to;
      EXPECT_EQ(outcome.message, c.error);
    }
    EXPECT_EQ(sink.messages().size(), sent) << c.to;
  }
  ASSERT_EQ(sink.messages().size(), 3u);
  EXPECT_EQ(sink.messages()[1].recipients,
            (std::vector<std::string>{"a@example.com", "b@example.com"}));
}

// The body cannot end the message early or smuggle SMTP commands: every line break (LF, CRLF,
// lone CR) is sent as CRLF and libcurl dot-stuffs a line that starts with ".".
TEST(NotifyTest, TheBodyIsSentAsText) {
  SmtpSink sink;
  ASSERT_TRUE(sink.ok());
  ScratchDir dir;
  FakeStepContext context(dir.path());
  step_api::StepInputs inputs;
  inputs.with = {{"channel", "email"},
                 {"smtp-url", sink.url()},
                 {"from", "bot@example.com"},
                 {"to", "ops@example.com"},
                 {"subject", "s"},
                 {"message", "one\n.\r\nMAIL FROM:<x@evil.example>\rtwo\r\n..three"}};
  step_api::StepOutcome outcome = Make()->Run(inputs, context);
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  ASSERT_EQ(sink.messages().size(), 1u);
  std::string data = sink.messages()[0].data;
  EXPECT_NE(data.find("\r\n\r\none\r\n.\r\nMAIL FROM:<x@evil.example>\r\ntwo\r\n..three\r\n"),
            std::string::npos)
      << data;
  MailMessage mail;
  mail.body = "x\ry\n\rz";
  std::string rendered = RenderMail(mail);
  EXPECT_EQ(rendered.substr(rendered.find("\r\n\r\n")), "\r\n\r\nx\r\ny\r\n\r\nz\r\n");
}

// F4: a newline in a `headers:` value replaced the secret Authorization and rewrote Host; CR
// injected headers. Refused before any request, naming the problem (never the value).
TEST(NotifyTest, WebhookHeaderInjectionIsRefused) {
  LoopbackHttpServer server;
  server.Respond("/hook", 200, "");
  const std::string written =
      "Authorization: Bearer ${{ secrets.API_TOKEN }}\nX-Deploy-Reason: ${{ inputs.reason }}\n";
  struct Case {
    std::string headers;
    std::string written;
    std::string error;
  };
  const Case cases[] = {
      {"Authorization: Bearer s3cr3t\nX-Deploy-Reason: x\nAuthorization: Bearer attacker\n"
       "Host: internal-admin.example\nTransfer-Encoding: chunked\r\nX-Smuggled: 1\n",
       written,
       "notify: input \"headers\": a ${{ }} value brings a line break into the headers, which "
       "would add or replace headers; give one header per line, each value on one line"},
      // Without the written text (a caller that does not know it), what is left is still caught.
      {"Authorization: Bearer s3cr3t\nX-Deploy-Reason: x\nAuthorization: Bearer attacker\n", "",
       "notify: input \"headers\": header \"Authorization\" is given twice; the second would "
       "silently replace the first"},
      {"X-Deploy-Reason: x\rHost: evil\n", "",
       "notify: input \"headers\": header \"X-Deploy-Reason\": the value contains a carriage "
       "return, which would start a header or body of its own"},
      {"X Reason: x\n", "",
       "notify: input \"headers\": header name \"X Reason\" is not a valid field name (letters, "
       "digits and !#$%&'*+-.^_`|~ only)"},
      {"host: a\nHOST: b\n", "",
       "notify: input \"headers\": header \"HOST\" is given twice; the second would silently "
       "replace the first"},
  };
  for (const Case& c : cases) {
    ScratchDir dir;
    FakeStepContext context(dir.path());
    step_api::StepInputs inputs;
    inputs.with = {{"channel", "webhook"},
                   {"webhook-url", server.base_url() + "/hook"},
                   {"headers", c.headers},
                   {"retries", 0}};
    if (!c.written.empty()) inputs.with_written = {{"headers", c.written}};
    step_api::StepOutcome outcome = Make()->Run(inputs, context);
    EXPECT_EQ(outcome.status, StepStatus::kFailure) << c.headers;
    EXPECT_EQ(outcome.message, c.error);
  }
  nlohmann::json object_form = {{"X-A", "1\r\nX-B: 2"}};
  ScratchDir dir;
  FakeStepContext context(dir.path());
  step_api::StepInputs inputs;
  inputs.with = {{"channel", "webhook"},
                 {"webhook-url", server.base_url() + "/hook"},
                 {"headers", object_form}};
  EXPECT_EQ(Make()->Run(inputs, context).status, StepStatus::kFailure);
  EXPECT_EQ(server.CountRequests("/hook"), 0);
}

// What an author writes on one line is sent as written, in order: a value with ":" or "=",
// a `${{ }}` value without a line break.
TEST(NotifyTest, WrittenHeadersAreSentAsWritten) {
  LoopbackHttpServer server;
  server.Respond("/hook", 200, "");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  step_api::StepInputs inputs;
  inputs.with = {{"channel", "webhook"},
                 {"webhook-url", server.base_url() + "/hook"},
                 {"headers", "Authorization: Basic dXNlcjpwYXNz==\nX-Reason: a: b=c\n"}};
  inputs.with_written = {
      {"headers", "Authorization: Basic ${{ secrets.B64 }}\nX-Reason: ${{ inputs.reason }}\n"}};
  step_api::StepOutcome outcome = Make()->Run(inputs, context);
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].headers.at("authorization"), "Basic dXNlcjpwYXNz==");
  EXPECT_EQ(server.requests()[0].headers.at("x-reason"), "a: b=c");
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
