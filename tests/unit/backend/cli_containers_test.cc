// `container:` jobs on workers of the PostgreSQL backend (built CLI, real PostgreSQL 15, real
// podman): a worker whose host has a container runtime runs the job's steps in the job
// container as a local run does; a worker without one fails the job, saying it needs one.
#include <pqxx/pqxx>

#include "tests/support/podman_fixture.h"
#include "tests/unit/backend/backend_cli_fixture.h"

namespace slipway::backend {
namespace {

using testing::CliResult;

TEST_F(BackendCli, AWorkerWithAContainerRuntimeRunsContainerJobsAsLocally) {
  SLIPWAY_SKIP_WITHOUT_PODMAN();
  Write("wf.yml", std::string(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    container:
      image: )") + testing::kBusyboxImage +
                      R"yml(
    steps:
      - run: |
          . /etc/os-release
          echo "$ID $GITHUB_WORKSPACE $(cat /etc/slipway-image-marker)" > "in-${{ github.run_id }}.txt"
)yml");
  std::map<std::string, std::string> env = env_;
  for (const auto& [name, value] : testing::SetUpPodman().Env()) env[name] = value;
  std::vector<std::string> common = {"--ref", "refs/heads/main", "--sha", "1"};
  std::vector<std::string> local = {"run", "wf.yml", "--state-dir", "state", "--run-id", "dir"};
  local.insert(local.end(), common.begin(), common.end());
  CliResult local_run = Cli(local, env);
  ASSERT_EQ(local_run.exit_code, 0) << local_run.out << local_run.err;
  for (const char* id : {"pg", "none"}) {
    std::vector<std::string> submit = {"run",      "wf.yml",   "--backend", dsn_,
                                       "--submit", "--run-id", id};
    submit.insert(submit.end(), common.begin(), common.end());
    CliResult submitted = Cli(submit, env_);
    ASSERT_EQ(submitted.exit_code, 0) << submitted.out << submitted.err;
  }
  CliResult worker = Cli({"worker", "--backend", dsn_, "--once", "--labels", "ubuntu-latest"}, env);
  ASSERT_EQ(worker.exit_code, 0) << worker.out << worker.err;
  EXPECT_EQ(Read("in-dir.txt").rfind("slipway-busybox /__w/", 0), 0u) << Read("in-dir.txt");
  EXPECT_EQ(Read("in-pg.txt"), Read("in-dir.txt"));

  std::map<std::string, std::string> no_runtime = env;
  no_runtime["SLIPWAY_CONTAINER_RUNTIME"] = "none";
  CliResult bare =
      Cli({"worker", "--backend", dsn_, "--once", "--labels", "ubuntu-latest"}, no_runtime);
  EXPECT_EQ(bare.exit_code, 1) << bare.out << bare.err;
  EXPECT_EQ(JobState("none", "build"), "failure");
  pqxx::connection connection(dsn_);
  pqxx::nontransaction tx(connection);
  EXPECT_EQ(tx.exec("SELECT message FROM jobs WHERE run_id = 'none'")[0][0].as<std::string>(),
            "the job needs a container runtime (podman or docker) and none is available");
  EXPECT_FALSE(Exists("in-none.txt"));
}

}  // namespace
}  // namespace slipway::backend
