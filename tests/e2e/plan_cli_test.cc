// `slipway plan` as a user runs it: exit codes (0 plan, 1 invalid files, 2 bad
// flags or inputs), input errors that name the input, the value and what is
// allowed, triggered=false with its reason, the four formats, and the
// environments file. Runs the built CLI (SLIPWAY_EXE) in a temporary directory
// that is not a git checkout.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "interpreter/plan/plan_file.h"
#include "tests/support/golden.h"

namespace slipway {
namespace {

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

std::string ReadAll(const std::string& path) {
  std::string text = testing::ReadFile(path);
  return text;
}

class PlanCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("slipway-plan-cli-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / ".slipway");
    testing::WriteFile(Path("deploy.yml"), R"(name: Deploy
on:
  workflow_dispatch:
    inputs:
      confirm:
        required: true
        type: string
        pattern: 'DEPLOY TO PRODUCTION'
      component:
        type: choice
        options: [all, api]
        default: all
  push:
    branches: [main]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: make ${{ inputs.component }} APP=${{ vars.APP }}
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: ./deploy.sh
  rollback:
    needs: deploy
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - run: ./rollback.sh
)");
    testing::WriteFile(Path(".slipway/environments.yml"), R"(environments:
  production:
    required_reviewers: {count: 1, users: [alice]}
    deployment_branches: {branches: [main]}
)");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  CliResult Plan(const std::string& args) {
    std::string out = Path("out.txt"), err = Path("err.txt");
    std::string command = "cd '" + dir_.string() + "' && " + SLIPWAY_EXE + " plan " + args + " >'" +
                          out + "' 2>'" + err + "'";
    int status = std::system(command.c_str());
    CliResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = ReadAll(out);
    r.err = ReadAll(err);
    return r;
  }

  std::filesystem::path dir_;
};

TEST_F(PlanCli, WrongConfirmationIsRefusedBeforeAnythingElse) {
  CliResult r = Plan(
      "deploy.yml --event workflow_dispatch --input "
      "'confirm=deploy to production'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("deploy.yml:5:7: error: input \"confirm\": \"deploy to production\" "
                       "does "
                       "not match the required pattern \"DEPLOY TO PRODUCTION\" [input]"),
            std::string::npos)
      << r.err;
}

// actions/checkout's local equivalent does nothing (the workspace is the checkout): a step that
// asks for another checkout (`path:`, `repository:`) is refused before anything runs, with its
// position, instead of failing half-way through the run.
TEST_F(PlanCli, ACheckoutIntoAnotherPathIsRefusedBeforeAnythingRuns) {
  testing::WriteFile(Path("co.yml"), R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/checkout@v4
        with:
          path: tools
)");
  CliResult r = Plan("co.yml --event push");
  EXPECT_EQ(r.exit_code, 1) << r.out;  // the workflow has errors (DESIGN.md's exit codes)
  EXPECT_NE(r.err.find("co.yml:9:11: error: actions/checkout `path:` is not done locally"),
            std::string::npos)
      << r.err;
}

TEST_F(PlanCli, EveryInputErrorIsReportedAndNamed) {
  CliResult r = Plan(
      "deploy.yml --event workflow_dispatch --input "
      "component=web --input confrm=x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown input \"confrm\"; declared inputs are "
                       "\"confirm\", \"component\"; "
                       "did you mean \"confirm\"?"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("input \"component\": \"web\" is not one of the options "
                       "\"all\", \"api\""),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("input \"confirm\" is required and has no default"), std::string::npos)
      << r.err;
}

