#pragma once
// The fixture of the backend's CLI tests: a workspace, a fresh database initialised by the
// built `slipway backend init`, workers started as background processes.
#include <pqxx/pqxx>
#include <thread>

#include "tests/support/cli_workspace.h"
#include "tests/unit/backend/backend_test_util.h"

namespace slipway::backend {

using testing::CliResult;
using testing::PostgresServer;

class BackendCli : public testing::CliWorkspaceTest {
 protected:
  void SetUp() override {
    CliWorkspaceTest::SetUp();
    SLIPWAY_FRESH_POSTGRES(dsn_);
    env_ = {{"SLIPWAY_AUDIT_KEY", testing_util::kAuditKey}, {"SLIPWAY_BACKEND", ""}};
    CliResult init = Cli({"backend", "init", "--backend", dsn_}, env_);
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
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

  std::string JobState(const std::string& run_id, const std::string& key) {
    pqxx::connection connection(dsn_);
    pqxx::nontransaction tx(connection);
    pqxx::result row = tx.exec_params(
        "SELECT COALESCE(result::text, state::text) FROM jobs WHERE run_id = $1 AND key = $2",
        run_id, key);
    return row.empty() ? "" : row[0][0].as<std::string>();
  }

  std::string dsn_;
  std::map<std::string, std::string> env_;
};

}  // namespace slipway::backend
