// The artifacts a job's steps store, on the PostgreSQL backend (built CLI, real PostgreSQL 15):
// the worker that ran the job writes them — content included — to the artifacts table with the
// job's completion, since its scratch state directory is gone afterwards; `show` and `report`
// read them back from any host, as they read a state directory's artifacts/.
#include <pqxx/pqxx>

#include "tests/unit/backend/backend_cli_fixture.h"

namespace slipway::backend {
namespace {

using testing::CliResult;

constexpr char kWorkflow[] = R"(on: push
jobs:
  build:
    runs-on: linux
    steps:
      - run: printf 'bundle-v1\0binary' > app.bin && echo "notes" > notes.txt
      - uses: actions/upload-artifact@v4
        with:
          name: bundle
          path: |
            app.bin
            notes.txt
)";

TEST_F(BackendCli, ArtifactsAreStoredWithTheirContentAndShownFromTheDatabase) {
  Write("wf.yml", kWorkflow);
  CliResult run = Cli({"run", "wf.yml", "--backend", dsn_, "--run-id", "art", "--ref",
                       "refs/heads/main", "--sha", "1", "--progress", "plain"},
                      env_);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  {
    pqxx::connection connection(dsn_);
    pqxx::nontransaction tx(connection);
    pqxx::result rows = tx.exec(
        "SELECT job_key, name, size, encode(content, 'escape') FROM artifacts WHERE run_id = "
        "'art' ORDER BY name");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0][0].as<std::string>(), "build");
    EXPECT_EQ(rows[0][1].as<std::string>(), "bundle/app.bin");
    EXPECT_EQ(rows[0][2].as<int>(), 16) << "binary content kept whole, NUL included";
    EXPECT_EQ(rows[0][3].as<std::string>(), "bundle-v1\\000binary");
    EXPECT_EQ(rows[1][1].as<std::string>(), "bundle/notes.txt");
    EXPECT_EQ(rows[1][3].as<std::string>(), "notes\n");
  }
  CliResult shown = Cli({"show", "art", "--backend", dsn_}, env_);
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("artifacts\n  bundle/app.bin"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("(build)"), std::string::npos) << shown.out;
  CliResult json = Cli({"show", "art", "--backend", dsn_, "--format", "json"}, env_);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json parsed = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_TRUE(parsed.is_object()) << json.out;
  ASSERT_EQ(parsed["artifacts"].size(), 2u) << json.out;
  EXPECT_EQ(parsed["artifacts"][1],
            (nlohmann::json{{"job", "build"},
                            {"name", "bundle/notes.txt"},
                            {"size", 6},
                            {"sha256", "444e0fffbd825e9610ff5b199485707a0c895339ae80c15cc8a8aee41b106fda"}}))
      << json.out;
  CliResult no_file = Cli({"report", "art", "--backend", dsn_}, env_);
  EXPECT_EQ(no_file.exit_code, 2);
  EXPECT_NE(no_file.err.find("-o FILE.html"), std::string::npos) << no_file.err;
  CliResult reported = Cli({"report", "art", "--backend", dsn_, "-o", "r.html"}, env_);
  ASSERT_EQ(reported.exit_code, 0) << reported.err;
  std::string html = Read("r.html");
  EXPECT_NE(html.find("<section id=\"artifacts\">"), std::string::npos);
  EXPECT_NE(html.find("bundle/notes.txt"), std::string::npos);
}

TEST_F(BackendCli, TheStateDirectoryShowsItsArtifactsToo) {
  Write("wf.yml", kWorkflow);
  Write(".slipway/runners.yml", "add: [linux]\n");
  CliResult run = Cli({"run", "wf.yml", "--state-dir", "state", "--run-id", "art", "--ref",
                       "refs/heads/main", "--sha", "1", "--progress", "plain"},
                      env_);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  CliResult shown = Cli({"show", "art", "--state-dir", "state"}, env_);
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("artifacts\n  bundle/app.bin"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("bundle/notes.txt"), std::string::npos) << shown.out;
}

TEST_F(BackendCli, AJobDownloadsWhatAnotherJobUploadedOnAnotherWorker) {
  Write("wf.yml", R"(on: push
jobs:
  up:
    runs-on: build-host
    steps:
      - run: mkdir -p out && echo "built on the build host" > out/app.txt
      - uses: actions/upload-artifact@v4
        with:
          name: app
          path: out/app.txt
  down:
    needs: up
    runs-on: deploy-host
    steps:
      - uses: actions/download-artifact@v4
        with:
          name: app
          path: fetched
      - run: cp fetched/app.txt deployed.txt
)");
  ASSERT_EQ(Cli({"run", "wf.yml", "--backend", dsn_, "--submit", "--run-id", "dl", "--ref",
                 "refs/heads/main", "--sha", "1"},
                env_)
                .exit_code,
            0);
  // Two hosts: each job's scratch state directory is its own, so only the database carries
  // the artifact from one to the other.
  CliResult build = Cli({"worker", "--backend", dsn_, "--once", "--labels", "build-host"}, env_);
  ASSERT_EQ(build.exit_code, 0) << build.out << build.err;
  CliResult deploy = Cli({"worker", "--backend", dsn_, "--once", "--labels", "deploy-host"}, env_);
  ASSERT_EQ(deploy.exit_code, 0) << deploy.out << deploy.err;
  EXPECT_EQ(Read("deployed.txt"), "built on the build host\n");
  pqxx::connection connection(dsn_);
  pqxx::nontransaction tx(connection);
  pqxx::result rows =
      tx.exec("SELECT job_key || ':' || name FROM artifacts WHERE run_id = 'dl' ORDER BY 1");
  ASSERT_EQ(rows.size(), 1u) << "the downloaded copy is not stored again under \"down\"";
  EXPECT_EQ(rows[0][0].as<std::string>(), "up:app/app.txt");
}

}  // namespace
}  // namespace slipway::backend
