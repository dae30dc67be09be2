// Local stacks, backups and smoke-test reports across runs (attack audit 13, findings 26, 27, 01
// and 09): a version an ungated run deployed is never restarted by a production rollback with
// production's secrets; a production rollback restores with the job's own secrets, its
// environment's included; a secret never becomes the name of a backup, report or stack.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/security/security_fixture.h"
#include "tests/support/loopback_http_server.h"

namespace slipway::security {
namespace {

// A free port on 127.0.0.1 for a stack's app (borrowed from a server that closes at once).
int FreePort() {
  testing::LoopbackHttpServer probe;
  return probe.port();
}

class StackTest : public SecurityTest {
 protected:
  void TearDown() override {
    StopApps();
    SecurityTest::TearDown();
  }

  // Stops the apps the stacks started (their pid files name their process groups).
  void StopApps() {
    std::error_code ec;
    if (fs::is_directory(dir_ / "state" / "stacks", ec)) {
      for (const auto& entry : fs::recursive_directory_iterator(dir_ / "state" / "stacks", ec)) {
        if (entry.path().extension() != ".pid") continue;
        int pid = std::atoi(Read(fs::relative(entry.path(), dir_).string()).c_str());
        if (pid > 1) ::kill(-pid, SIGKILL);
      }
    }
  }

  CliResult RunAs(const std::string& workflow, const std::string& ref, const std::string& run_id,
                  std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run",      workflow, "--state-dir", "state",
                                     "--ref",    ref,      "--sha",       "0123abcd",
                                     "--run-id", run_id,   "--progress",  "plain"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Slipway(args);
  }

  std::vector<nlohmann::json> History(const std::string& stack) {
    std::vector<nlohmann::json> lines;
    std::istringstream in(Read("state/stacks/" + stack + "/history.jsonl"));
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
  }
};

// Finding 26: a feature branch (no environment, no secrets) deploys stack web with its own
// start command; production's run deploys v2 and rolls back. The rollback refuses v1 (deployed
// by an ungated run) instead of starting feature's command with production's token.
TEST_F(StackTest, ProductionRollbackDoesNotRestartWhatAnUngatedRunDeployed) {
  int port = FreePort();
  std::string p = std::to_string(port);
  Write(".slipway/environments.yml", "environments:\n  production:\n    secrets: [PROD_TOKEN]\n");
  Write("template.yml", "x: 1\n");
  Write("feature.yml", R"(on: push
jobs:
  preview:
    runs-on: ubuntu-latest
    steps:
      - uses: slipway/stack-deploy@v1
        with:
          tool: local
          stack-name: web
          template: template.yml
          port: )" + p + R"(
          start: sh -c 'echo "TOKEN=$TOKEN" > LEAK; exec python3 -m http.server )" +
                           p +
                           R"( --bind 127.0.0.1'
          parameters: |
            TOKEN=${{ secrets.PROD_TOKEN }}
)");
  Write("deploy.yml", R"(on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: slipway/stack-deploy@v1
        with:
          tool: local
          stack-name: web
          template: template.yml
          port: )" + p + R"(
          start: python3 -m http.server )" +
                          p + R"( --bind 127.0.0.1
          parameters: |
            TOKEN=${{ secrets.PROD_TOKEN }}
      - uses: slipway/stack-deploy@v1
        with:
          tool: local
          stack-name: web
          action: rollback
        env:
          PROD_TOKEN: ${{ secrets.PROD_TOKEN }}
)");
  CliResult feature = RunAs("feature.yml", "refs/heads/feature", "f1");
  ASSERT_EQ(feature.exit_code, 0) << feature.out << feature.err;
  EXPECT_EQ(Read("LEAK"), "TOKEN=\n");  // the feature run had no production secret
  fs::remove(dir_ / "LEAK");

