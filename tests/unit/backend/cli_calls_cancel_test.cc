// Reusable-workflow calls on the PostgreSQL backend once something stops them (built CLI, real
// PostgreSQL 15): fail-fast of a calling matrix cancels the running called jobs of the other
// legs, those of calls inside their calls too, as a local run does.
#include <chrono>
#include <pqxx/pqxx>

#include "tests/unit/backend/backend_cli_fixture.h"

namespace slipway::backend {
namespace {

using testing::CliResult;

// Leg n=1's called job fails after a moment; leg n=2's runs for a minute unless cancelled.
constexpr char kFailFastCaller[] = R"(on: push
jobs:
  call:
    strategy:
      matrix:
        n: [1, 2]
    uses: ./.github/workflows/called.yml
    with:
      n: ${{ matrix.n }}
)";

constexpr char kFailFastCalled[] = R"(on:
  workflow_call:
    inputs:
      n:
        type: number
        required: true
jobs:
  work:
    runs-on: linux
    steps:
      - run: |
          if [ "${{ inputs.n }}" = 1 ]; then sleep 2; exit 1; fi
          sleep 60
  nested:
    uses: ./.github/workflows/inner.yml
    with:
      n: ${{ inputs.n }}
)";

// Inside a call of the call: leg n=2's runs for a minute unless cancelled too.
constexpr char kFailFastInner[] = R"(on:
  workflow_call:
    inputs:
      n:
        type: number
        required: true
jobs:
  leaf:
    runs-on: linux
    steps:
      - run: |
          if [ "${{ inputs.n }}" = 1 ]; then exit 0; fi
          sleep 60
)";

TEST_F(BackendCli, FailFastOfACallingMatrixCancelsTheRunningCalledJobsOfItsOtherLegs) {
  Write("wf.yml", kFailFastCaller);
  Write(".github/workflows/called.yml", kFailFastCalled);
  Write(".github/workflows/inner.yml", kFailFastInner);
  Write(".slipway/runners.yml", "add: [linux]\n");
  std::vector<std::string> common = {"--ref", "refs/heads/main", "--sha",  "1",
                                     "--jobs", "4",              "--progress", "plain"};
  auto started = std::chrono::steady_clock::now();
  std::vector<std::string> local = {"run", "wf.yml", "--state-dir", "state", "--run-id", "ff"};
  local.insert(local.end(), common.begin(), common.end());
  CliResult local_run = Cli(local, env_);
  ASSERT_EQ(local_run.exit_code, 1) << local_run.out << local_run.err;
  std::vector<std::string> remote = {"run", "wf.yml", "--backend", dsn_, "--run-id", "ff"};
  remote.insert(remote.end(), common.begin(), common.end());
  CliResult remote_run = Cli(remote, env_);
  ASSERT_EQ(remote_run.exit_code, 1) << remote_run.out << remote_run.err;
  // Neither waited for the minute of the cancelled job.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(45));

  EXPECT_EQ(JobState("ff", "call (1)/work"), "failure");
  EXPECT_EQ(JobState("ff", "call (2)/work"), "cancelled");
  EXPECT_EQ(JobState("ff", "call (1)"), "failure");
  EXPECT_EQ(JobState("ff", "call (2)"), "cancelled");
  EXPECT_EQ(JobState("ff", "call (1)/nested/leaf"), "success");
  EXPECT_EQ(JobState("ff", "call (2)/nested/leaf"), "cancelled");
  EXPECT_EQ(JobState("ff", "call (2)/nested"), "cancelled");
  ExpectSameRunRecord("state", "ff");
}

}  // namespace
}  // namespace slipway::backend
