// The built CLI against a real PostgreSQL 15: backend init, run --submit, workers (real
// processes, real bash steps), wait, approve as a database role, kill -9 of a worker, and the
// same run record on both backends.
#include <signal.h>

#include <pqxx/pqxx>
#include <thread>

#include "interpreter/backend/stores.h"
#include "tests/unit/backend/backend_cli_fixture.h"

namespace slipway::backend {
namespace {

using namespace std::chrono_literals;
using testing::CliResult;
using testing::PostgresServer;

constexpr char kWorkflow[] = R"(on: push
jobs:
  build:
    runs-on: [self-hosted, linux]
    outputs:
      version: ${{ steps.v.outputs.version }}
    steps:
      - id: v
        run: echo "version=1.2.${{ github.run_attempt }}" >> "$GITHUB_OUTPUT"
  test:
    needs: build
    runs-on: [self-hosted, linux]
    strategy:
      matrix:
        part: [a, b]
    steps:
      - run: echo "testing ${{ matrix.part }} of ${{ needs.build.outputs.version }}"
  deploy:
    needs: [build, test]
    runs-on: [self-hosted, production]
    steps:
      - run: echo "deploying ${{ needs.build.outputs.version }} with $TOKEN" > deployed.txt
        env:
          TOKEN: ${{ secrets.TOKEN }}
)";

TEST_F(BackendCli, InitIsIdempotent) {
  CliResult again = Cli({"backend", "init", "--backend", admin_dsn_}, env_);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("schema already at version " + std::to_string(LatestSchemaVersion())),
            std::string::npos)
      << again.out;
  CliResult bad = Cli({"backend", "init", "--backend", "mysql://x"}, env_);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("unsupported backend \"mysql://x\""), std::string::npos) << bad.err;
}

