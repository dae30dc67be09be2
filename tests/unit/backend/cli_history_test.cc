// `slipway runs` and `slipway show` against a real PostgreSQL 15, through the backend's Store
// (--backend DSN, or SLIPWAY_BACKEND), as they read a state directory.
#include <nlohmann/json.hpp>

#include "tests/unit/backend/backend_cli_fixture.h"

namespace slipway::backend {
namespace {

using nlohmann::json;

constexpr char kWorkflow[] = R"yml(on: push
jobs:
  build:
    runs-on: linux
    outputs:
      v: ${{ steps.v.outputs.v }}
    steps:
      - id: v
        run: echo "v=7" >> "$GITHUB_OUTPUT"
  deploy:
    needs: build
    runs-on: linux
    steps:
      - run: "true"
)yml";

TEST_F(BackendCli, RunsAndShowReadTheBackend) {
  Write("wf.yml", kWorkflow);
  CliResult ran = Cli({"run", "wf.yml", "--backend", dsn_, "--run-id", "done-run", "--ref",
                       "refs/heads/main", "--sha", "1"},
                      env_);
  ASSERT_EQ(ran.exit_code, 0) << ran.out << ran.err;
  // Submitted, never worked on: still running, its jobs not started.
  CliResult submitted = Cli({"run", "wf.yml", "--backend", dsn_, "--submit", "--run-id",
                             "waiting-run", "--ref", "refs/heads/main", "--sha", "2"},
                            env_);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.out << submitted.err;

  CliResult runs = Cli({"runs", "--backend", dsn_, "--format", "json"}, env_);
  ASSERT_EQ(runs.exit_code, 0) << runs.out << runs.err;
  json listed = json::parse(runs.out, nullptr, false);
  ASSERT_TRUE(listed.is_object()) << runs.out;
  ASSERT_EQ(listed["runs"].size(), 2u) << runs.out;
  std::map<std::string, json> by_id;
  for (const json& row : listed["runs"]) by_id[row.value("id", "")] = row;
  ASSERT_EQ(by_id.count("done-run"), 1u) << runs.out;
  ASSERT_EQ(by_id.count("waiting-run"), 1u) << runs.out;
  EXPECT_EQ(by_id["done-run"]["status"], "success");
  EXPECT_EQ(by_id["done-run"]["workflow"], "wf.yml");
  EXPECT_EQ(by_id["done-run"]["ref"], "refs/heads/main");
  EXPECT_TRUE(by_id["done-run"]["duration_s"].is_number()) << runs.out;
  EXPECT_EQ(by_id["waiting-run"]["status"], "running");

  // SLIPWAY_BACKEND is read when no flag is given; the table names both runs.
  std::map<std::string, std::string> from_env = env_;
  from_env["SLIPWAY_BACKEND"] = dsn_;
  CliResult table = Cli({"runs"}, from_env);
  ASSERT_EQ(table.exit_code, 0) << table.out << table.err;
  EXPECT_NE(table.out.find("done-run"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("waiting-run"), std::string::npos) << table.out;

  CliResult show = Cli({"show", "done-run", "--backend", dsn_, "--format", "json"}, env_);
  ASSERT_EQ(show.exit_code, 0) << show.out << show.err;
  json run = json::parse(show.out, nullptr, false);
  ASSERT_TRUE(run.is_object()) << show.out;
  EXPECT_EQ(run["status"], "success") << show.out;
  EXPECT_EQ(run["jobs"]["build"]["result"], "success") << show.out;
  EXPECT_EQ(run["jobs"]["build"]["outputs"]["v"], "7") << show.out;
  EXPECT_EQ(run["jobs"]["deploy"]["result"], "success") << show.out;
  CliResult text = Cli({"show", "done-run", "--backend", dsn_}, env_);
  ASSERT_EQ(text.exit_code, 0) << text.out << text.err;
  EXPECT_NE(text.out.find("run done-run: success"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("output v = 7"), std::string::npos) << text.out;

  CliResult missing = Cli({"show", "no-such-run", "--backend", dsn_}, env_);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no run \"no-such-run\""), std::string::npos) << missing.err;
  CliResult wrong = Cli({"runs", "--backend", "mysql://x"}, env_);
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.err.find("unsupported backend"), std::string::npos) << wrong.err;
}

}  // namespace
}  // namespace slipway::backend
