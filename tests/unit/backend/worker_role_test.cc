// What a connection as slipway_worker can do to a run: the role a step reaches when it learns a
// worker's DSN (attack 41: a step read it from /proc/PID/cmdline of its worker and removed the
// production job's gate with `UPDATE jobs SET gate = NULL`). Against a real PostgreSQL 15.
#include <pqxx/pqxx>

#include "tests/unit/backend/backend_cli_fixture.h"
#include "tests/unit/backend/backend_test_util.h"

namespace slipway::backend {
namespace {

using namespace testing_util;
using testing::CliResult;

// `dsn` connecting as `role` instead.
std::string DsnAs(const std::string& dsn, const std::string& role) {
  return dsn.substr(0, dsn.rfind("&user=")) + "&user=" + role;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string QueryOne(const std::string& dsn, const std::string& sql) {
  pqxx::connection connection(dsn);
  pqxx::nontransaction tx(connection);
  pqxx::result row = tx.exec(sql);
  return row.empty() || row[0][0].is_null() ? "" : row[0][0].as<std::string>();
}

class WorkerRole : public ::testing::Test {
 protected:
  void SetUp() override {
    SLIPWAY_MIGRATED_POSTGRES(dsn_);
    std::string why;
    PostgresServer* server = PostgresServer::Shared(&why);
    ASSERT_TRUE(server->CreateRole("worker41", "slipway_worker", &why)) << why;
    worker_ = DsnAs(dsn_, "worker41");
  }
  std::string dsn_, worker_;
};

// Every write that could pass a gate or change what a job stored is refused to the role itself.
TEST_F(WorkerRole, CannotWriteGatesStatesArtifactsOrApprovals) {
  std::unique_ptr<Queue> queue = MustConnect(dsn_);
  ASSERT_TRUE(queue);
  JobSpec deploy = Job("deploy", {"build"});
  deploy.environment = "production";
  deploy.gate = {{"required", 1}, {"users", {"alice"}}, {"approval_timeout_s", 3600}};
  ASSERT_TRUE(queue->Submit(MakeRun("g", {Job("build"), deploy})));
  Expected<std::optional<Claim>> build = queue->ClaimNext(AnyWorker("w"));
  ASSERT_TRUE(build && *build);
  Completion done;
  done.artifacts.push_back({"report/r.txt", "built"});
  ASSERT_EQ(*queue->Complete(**build, done), Fence::kHeld);
  ASSERT_EQ(QueryOne(dsn_, "SELECT state FROM jobs WHERE key = 'deploy'"), "waiting");

  for (const char* sql : {
           "UPDATE jobs SET gate = NULL WHERE run_id = 'g' AND key = 'deploy'",
           "UPDATE jobs SET environment = NULL WHERE run_id = 'g' AND key = 'deploy'",
           "UPDATE jobs SET attempt = 7 WHERE run_id = 'g' AND key = 'deploy'",
           "UPDATE artifacts SET content = 'forged'",
           "DELETE FROM artifacts",
           "INSERT INTO artifacts (run_id, job_key, name, sha256, size, content) VALUES ('g', "
           "'build', 'x', '', 1, 'x')",
           "INSERT INTO approvals (run_id, environment, role, reviewer, verdict) VALUES ('g', "
           "'production', 'alice', 'alice', 'approve')",
           "UPDATE approvals SET verdict = 'approve'",
           "DELETE FROM approvals",
           "INSERT INTO audit (at, entry, prev, mac) VALUES (now(), '{}', '', '')",
           "INSERT INTO audit_chains (id, info, prev, mac) VALUES (99, '{}', '', '')",
           "UPDATE audit_chains SET head_seq = head_seq + 1",
       }) {
    EXPECT_TRUE(Has(Exec(worker_, sql), "permission denied")) << sql;
  }
  // The columns a worker may write still cannot make the reviewed job ready or running.
  for (const char* state : {"ready", "running"}) {
    std::string refused = Exec(worker_, std::string("UPDATE jobs SET state = '") + state +
                                            "', ready_at = now() WHERE key = 'deploy'");
    EXPECT_TRUE(Has(refused, "only slipway_open_gate (with the approvals its environment "
                             "requires) makes a reviewed job ready"))
        << refused;
  }
  std::string inserted = Exec(
      worker_,
      "INSERT INTO jobs (run_id, key, job_id, position, needs, labels, environment, gate, state, "
      "ready_at) VALUES ('g', 'deploy2', 'deploy', 9, '{}', '{}', 'production', "
      "'{\"required\": 1}', 'ready', now())");
  EXPECT_TRUE(Has(inserted, "only slipway_claim starts a job")) << inserted;
  // Nor do the functions it may call: no approval, no gate; no completion, no artifact.
  EXPECT_EQ(QueryOne(worker_, "SELECT slipway_open_gate('g', 'deploy')"), "f");
  std::string artifact = Exec(worker_,
                              "SELECT slipway_store_artifact('g', 'build', 1, 'w', "
                              "'report/r.txt', '', 'forged')");
  EXPECT_TRUE(Has(artifact, "is not being completed by this transaction")) << artifact;
  EXPECT_EQ(QueryOne(dsn_, "SELECT state FROM jobs WHERE key = 'deploy'"), "waiting");
  EXPECT_EQ(QueryOne(dsn_, "SELECT convert_from(content, 'UTF8') FROM artifacts"), "built");
  // Not even the owner changes a job's gate once submitted.
  std::string owner = Exec(dsn_, "UPDATE jobs SET gate = NULL WHERE key = 'deploy'");
  EXPECT_TRUE(Has(owner, "its environment and gate never change once submitted")) << owner;

  // An eligible reviewer's approval opens it.
  std::string why;
  ASSERT_TRUE(PostgresServer::Shared(&why)->CreateRole("alice", "slipway_reviewer", &why));
  ASSERT_EQ(Exec(DsnAs(dsn_, "alice"), "INSERT INTO approvals (run_id, environment, role, "
                                       "reviewer, verdict) VALUES ('g', 'production', '', '', "
                                       "'approve')"),
            "");
  EXPECT_EQ(QueryOne(worker_, "SELECT slipway_open_gate('g', 'deploy')"), "t");
  EXPECT_EQ(QueryOne(dsn_, "SELECT state FROM jobs WHERE key = 'deploy'"), "ready");
}

class WorkerRoleCli : public BackendCli {
 protected:
  void SetUp() override {
    BackendCli::SetUp();
    std::string why;
    ASSERT_TRUE(PostgresServer::Shared(&why)->CreateRole("runner41", "slipway_worker", &why));
    worker_ = DsnAs(dsn_, "runner41");
    Write(".slipway/environments.yml", R"(environments:
  production:
    required_reviewers: {users: [bob], count: 1}
    approval_timeout: 2s
)");
  }
  std::string worker_;
};

// Attack 41, as it ran: an ungated job's step looks for the DSN among its ancestors' command
// lines and in its environment, and (having learnt it some other way: the test hands it over)
// removes the production job's gate, or makes it ready. The gate holds: the job times out
// waiting for its reviewer.
TEST_F(WorkerRoleCli, AStepCannotFindTheDsnNorSkipTheGateWithIt) {
  Write("leaked-dsn.txt", worker_);
  Write("wf.yml", R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: |
          p=$$
          while [ "$p" -gt 1 ]; do
            tr '\0' ' ' < /proc/$p/cmdline >> cmdlines.txt; echo >> cmdlines.txt
            p=$(awk '{print $4}' /proc/$p/stat)
          done
          env > step-env.txt
          dsn=$(cat leaked-dsn.txt)
          where="WHERE run_id = '$GITHUB_RUN_ID' AND job_id = 'deploy'"
          for sql in "UPDATE jobs SET gate = NULL" "UPDATE jobs SET state = 'ready'"; do
            psql "$dsn" -v ON_ERROR_STOP=1 -qAt -c "$sql $where" >> psql.txt 2>&1 || true
          done
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: echo deployed > deployed.txt
)");
  std::map<std::string, std::string> env = env_;
  env["PGPASSWORD"] = "pg-password-4141";
  env["PGUSER"] = "runner41";
  CliResult run = Cli({"run", "wf.yml", "--backend", worker_, "--run-id", "atk", "--ref",
                       "refs/heads/main", "--sha", "1"},
                      env);
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_FALSE(Exists("deployed.txt")) << run.out;
  EXPECT_EQ(JobState("atk", "build"), "success") << run.out;
  EXPECT_EQ(JobState("atk", "deploy"), "failure") << run.out;
  std::string psql = Read("psql.txt");
  EXPECT_TRUE(Has(psql, "permission denied for table jobs")) << psql;
  EXPECT_TRUE(Has(psql, "makes a reviewed job ready")) << psql;
  // No ancestor's command line shows the DSN; the step's environment holds no way to connect.
  std::string cmdlines = Read("cmdlines.txt");
  EXPECT_TRUE(Has(cmdlines, "--backend")) << cmdlines;  // slipway's own, found
  EXPECT_FALSE(Has(cmdlines, worker_)) << cmdlines;
  EXPECT_FALSE(Has(cmdlines, "runner41")) << cmdlines;
  std::string step_env = Read("step-env.txt");
  for (const char* leaked : {"runner41", "pg-password-4141", "SLIPWAY_BACKEND", "\nPG"}) {
    EXPECT_FALSE(Has("\n" + step_env, leaked)) << leaked << " in\n" << step_env;
  }
  CliResult verify = Cli({"audit", "verify", "--backend", dsn_}, env_);
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

// A job row changed by someone the database does not stop (a superuser with the triggers off)
// is still refused by the worker that claims it: it counts the approvals against its own
// environments file, not the row's gate.
TEST_F(WorkerRoleCli, AWorkerRechecksTheGateOfARowEditedBehindItsBack) {
  Write("wf.yml", R"(on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: echo deployed > deployed.txt
)");
  ASSERT_EQ(Submit("edited").exit_code, 0);
  ASSERT_EQ(JobState("edited", "deploy"), "waiting");
  ASSERT_EQ(Exec(admin_dsn_, "SET LOCAL session_replication_role = replica; UPDATE jobs SET "
                             "gate = NULL, state = 'ready', ready_at = now(), gate_deadline = "
                             "NULL"),
            "");
  CliResult worker = Cli({"worker", "--backend", worker_, "--once"}, env_);
  EXPECT_FALSE(Exists("deployed.txt")) << worker.out << worker.err;
  EXPECT_EQ(JobState("edited", "deploy"), "failure") << worker.out << worker.err;
  EXPECT_TRUE(Has(worker.out, "job \"deploy\" never waited for them: its row was changed "
                              "outside slipway; not run"))
      << worker.out;
}

// A run a step could store with the worker's role (which submitters share), planned from an
// environments file it wrote: no audited run-start entry names it, so no worker plans it.
TEST_F(WorkerRoleCli, ARunStoredWithoutTheAuditKeyIsNotPlanned) {
  Write("wf.yml", R"(on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: echo deployed > deployed.txt
)");
  Write("evil-env.yml", "environments:\n  production: {}\n");
  ASSERT_EQ(Submit("legit").exit_code, 0);
  ASSERT_EQ(Exec(worker_,
                 "INSERT INTO runs (id, workflow, workflow_sha256, event, ref, sha, actor, state, "
                 "inputs, vars, github, plan_options, environments_file) SELECT 'forged', "
                 "workflow, workflow_sha256, event, ref, sha, actor, 'running', inputs, vars, "
                 "github, jsonb_set(plan_options, '{env_config}', '\"evil-env.yml\"'), "
                 "environments_file FROM runs WHERE id = 'legit'; INSERT INTO jobs (run_id, key, "
                 "job_id, position, needs, labels, environment, state, ready_at) VALUES "
                 "('forged', 'deploy', 'deploy', 0, '{}', '{}', 'production', 'ready', now())"),
            "");
  CliResult worker = Cli({"worker", "--backend", worker_, "--once"}, env_);
  EXPECT_FALSE(Exists("deployed.txt")) << worker.out << worker.err;
  EXPECT_EQ(JobState("forged", "deploy"), "failure") << worker.out << worker.err;
  EXPECT_TRUE(Has(worker.out, "run \"forged\" is not as its submitter stored it")) << worker.out;
}

}  // namespace
}  // namespace slipway::backend