  Write("secrets.env", "PROD_TOKEN=prod-secret-value-42\n");
  CliResult production =
      RunAs("deploy.yml", "refs/heads/main", "p1", {"--secrets-file", "secrets.env"});
  EXPECT_EQ(production.exit_code, 1) << production.out << production.err;
  EXPECT_TRUE(Has(production.out,
                  "stack web has no version before v2 to roll back to that this job may restore: "
                  "v1 was deployed by run f1 (feature.yml, job preview) from refs/heads/feature "
                  "without an environment, and a job of environment \"production\" restores only "
                  "versions deployed to \"production\""))
      << production.out;
  EXPECT_FALSE(Exists("LEAK"));  // feature's command never ran again
  EXPECT_EQ(Read("state/stacks/web/current"), "v2\n");
  EXPECT_FALSE(Has(AllFiles("state"), "prod-secret-value-42"));

  // Each version and each history line says which run, ref, environment and workflow it was.
  nlohmann::json v1 = nlohmann::json::parse(Read("state/stacks/web/v1/version.json"));
  EXPECT_EQ(v1["deployed_by"]["run_id"], "f1");
  EXPECT_EQ(v1["deployed_by"]["ref"], "refs/heads/feature");
  EXPECT_EQ(v1["deployed_by"]["environment"], "");
  EXPECT_EQ(v1["deployed_by"]["workflow"], "feature.yml");
  EXPECT_EQ(v1["deployed_by"]["job"], "preview");
  nlohmann::json v2 = nlohmann::json::parse(Read("state/stacks/web/v2/version.json"));
  EXPECT_EQ(v2["deployed_by"]["run_id"], "p1");
  EXPECT_EQ(v2["deployed_by"]["environment"], "production");
  std::vector<nlohmann::json> history = History("web");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0]["by"]["run_id"], "f1");
  EXPECT_EQ(history[1]["by"]["run_id"], "p1");
  EXPECT_EQ(history[1]["by"]["ref"], "refs/heads/main");
}

