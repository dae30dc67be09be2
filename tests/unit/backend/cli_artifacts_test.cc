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

// actions/download-artifact inside a local composite action: the worker fetches the run's
// artifacts from the database for it too, and the job sees what it sees on the state directory.
TEST_F(BackendCli, ADownloadInsideALocalCompositeActionGetsTheArtifactAsLocally) {
  Write(".github/actions/fetch/action.yml", R"(name: fetch
runs:
  using: composite
  steps:
    - uses: ./.github/actions/fetch-inner
)");
  Write(".github/actions/fetch-inner/action.yml", R"(name: fetch-inner
runs:
  using: composite
  steps:
    - uses: actions/download-artifact@v4
      with:
        name: app
        path: fetched
    - run: cp fetched/app.txt "deployed-${{ github.run_id }}.txt"
      shell: bash
)");
  Write("wf.yml", R"(on: push
jobs:
  up:
    runs-on: linux
    steps:
      - run: mkdir -p out && echo "built" > out/app.txt
      - uses: actions/upload-artifact@v4
        with:
          name: app
          path: out/app.txt
  down:
    needs: up
    runs-on: linux
    steps:
      - uses: ./.github/actions/fetch
)");
  Write(".slipway/runners.yml", "add: [linux]\n");
  CliResult local = Cli({"run", "wf.yml", "--state-dir", "state", "--run-id", "dir", "--ref",
                         "refs/heads/main", "--sha", "1", "--progress", "plain"},
                        env_);
  ASSERT_EQ(local.exit_code, 0) << local.out << local.err;
  CliResult run = Cli({"run", "wf.yml", "--backend", dsn_, "--run-id", "pg", "--ref",
                       "refs/heads/main", "--sha", "1", "--progress", "plain"},
                      env_);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(Read("deployed-dir.txt"), "built\n");
  EXPECT_EQ(Read("deployed-pg.txt"), Read("deployed-dir.txt"));
}

// One artifact over the database's cap fails its job, naming the artifact, its size and the
// limit; nothing of it is stored.
TEST_F(BackendCli, AnArtifactOverTheLimitFailsItsJobAndIsNotStored) {
  Write("wf.yml", R"(on: push
jobs:
  up:
    runs-on: linux
    steps:
      - run: head -c 3000 /dev/zero > big.bin && echo small > small.txt
      - uses: actions/upload-artifact@v4
        with:
          name: small
          path: small.txt
      - uses: actions/upload-artifact@v4
        with:
          name: big
          path: big.bin
)");
  std::map<std::string, std::string> env = env_;
  env["SLIPWAY_ARTIFACT_LIMIT"] = "2K";
  CliResult run = Cli({"run", "wf.yml", "--backend", dsn_, "--run-id", "cap", "--ref",
                       "refs/heads/main", "--sha", "1", "--progress", "plain"},
                      env);
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("artifact \"big\" is 2.9 KiB (3000 bytes), over the database's limit "
                         "of 2.0 KiB (2048 bytes) for one artifact; set SLIPWAY_ARTIFACT_LIMIT"),
            std::string::npos)
      << run.out;
  pqxx::connection connection(dsn_);
  pqxx::nontransaction tx(connection);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM artifacts WHERE run_id = 'cap'")[0][0].as<int>(), 0);
  env["SLIPWAY_ARTIFACT_LIMIT"] = "lots";
  CliResult bad = Cli({"run", "wf.yml", "--backend", dsn_, "--run-id", "cap2", "--ref",
                       "refs/heads/main", "--sha", "1"},
                      env);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("SLIPWAY_ARTIFACT_LIMIT \"lots\" is not a size"), std::string::npos)
      << bad.err;
}

}  // namespace
}  // namespace slipway::backend
