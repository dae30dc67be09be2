// The repository's action.yml (a composite action for GitHub): valid according to slipway
// itself, and exercised as a local composite action — validate with annotations, run with
// arguments, the summary, and slipway's exit codes passed through unchanged.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/cli_workspace.h"

namespace slipway {
namespace {

using testing::CliResult;

class ActionE2E : public testing::CliWorkspaceTest {
 protected:
  void SetUp() override {
    CliWorkspaceTest::SetUp();
    std::ifstream in(std::string(SLIPWAY_SOURCE_DIR) + "/action.yml");
    std::stringstream text;
    text << in.rdbuf();
    Write("slipway-action/action.yml", text.str());
  }
};

TEST_F(ActionE2E, ActionYmlIsValid) {
  CliResult r = Cli({"validate", std::string(SLIPWAY_SOURCE_DIR) + "/action.yml"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(ActionE2E, RunsAsALocalCompositeActionAndPassesExitCodesThrough) {
  Write("inner/good.yml", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n");
  Write("inner/bad.yml", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n");
  Write("inner/fails.yml", "on: push\njobs:\n  inner-job:\n    runs-on: ubuntu-latest\n    steps:\n"
                           "      - run: echo inner; exit 3\n");
  const std::string exe = SLIPWAY_EXE;
  Write("wf.yml", R"(on: push
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - id: good
        uses: ./slipway-action
        with:
          paths: inner/good.yml
          slipway: )" + exe + R"(
      - id: bad
        continue-on-error: true
        uses: ./slipway-action
        with:
          paths: inner/bad.yml
          slipway: )" + exe + R"(
      - id: inner
        continue-on-error: true
        uses: ./slipway-action
        with:
          command: run
          args: inner/fails.yml --state-dir inner-state --run-id in1 --ref refs/heads/main --sha 0123abcd --actor bot
          slipway: )" + exe + R"(
      - run: echo "good=${{ steps.good.outputs.exit-code }} bad=${{ steps.bad.outputs.exit-code }}/${{ steps.bad.outcome }} run=${{ steps.inner.outputs.exit-code }}/${{ steps.inner.outcome }}"
)");
  CliResult r = Cli({"run", "wf.yml", "--state-dir", "state", "--run-id", "a1", "--ref",
                     "refs/heads/main", "--sha", "0123abcd", "--actor", "alice", "--progress",
                     "plain"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // `slipway run` refuses to start inside a step of a run (exit 2, README: security model), so
  // here, where slipway plays GitHub's runner, the action's `run` passes that exit code through.
  EXPECT_NE(r.out.find("good=0 bad=1/failure run=2/failure"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("a run cannot be started from a workflow's own steps"), std::string::npos)
      << r.out;
  // validate --format github: annotations, which the (outer) runner turns into lines.
  EXPECT_NE(r.out.find("inner/bad.yml:5:5"), std::string::npos) << r.out;
  EXPECT_FALSE(Exists("inner-state/runs/in1/run.json")) << "the inner run was refused";
  std::string summary = Read("state/runs/a1/summary.md");
  EXPECT_NE(summary.find("### slipway validate"), std::string::npos) << summary;
  EXPECT_NE(summary.find("`inner/bad.yml`: problems found (exit 1)"), std::string::npos)
      << summary;
}

}  // namespace
}  // namespace slipway
