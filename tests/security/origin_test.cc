// Where a run's rules come from (attack audit 13): the protection rules of an environment are
// the repository's, as GitHub's environment settings are, so neither a branch's own edit of
// `.slipway/environments.yml`, nor a workflow file kept in another directory, nor a local action
// reached through a symbolic link can change what protects a deployment; files the commit does
// not hold are named at every plan and run.
#include <gtest/gtest.h>

#include "tests/security/security_fixture.h"

namespace slipway::security {
namespace {

constexpr char kMainOnlyReviewed[] = R"(environments:
  production:
    required_reviewers: {users: [bob]}
    deployment_branches: {branches: [main]}
)";

class OriginTest : public SecurityTest {
 protected:
  // main holds the workflow and the rules; feature/x is checked out at a later commit.
  void MakeRepository() {
    Write("wf.yml", kGated);
    Write(".slipway/environments.yml", kMainOnlyReviewed);
    Write(".gitignore", "state/\n");
    Shell("git init -q -b main . && git add -A && git commit -q -m one && "
          "git checkout -q -b feature/x");
  }
};

TEST_F(OriginTest, ABranchCannotRelaxTheRulesItDeploysThrough) {
  MakeRepository();
  // The branch drops the reviewers and the branch policy in its own commit.
  Write(".slipway/environments.yml", "environments:\n  production: {}\n");
  Shell("git commit -q -am relax");
  CliResult run = Slipway({"run", "wf.yml", "--state-dir", "state"});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_TRUE(Has(run.err, "differs from the one on the default branch \"main\"")) << run.err;
  EXPECT_FALSE(Exists("DEPLOYED"));
  CliResult plan = Slipway({"plan", "wf.yml"});
  EXPECT_TRUE(Has(plan.err + plan.out, "differs from the one on the default branch")) << plan.err;
  // Deleting the file is no way round it either.
  Shell("git rm -q .slipway/environments.yml && git commit -q -m drop");
  run = Slipway({"run", "wf.yml", "--state-dir", "state"});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_FALSE(Exists("DEPLOYED"));
}

TEST_F(OriginTest, TheDefaultBranchsRulesApplyOnOtherBranches) {
  MakeRepository();
  // The same rules as main: the branch policy refuses feature/x (the job is not run).
  CliResult run = Slipway({"run", "wf.yml", "--state-dir", "state"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_FALSE(Has(run.err, "differs from the one on the default branch")) << run.err;
  EXPECT_FALSE(Exists("DEPLOYED"));
  // On main the file is the default branch's own: the gate waits for bob, who approves.
  Shell("git checkout -q main");
  run = Slipway({"run", "wf.yml", "--state-dir", "state", "--approve", "production", "--as", "bob"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(Exists("DEPLOYED"));
}

TEST_F(OriginTest, AWorkflowFromAnotherRepositoryIsRefused) {
  // "evil" is another repository whose own environments file protects nothing.
  Write("evil/.slipway/environments.yml", "environments:\n  production: {}\n");
  Write("evil/.github/workflows/w.yml", kGated);
  Shell("cd evil && git init -q -b main . && git add -A && git commit -q -m evil");
  Write("real/.slipway/environments.yml", kMainOnlyReviewed);
  Write("real/.gitignore", "state/\n");
  Shell("cd real && git init -q -b main . && git add -A && git commit -q -m real");
  CliResult run = Slipway({"run", "../evil/.github/workflows/w.yml", "--state-dir", "state"}, {},
                          "real");
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_TRUE(Has(run.err, "is not a file of the repository being run")) << run.err;
  EXPECT_FALSE(Exists("real/DEPLOYED"));
  // In its own repository it runs (nothing protects production there).
  CliResult own = Slipway({"run", ".github/workflows/w.yml", "--state-dir", "state"}, {}, "evil");
  EXPECT_EQ(own.exit_code, 0) << own.out << own.err;
}

TEST_F(OriginTest, ALocalActionThroughALinkOutsideTheRepositoryIsRefused) {
  Write("outside/action.yml",
        "name: o\ndescription: o\nruns:\n  using: composite\n  steps:\n"
        "    - run: touch OUTSIDE_RAN\n      shell: bash\n");
  Write("repo/wf.yml",
        "on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: ./linked\n");
  Shell("ln -s ../outside repo/linked && cd repo && git init -q -b main . && git add -A && "
        "git commit -q -m one");
  CliResult validate = Slipway({"validate", "wf.yml"}, {}, "repo");
  EXPECT_EQ(validate.exit_code, 1) << validate.out << validate.err;
  EXPECT_TRUE(Has(validate.out + validate.err, "outside the repository")) << validate.out;
  CliResult run = Slipway({"run", "wf.yml", "--state-dir", "state"}, {}, "repo");
  EXPECT_NE(run.exit_code, 0) << run.out << run.err;
  EXPECT_FALSE(Exists("repo/OUTSIDE_RAN"));
  EXPECT_FALSE(Exists("outside/OUTSIDE_RAN"));
}

TEST_F(OriginTest, FilesTheCommitDoesNotHoldAreNamed) {
  MakeRepository();
  Shell("git checkout -q main");
  Write("deploy.sh", "#!/bin/sh\necho untracked\n");
  CliResult plan = Slipway({"plan", "wf.yml"});
  EXPECT_TRUE(Has(plan.err + plan.out, "files git does not track (deploy.sh)")) << plan.err;
  CliResult run = Slipway({"run", "wf.yml", "--state-dir", "state", "--approve", "production",
                           "--as", "bob"});
  EXPECT_TRUE(Has(run.err + run.out, "files git does not track (deploy.sh)")) << run.err;
}

}  // namespace
}  // namespace slipway::security
