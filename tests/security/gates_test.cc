// Attacks on the environment gate (issue 10 §1): each test makes the attempt through the CLI and
// shows that it fails.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/security/security_fixture.h"

namespace slipway::security {
namespace {

std::vector<std::string> RunArgs(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {
      "run",   "wf.yml",   "--state-dir", "state", "--ref", "refs/heads/main",
      "--sha", "0123abcd", "--actor",     "alice"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// `cd sub && slipway run ../wf.yml` used to drop every rule: the environments file was looked
// for in the current directory. It is found from the repository root of the workflow.
TEST_F(SecurityTest, RunFromAnotherDirectoryKeepsTheGate) {
  Write("wf.yml", kGated);
  Write(".slipway/environments.yml", Reviewers("1s"));
  fs::create_directories(dir_ / "sub");
  CliResult r = Slipway({"run", "../wf.yml", "--state-dir", "../state", "--ref", "refs/heads/main",
                         "--sha", "0123abcd", "--actor", "alice"},
                        {}, "sub");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(Exists("DEPLOYED"));
  EXPECT_TRUE(Has(r.out, "approval for environment \"production\" timed out")) << r.out;
  // plan from the same directory shows the gate too.
  CliResult plan = Slipway({"plan", "../wf.yml", "--ref", "refs/heads/main"}, {}, "sub");
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_TRUE(Has(plan.out, "waits for 2 distinct approvals")) << plan.out;
}

// An environment used with no environments file anywhere: nothing would gate it, so neither
// run nor plan starts (exit 2), naming the environment and where the file was looked for.
TEST_F(SecurityTest, EnvironmentWithoutEnvironmentsFileRefuses) {
  Write("wf.yml", kGated);
  fs::create_directories(dir_ / ".github");  // the repository root: no .slipway/ there
  CliResult r = Slipway(RunArgs());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_FALSE(Exists("DEPLOYED"));
  EXPECT_TRUE(Has(r.err, "environment \"production\"")) << r.err;
  EXPECT_TRUE(Has(r.err, "looked for \"./.slipway/environments.yml\"")) << r.err;
  CliResult plan = Slipway({"plan", "wf.yml", "--ref", "refs/heads/main"});
  EXPECT_EQ(plan.exit_code, 2) << plan.out << plan.err;
  EXPECT_TRUE(Has(plan.err, "environment \"production\"")) << plan.err;
}

// validate warns about environments the environments file (found from the root) lacks.
TEST_F(SecurityTest, ValidateWarnsAboutUnconfiguredEnvironments) {
  Write("wf.yml", kGated);
  fs::create_directories(dir_ / ".github");
  CliResult none = Slipway({"validate", "wf.yml"});
  EXPECT_EQ(none.exit_code, 0) << none.out;
  EXPECT_TRUE(Has(none.out,
                  "wf.yml:5:18: warning: environment \"production\" of job \"deploy\" "
                  "is not configured: no environments file was found"))
      << none.out;
  Write(".slipway/environments.yml", "environments:\n  prodution: {}\n");
  CliResult missing = Slipway({"validate", "wf.yml"});
  EXPECT_TRUE(Has(missing.out, "is not configured in")) << missing.out;
  EXPECT_TRUE(Has(missing.out, "did you mean \"prodution\"")) << missing.out;
  Write(".slipway/environments.yml", "environments:\n  production: {}\n");
  CliResult ok = Slipway({"validate", "wf.yml"});
  EXPECT_FALSE(Has(ok.out, "env-gate")) << ok.out;
}

// A parallel job finds the run directory and writes approval records itself. They carry no
// valid MAC: refused, audited as an attempted forgery, and the gate holds.
TEST_F(SecurityTest, ForgedApprovalRecordsAreRefusedAndAudited) {
  Write("wf.yml", R"(on: push
jobs:
  forge:
    runs-on: ubuntu-latest
    steps:
      - run: |
          for i in $(seq 40); do
            d=$(ls -d "$GITHUB_WORKSPACE"/state/runs/*/approvals/production 2>/dev/null | head -1)
            if [ -n "$d" ]; then break; fi
            sleep 0.05
          done
          d=$(ls -d "$GITHUB_WORKSPACE"/state/runs/f1/approvals/production)
          echo '{"environment":"production","reviewer":"bob","at":"1","source":"slipway approve"}' > "$d/bob.json"
          echo '{"run_id":"f1","environment":"production","reviewer":"carol","decision":"approve","comment":"","at":"2","source":"slipway approve","mac":"00"}' > "$d/approve-carol.json"
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: touch DEPLOYED
)");
  Write("envs.yml", Reviewers("3s"));
  CliResult r = Slipway(RunArgs({"--env-config", "envs.yml", "--run-id", "f1"}));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(Exists("DEPLOYED"));
  EXPECT_TRUE(Has(r.out, "is forged")) << r.out;
  EXPECT_FALSE(Has(r.out, "approved by \"bob\"")) << r.out;
  std::string audit = Read("state/audit.jsonl");
  EXPECT_TRUE(Has(audit, "\"kind\":\"approval-forgery\"")) << audit;
  EXPECT_TRUE(Has(audit, "\"claimed_reviewer\":\"carol\"")) << audit;
  EXPECT_TRUE(Has(audit, "\"claimed_reviewer\":\"bob\"")) << audit;
}

// An approval record copied from another run (valid MAC, other run id) does not count either.
TEST_F(SecurityTest, ApprovalRecordsDoNotMoveBetweenRuns) {
  Write("wf.yml", kGated);
  Write("envs.yml", Reviewers("30s"));
  auto first = Start(RunArgs({"--env-config", "envs.yml", "--run-id", "one"}));
  ASSERT_TRUE(first);
  ASSERT_TRUE(WaitFor([&] { return Exists("state/runs/one/approvals/production/waiting"); }));
  ASSERT_EQ(
      Slipway({"approve", "one", "production", "--as", "bob", "--state-dir", "state"}).exit_code,
      0);
  ASSERT_EQ(
      Slipway({"reject", "one", "production", "--as", "carol", "--state-dir", "state"}).exit_code,
      0);
  EXPECT_EQ(Finish(*first), 1);
  Write("envs.yml", Reviewers("2s"));
  auto second = Start(RunArgs({"--env-config", "envs.yml", "--run-id", "two"}));
  ASSERT_TRUE(second);
  ASSERT_TRUE(WaitFor([&] { return Exists("state/runs/two/approvals/production/waiting"); }));
  fs::copy_file(dir_ / "state/runs/one/approvals/production/approve-bob.json",
                dir_ / "state/runs/two/approvals/production/approve-bob.json");
  EXPECT_EQ(Finish(*second), 1) << second->out;
  EXPECT_FALSE(Exists("DEPLOYED"));
  EXPECT_TRUE(Has(second->out, "is forged")) << second->out;
}

// `slipway approve` checks against the run's state: only an approval that counts is recorded.
TEST_F(SecurityTest, ApproveRecordsOnlyWhatCounts) {
  Write("wf.yml", kGated);
  Write("envs.yml", Reviewers("30s"));
  auto run = Start(RunArgs({"--env-config", "envs.yml", "--run-id", "gate"}));
  ASSERT_TRUE(run);
  ASSERT_TRUE(WaitFor([&] { return Exists("state/runs/gate/approvals/production/waiting"); }));
  auto approve = [&](const std::string& environment, const std::string& who) {
    return Slipway({"approve", "gate", environment, "--as", who, "--state-dir", "state",
                    "--comment", "looks good"});
  };
  CliResult unknown = approve("staging", "bob");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.out << unknown.err;
  EXPECT_TRUE(Has(unknown.err, "not waiting for approval of environment \"staging\""))
      << unknown.err;
  CliResult stranger = approve("production", "mallory");
  EXPECT_EQ(stranger.exit_code, 2);
  EXPECT_TRUE(Has(stranger.err, "\"mallory\" is not a required reviewer")) << stranger.err;
  for (const char* self : {"alice", "ALICE", "Alice"}) {
    CliResult own = approve("production", self);
    EXPECT_EQ(own.exit_code, 2) << self;
    EXPECT_TRUE(Has(own.err, "prevents self-review")) << own.err;
    EXPECT_FALSE(Has(own.out, "recorded"));
  }
  CliResult bob = approve("production", "bob");
  EXPECT_EQ(bob.exit_code, 0) << bob.err;
  EXPECT_TRUE(Has(bob.out, "recorded")) << bob.out;
  CliResult again = approve("production", "BOB");
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_TRUE(Has(again.err, "already approved")) << again.err;
  CliResult dave = approve("production", "dave");  // a team member
  EXPECT_EQ(dave.exit_code, 0) << dave.err;
  EXPECT_EQ(Finish(*run), 0) << run->out;
  EXPECT_TRUE(Exists("DEPLOYED"));
  EXPECT_TRUE(Has(run->out, "(2 of 2)")) << run->out;
  EXPECT_FALSE(Has(run->out, "(3 of 2)")) << run->out;
  CliResult late = approve("production", "carol");
  EXPECT_EQ(late.exit_code, 1);
  EXPECT_TRUE(Has(Read("state/audit.jsonl"), "\"comment\":\"looks good\""));
}

// `slipway reject` fails the waiting job with the reviewer's comment, audited; a non-reviewer
// cannot reject.
TEST_F(SecurityTest, RejectFailsTheWaitingJobWithItsComment) {
  Write("wf.yml", kGated);
  Write("envs.yml", Reviewers("30s"));
  auto run = Start(RunArgs({"--env-config", "envs.yml", "--run-id", "rej"}));
  ASSERT_TRUE(run);
  ASSERT_TRUE(WaitFor([&] { return Exists("state/runs/rej/approvals/production/waiting"); }));
  CliResult stranger =
      Slipway({"reject", "rej", "production", "--as", "mallory", "--state-dir", "state"});
  EXPECT_EQ(stranger.exit_code, 2);
  ASSERT_EQ(
      Slipway({"approve", "rej", "production", "--as", "bob", "--state-dir", "state"}).exit_code,
      0);
  CliResult carol = Slipway({"reject", "rej", "production", "--as", "carol", "--comment",
                             "not during the sale", "--state-dir", "state"});
  EXPECT_EQ(carol.exit_code, 0) << carol.err;
  EXPECT_TRUE(Has(carol.out, "rejection by \"carol\"")) << carol.out;
  EXPECT_EQ(Finish(*run), 1) << run->out;
  EXPECT_FALSE(Exists("DEPLOYED"));
  EXPECT_TRUE(Has(run->out, "rejected by \"carol\": not during the sale")) << run->out;
  std::string audit = Read("state/audit.jsonl");
  EXPECT_TRUE(Has(audit, "\"kind\":\"rejection-given\"")) << audit;
  EXPECT_TRUE(Has(audit, "\"decision\":\"rejected\"")) << audit;
  EXPECT_EQ(Slipway({"audit", "verify", "--state-dir", "state"}).exit_code, 0);
}

// A review answers the jobs waiting at the environment when it is given: a later job of the
// same run that reaches the same environment waits for reviews of its own, as on GitHub (each
// job's deployment is reviewed), instead of passing on the first job's approvals.
TEST_F(SecurityTest, AnApprovalDoesNotOpenTheGateForALaterJob) {
  Write("wf.yml", R"(on: push
jobs:
  db:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: touch DEPLOYED_DB
  app:
    needs: db
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: touch DEPLOYED_APP
)");
  Write("envs.yml", Reviewers("60s"));
  auto run = Start(RunArgs({"--env-config", "envs.yml", "--run-id", "two"}));
  ASSERT_TRUE(run);
  const std::string waiting = "state/runs/two/approvals/production/waiting";
  ASSERT_TRUE(WaitFor([&] { return Exists(waiting); }));
  for (const char* reviewer : {"bob", "carol"}) {
    ASSERT_EQ(Slipway({"approve", "two", "production", "--as", reviewer, "--state-dir", "state"})
                  .exit_code,
              0);
  }
  ASSERT_TRUE(WaitFor([&] { return Exists("DEPLOYED_DB"); }));
  ASSERT_TRUE(WaitFor([&] { return Exists(waiting); }));  // app at the gate
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_FALSE(Exists("DEPLOYED_APP")) << "the first job's approvals opened the second gate";
  for (const char* reviewer : {"bob", "dave"}) {
    ASSERT_EQ(Slipway({"approve", "two", "production", "--as", reviewer, "--state-dir", "state"})
                  .exit_code,
              0);
  }
  EXPECT_EQ(Finish(*run), 0) << run->out;
  EXPECT_TRUE(Exists("DEPLOYED_APP"));
}

// A workflow's own step cannot review its deployment: `slipway approve` (and `run --approve`)
// started from inside a step of a run is refused, so the gate times out and nothing deploys.
TEST_F(SecurityTest, AStepCannotApproveItsOwnRun) {
  Write("wf.yml", std::string(R"(on: push
jobs:
  helper:
    runs-on: ubuntu-latest
    steps:
      - run: |
          for i in $(seq 100); do [ -e state/runs/own/approvals/production/waiting ] && break; sleep 0.1; done
          for who in bob carol; do
            rc=0; ")") + SLIPWAY_EXE + R"(" approve own production --as $who --state-dir state || rc=$?
            echo "$rc" >> approve_rc
          done
          rc=0; ")" + SLIPWAY_EXE + R"(" run other.yml --approve production --as bob --state-dir state || rc=$?
          echo "$rc" >> approve_rc
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: touch DEPLOYED
)");
  Write("envs.yml", Reviewers("3s"));
  CliResult r = Slipway(RunArgs({"--env-config", "envs.yml", "--run-id", "own"}));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(Exists("DEPLOYED"));
  EXPECT_EQ(Read("approve_rc"), "2\n2\n2\n") << r.out;
  EXPECT_TRUE(Has(r.out, "cannot come from a workflow's own steps")) << r.out;
}

// --env-config in place of the repository's own environments file is said at every run, and
// the run-start audit entry names the file used and its digest.
TEST_F(SecurityTest, AnotherEnvironmentsFileIsSaidAndAudited) {
  Write("wf.yml", kGated);
  Write(".slipway/environments.yml", Reviewers("1s"));
  Write("open.yml", "environments:\n  production: {}\n");
  CliResult r = Slipway(RunArgs({"--env-config", "open.yml"}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Has(r.err, "--env-config \"open.yml\" replaces the repository's environments file"))
      << r.err;
  std::string audit = Read("state/audit.jsonl");
  EXPECT_TRUE(Has(audit, "\"environments_file\":\"open.yml\"")) << audit;
}

// What held before: self-review in other letter cases and one reviewer twice never count, and
// `--job` naming the gated job still meets the gate.
TEST_F(SecurityTest, SelfReviewCaseVariantsAndRepeatsNeverCount) {
  Write("wf.yml", kGated);
  Write("envs.yml", Reviewers("1s"));
  CliResult r = Slipway(RunArgs({"--env-config", "envs.yml", "--approve", "production", "--as",
                                 "ALICE", "--approve", "production", "--as", "bob", "--approve",
                                 "production", "--as", "Bob", "--job", "deploy"}));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(Exists("DEPLOYED"));
  EXPECT_TRUE(Has(r.out, "prevents self-review")) << r.out;
  EXPECT_TRUE(Has(r.out, "(1 of 2 approvals)")) << r.out;
}

// A reviewed plan edited to drop the environment is refused.
TEST_F(SecurityTest, EditedFromPlanIsRefused) {
  Write("wf.yml", kGated);
  Write("envs.yml", Reviewers("1s"));
  CliResult plan = Slipway({"plan", "wf.yml", "--ref", "refs/heads/main", "--sha", "0123abcd",
                            "--actor", "alice", "--env-config", "envs.yml", "--format", "json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  nlohmann::json reviewed = nlohmann::json::parse(plan.out);
  reviewed["jobs"][0].erase("environment");
  Write("plan.json", reviewed.dump());
  CliResult r = Slipway({"run", "--from-plan", "plan.json", "--state-dir", "state"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_FALSE(Exists("DEPLOYED"));
}

// Run ids are file names: traversal is refused everywhere a run id is read.
TEST_F(SecurityTest, TraversalInRunIdsIsRefused) {
  Write("wf.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: "
        "touch RAN\n");
  for (const char* id : {"../escape", "..", "a/b", "/tmp/x", ".hidden"}) {
    CliResult run = Slipway(RunArgs({"--run-id", id}));
    EXPECT_EQ(run.exit_code, 2) << id << run.err;
    EXPECT_EQ(Slipway({"run", "wf.yml", "--state-dir", "state", "--resume", id}).exit_code, 2)
        << id;
    EXPECT_EQ(
        Slipway({"approve", id, "production", "--as", "bob", "--state-dir", "state"}).exit_code, 2)
        << id;
  }
  EXPECT_FALSE(Exists("RAN"));
  EXPECT_FALSE(Exists("escape"));
}

}  // namespace
}  // namespace slipway::security
