// The built CLI against a real PostgreSQL 15: `run --resume` of a backend run whose worker was
// killed (kill -9), and step logs read from the database while the step still runs (`logs`,
// `logs --follow`, `wait`), masked.
#include <signal.h>

#include <algorithm>
#include <thread>

#include "tests/unit/backend/backend_cli_fixture.h"

namespace slipway::backend {
namespace {

using namespace std::chrono_literals;

size_t Lines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST_F(BackendCli, AKilledWorkersLostJobRunsAgainOnlyOnResumeAndTheRestIsKept) {
  Write("wf.yml", R"yml(on: push
jobs:
  first:
    runs-on: linux
    outputs:
      v: ${{ steps.v.outputs.v }}
    steps:
      - id: v
        run: echo run >> first.count && echo "v=7" >> "$GITHUB_OUTPUT"
  slow:
    needs: first
    runs-on: linux
    steps:
      - run: echo "run ${{ needs.first.outputs.v }}" >> slow.count && touch started && sleep "$(cat delay)"
)yml");
  Write("delay", "30");
  ASSERT_EQ(Cli({"run", "wf.yml", "--backend", dsn_, "--submit", "--run-id", "k", "--ref",
                 "refs/heads/main", "--sha", "1"},
                env_)
                .exit_code,
            0);
  auto worker = StartWorker({"--labels", "linux", "--lease", "1", "--name", "doomed"});
  for (int i = 0; i < 300 && !Exists("started"); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(Exists("started")) << worker->out;
  ASSERT_EQ(kill(worker->child->pid(), SIGKILL), 0);
  worker->pump.join();
  CliResult failed = Cli({"wait", "k", "--backend", dsn_, "--timeout", "20"}, env_);
  ASSERT_EQ(failed.exit_code, 1) << failed.out << failed.err;
  ASSERT_NE(failed.out.find("slow: lost"), std::string::npos) << failed.out;

  // A flag that differs from what the run started with is refused, as with a local resume.
  CliResult conflict =
      Cli({"run", "wf.yml", "--backend", dsn_, "--resume", "k", "--ref", "refs/heads/other"}, env_);
  EXPECT_EQ(conflict.exit_code, 2);
  EXPECT_NE(conflict.err.find("--ref conflicts with run \"k\""), std::string::npos) << conflict.err;

  Write("delay", "0");
  CliResult resumed = Cli({"run", "wf.yml", "--backend", dsn_, "--resume", "k"}, env_);
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_NE(resumed.out.find("job \"slow\" was lost when worker doomed stopped renewing its "
                             "lease (attempt 1); it runs again from its first step"),
            std::string::npos)
      << resumed.out;
  EXPECT_EQ(Lines(Read("first.count")), 1u) << "a successful job is not run again";
  EXPECT_EQ(Read("slow.count"), "run 7\nrun 7\n");
  EXPECT_EQ(JobState("k", "slow"), "success");
  EXPECT_EQ(Cli({"wait", "k", "--backend", dsn_}, env_).exit_code, 0);
  CliResult verify = Cli({"audit", "verify", "--backend", dsn_}, env_);
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  // Nothing left to resume.
  EXPECT_EQ(Cli({"run", "wf.yml", "--backend", dsn_, "--resume", "k"}, env_).exit_code, 2);
}

TEST_F(BackendCli, StepLogsAreReadFromTheDatabaseWhileTheStepRuns) {
  Write("wf.yml", R"yml(on: push
jobs:
  live:
    runs-on: linux
    steps:
      - id: talk
        run: |
          echo "first-line with $TOKEN"
          touch ready
          for i in $(seq 200); do [ -e go ] && break; sleep 0.1; done
          echo second-line
        env:
          TOKEN: ${{ secrets.TOKEN }}
)yml");
  std::map<std::string, std::string> env = env_;
  env["SLIPWAY_SECRET_TOKEN"] = "tok-secret-value";
  ASSERT_EQ(Cli({"run", "wf.yml", "--backend", dsn_, "--submit", "--run-id", "l", "--ref",
                 "refs/heads/main", "--sha", "1"},
                env_)
                .exit_code,
            0);
  env_ = env;
  auto worker = StartWorker({"--labels", "linux", "--once"});
  for (int i = 0; i < 300 && !Exists("ready"); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(Exists("ready")) << worker->out;
  // While the step is still running, its first line is in the database (masked).
  CliResult early;
  for (int i = 0; i < 40; ++i) {
    early = Cli({"logs", "l", "--backend", dsn_}, env_);
    if (early.out.find("first-line") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(early.exit_code, 0) << early.err;
  EXPECT_NE(early.out.find("[live] first-line with ***"), std::string::npos) << early.out;
  EXPECT_EQ(early.out.find("tok-secret-value"), std::string::npos) << early.out;
  EXPECT_EQ(early.out.find("second-line"), std::string::npos) << early.out;
  EXPECT_EQ(JobState("l", "live"), "running");
  Write("go", "");
  CliResult followed = Cli({"logs", "l", "live", "--follow", "--backend", dsn_}, env_);
  EXPECT_EQ(followed.exit_code, 0) << followed.err;
  EXPECT_NE(followed.out.find("first-line with ***\nsecond-line\n"), std::string::npos)
      << followed.out;
  worker->pump.join();
  CliResult waited = Cli({"wait", "l", "--backend", dsn_}, env_);
  EXPECT_EQ(waited.exit_code, 0);
  EXPECT_NE(waited.out.find("[live] second-line"), std::string::npos) << waited.out;
  EXPECT_EQ(Cli({"logs", "l", "nope", "--backend", dsn_}, env_).exit_code, 2);
}

}  // namespace
}  // namespace slipway::backend
