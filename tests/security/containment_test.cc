// What a step starts stays inside its run (attack audit 14, F1, F2, F14, F15): a process a step
// detaches (`env -u RUNNER_TRACKING_ID setsid -f`) is still a descendant of the run, so it can
// neither approve the run's gates nor start a run of its own, and it is stopped when its job
// ends; and on the default branch an uncommitted edit of the environments file is refused.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <string>

#include "tests/security/security_fixture.h"

namespace slipway::security {
namespace {

// True while `pid` runs (a zombie does not).
bool Running(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close_paren = stat.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < stat.size() &&
         stat[close_paren + 2] != 'Z';
}

// A helper job beside the gated one: its step detaches an approver (no RUNNER_TRACKING_ID, a
// session of its own, re-parented away from the step), which waits for the gate and approves
// as bob and carol; `escape` runs in the approver first. The step stays until the approver is
// done, so the job's clean-up does not stop the approver before it tries.
std::string DetachedApprover(const std::string& escape) {
  return std::string(R"(on: push
jobs:
  helper:
    runs-on: ubuntu-latest
    steps:
      - run: |
          env -u RUNNER_TRACKING_ID setsid -f bash -c ')") +
         escape + R"(
            for i in $(seq 100); do [ -e state/runs/own/approvals/production/waiting ] && break; sleep 0.1; done
            for who in bob carol; do
              rc=0; "$0" approve own production --as $who --state-dir state 2>> approve_err || rc=$?
              echo "$rc" >> approve_rc
            done
            touch approver_done' ")" +
         SLIPWAY_EXE + R"(" < /dev/null > /dev/null 2>&1
          for i in $(seq 200); do [ -e approver_done ] && break; sleep 0.1; done
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: touch DEPLOYED
)";
}

std::vector<std::string> RunArgs() {
  return {"run",   "wf.yml",   "--state-dir", "state", "--ref",      "refs/heads/main",
          "--sha", "0123abcd", "--actor",     "alice", "--run-id", "own",
          "--env-config", "envs.yml"};
}

// F1: the approver is a descendant of the run however it detached (the run is a subreaper),
// so `slipway approve` finds the run among its ancestors and refuses; the gate times out.
TEST_F(SecurityTest, ADetachedProcessOfAStepCannotApprove) {
  Write("wf.yml", DetachedApprover(""));
  Write("envs.yml", Reviewers("3s"));
  CliResult r = Slipway(RunArgs());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(Exists("DEPLOYED"));
  EXPECT_EQ(Read("approve_rc"), "2\n2\n") << r.out;
  EXPECT_TRUE(Has(Read("approve_err"), "under slipway process")) << Read("approve_err");
  EXPECT_TRUE(Has(Read("approve_err"), "cannot come from a workflow's own steps"));
  EXPECT_FALSE(Has(Read("state/audit.jsonl"), "approval-given"));
}

// The walk up is not the only mark (the test above meets it first): in a pid namespace of its
// own, where no slipway process can be seen, the RLIMIT_LOCKS mark still gives the approver
// away.
TEST_F(SecurityTest, TheRunsMarkHoldsWhereTheRunCannotBeSeen) {
  if (geteuid() != 0) GTEST_SKIP() << "unshare -p needs root here";
  Write("envs.yml", Reviewers("3s"));
  if (Shell("unshare -pf --mount-proc true || echo no > no_unshare"), Exists("no_unshare")) {
    GTEST_SKIP() << "no pid namespaces here";
  }
  // `unshare ... bash -c` replaces the approver's loop: the loop runs as pid 1 of a new pid
  // namespace with its own /proc, where no slipway process is to be seen.
  std::string wf = DetachedApprover("");
  const std::string from = "setsid -f bash -c '";
  wf.replace(wf.find(from), from.size(), "setsid -f unshare -pf --mount-proc bash -c '");
  Write("wf.yml", wf);
  CliResult r = Slipway(RunArgs());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(Exists("DEPLOYED"));
  EXPECT_EQ(Read("approve_rc"), "2\n2\n") << r.out;
  EXPECT_TRUE(Has(Read("approve_err"), "RLIMIT_LOCKS")) << Read("approve_err");
}

// F2: what a step detaches after dropping RUNNER_TRACKING_ID, with a secret in its
// environment, is stopped when its job ends (the next job finds it gone), not left behind.
TEST_F(SecurityTest, WhatDropsTheTrackingIdIsStoppedWithItsJob) {
  Write("wf.yml", R"wf(on: push
jobs:
  leave:
    runs-on: ubuntu-latest
    steps:
      - env:
          T: ${{ secrets.API_TOKEN }}
        run: |
          env -u RUNNER_TRACKING_ID T="$T" setsid -f sh -c 'echo $$ > orphan.pid; exec sleep 300' < /dev/null > /dev/null 2>&1
          for i in $(seq 100); do [ -s orphan.pid ] && break; sleep 0.05; done
  later:
    needs: leave
    runs-on: ubuntu-latest
    steps:
      - run: if kill -0 "$(cat orphan.pid)" 2> /dev/null; then echo alive > seen; else echo gone > seen; fi
)wf");
  Write("secrets.env", "API_TOKEN=s3cr3tV4lu3XYZ\n");
  CliResult r = Slipway({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main",
                         "--sha", "0123abcd", "--secrets-file", "secrets.env"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  int orphan = std::stoi(Read("orphan.pid"));
  EXPECT_FALSE(Running(orphan)) << r.out;
  if (Running(orphan)) kill(orphan, SIGKILL);
  EXPECT_EQ(Read("seen"), "gone\n") << r.out;
  EXPECT_TRUE(Has(r.out, "Terminate orphan process: pid " + std::to_string(orphan))) << r.out;
}

// F2: what a detached leftover starts later, in yet another session, is stopped too (it is
// still a descendant of the run).
TEST_F(SecurityTest, WhatADetachedProcessStartsLaterIsStoppedToo) {
  Write("wf.yml", R"wf(on: push
jobs:
  leave:
    runs-on: ubuntu-latest
    steps:
      - run: |
          env -u RUNNER_TRACKING_ID setsid -f sh -c '(sleep 0.3; setsid -f sh -c "echo \$\$ > late.pid; exec sleep 300") & exec sleep 300' < /dev/null > /dev/null 2>&1
          for i in $(seq 100); do [ -s late.pid ] && break; sleep 0.05; done
)wf");
  CliResult r = Slipway({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main",
                         "--sha", "0123abcd"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_TRUE(Exists("late.pid")) << r.out;
  int late = std::stoi(Read("late.pid"));
  EXPECT_FALSE(Running(late)) << r.out;
  if (Running(late)) kill(late, SIGKILL);
}

// F15: a step renames its checkout to main and starts `slipway run` of the production
// workflow: the nested run is refused before anything runs (its parent chain leads to the run).
TEST_F(SecurityTest, AStepCannotStartARunOfItsOwn) {
  Write("deploy.yml", kGated);
  Write(".slipway/environments.yml",
        "environments:\n  production:\n    deployment_branches: {branches: [main]}\n");
  Write(".gitignore", "state/\nnested_*\n");
  Write("pr.yml", std::string(R"(on: push
jobs:
  tests:
    runs-on: ubuntu-latest
    steps:
      - run: |
          git checkout -q -B main
          rc=0; env -u RUNNER_TRACKING_ID ")") + SLIPWAY_EXE +
                      R"(" run deploy.yml --state-dir state 2> nested_err || rc=$?
          echo "$rc" > nested_rc
)");
  Shell("git init -q -b main . && git add -A && git commit -q -m one && "
        "git checkout -q -b evil-pr && echo evil > evil && git add evil && git commit -q -m evil");
  CliResult r = Slipway({"run", "pr.yml", "--state-dir", "state"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(Exists("DEPLOYED")) << r.out;
  EXPECT_EQ(Read("nested_rc"), "2\n") << Read("nested_err");
  EXPECT_TRUE(Has(Read("nested_err"), "a run cannot be started from a workflow's own steps"))
      << Read("nested_err");
}

// F14: a PR branch's run rewrites the environments file in the working tree without committing;
// back on main, the production run refuses the uncommitted rules instead of dropping the gate.
// --env-config (said and audited) still chooses another file explicitly.
TEST_F(SecurityTest, AnUncommittedEnvironmentsFileIsRefusedOnTheDefaultBranch) {
  Write("deploy.yml", kGated);
  Write(".slipway/environments.yml", Reviewers("1s"));
  Write(".gitignore", "state/\n");
  Write("ci.yml", R"(on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: |
          printf 'environments:\n  production: {}\n' > .slipway/environments.yml
)");
  Shell("git init -q -b main . && git add -A && git commit -q -m one && git checkout -q -b feature");
  CliResult ci = Slipway({"run", "ci.yml", "--state-dir", "state"});
  EXPECT_EQ(ci.exit_code, 0) << ci.out << ci.err;
  Shell("git checkout -q main");
  CliResult run = Slipway({"run", "deploy.yml", "--state-dir", "state"});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_FALSE(Exists("DEPLOYED"));
  EXPECT_TRUE(Has(run.err, "the environments file \".slipway/environments.yml\" in the working "
                           "tree differs from the one committed on the default branch \"main\""))
      << run.err;
  CliResult plan = Slipway({"plan", "deploy.yml"});
  EXPECT_TRUE(Has(plan.err + plan.out, "differs from the one committed on the default branch"))
      << plan.err;
  // Deleted in the working tree: refused too (no file would mean no rules).
  fs::remove(dir_ / ".slipway/environments.yml");
  run = Slipway({"run", "deploy.yml", "--state-dir", "state"});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_FALSE(Exists("DEPLOYED"));
  // Named explicitly, another file is used (and said).
  Write("open.yml", "environments:\n  production: {}\n");
  run = Slipway({"run", "deploy.yml", "--state-dir", "state", "--env-config", "open.yml"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(Exists("DEPLOYED"));
  // Committed, the file is the default branch's own again.
  Shell("git checkout -q -- .slipway/environments.yml");
  fs::remove(dir_ / "DEPLOYED");
  run = Slipway({"run", "deploy.yml", "--state-dir", "state"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;  // the gate times out: nobody approves
  EXPECT_FALSE(Exists("DEPLOYED"));
}

}  // namespace
}  // namespace slipway::security
