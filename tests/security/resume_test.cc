// A resume that never runs work twice (issue 10 §4): after kill -9 of slipway, the step it left
// running is stopped before anything runs again, and the interruption is reported.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include "tests/security/security_fixture.h"

namespace slipway::security {
namespace {

// True while `pid` runs (a zombie does not: this machine's init may not reap orphans).
bool Running(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close_paren = stat.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < stat.size() &&
         stat[close_paren + 2] != 'Z';
}

TEST_F(SecurityTest, ResumeStopsWhatTheKilledRunLeftRunning) {
  Write("wf.yml", R"(on: push
jobs:
  slow:
    runs-on: ubuntu-latest
    steps:
      - run: echo first-step-done
      - run: |
          echo "started $$" >> starts.txt
          echo partial-output
          if [ -e resumed ]; then exit 0; fi
          sleep 30
          echo "finished $$" >> finished.txt
)");
  std::vector<std::string> args = {"run",  "wf.yml",   "--state-dir", "state", "--ref",
                                   "refs/heads/main", "--sha", "0123abcd", "--run-id", "k"};
  auto run = Start(args);
  ASSERT_TRUE(run);
  ASSERT_TRUE(WaitFor([&] { return Exists("starts.txt"); }));
  std::string first = Read("starts.txt");
  // kill -9 of slipway alone: the step, in a session of its own, keeps running.
  ASSERT_EQ(kill(run->child.pid(), SIGKILL), 0);
  EXPECT_EQ(Finish(*run), -1);
  int orphan = std::stoi(first.substr(first.find(' ') + 1));
  ASSERT_TRUE(Running(orphan)) << "the step should have outlived slipway";

  Write("resumed", "");
  CliResult resumed = Slipway({"run", "wf.yml", "--state-dir", "state", "--resume", "k"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_TRUE(Has(resumed.out, "was still running: stopped it")) << resumed.out;
  EXPECT_TRUE(Has(resumed.out, "job \"slow\" was interrupted when the run died")) << resumed.out;
  EXPECT_TRUE(Has(resumed.out, "partial log")) << resumed.out;
  // The orphan is gone and never finished; the step ran again only after it was stopped.
  EXPECT_FALSE(Running(orphan));
  EXPECT_FALSE(Exists("finished.txt"));
  EXPECT_EQ(RunJson("k")["status"], "success");
  EXPECT_FALSE(Exists("state/runs/k/processes") &&
               !fs::is_empty(dir_ / "state/runs/k/processes"));
}


// A job that ran only because the run was cancelled (`if: cancelled()`) is not restored as a
// success by --resume: in the resumed run nothing is cancelled, so it is decided again (and
// skipped), while the job the cancellation interrupted runs again.
TEST_F(SecurityTest, ResumeDoesNotRestoreJobsThatRanBecauseOfTheCancellation) {
  Write("wf.yml", R"(on: push
jobs:
  work:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo started >> starts.txt
          if [ -e resumed ]; then exit 0; fi
          sleep 30
  cleanup:
    needs: work
    if: cancelled()
    runs-on: ubuntu-latest
    steps:
      - run: echo cleanup-ran >> cleanup.txt
)");
  std::vector<std::string> args = {"run",  "wf.yml",   "--state-dir", "state", "--ref",
                                   "refs/heads/main", "--sha", "0123abcd", "--run-id", "c"};
  auto run = Start(args);
  ASSERT_TRUE(run);
  ASSERT_TRUE(WaitFor([&] { return Exists("starts.txt"); }));
  ASSERT_EQ(kill(run->child.pid(), SIGINT), 0);  // Ctrl-C: the run is cancelled
  EXPECT_NE(Finish(*run), 0);
  ASSERT_TRUE(Exists("cleanup.txt")) << "cleanup should have run because of the cancellation";
  ASSERT_EQ(RunJson("c")["jobs"]["cleanup"]["result"], "success");

  Write("resumed", "");
  CliResult resumed = Slipway({"run", "wf.yml", "--state-dir", "state", "--resume", "c"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  nlohmann::json record = RunJson("c");
  EXPECT_EQ(record["status"], "success");
  EXPECT_EQ(record["jobs"]["work"]["result"], "success");
  EXPECT_EQ(record["jobs"]["cleanup"]["result"], "skipped") << record.dump(2);
  EXPECT_EQ(Read("cleanup.txt"), "cleanup-ran\n");  // not run again either
}


// A process a step starts in a session of its own (setsid) leaves the step's process group, so
// stopping the group misses it: it is found by the job's RUNNER_TRACKING_ID and stopped when the
// job ends, as the runner's orphan clean-up does, instead of outliving the run.
TEST_F(SecurityTest, WhatAStepLeavesInASessionOfItsOwnIsStoppedWithTheJob) {
  Write("wf.yml", R"wf(on: push
jobs:
  leave:
    runs-on: ubuntu-latest
    steps:
      - run: |
          setsid sleep 300 > /dev/null 2>&1 < /dev/null &
          pid=$!
          echo $pid > orphan.pid
          # Until it leads a session of its own (it has left the step's process group).
          for i in $(seq 100); do
            [ "$(cut -d' ' -f6 /proc/$pid/stat)" = "$pid" ] && break
            sleep 0.05
          done
)wf");
  CliResult r = Slipway({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main",
                         "--sha", "0123abcd"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  int orphan = std::stoi(Read("orphan.pid"));
  EXPECT_FALSE(Running(orphan)) << r.out;
  if (Running(orphan)) kill(orphan, SIGKILL);
  EXPECT_TRUE(Has(r.out, "Terminate orphan process: pid " + std::to_string(orphan))) << r.out;
}

// A resume trusts the audit log, not the run record: a job that failed and was then written
// down as successful in run.json (by hand, or by a process a step left behind) runs again,
// saying why, and a record whose run is missing from the audit log is not resumed at all.
TEST_F(SecurityTest, AResumeRestoresOnlyWhatTheAuditLogSaysSucceeded) {
  Write("wf.yml", R"(on: push
jobs:
  gate:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo ran >> gate-runs.txt
          [ -e fixed ]
  ship:
    needs: gate
    runs-on: ubuntu-latest
    steps:
      - run: touch SHIPPED
)");
  std::vector<std::string> args = {"run",  "wf.yml",   "--state-dir", "state", "--ref",
                                   "refs/heads/main", "--sha", "0123abcd", "--run-id", "f"};
  EXPECT_EQ(Slipway(args).exit_code, 1);
  nlohmann::json record = RunJson("f");
  ASSERT_EQ(record["jobs"]["gate"]["result"], "failure");
  record["jobs"]["gate"]["result"] = "success";
  record["status"] = "failure";
  Write("state/runs/f/run.json", record.dump(2));
  CliResult resumed = Slipway({"run", "wf.yml", "--state-dir", "state", "--resume", "f"});
  EXPECT_EQ(resumed.exit_code, 1) << resumed.out << resumed.err;
  EXPECT_TRUE(Has(resumed.out, "job \"gate\": the run record says it succeeded, the audit log "
                               "does not; it runs again"))
      << resumed.out;
  EXPECT_EQ(Read("gate-runs.txt"), "ran\nran\n");
  EXPECT_FALSE(Exists("SHIPPED"));
}

}  // namespace
}  // namespace slipway::security
