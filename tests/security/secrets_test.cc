// Secrets never written, and steps read only what they were given (issue 10 §2).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/security/security_fixture.h"
#include "tests/support/loopback_http_server.h"

namespace slipway::security {
namespace {

constexpr char kSecret[] = "s3cr3t-Value_with\"quote&amp<tag>'apos' and spaces/+=";
constexpr char kOther[] = "never-referenced-0a9f8e7d";
constexpr char kAuditKey[] = "audit-key-5c2e91d04b";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// /proc/$PPID/environ and /proc/$PPID/cmdline gave a step every SLIPWAY_SECRET_*, the audit key
// and the secrets file's path. Now: non-dumpable, the bytes are gone, and a step's environment
// holds only what its env: references.
TEST_F(SecurityTest, StepsCannotReadWhatTheyWereNotGiven) {
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: |
          tr '\0' '\n' < /proc/$PPID/environ > proc-environ.txt || true
          tr '\0' ' ' < /proc/$PPID/cmdline > proc-cmdline.txt || true
          env > step-env.txt
        env:
          GIVEN: ${{ secrets.GIVEN }}
)");
  Write("secrets.env", std::string("GIVEN=given-value-77\nFROM_FILE=") + kOther + "\n");
  CliResult r =
      Slipway({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main", "--sha",
               "0123abcd", "--secrets-file", "secrets.env"},
              {{"SLIPWAY_SECRET_TOKEN", "token-from-env-3141"}, {"SLIPWAY_AUDIT_KEY", kAuditKey}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string environ_text = Read("proc-environ.txt");
  std::string cmdline = Read("proc-cmdline.txt");
  std::string step_env = Read("step-env.txt");
  for (const std::string& leaked : {std::string("token-from-env-3141"), std::string(kAuditKey)}) {
    EXPECT_FALSE(Has(environ_text, leaked)) << leaked;
    EXPECT_FALSE(Has(step_env, leaked)) << leaked;
  }
  EXPECT_FALSE(Has(cmdline, "secrets.env")) << cmdline;
  EXPECT_FALSE(Has(step_env, "SLIPWAY_")) << step_env;
  EXPECT_FALSE(Has(step_env, kOther)) << "an unreferenced secret reached the step";
  EXPECT_TRUE(Has(step_env, "GIVEN=given-value-77"));  // what it references, it gets
}

// Every form GitHub's runner registers, plus `base64` wrapped at 76 columns: the step prints
// each (computed by real tools: coreutils base64, Python's urllib, json and xml modules) and
// none reaches the log, the console or run.json.
TEST_F(SecurityTest, EveryEncodedFormIsMasked) {
  Write("forms.py", R"py(import json, sys, urllib.parse
from xml.sax.saxutils import escape
s = sys.argv[1]
print(urllib.parse.quote(s, safe="-_.~"))
print(json.dumps(s)[1:-1])
print(escape(s, {'"': "&quot;", "'": "&apos;"}))
print(s.replace('"', '\\"'))
print(s.replace("'", "''"))
)py");
  Write("wf.yml", R"yml(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: s
        run: |
          {
            printf '%s' "$S" | base64
            printf '%s' "$S" | base64 -w0; echo
            printf 'x%s' "$S" | base64 -w0; echo
            printf 'xy%s' "$S" | base64 -w0; echo
            printf 'pre%s' "$S" | base64 -w0 | tr '+/' '-_'; echo
            python3 forms.py "$S"
          } > forms.txt
          cat forms.txt
          cat forms.txt >&2
          echo "out=$(head -c 60 forms.txt)" >> "$GITHUB_OUTPUT"
        env:
          S: ${{ secrets.LONG }}
)yml");
  // Long enough that `base64` wraps it (more than 57 bytes).
  std::string secret = std::string(kSecret) + "-" + std::string(kSecret);
  std::string quoted;
  for (char c : secret) {
    if (c == '"') quoted.push_back('\\');
    quoted.push_back(c);
  }
  Write("secrets.env", "LONG=\"" + quoted + "\"\n");
  CliResult r = Slipway({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main",
                         "--sha", "0123abcd", "--secrets-file", "secrets.env", "--run-id", "m"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string forms = Read("forms.txt");
  ASSERT_EQ(Lines(forms).size(), 11u) << forms;
  std::string written = r.out + r.err + AllFiles("state");
  EXPECT_FALSE(Has(written, secret));
  // No printed line survives whole, and no 12 characters of any encoded form do either.
  for (const std::string& line : Lines(forms)) {
    EXPECT_FALSE(Has(written, line)) << "unmasked form: " << line;
  }
  const std::vector<std::string> lines = Lines(forms);
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    for (size_t at = 0; at + 12 <= line.size(); ++at) {
      ASSERT_FALSE(Has(written, line.substr(at, 12)))
          << "12 characters of form " << i << " leaked: " << line.substr(at, 12);
    }
  }
}

// Built-in steps' own files and outbound text: the JUnit report, the backup's captured output
// and a webhook's payload are masked.
TEST_F(SecurityTest, BuiltInStepArtifactsAndPayloadsAreMasked) {
  testing::LoopbackHttpServer server;
  if (!server.ok()) GTEST_SKIP() << "cannot listen on 127.0.0.1";
  server.Respond("/health", 200, "{\"ok\":true}");
  server.Respond("/hook", 200, "ok");
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: slipway/smoke-test@v1
        with:
          base-url: )" +
                      server.base_url() + R"(
          checks: |
            - name: health with ${{ secrets.TOKEN }}
              path: /health?token=${{ secrets.TOKEN }}
              expect-status: 500
          retries: 0
        continue-on-error: true
      - uses: slipway/backup@v1
        with:
          name: db
          source: command
          command: echo "dump password=${{ secrets.TOKEN }}"
      - uses: slipway/notify@v1
        with:
          channel: webhook
          webhook-url: )" +
                      server.base_url() + R"(/hook
          title: deploy ${{ secrets.TOKEN }}
          message: token is ${{ secrets.TOKEN }}
          fields: |
            key=${{ secrets.TOKEN }}
)");
  Write("secrets.env", "TOKEN=tok-2718281828\n");
  CliResult r = Slipway({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main",
                         "--sha", "0123abcd", "--secrets-file", "secrets.env"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string files = AllFiles("state");
  EXPECT_TRUE(Has(files, "testsuite")) << "no JUnit report was written";
  EXPECT_TRUE(Has(files, "dump password=***")) << files;
  EXPECT_FALSE(Has(files, "tok-2718281828"));
  ASSERT_GE(server.CountRequests("/hook"), 1);
  for (const auto& request : server.requests()) {
    if (request.path != "/hook") continue;
    EXPECT_FALSE(Has(request.body, "tok-2718281828")) << request.body;
    EXPECT_TRUE(Has(request.body, "***")) << request.body;
  }
}

// A run killed with -9 left scripts and env files under runs/<id>/tmp; the next command that
// opens the state directory removes them.
TEST_F(SecurityTest, LeftoversOfAKilledRunAreRemoved) {
  Write("state/runs/dead/run.json", "{\"id\":\"dead\",\"status\":\"running\"}");
  Write("state/runs/dead/tmp/deploy/script-1.sh", "export TOKEN=tok-leftover\n");
  Write("state/runs/dead/tmp/deploy/env-2", "TOKEN=tok-leftover\n");
  Write("wf.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: "
        "true\n");
  CliResult r = Slipway(
      {"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main", "--sha", "0123abcd"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(Has(AllFiles("state"), "tok-leftover"));
  // The same through `audit verify` alone.
  Write("state/runs/dead/tmp/deploy/script-3.sh", "export TOKEN=tok-leftover\n");
  Slipway({"audit", "verify", "--state-dir", "state"});
  EXPECT_FALSE(Exists("state/runs/dead/tmp/deploy/script-3.sh"));
}

}  // namespace
}  // namespace slipway::security
