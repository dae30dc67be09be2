// `container:` jobs on workers of the PostgreSQL backend (built CLI, real PostgreSQL 15, real
// podman): a worker whose host has a container runtime runs the job's steps in the job
// container as a local run does; a worker without one does not claim the job, which waits for a
// host that has one.
#include <chrono>
#include <pqxx/pqxx>
#include <thread>

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

  // A worker whose host has no container runtime leaves the other run's container job alone
  // (it does not claim it and fail it), and a host with one runs it.
  const std::map<std::string, std::string> saved = env_;
  env_ = env;
  env_["SLIPWAY_CONTAINER_RUNTIME"] = "none";
  auto bare = StartWorker({"--labels", "ubuntu-latest", "--name", "bare"});
  env_ = saved;
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(JobState("none", "build"), "ready");
  bare->child->SignalGroup(SIGTERM);
  bare->pump.join();
  EXPECT_EQ(bare->out.find("needs a container runtime"), std::string::npos) << bare->out;
  CliResult boxed =
      Cli({"worker", "--backend", dsn_, "--once", "--labels", "ubuntu-latest"}, env);
  ASSERT_EQ(boxed.exit_code, 0) << boxed.out << boxed.err;
  EXPECT_EQ(JobState("none", "build"), "success");
  EXPECT_EQ(Read("in-none.txt"), Read("in-dir.txt"));
}

}  // namespace
}  // namespace slipway::backend