// Finding 27: within the production job, the automatic rollback restores the previous version
// whose parameter came from production's own secret (`production.DB_PASSWORD`), and the app
// gets that secret again, as it does with a repository secret.
TEST_F(StackTest, RollbackRestoresWithTheEnvironmentsOwnSecrets) {
  int port = FreePort();
  std::string p = std::to_string(port);
  Write(".slipway/environments.yml", "environments:\n  production:\n    secrets: [DB_PASSWORD]\n");
  std::string deploy = R"(
      - uses: slipway/stack-deploy@v1
        with:
          tool: local
          stack-name: api
          port: )" + p +
                       R"(
          start: sh -c 'echo "$STACK_VERSION $DB_PASSWORD" > started.txt; exec python3 -m http.server )" +
                       p + R"( --bind 127.0.0.1'
          parameters: |
            DB_PASSWORD=${{ secrets.DB_PASSWORD }})";
  Write("deploy.yml", R"(on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:)" + deploy + deploy +
                          R"(
      - uses: slipway/stack-deploy@v1
        with: {tool: local, stack-name: api, action: rollback}
)");
  for (const std::string& secrets : {std::string("production.DB_PASSWORD=env-scoped-pw\n"),
                                     std::string("DB_PASSWORD=repo-pw\n")}) {
    SCOPED_TRACE(secrets);
    fs::remove_all(dir_ / "state");
    Write("secrets.env", secrets);
    CliResult r = RunAs("deploy.yml", "refs/heads/main", "r1", {"--secrets-file", "secrets.env"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(Has(r.out, "stack api: rolled back from v2 to v1")) << r.out;
    std::string value = secrets.substr(secrets.find('=') + 1);
    EXPECT_EQ(Read("started.txt"), "v1 " + value);
    EXPECT_EQ(Read("state/stacks/api/current"), "v1\n");
    StopApps();  // before the next round takes the port
  }
}

// Findings 01 and 09: a backup name, a smoke-test report name and a stack name that carry a
// secret fail their step, and the secret reaches no file name, `show` or the report.
TEST_F(StackTest, SecretsNeverNameBackupsReportsOrStacks) {
  Write("README.txt", "hi\n");
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: backup
        uses: slipway/backup@v1
        continue-on-error: true
        with:
          name: bk-${{ secrets.TOK }}
          source: files
          paths: README.txt
      - id: smoke
        uses: slipway/smoke-test@v1
        continue-on-error: true
        with:
          report: r-${{ secrets.TOK }}.xml
          retries: 0
          checks: |
            - name: c
              url: http://127.0.0.1:1/
      - id: stack
        uses: slipway/stack-deploy@v1
        continue-on-error: true
        with:
          tool: local
          stack-name: st-${{ secrets.TOK }}
          template: README.txt
)");
  Write("secrets.env", "TOK=S3cr3tVal\n");
  CliResult r = RunAs("wf.yml", "refs/heads/main", "n1", {"--secrets-file", "secrets.env"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* input : {"name", "report", "stack-name"}) {
    EXPECT_TRUE(Has(r.out, std::string("input \"") + input + "\" would reveal a secret"))
        << input << "\n"
        << r.out;
  }
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / "state", ec)) {
    EXPECT_FALSE(Has(entry.path().string(), "S3cr3tVal")) << entry.path();
  }
  EXPECT_FALSE(Exists("state/runs/n1/artifacts/backups"));
  EXPECT_FALSE(Exists("state/stacks"));
  CliResult show = Slipway({"show", "n1", "--state-dir", "state"});
  EXPECT_FALSE(Has(show.out, "S3cr3tVal")) << show.out;
  CliResult json = Slipway({"show", "n1", "--state-dir", "state", "--format", "json"});
  EXPECT_FALSE(Has(json.out, "S3cr3tVal")) << json.out;
  CliResult report = Slipway({"report", "n1", "--state-dir", "state", "-o", "report.html"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_FALSE(Has(Read("report.html"), "S3cr3tVal"));
}

// Attack audit 14, F13: an app that logs its connection string at start-up put the secret in
// clear, world-readable, in state/stacks/<name>/app.log. Its output now passes through the
// run's masker (slipway __mask-log, which outlives the run as the app does) into a 0600 file.
TEST_F(StackTest, AnAppsOutputIsMaskedAndOwnerOnly) {
  std::string p = std::to_string(FreePort());
  Write("template.yml", "x: 1\n");
  Write("wf.yml", R"(on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: slipway/stack-deploy@v1
        with:
          tool: local
          stack-name: web
          template: template.yml
          port: )" + p + R"y(
          start: echo "starting; db=postgresql://app:$DB_PASSWORD@db/app"; echo "b64=$(printf %s "$DB_PASSWORD" | base64)"; exec python3 -m http.server )y" +
                     p + R"( --bind 127.0.0.1
          parameters: |
            DB_PASSWORD=${{ secrets.API_TOKEN }}
)");
  Write("secrets.env", "API_TOKEN=s3cr3tV4lu3XYZ\n");
  CliResult r = RunAs("wf.yml", "refs/heads/main", "m1", {"--secrets-file", "secrets.env"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_TRUE(WaitFor([&] { return Has(Read("state/stacks/web/app.log"), "b64="); }))
      << Read("state/stacks/web/app.log");
  std::string log = Read("state/stacks/web/app.log");
  EXPECT_TRUE(Has(log, "starting; db=postgresql://app:***@db/app\n")) << log;
  EXPECT_TRUE(Has(log, "b64=***")) << log;  // base64 forms are masked too (the "=" stays)
  EXPECT_FALSE(Has(log, "czNjcjN0VjRsdTNYWVo")) << log;
  EXPECT_FALSE(Has(AllFiles("state"), "s3cr3tV4lu3XYZ"));
  struct stat info {};
  ASSERT_EQ(::stat((dir_ / "state/stacks/web/app.log").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  // The patterns the masker was handed are gone with the run.
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / "state", ec)) {
    EXPECT_FALSE(Has(entry.path().filename().string(), "mask-")) << entry.path();
  }
}

}  // namespace
}  // namespace slipway::security
