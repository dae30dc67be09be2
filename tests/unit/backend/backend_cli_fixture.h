#pragma once
// The fixture of the backend's CLI tests: a workspace, a fresh database initialised by the
// built `slipway backend init`, workers started as background processes.
#include <pqxx/pqxx>
#include <thread>

#include "interpreter/backend/stores.h"
#include "tests/support/cli_workspace.h"
#include "tests/unit/backend/backend_test_util.h"

namespace slipway::backend {

using testing::CliResult;
using testing::PostgresServer;

class BackendCli : public testing::CliWorkspaceTest {
 protected:
  void SetUp() override {
    CliWorkspaceTest::SetUp();
    SLIPWAY_FRESH_POSTGRES(admin_dsn_);
    env_ = {{"SLIPWAY_AUDIT_KEY", testing_util::kAuditKey}, {"SLIPWAY_BACKEND", ""}};
    CliResult init = Cli({"backend", "init", "--backend", admin_dsn_}, env_);
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
    // Submitters, workers and the tests' own reads connect as README sets them up: a login
    // role granted slipway_worker, so that whatever the CLI does works with that role's rights.
    std::string why;
    ASSERT_TRUE(PostgresServer::Shared(&why)->CreateRole("slipway_cli", "slipway_worker", &why))
        << why;
    dsn_ = admin_dsn_.substr(0, admin_dsn_.rfind("&user=")) + "&user=slipway_cli";
  }

  // A worker process in the background; its output is collected until it exits.
  struct Background {
    std::optional<exec::ChildProcess> child;
    std::thread pump;
    std::string out;
    exec::ProcessResult result;
    ~Background() {
      if (pump.joinable()) pump.join();
    }
  };
  std::unique_ptr<Background> StartWorker(std::vector<std::string> args) {
    auto bg = std::make_unique<Background>();
    args.insert(args.begin(), {"worker", "--backend", dsn_});
    Expected<exec::ChildProcess> child = exec::ChildProcess::Spawn(Options(args, env_));
    EXPECT_TRUE(child.has_value());
    if (!child) return bg;
    bg->child.emplace(std::move(child).value());
    Background* raw = bg.get();
    bg->pump = std::thread([raw] {
      raw->result = raw->child->Wait(
          [raw](exec::OutputStream, std::string_view chunk) { raw->out.append(chunk); }, nullptr);
    });
    return bg;
  }

  /// `slipway run wf.yml --submit` on main at commit "1" as run `run_id`.
  CliResult Submit(const std::string& run_id) {
    return Cli({"run", "wf.yml", "--backend", dsn_, "--submit", "--run-id", run_id, "--ref",
                "refs/heads/main", "--sha", "1"},
               env_);
  }

  std::string JobState(const std::string& run_id, const std::string& key) {
    pqxx::connection connection(dsn_);
    pqxx::nontransaction tx(connection);
    pqxx::result row = tx.exec_params(
        "SELECT COALESCE(result::text, state::text) FROM jobs WHERE run_id = $1 AND key = $2",
        run_id, key);
    return row.empty() ? "" : row[0][0].as<std::string>();
  }

  /// Run `run_id` as recorded in state directory `state_dir` and in the database alike: status,
  /// event, and each job's status, result, outputs and steps.
  void ExpectSameRunRecord(const std::string& state_dir, const std::string& run_id) {
    Expected<exec::RunRecord> a = OpenLocalStore((dir_ / state_dir).string())->LoadRun(run_id);
    Expected<std::unique_ptr<exec::Store>> pg = OpenPgStore(dsn_, testing_util::kAuditKey);
    ASSERT_TRUE(a && pg);
    Expected<exec::RunRecord> b = (*pg)->LoadRun(run_id);
    ASSERT_TRUE(b) << b.error();
    EXPECT_EQ(a->status, b->status);
    EXPECT_EQ(a->event, b->event);
    EXPECT_EQ(a->ref, b->ref);
    EXPECT_EQ(a->actor, b->actor);
    EXPECT_EQ(a->workflow_sha256, b->workflow_sha256);
    ASSERT_EQ(a->jobs.size(), b->jobs.size());
    for (const auto& [key, job] : a->jobs) {
      ASSERT_EQ(b->jobs.count(key), 1u) << key;
      const exec::JobRecord& other = b->jobs[key];
      EXPECT_EQ(job.status, other.status) << key;
      EXPECT_EQ(job.result, other.result) << key;
      EXPECT_EQ(job.outputs, other.outputs) << key;
      ASSERT_EQ(job.steps.size(), other.steps.size()) << key;
      for (size_t i = 0; i < job.steps.size(); ++i) {
        EXPECT_EQ(job.steps[i].name, other.steps[i].name) << key;
        EXPECT_EQ(job.steps[i].outcome, other.steps[i].outcome) << key;
        EXPECT_EQ(job.steps[i].conclusion, other.steps[i].conclusion) << key;
        EXPECT_EQ(job.steps[i].outputs, other.steps[i].outputs) << key;
      }
    }
  }

  std::string admin_dsn_;  // the database's owner: `backend init`
  std::string dsn_;        // a role granted slipway_worker
  std::map<std::string, std::string> env_;
};

}  // namespace slipway::backend
