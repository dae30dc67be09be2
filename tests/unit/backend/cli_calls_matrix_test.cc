// A called workflow's job whose matrix is known only at run time (`strategy.matrix: ${{
// fromJSON(needs.x.outputs.m) }}`) on the PostgreSQL backend (built CLI, real PostgreSQL 15):
// stored as a placeholder, expanded when its needs are met in its call's contexts, its legs
// run by workers — with the same run record as on the state directory.
#include "tests/unit/backend/backend_cli_fixture.h"

namespace slipway::backend {
namespace {

using testing::CliResult;

TEST_F(BackendCli, ACalledJobsRunTimeMatrixIsExpandedAsOnTheStateDirectory) {
  Write("wf.yml", R"(on: push
jobs:
  call:
    uses: ./.github/workflows/called.yml
    with:
      word: hi
  after:
    needs: call
    runs-on: linux
    steps:
      - run: echo "${{ needs.call.result }} ${{ needs.call.outputs.out }}" > "after-${{ github.run_id }}.txt"
)");
  Write(".github/workflows/called.yml", R"(on:
  workflow_call:
    inputs:
      word:
        type: string
        required: true
    outputs:
      out:
        value: ${{ jobs.legs.outputs.o }}
jobs:
  x:
    runs-on: linux
    outputs:
      m: ${{ steps.s.outputs.m }}
    steps:
      - id: s
        run: echo 'm=["a","b"]' >> "$GITHUB_OUTPUT"
  legs:
    needs: x
    runs-on: linux
    strategy:
      matrix:
        v: ${{ fromJSON(needs.x.outputs.m) }}
    outputs:
      o: ${{ steps.s.outputs.o }}
    steps:
      - id: s
        run: |
          echo "${{ matrix.v }} ${{ inputs.word }} ${{ github.job }} ${{ strategy.job-index }}/${{ strategy.job-total }}" >> "legs-${{ github.run_id }}.txt"
          echo "o=${{ inputs.word }}" >> "$GITHUB_OUTPUT"
)");
  Write(".slipway/runners.yml", "add: [linux]\n");
  std::vector<std::string> common = {"--ref", "refs/heads/main", "--sha", "1", "--progress",
                                     "plain"};
  std::vector<std::string> local = {"run", "wf.yml", "--state-dir", "state", "--run-id", "m"};
  local.insert(local.end(), common.begin(), common.end());
  CliResult local_run = Cli(local, env_);
  ASSERT_EQ(local_run.exit_code, 0) << local_run.out << local_run.err;
  std::filesystem::rename(dir_ / "legs-m.txt", dir_ / "legs-local.txt");
  std::filesystem::rename(dir_ / "after-m.txt", dir_ / "after-local.txt");

  std::vector<std::string> remote = {"run", "wf.yml", "--backend", dsn_, "--run-id", "m"};
  remote.insert(remote.end(), common.begin(), common.end());
  CliResult remote_run = Cli(remote, env_);
  ASSERT_EQ(remote_run.exit_code, 0) << remote_run.out << remote_run.err;

  EXPECT_EQ(Read("after-local.txt"), "success hi\n");
  EXPECT_EQ(Read("after-m.txt"), Read("after-local.txt"));
  const std::string legs = Read("legs-m.txt");
  EXPECT_NE(legs.find("a hi legs 0/2\n"), std::string::npos) << legs;
  EXPECT_NE(legs.find("b hi legs 1/2\n"), std::string::npos) << legs;
  EXPECT_EQ(legs.size(), Read("legs-local.txt").size());
  ExpectSameRunRecord("state", "m");
  EXPECT_EQ(JobState("m", "call/legs (a)"), "success");
  EXPECT_EQ(JobState("m", "call/legs (b)"), "success");
}

}  // namespace
}  // namespace slipway::backend