TEST_F(BackendCli, SubmittedRunIsSpreadOverLabelledWorkersAndWaitedFor) {
  Write("wf.yml", kWorkflow);
  CliResult submitted = Cli({"run", "wf.yml", "--backend", dsn_, "--submit", "--run-id", "r1",
                             "--ref", "refs/heads/main", "--sha", "1", "--actor", "octocat"},
                            env_);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.out << submitted.err;
  EXPECT_EQ(submitted.out, "r1\n");
  EXPECT_EQ(JobState("r1", "build"), "ready");
  std::map<std::string, std::string> prod_env = env_;
  prod_env["SLIPWAY_SECRET_TOKEN"] = "s3cr3t-prod-token";
  // Two linux workers and one production worker, which alone holds the secret.
  auto linux_a = StartWorker({"--labels", "self-hosted,linux", "--name", "linux-a"});
  auto linux_b = StartWorker({"--labels", "linux,self-hosted", "--name", "linux-b"});
  Expected<exec::ChildProcess> prod_child = exec::ChildProcess::Spawn(
      Options({"worker", "--backend", dsn_, "--labels", "self-hosted,production", "--once",
               "--name", "prod"},
              prod_env));
  ASSERT_TRUE(prod_child.has_value());
  std::string prod_out;
  exec::ProcessResult prod = prod_child->Wait(
      [&](exec::OutputStream, std::string_view chunk) { prod_out.append(chunk); }, nullptr);
  EXPECT_EQ(prod.exit_code, 0) << prod_out;
  CliResult waited = Cli({"wait", "r1", "--backend", dsn_, "--timeout", "30"}, env_);
  EXPECT_EQ(waited.exit_code, 0) << waited.out << waited.err;
  EXPECT_NE(waited.out.find("run r1: success"), std::string::npos) << waited.out;
  linux_a->child->SignalGroup(SIGTERM);
  linux_b->child->SignalGroup(SIGTERM);
  linux_a->pump.join();
  linux_b->pump.join();

  EXPECT_EQ(Read("deployed.txt"), "deploying 1.2.1 with s3cr3t-prod-token\n");
  EXPECT_NE(prod_out.find("job \"deploy\""), std::string::npos) << prod_out;
  std::string linux_out = linux_a->out + linux_b->out;
  EXPECT_EQ(linux_out.find("job \"deploy\""), std::string::npos) << linux_out;
  EXPECT_NE(linux_out.find("job \"test (a)\""), std::string::npos) << linux_out;

  Expected<std::unique_ptr<exec::Store>> store = OpenPgStore(dsn_, testing_util::kAuditKey);
  ASSERT_TRUE(store) << store.error();
  Expected<exec::RunRecord> record = (*store)->LoadRun("r1");
  ASSERT_TRUE(record) << record.error();
  EXPECT_EQ(record->status, exec::RunStatus::kSuccess);
  EXPECT_EQ(record->jobs["build"].outputs["version"], "1.2.1");
  EXPECT_EQ(record->jobs["test (b)"].result, exec::JobResult::kSuccess);
  Expected<std::string> log = (*store)->StepLog("r1", "test (b)", 0);
  ASSERT_TRUE(log) << log.error();
  EXPECT_NE(log->find("testing b of 1.2.1"), std::string::npos) << *log;
  // The secret never reaches the database.
  pqxx::connection connection(dsn_);
  pqxx::nontransaction tx(connection);
  for (const char* table : {"runs", "jobs", "step_logs", "audit"}) {
    pqxx::result hits = tx.exec(std::string("SELECT count(*) FROM ") + table + " t WHERE t::text "
                                "LIKE '%s3cr3t-prod%'");
    EXPECT_EQ(hits[0][0].as<int>(), 0) << table;
  }
  CliResult verify = Cli({"audit", "verify", "--backend", dsn_}, env_);
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(BackendCli, KilledWorkerLeavesTheJobLostAndTheRunFailed) {
  Write("wf.yml", R"(on: push
jobs:
  slow:
    runs-on: linux
    steps:
      - run: touch started && sleep 30 && touch finished
)");
  ASSERT_EQ(Cli({"run", "wf.yml", "--backend", dsn_, "--submit", "--run-id", "k", "--ref",
                 "refs/heads/main", "--sha", "1"},
                env_)
                .exit_code,
            0);
  auto worker = StartWorker({"--labels", "linux", "--lease", "1", "--name", "doomed"});
  for (int i = 0; i < 200 && !Exists("started"); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(Exists("started")) << worker->out;
  EXPECT_EQ(JobState("k", "slow"), "running");
  ASSERT_EQ(kill(worker->child->pid(), SIGKILL), 0);
  worker->pump.join();
  CliResult waited = Cli({"wait", "k", "--backend", dsn_, "--timeout", "20"}, env_);
  EXPECT_EQ(waited.exit_code, 1) << waited.out << waited.err;
  EXPECT_NE(waited.out.find("slow: lost"), std::string::npos) << waited.out;
  EXPECT_NE(waited.out.find("run k: failure"), std::string::npos) << waited.out;
  // A fresh worker does not run it again.
  auto fresh = StartWorker({"--labels", "linux", "--name", "fresh"});
  std::this_thread::sleep_for(1500ms);
  fresh->child->SignalGroup(SIGTERM);
  fresh->pump.join();
  EXPECT_EQ(fresh->out.find("job \"slow\""), std::string::npos) << fresh->out;
  EXPECT_EQ(JobState("k", "slow"), "lost");
}

TEST_F(BackendCli, ApprovalAsADatabaseRoleWithNoWorkerAlive) {
  std::string why;
  PostgresServer* server = PostgresServer::Shared(&why);
  ASSERT_TRUE(server->CreateRole("alice", "slipway_reviewer", &why)) << why;
  ASSERT_TRUE(server->CreateRole("mallory", "slipway_reviewer", &why)) << why;
  Write("wf.yml", R"(on: push
jobs:
  deploy:
    runs-on: linux
    environment: production
    steps:
      - run: touch deployed
)");
  Write("envs.yml", R"(environments:
  production:
    required_reviewers:
      users: [alice]
)");
  ASSERT_EQ(Cli({"run", "wf.yml", "--backend", dsn_, "--submit", "--run-id", "g", "--ref",
                 "refs/heads/main", "--sha", "1", "--actor", "octocat", "--env-config",
                 "envs.yml"},
                env_)
                .exit_code,
            0);
  EXPECT_EQ(JobState("g", "deploy"), "waiting");
  std::string as_mallory = dsn_.substr(0, dsn_.rfind("&user=")) + "&user=mallory";
  CliResult spoof =
      Cli({"approve", "g", "production", "--as", "alice", "--backend", as_mallory}, env_);
  EXPECT_EQ(spoof.exit_code, 1);
  EXPECT_NE(spoof.err.find("connected as \"mallory\""), std::string::npos) << spoof.err;
  std::string as_alice = dsn_.substr(0, dsn_.rfind("&user=")) + "&user=alice";
  CliResult approved =
      Cli({"approve", "g", "production", "--as", "alice", "--backend", as_alice}, env_);
  EXPECT_EQ(approved.exit_code, 0) << approved.out << approved.err;
  CliResult worker = Cli({"worker", "--backend", dsn_, "--once", "--labels", "linux"}, env_);
  EXPECT_EQ(worker.exit_code, 0) << worker.out << worker.err;
  EXPECT_TRUE(Exists("deployed"));
  EXPECT_EQ(JobState("g", "deploy"), "success");
}

TEST_F(BackendCli, SameWorkflowGivesTheSameRunRecordOnBothBackends) {
  Write("wf.yml", kWorkflow);
  // The local run executes every job here, so this machine must serve `production` too.
  Write(".slipway/runners.yml", "add: [production]\n");
  std::map<std::string, std::string> env = env_;
  env["SLIPWAY_SECRET_TOKEN"] = "tok";
  std::vector<std::string> common = {"--ref", "refs/heads/main", "--sha", "1", "--actor",
                                     "octocat", "--progress", "plain"};
  std::vector<std::string> local = {"run", "wf.yml", "--state-dir", "state", "--run-id", "same"};
  local.insert(local.end(), common.begin(), common.end());
  CliResult local_run = Cli(local, env);
  ASSERT_EQ(local_run.exit_code, 0) << local_run.out << local_run.err;
  std::vector<std::string> remote = {"run", "wf.yml", "--backend", dsn_, "--run-id", "same"};
  remote.insert(remote.end(), common.begin(), common.end());
  CliResult remote_run = Cli(remote, env);
  ASSERT_EQ(remote_run.exit_code, 0) << remote_run.out << remote_run.err;

  ExpectSameRunRecord("state", "same");
}

}  // namespace
}  // namespace slipway::backend
