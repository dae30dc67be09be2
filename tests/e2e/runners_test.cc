// Runner labels through the CLI: a job whose `runs-on` labels (string, list, `group:`/`labels:`,
// expressions per matrix leg) this machine does not serve is refused by `plan` and by `run`
// before anything starts (exit 2), naming the labels and the file looked at; `.slipway/runners.yml`
// says which labels it serves and maps others to this host, loudly. And the setup-* local
// equivalents check the version asked for against the tool installed.
// https://docs.github.com/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idruns-on
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/cli_workspace.h"

namespace slipway {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;

class RunnersE2E : public testing::CliWorkspaceTest {
 protected:
  void SetUp() override {
    CliWorkspaceTest::SetUp();
    fs::create_directories(dir_ / ".github");  // the repository root: .slipway/ is found here
  }
  CliResult RunWorkflow(std::vector<std::string> extra = {},
                        const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> args = {"run",   "wf.yml",   "--state-dir", "state", "--ref",
                                     "refs/heads/main", "--sha", "0123abcd", "--actor", "alice"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args, env);
  }
};

TEST_F(RunnersE2E, UnservedLabelsAreRefusedBeforeAnythingRuns) {
  Write("wf.yml", R"(on: push
jobs:
  first:
    runs-on: ubuntu-latest
    steps:
      - run: touch started
  mac:
    runs-on: [macos-latest, arm64]
    steps:
      - run: 'true'
)");
  CliResult r = Cli({"plan", "wf.yml", "--event", "push"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("wf.yml:8:14: error: job \"mac\" cannot run here: labels "
                       "\"macos-latest\", \"arm64\" are not served by this machine (served, from "
                       "the defaults for linux/"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("no runners file at \"./.slipway/runners.yml\""), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("[runs-on]"), std::string::npos) << r.err;

  r = RunWorkflow();
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("wf.yml:8:14: job \"mac\" cannot run here: labels \"macos-latest\", "
                       "\"arm64\" are not served"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(Exists("started"));
}

TEST_F(RunnersE2E, MatrixLegsAreJudgedOneByOne) {
  Write("wf.yml", R"(on: push
jobs:
  test:
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
    runs-on: ${{ matrix.os }}
    steps:
      - run: touch "ran-${{ matrix.os }}"
)");
  CliResult r = Cli({"plan", "wf.yml", "--event", "push"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("job \"test\" cannot run here: matrix {\"os\":\"windows-latest\"}: label "
                       "\"windows-latest\" is not served"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("\"ubuntu-latest\" is not served"), std::string::npos) << r.err;
  r = RunWorkflow();
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_FALSE(Exists("ran-ubuntu-latest"));
}

TEST_F(RunnersE2E, RunnersFileServesLabelsAndGroupsAndMapsLoudly) {
  Write(".slipway/runners.yml", R"(add: [gpu]
groups: [big-runners]
map:
  macos-latest: host
)");
  Write("wf.yml", R"(on: push
jobs:
  gpu:
    runs-on: [self-hosted, linux, gpu]
    steps:
      - run: touch gpu
  grouped:
    runs-on:
      group: big-runners
      labels: [linux]
    steps:
      - run: touch grouped
  mac:
    runs-on: macos-latest
    steps:
      - run: touch mac
)");
  CliResult r = Cli({"plan", "wf.yml", "--event", "push"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("WARNING: runner mapped: runs HERE although this machine is not "
                       "\"macos-latest\": mapped to this host by \"./.slipway/runners.yml\""),
            std::string::npos)
      << r.out;
  r = Cli({"plan", "wf.yml", "--event", "push", "--format", "json"});
  nlohmann::json plan = nlohmann::json::parse(r.out);
  EXPECT_EQ(plan["jobs"][2]["runner"]["mapped"].size(), 1u) << r.out;
  EXPECT_FALSE(plan["jobs"][0].contains("runner"));

  r = RunWorkflow();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Exists("gpu") && Exists("grouped") && Exists("mac"));
  EXPECT_NE(r.out.find("WARNING: runs HERE although this machine is not \"macos-latest\""),
            std::string::npos)
      << r.out;
  std::string audit = Read("state/audit.jsonl");
  EXPECT_NE(audit.find("\"kind\":\"runner-mapped\""), std::string::npos) << audit;

  // `labels:` replaces the defaults: ubuntu-latest is then not served.
  Write(".slipway/runners.yml", "labels: [self-hosted, linux, x64, gpu]\n");
  r = Cli({"plan", "wf.yml", "--event", "push"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("runner group \"big-runners\" is not one of this machine's (none)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("(served, from \"./.slipway/runners.yml\": \"self-hosted\", \"linux\", "
                       "\"x64\", \"gpu\")"),
            std::string::npos)
      << r.err;
}

TEST_F(RunnersE2E, ARunnersFileWithAnUnknownKeyIsAnError) {
  Write(".slipway/runners.yml", "lables: [gpu]\n");
  Write("wf.yml", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: 'true'}]\n");
  CliResult r = Cli({"plan", "wf.yml", "--event", "push"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find(".slipway/runners.yml:1:1: error:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("lables"), std::string::npos) << r.err;
}

// actions/setup-*: the version asked for is checked against the tool on PATH; a matrix over
// versions fails, loudly, the legs this machine cannot satisfy.
TEST_F(RunnersE2E, SetupActionsCheckTheRequestedVersion) {
  Write("bin/python3", "#!/bin/sh\necho 'Python 3.11.7'\n");
  chmod((dir_ / "bin/python3").c_str(), 0755);
  std::map<std::string, std::string> env = {
      {"PATH", (dir_ / "bin").string() + ":/usr/bin:/bin"}};
  Write("wf.yml", R"(on: push
jobs:
  fixed:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: '3.99'
  test:
    strategy:
      fail-fast: false
      matrix:
        python: ['3.11', '3.99']
    runs-on: ubuntu-latest
    steps:
      - id: py
        uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python }}
      - run: echo "${{ steps.py.outputs.python-version }}" > "ok-${{ matrix.python }}"
)");
  CliResult r = Cli({"plan", "wf.yml", "--event", "push"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("WILL FAIL: python 3.99 was asked for, but this machine has python 3.11.7 "
                       "(" + (dir_ / "bin/python3").string() + ")"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("the version is known only when the step runs"), std::string::npos)
      << r.out;

  r = RunWorkflow({}, env);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(Read("ok-3.11"), "3.11.7\n");
  EXPECT_FALSE(Exists("ok-3.99"));
  EXPECT_NE(r.out.find("actions/setup-python: python 3.99 was asked for, but this machine has "
                       "python 3.11.7"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace slipway
