// Honest refs and resumes (issue 10 §1): a run deploys the commit that is checked out, under the
// ref that names it, and a resume runs exactly what the run started with.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/security/security_fixture.h"

namespace slipway::security {
namespace {

constexpr char kMainOnly[] = R"(environments:
  production:
    deployment_branches:
      branches: [main]
      tags: ['v*']
)";

class RefsTest : public SecurityTest {
 protected:
  // A repository: main at commit 1, feature/evil at commit 2 (checked out).
  void MakeRepository() {
    Write("wf.yml", kGated);
    Write(".slipway/environments.yml", kMainOnly);
    Shell(
        "git init -q -b main . && git add wf.yml .slipway && git commit -q -m one && "
        "git checkout -q -b feature/evil && echo x > x && git add x && git commit -q -m two");
    main_ = ShellOutput("git rev-parse main");
    head_ = ShellOutput("git rev-parse HEAD");
  }
  std::string main_, head_;
};

TEST_F(RefsTest, ClaimingMainFromAFeatureBranchIsRefused) {
  MakeRepository();
  CliResult r = Slipway({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_FALSE(Exists("DEPLOYED"));
  EXPECT_TRUE(Has(r.err, main_.substr(0, 12))) << r.err;
  EXPECT_TRUE(Has(r.err, head_.substr(0, 12))) << r.err;
  // With approvals too: refs are checked before anything else counts.
  CliResult approved = Slipway({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main",
                                "--approve", "production", "--as", "bob"});
  EXPECT_EQ(approved.exit_code, 2);
  EXPECT_FALSE(Exists("DEPLOYED"));
}

TEST_F(RefsTest, ShaMustBeHeadsCommit) {
  MakeRepository();
  for (const std::string& sha : {std::string("zz"), main_, std::string("0123abcd")}) {
    CliResult r = Slipway({"run", "wf.yml", "--state-dir", "state", "--sha", sha});
    EXPECT_EQ(r.exit_code, 2) << sha << r.err;
    EXPECT_TRUE(Has(r.err, head_)) << r.err;
  }
  EXPECT_FALSE(Exists("DEPLOYED"));
}

TEST_F(RefsTest, DefaultRefIsHeadsRealBranchAndThePolicyApplies) {
  MakeRepository();
  CliResult r = Slipway({"run", "wf.yml", "--state-dir", "state", "--run-id", "evil"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(Exists("DEPLOYED"));
  EXPECT_TRUE(Has(r.out, "does not allow ref \"refs/heads/feature/evil\"")) << r.out;
  nlohmann::json run = RunJson("evil");
  EXPECT_EQ(run["ref"], "refs/heads/feature/evil");
  EXPECT_EQ(run["sha"], head_);
}

TEST_F(RefsTest, DetachedHeadUsesTheTagAtHeadElseNeedsARef) {
  MakeRepository();
  Shell("git checkout -q --detach main");
  CliResult untagged = Slipway({"run", "wf.yml", "--state-dir", "state"});
  EXPECT_EQ(untagged.exit_code, 2) << untagged.out << untagged.err;  // not invented as main
  EXPECT_TRUE(Has(untagged.err, "is detached")) << untagged.err;
  EXPECT_FALSE(Exists("DEPLOYED"));
  Shell("git tag v1.0.0");
  CliResult tagged = Slipway({"run", "wf.yml", "--state-dir", "state", "--run-id", "tag"});
  EXPECT_EQ(tagged.exit_code, 0) << tagged.out << tagged.err;
  EXPECT_EQ(RunJson("tag")["ref"], "refs/tags/v1.0.0");
  EXPECT_TRUE(Exists("DEPLOYED"));
}

TEST_F(RefsTest, OutsideGitRefAndShaAreRequiredAndPoliciesRefuse) {
  Write("wf.yml", kGated);
  Write(".slipway/environments.yml", kMainOnly);
  CliResult bare = Slipway({"run", "wf.yml", "--state-dir", "state"});
  EXPECT_EQ(bare.exit_code, 2) << bare.err;
  EXPECT_TRUE(Has(bare.err, "pass --ref and --sha")) << bare.err;
  CliResult zz =
      Slipway({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main", "--sha", "zz"});
  EXPECT_EQ(zz.exit_code, 2);
  EXPECT_TRUE(Has(zz.err, "--sha \"zz\" is not a commit id")) << zz.err;
  CliResult policy = Slipway(
      {"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main", "--sha", "0123abcd"});
  EXPECT_EQ(policy.exit_code, 2) << policy.out << policy.err;
  EXPECT_TRUE(Has(policy.err, "cannot be verified")) << policy.err;
  EXPECT_FALSE(Exists("DEPLOYED"));
}

// The same outside git for an environment named only at run time: the gate of the name it
// evaluates to refuses, since nothing can vouch for the ref it claims.
TEST_F(RefsTest, OutsideGitRunTimeEnvironmentWithPolicyRefuses) {
  Write("wf.yml", R"(on: push
jobs:
  pick:
    runs-on: ubuntu-latest
    outputs: {env: '${{ steps.s.outputs.env }}'}
    steps: [{id: s, run: 'echo "env=production" >> "$GITHUB_OUTPUT"'}]
  deploy:
    needs: pick
    runs-on: ubuntu-latest
    environment: ${{ needs.pick.outputs.env }}
    steps: [{run: touch DEPLOYED}]
)");
  Write(".slipway/environments.yml", kMainOnly);
  CliResult run = Slipway(
      {"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main", "--sha", "0123abcd"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_TRUE(Has(run.out, "cannot be verified")) << run.out;
  EXPECT_FALSE(Exists("DEPLOYED"));
}

// A run refused by the branch policy must not become a success by resuming it with other flags.
TEST_F(RefsTest, ResumeRefusesDifferentFlagsAndAChangedEnvironmentsFile) {
  MakeRepository();
  Write("open.yml", "environments:\n  production: {}\n");
  CliResult first = Slipway({"run", "wf.yml", "--state-dir", "state", "--run-id", "r1"});
  ASSERT_EQ(first.exit_code, 1) << first.out << first.err;
  for (std::vector<std::string> flags :
       {std::vector<std::string>{"--env-config", "open.yml"},
        std::vector<std::string>{"--ref", "refs/heads/main"},
        std::vector<std::string>{"--actor", "mallory"}, std::vector<std::string>{"--var", "X=1"}}) {
    std::vector<std::string> args = {"run", "wf.yml", "--state-dir", "state", "--resume", "r1"};
    args.insert(args.end(), flags.begin(), flags.end());
    CliResult r = Slipway(args);
    EXPECT_EQ(r.exit_code, 2) << flags[0] << "\n" << r.out << r.err;
    EXPECT_FALSE(Exists("DEPLOYED")) << flags[0];
  }
  Write(".slipway/environments.yml", "environments:\n  production: {}\n");
  CliResult changed = Slipway({"run", "wf.yml", "--state-dir", "state", "--resume", "r1"});
  EXPECT_EQ(changed.exit_code, 2) << changed.out << changed.err;
  EXPECT_TRUE(Has(changed.err, "changed since run \"r1\" started")) << changed.err;
  EXPECT_FALSE(Exists("DEPLOYED"));
}

}  // namespace
}  // namespace slipway::security
