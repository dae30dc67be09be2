// `slipway run` against GitHub's runner, with real bash: scenarios written from GitHub's
// documentation and actions/runner's source (ScriptHandler.cs, ScriptHandlerHelpers.cs,
// FileCommandManager.cs, GitHubContext.cs), one behaviour each. The job logic without bash is
// tested in tests/unit/exec/job_logic_test.cc.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/cli_workspace.h"

namespace slipway {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;

class RunSemantics : public testing::CliWorkspaceTest {
 protected:
  CliResult RunWorkflow(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "run",   "wf.yml",   "--state-dir", "state", "--ref", "refs/heads/main",
        "--sha", "0123abcd", "--actor",     "alice", "--run-id", "r1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args, {{"TMPDIR", (dir_ / "scratch").string()}});
  }
  void SetUp() override {
    CliWorkspaceTest::SetUp();
    fs::create_directories(dir_ / "scratch");
  }
};

// ScriptHandler.cs: with no `shell:` the runner runs `bash -e {0}` (the `sh` arguments), so a
// failure inside a pipeline does not fail the step; `shell: bash` adds `-o pipefail`.
TEST_F(RunSemantics, DefaultShellHasNoPipefailExplicitBashHas) {
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: |
          false | true
          echo "$SHELLOPTS" > default-opts.txt
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - shell: bash
        run: |
          false | true
          touch not-reached
)");
  CliResult r = RunWorkflow();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(Read("default-opts.txt").find("pipefail"), std::string::npos) << Read("default-opts.txt");
  EXPECT_NE(Read("default-opts.txt").find("errexit"), std::string::npos);
  EXPECT_FALSE(Exists("not-reached"));
}

// defaults.run at workflow level, overridden at job level, with the relative default-style
// state directory: every path handed to the step is absolute, so changing directory breaks
// nothing.
TEST_F(RunSemantics, RunDefaultsAndWorkingDirectoryWithARelativeStateDir) {
  fs::create_directories(dir_ / "wf-dir");
  fs::create_directories(dir_ / "job-dir");
  Write("wf.yml", R"(on: push
defaults:
  run:
    shell: sh
    working-directory: wf-dir
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: pwd > here.txt; echo "$RUNNER_TEMP" > temp.txt; echo "$GITHUB_OUTPUT" > out.txt
  b:
    runs-on: ubuntu-latest
    defaults:
      run:
        working-directory: job-dir
    steps:
      - run: pwd > here.txt
)");
  CliResult r = RunWorkflow();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Read("wf-dir/here.txt"), (dir_ / "wf-dir").string() + "\n");
  EXPECT_EQ(Read("job-dir/here.txt"), (dir_ / "job-dir").string() + "\n");
  for (const char* file : {"wf-dir/temp.txt", "wf-dir/out.txt"}) {
    std::string path = Read(file);
    EXPECT_EQ(path.rfind((dir_ / "scratch").string() + "/slipway-r1-", 0), 0u) << path;
    EXPECT_EQ(path.find("/state/"), std::string::npos) << path;
  }
}

// GitHubContext.cs / ScriptHandler.cs: GITHUB_* and RUNNER_* come from the github and runner
// contexts and are set after the step's env, so neither GITHUB_ENV nor `env:` changes them.
TEST_F(RunSemantics, RunnerVariablesCannotBeOverridden) {
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "GITHUB_REF=refs/heads/evil" >> "$GITHUB_ENV"
          echo "RUNNER_TEMP=/tmp/evil" >> "$GITHUB_ENV"
          echo "NODE_OPTIONS=--require=/tmp/evil.js" >> "$GITHUB_ENV"
          echo "MINE=kept" >> "$GITHUB_ENV"
      - env:
          GITHUB_SHA: fake
        run: echo "$GITHUB_REF $GITHUB_SHA $RUNNER_TEMP ${NODE_OPTIONS:-unset} $MINE" > seen.txt
)");
  CliResult r = RunWorkflow();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string seen = Read("seen.txt");
  EXPECT_EQ(seen.rfind("refs/heads/main 0123abcd ", 0), 0u) << seen;
  EXPECT_EQ(seen.find("/tmp/evil"), std::string::npos) << seen;
  EXPECT_NE(seen.find(" unset kept"), std::string::npos) << seen;
  EXPECT_NE(r.out.find("Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command."),
            std::string::npos)
      << r.out;
}

// hashFiles() is evaluated at run time against the workspace.
TEST_F(RunSemantics, HashFilesInRunAndEnv) {
  Write("package-lock.json", "{}\n");
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - env:
          KEY: deps-${{ hashFiles('**/package-lock.json') }}
        run: |
          echo "$KEY" > env.txt
          echo "${{ hashFiles('package-lock.json') }}" > run.txt
)");
  CliResult r = RunWorkflow();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string hash = Read("run.txt");
  ASSERT_EQ(hash.size(), 65u) << hash;
  EXPECT_EQ(Read("env.txt"), "deps-" + hash);
}

