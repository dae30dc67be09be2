// What built-in steps send out and what they conclude from what comes back (attack audit 14,
// findings F3, F4 and F9), through the built CLI against servers on 127.0.0.1: a dispatch
// input cannot forge mail headers, add recipients or replace webhook headers, and a service
// reporting "NaN" metrics fails its monitoring, so the rollback runs.
#include <gtest/gtest.h>

#include "tests/security/security_fixture.h"
#include "tests/support/loopback_http_server.h"
#include "tests/support/smtp_sink.h"

namespace slipway::security {
namespace {

class OutboundTest : public SecurityTest {
 protected:
  CliResult Dispatch(const std::string& reason) {
    Write("secrets.env", "API_TOKEN=s3cr3tV4lu3XYZ\n");
    return Slipway({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main", "--sha",
                    "0123abcd", "--secrets-file", "secrets.env", "--event", "workflow_dispatch",
                    "--input", "reason=" + reason, "--progress", "plain"});
  }
};

constexpr char kDispatch[] = R"(on:
  workflow_dispatch:
    inputs:
      reason:
        type: string
        required: true
jobs:
  notify:
    runs-on: ubuntu-latest
    steps:
      - uses: slipway/notify@v1
        with:
          retries: 0
)";

// F3: CR/LF in the subject would add Bcc and Content-Type headers and replace the body.
TEST_F(OutboundTest, AnInputCannotForgeMailHeaders) {
  testing::SmtpSink sink;
  ASSERT_TRUE(sink.ok());
  Write("wf.yml", std::string(kDispatch) + R"(          channel: email
          smtp-url: )" + sink.url() + R"(
          from: deploy-bot@example.com
          to: ops@example.com
          subject: "Deploy requested: ${{ inputs.reason }}"
          message: "Release notes: ${{ inputs.reason }}"
)");
  CliResult r = Dispatch(
      "hotfix\r\nBcc: attacker@evil.example\r\nContent-Type: text/html\r\n\r\n<a href=x>approve</a>");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Has(r.out, "notify: e-mail not sent: the subject contains a line break or NUL, "
                         "which would add headers or replace the body"))
      << r.out;
  EXPECT_EQ(sink.sessions(), 0);

  // A line break in the body is only a line break: the mail is sent, with one set of headers.
  CliResult ok = Dispatch("hotfix");
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  ASSERT_EQ(sink.messages().size(), 1u);
  EXPECT_TRUE(Has(sink.messages()[0].data, "Subject: Deploy requested: hotfix\r\n"));
}

// F3: a newline in an input used in `to` added a second RCPT TO (the attacker).
TEST_F(OutboundTest, AnInputCannotAddRecipients) {
  testing::SmtpSink sink;
  ASSERT_TRUE(sink.ok());
  Write("wf.yml", std::string(kDispatch) + R"(          channel: email
          smtp-url: )" + sink.url() + R"(
          to: ${{ inputs.reason }}
          message: deployed
)");
  CliResult r = Dispatch("ops@example.com\nattacker@evil.example");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Has(r.out, "input \"to\": a ${{ }} value brings a line break into the recipients"))
      << r.out;
  EXPECT_EQ(sink.sessions(), 0);
}

// F4: a newline in a header value replaced the secret Authorization and rewrote Host.
TEST_F(OutboundTest, AnInputCannotReplaceWebhookHeaders) {
  testing::LoopbackHttpServer server;
  server.Respond("/hooks/deploy", 200, "");
  Write("wf.yml", std::string(kDispatch) + R"(          channel: webhook
          webhook-url: )" + server.base_url() + R"(/hooks/deploy
          headers: |
            Authorization: Bearer ${{ secrets.API_TOKEN }}
            X-Deploy-Reason: ${{ inputs.reason }}
          message: deploy requested
)");
  CliResult r = Dispatch(
      "x\nAuthorization: Bearer attacker-token\nHost: internal-admin.example\n"
      "Transfer-Encoding: chunked\r\nX-Smuggled: 1");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Has(r.out, "notify: input \"headers\": a ${{ }} value brings a line break into "
                         "the headers, which would add or replace headers"))
      << r.out;
  EXPECT_TRUE(server.requests().empty());

  CliResult ok = Dispatch("routine: weekly");
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].headers.at("authorization"), "Bearer s3cr3tV4lu3XYZ");
  EXPECT_EQ(server.requests()[0].headers.at("x-deploy-reason"), "routine: weekly");
}

// F9: "NaN" metrics passed every threshold; the deploy was reported healthy and the rollback
// skipped. A value that is not a finite number is a breach.
TEST_F(OutboundTest, NaNMetricsFailTheMonitorAndTheRollbackRuns) {
  testing::LoopbackHttpServer server;
  server.Respond("/metrics", 200,
                 R"({"error_rate": "NaN", "latency_ms": "nan", "alarms": "-Infinity"})");
  Write("wf.yml", R"(on: push
jobs:
  monitor:
    runs-on: ubuntu-latest
    steps:
      - uses: slipway/monitor@v1
        with:
          endpoint: )" + server.base_url() + R"(/metrics
          duration: 2s
          interval: 1s
          max-error-rate: 5
          max-latency-ms: 500
          max-alarms: 0
  rollback:
    needs: monitor
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - run: echo ROLLING BACK
)");
  CliResult r = Slipway({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main",
                         "--sha", "0123abcd", "--progress", "plain"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Has(r.out, "metric \"error_rate\" is not a finite number: \"NaN\"")) << r.out;
  EXPECT_TRUE(Has(r.out, "metric \"alarms\" is not a finite number: \"-Infinity\"")) << r.out;
  EXPECT_TRUE(Has(r.out, "ROLLING BACK")) << r.out;
  EXPECT_FALSE(Has(r.out, "monitoring passed")) << r.out;
}

}  // namespace
}  // namespace slipway::security