TEST_F(PlanCli, RightConfirmationPlansAsJson) {
  CliResult r = Plan(
      "deploy.yml --event workflow_dispatch --input "
      "'confirm=DEPLOY TO PRODUCTION' "
      "--input component=api --var APP=shop --actor bob --sha "
      "abc123 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json plan = nlohmann::json::parse(r.out);
  EXPECT_EQ(plan["event"], "workflow_dispatch");
  EXPECT_TRUE(plan["triggered"].get<bool>());
  EXPECT_EQ(plan["ref"], "refs/heads/main");  // no git here: the default branch
  EXPECT_EQ(plan["inputs"]["component"], "api");
  EXPECT_EQ(plan["actor"], "bob");
  EXPECT_EQ(plan["workflow_sha256"], plan::Sha256Hex(testing::ReadFile(Path("deploy.yml"))));
  EXPECT_EQ(plan["environments_sha256"],
            plan::Sha256Hex(testing::ReadFile(Path(".slipway/environments.yml"))));
  ASSERT_EQ(plan["jobs"].size(), 3u);
  EXPECT_EQ(plan["jobs"][0]["steps"][0]["run"], "make api APP=shop");
  EXPECT_EQ(plan["jobs"][1]["status"], "will-run");
  EXPECT_EQ(plan["jobs"][1]["wave"], 2);
  EXPECT_EQ(plan["jobs"][1]["environment"]["reviewers"]["required"], 1);
  EXPECT_EQ(plan["jobs"][1]["environment"]["reviewers"]["users"][0], "alice");
  EXPECT_TRUE(plan["jobs"][1]["environment"]["ref_allowed"].get<bool>());
  EXPECT_EQ(plan["jobs"][2]["status"], "conditional");
  EXPECT_EQ(plan["jobs"][2]["reason"], "runs if an upstream job fails");
}

TEST_F(PlanCli, EventThatDoesNotTriggerSaysWhy) {
  CliResult r = Plan("deploy.yml --event push --ref refs/heads/feature/x --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json plan = nlohmann::json::parse(r.out);
  EXPECT_FALSE(plan["triggered"].get<bool>());
  EXPECT_EQ(plan["reason"], "branch \"feature/x\" matches none of on.push.branches (main)");
  EXPECT_EQ(plan["jobs"][0]["status"], "skipped");
  CliResult text = Plan("deploy.yml --event push --ref refs/heads/feature/x");
  EXPECT_NE(text.out.find("not triggered: branch \"feature/x\""), std::string::npos) << text.out;
}

TEST_F(PlanCli, BranchPolicyBlocksTheGatedJob) {
  CliResult r = Plan(
      "deploy.yml --event push --ref refs/heads/main --format json "
      "--env-config .slipway/environments.yml");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  testing::WriteFile(Path("tags.yml"),
                     "environments:\n  production:\n    "
                     "deployment_branches: {tags: ['v*']}\n");
  r = Plan(
      "deploy.yml --event push --ref refs/heads/main --format json "
      "--env-config tags.yml");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json plan = nlohmann::json::parse(r.out);
  EXPECT_EQ(plan["jobs"][1]["status"], "blocked");
  EXPECT_EQ(plan["jobs"][1]["environment"]["refused_by"], "branches");
  EXPECT_EQ(plan["jobs"][2]["status"],
            "will-run");  // the rollback runs when deploy fails
}

TEST_F(PlanCli, OtherFormats) {
  CliResult mermaid = Plan("deploy.yml --event push --ref refs/heads/main --format mermaid");
  ASSERT_EQ(mermaid.exit_code, 0) << mermaid.err;
  EXPECT_EQ(mermaid.out.rfind("flowchart LR\n", 0), 0u) << mermaid.out;
  EXPECT_NE(mermaid.out.find("j0 --> j1"), std::string::npos);
  CliResult dot = Plan("deploy.yml --event push --ref refs/heads/main --format dot");
  ASSERT_EQ(dot.exit_code, 0) << dot.err;
  EXPECT_EQ(dot.out.rfind("digraph plan {\n", 0), 0u) << dot.out;
  EXPECT_NE(dot.out.find("j1 -> j2;"), std::string::npos);
  CliResult text = Plan("deploy.yml --event push --ref refs/heads/main");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("Wave 2"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("\033["),
            std::string::npos);  // no colours when not on a TTY
}

struct UsageCase {
  const char* args;
  const char* message;
};

TEST_F(PlanCli, UsageErrorsExitTwo) {
  testing::WriteFile(Path("bad.json"), "{not json");
  const UsageCase cases[] = {
      {"deploy.yml --format yaml", "unknown format \"yaml\""},
      {"deploy.yml --bogus", "--bogus"},
      {"deploy.yml --input confirm", "--input \"confirm\" is not of the form KEY=VALUE"},
      {"missing.yml", "cannot read file"},
      {"deploy.yml --event pushh", "unknown event \"pushh\"; did you mean \"push\"?"},
      {"deploy.yml --env-config nope.yml", "cannot read environments file"},
      {"deploy.yml --event push --event-file bad.json", "is not JSON"},
      {"deploy.yml --event push --event-file none.json", "cannot read event file"},
      {"deploy.yml --event push --input confirm=x",
       "the push event of this workflow declares no inputs"},
      // GitHub's variable names: letters, digits and "_", not starting with a digit or GITHUB_.
      {"deploy.yml --event push --var 'bad name=1'", "invalid variable name \"bad name\""},
      {"deploy.yml --event push --var 1ST=1", "invalid variable name \"1ST\""},
      {"deploy.yml --event push --var github_token=1", "invalid variable name \"github_token\""},
      // A directory where a file is expected is a usage error, said as such.
      {".slipway", "is a directory"},
      {"deploy.yml --event push --env-config .slipway", "is a directory"},
  };
  for (const UsageCase& c : cases) {
    CliResult r = Plan(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
  }
}

TEST_F(PlanCli, InvalidEnvironmentsFileExitsOneWithPositions) {
  testing::WriteFile(Path("envs.yml"), "environments:\n  production:\n    wait_timr: 5m\n");
  CliResult r = Plan("deploy.yml --event push --ref refs/heads/main --env-config envs.yml");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("envs.yml:3:5:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("wait_timr"), std::string::npos) << r.err;
}

TEST_F(PlanCli, UnconfiguredEnvironmentIsADiagnostic) {
  testing::WriteFile(Path("envs.yml"), "environments:\n  staging: {}\n");
  CliResult r = Plan("deploy.yml --event push --ref refs/heads/main --env-config envs.yml");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("deploy.yml:23:18: error: environment \"production\" of "
                       "job \"deploy\" is "
                       "not configured in \"envs.yml\" [env-gate]"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("Wave 1"), std::string::npos);  // the plan is still shown
}

TEST_F(PlanCli, UnknownNeedIsReportedOnceInOneWording) {
  // GitHub's parser: a need names a job id exactly ("Job 'deploy' depends on unknown job
  // 'build'" when the job is "Build"), reported once.
  testing::WriteFile(Path("case.yml"), R"(on: push
jobs:
  Build:
    runs-on: ubuntu-latest
    steps:
      - run: make
  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: ./deploy.sh
)");
  CliResult r = Plan("case.yml --event push --ref refs/heads/main");
  EXPECT_EQ(r.exit_code, 1);
  const std::string message =
      "case.yml:8:12: error: job \"deploy\" depends on unknown job \"build\"; did you mean "
      "\"Build\"? [job-needs]";
  size_t first = r.err.find(message);
  EXPECT_NE(first, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(message, first + 1), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("needs unknown job"), std::string::npos) << r.err;
}

TEST_F(PlanCli, HugeMatrixIsRefusedQuickly) {
  std::string axes;
  for (char c = 'a'; c < 'a' + 12; ++c) {
    axes += std::string("        ") + c + ": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n";
  }
  testing::WriteFile(Path("matrix.yml"),
                     "on: push\njobs:\n  big:\n    runs-on: ubuntu-latest\n"
                     "    strategy:\n      matrix:\n" +
                         axes + "    steps:\n      - run: echo hi\n");
  CliResult r = Plan("matrix.yml --event push --ref refs/heads/main");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("matrix.yml:7:9: error: the matrix has more than 256 combinations; GitHub "
                       "allows at most 256 [matrix]"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace slipway