// The step's script and files are private (0600, in a 0700 directory) and emptied when the
// step ends; the scratch directory is gone after the run.
TEST_F(RunSemantics, StepFilesArePrivateAndDoNotOutliveTheStep) {
  Write("wf.yml", R"YAML(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "$0" > script-path.txt
          stat -c %a "$0" > script-mode.txt
          stat -c %a "$RUNNER_TEMP" > temp-mode.txt
          stat -c %a "$GITHUB_ENV" > env-mode.txt
          echo "SECRET_ISH=value" >> "$GITHUB_ENV"
          echo "$GITHUB_ENV" > env-path.txt
      - run: |
          echo "$(cat "$(cat script-path.txt)" 2>/dev/null)" > old-script.txt
          cat "$(cat env-path.txt)" > old-env.txt 2>/dev/null || true
)YAML");
  CliResult r = RunWorkflow();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Read("script-mode.txt"), "600\n");
  EXPECT_EQ(Read("temp-mode.txt"), "700\n");
  EXPECT_EQ(Read("env-mode.txt"), "600\n");
  EXPECT_EQ(Read("old-script.txt"), "\n");
  EXPECT_EQ(Read("old-env.txt"), "");
  std::string script = Read("script-path.txt");
  script.pop_back();
  EXPECT_FALSE(fs::exists(fs::path(script).parent_path().parent_path())) << script;
}

// --jobs 0 is not a number of jobs; --from-plan refuses a flag that contradicts the plan.
TEST_F(RunSemantics, UsageErrors) {
  Write("wf.yml", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: 'true'}]\n");
  CliResult zero = RunWorkflow({"--jobs", "0"});
  EXPECT_EQ(zero.exit_code, 2) << zero.out << zero.err;
  EXPECT_NE(zero.err.find("--jobs must be at least 1"), std::string::npos) << zero.err;

  CliResult plan = Cli({"plan", "wf.yml", "--format", "json", "--ref", "refs/heads/main", "--sha",
                        "0123abcd", "--actor", "alice"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  Write("plan.json", plan.out);
  CliResult conflicting = Cli({"run", "--from-plan", "plan.json", "--state-dir", "state", "--ref",
                               "refs/heads/other"});
  EXPECT_EQ(conflicting.exit_code, 2) << conflicting.out << conflicting.err;
  EXPECT_NE(conflicting.err.find("--ref \"refs/heads/other\" conflicts with the reviewed plan"),
            std::string::npos)
      << conflicting.err;
  CliResult same = Cli({"run", "--from-plan", "plan.json", "--state-dir", "state", "--ref",
                        "refs/heads/main"});
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
}

// Messages: a job skipped for a failed need says so; a cancelled job's line is not
// "cancelled: cancelled".
TEST_F(RunSemantics, SkippedBecauseANeedFailed) {
  Write("wf.yml", R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps: [{run: 'exit 3'}]
  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps: [{run: 'true'}]
)");
  CliResult r = RunWorkflow();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("[deploy] skipped: needs build failed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[build] failure: step \"Run exit 3\" failed: Process completed with exit "
                       "code 3."),
            std::string::npos)
      << r.out;
}

// What `run` cannot do as GitHub does it is refused before anything runs (exit 2, with the
// position), never reported as done: a macOS runner this machine does not serve. A job that
// is skipped anyway does not stop the run. A local reusable-workflow call runs
// (tests/e2e/reusable_test.cc); container and service jobs run with a container runtime and
// are refused only without one (tests/e2e/container_test.cc).
TEST_F(RunSemantics, ConstructsRunCannotHonourAreRefusedBeforeAnythingRuns) {
  Write("wf.yml", R"(on: push
jobs:
  first:
    runs-on: ubuntu-latest
    steps:
      - run: touch started
  call:
    uses: ./.github/workflows/reuse.yml
  box:
    runs-on: ubuntu-latest
    container: node:20
    steps:
      - run: node --version
  db:
    runs-on: ubuntu-latest
    services:
      postgres:
        image: postgres:15
    steps:
      - run: 'true'
  mac:
    runs-on: macos-latest
    steps:
      - run: 'true'
)");
  Write(".github/workflows/reuse.yml", R"(on: workflow_call
jobs:
  inner:
    runs-on: ubuntu-latest
    steps:
      - run: 'true'
)");
  CliResult r = RunWorkflow();
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(r.err.find("job \"call\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("wf.yml:22:14: job \"mac\" cannot run here: label \"macos-latest\" is not "
                       "served by this machine"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(Exists("started"));

  // Skipped jobs do not count: the same constructs behind `if: false` let the run go on.
  Write("wf.yml", R"(on: push
jobs:
  first:
    runs-on: ubuntu-latest
    steps:
      - run: touch started
  mac:
    if: false
    runs-on: macos-latest
    steps:
      - run: 'true'
)");
  r = RunWorkflow();  // the refused run created nothing, so its id is free
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Exists("started"));
}

}  // namespace
}  // namespace slipway
