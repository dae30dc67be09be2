// Job-level `concurrency:` groups on the PostgreSQL backend, against a real PostgreSQL 15: lease
// rows shared by every host (here: several runs and connections), with the local backend's
// semantics (exec/concurrency.h): one holder at a time, a newcomer waits holding no worker and
// replaces an older waiting job (at most one pending job per group, as on GitHub),
// cancel-in-progress asks the holder to stop, names compared ignoring case.
#include <algorithm>
#include <atomic>
#include <thread>

#include "tests/unit/backend/backend_test_util.h"

namespace slipway::backend {
namespace {

using namespace testing_util;
using namespace std::chrono_literals;

JobSpec Grouped(const std::string& id, const std::string& group, bool cancel = false,
                std::vector<std::string> needs = {}) {
  JobSpec job = Job(id, std::move(needs));
  job.concurrency_group = group;
  job.cancel_in_progress = cancel;
  return job;
}

std::string Cell(const std::string& dsn, const std::string& sql) {
  pqxx::connection connection(dsn);
  pqxx::nontransaction tx(connection);
  pqxx::result row = tx.exec(sql);
  return row.empty() || row[0][0].is_null() ? "" : row[0][0].as<std::string>();
}

TEST(JobGroups, TwoRunsWhoseJobsShareAGroupAreSerialised) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> host_a = MustConnect(dsn), host_b = MustConnect(dsn);
  ASSERT_TRUE(host_a && host_b);
  // Names differ in case only: the same group, as on GitHub.
  ASSERT_EQ(*host_a->Submit(MakeRun("r1", {Grouped("deploy", "Prod-Deploy"), Job("lint")})),
            RunState::kRunning);
  ASSERT_EQ(*host_b->Submit(MakeRun("r2", {Grouped("deploy", "prod-deploy"), Job("lint")})),
            RunState::kRunning);
  EXPECT_EQ(host_a->Status("r1")->jobs["deploy"], "ready");
  EXPECT_EQ(host_b->Status("r2")->jobs["deploy"], "grouped");
  EXPECT_EQ(Cell(dsn, "SELECT run_id || '/' || job_key FROM job_group_leases WHERE grp = "
                      "'prod-deploy'"),
            "r1/deploy");
  // The waiting job holds no worker: only r1's deploy and the two lint jobs can be claimed.
  std::vector<std::string> claimed;
  std::optional<Claim> deploy1;
  for (int i = 0; i < 4; ++i) {
    Expected<std::optional<Claim>> claim = host_b->ClaimNext(AnyWorker("w" + std::to_string(i)));
    ASSERT_TRUE(claim) << claim.error();
    if (!*claim) break;
    claimed.push_back((*claim)->run_id + "/" + (*claim)->key);
    if ((*claim)->key == "deploy") {
      deploy1 = **claim;
    } else {
      ASSERT_EQ(*host_b->Complete(**claim, Completion{}), Fence::kHeld);
    }
  }
  std::sort(claimed.begin(), claimed.end());
  EXPECT_EQ(claimed, (std::vector<std::string>{"r1/deploy", "r1/lint", "r2/lint"}));
  ASSERT_TRUE(deploy1);
  EXPECT_EQ(host_b->Status("r2")->jobs["deploy"], "grouped");
  EXPECT_EQ(host_b->Status("r2")->state, RunState::kRunning) << "a grouped job is not done";
  // The holder ends on host A: the group passes to r2's deploy, in the same transaction.
  ASSERT_EQ(*host_a->Complete(*deploy1, Completion{}), Fence::kHeld);
  EXPECT_EQ(host_a->Status("r1")->state, RunState::kSuccess);
  EXPECT_EQ(host_b->Status("r2")->jobs["deploy"], "ready");
  Expected<std::optional<Claim>> deploy2 = host_b->ClaimNext(AnyWorker("w"));
  ASSERT_TRUE(deploy2 && *deploy2);
  EXPECT_EQ((*deploy2)->run_id, "r2");
  ASSERT_EQ(*host_b->Complete(**deploy2, Completion{}), Fence::kHeld);
  EXPECT_EQ(host_b->Status("r2")->state, RunState::kSuccess);
  EXPECT_EQ(Cell(dsn, "SELECT count(*) FROM job_group_leases"), "0");
}

TEST(JobGroups, RacingWorkersNeverRunTwoHoldersAtOnce) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  constexpr int kRuns = 6;
  {
    std::unique_ptr<Queue> submitter = MustConnect(dsn);
    ASSERT_TRUE(submitter);
    for (int r = 0; r < kRuns; ++r) {
      ASSERT_TRUE(submitter->Submit(
          MakeRun("r" + std::to_string(r), {Job("build"), Grouped("deploy", "g", false,
                                                                   {"build"})})));
    }
  }
  std::atomic<int> holders{0}, most{0}, deployed{0};
  auto all_ended = [&](Queue& queue) {
    for (int r = 0; r < kRuns; ++r) {
      Expected<RunStatusInfo> status = queue.Status("r" + std::to_string(r));
      if (!status || !IsFinal(status->state)) return false;
    }
    return true;
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      std::unique_ptr<Queue> queue = MustConnect(dsn);
      if (!queue) return;
      for (int idle = 0; idle < 400;) {
        Expected<std::optional<Claim>> claim =
            queue->ClaimNext(AnyWorker("w" + std::to_string(w)));
        if (!claim) return;
        if (!*claim) {
          // Replaced pending jobs are cancelled by a sweep, as a worker makes between claims.
          if (!queue->Sweep() || all_ended(*queue)) return;
          ++idle;
          std::this_thread::sleep_for(5ms);
          continue;
        }
        bool deploy = (*claim)->job_id == "deploy";
        if (deploy) {
          int now = ++holders;
          for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {
          }
          std::this_thread::sleep_for(15ms);
          --holders;  // before completing: the completion passes the group on
        }
        Expected<Fence> fence = queue->Complete(**claim, Completion{});
        if (fence && *fence == Fence::kHeld && deploy) ++deployed;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(most.load(), 1) << "one holder of the group at a time across 4 workers";
  // Each run's deploy either held the group or was replaced while it waited for it.
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  int succeeded = 0;
  for (int r = 0; r < kRuns; ++r) {
    Expected<RunStatusInfo> status = queue->Status("r" + std::to_string(r));
    ASSERT_TRUE(status);
    if (status->state == RunState::kSuccess) {
      ++succeeded;
    } else {
      EXPECT_EQ(status->state, RunState::kCancelled) << r;
      EXPECT_EQ(status->jobs["deploy"], "cancelled") << r;
    }
  }
  EXPECT_GE(succeeded, 1);
  EXPECT_EQ(succeeded, deployed.load());
  EXPECT_EQ(Cell(dsn,
                 "SELECT count(*) FROM jobs WHERE job_id = 'deploy' AND result = "
                 "'cancelled' AND message <> 'cancelled: a newer job of concurrency group "
                 "\"g\" is pending'"),
            "0");
}

TEST(JobGroups, CancelInProgressCancelsTheOlderRunningJob) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(MakeRun("old", {Grouped("deploy", "prod", true), Job("after", {"deploy"})})));
  Expected<std::optional<Claim>> running = queue->ClaimNext(AnyWorker("a"));
  ASSERT_TRUE(running && *running);
  EXPECT_EQ(*queue->Heartbeat(**running, 10s), Fence::kHeld);
  ASSERT_TRUE(queue->Submit(MakeRun("new", {Grouped("deploy", "PROD", true)})));
  EXPECT_EQ(queue->Status("new")->jobs["deploy"], "grouped");
  // The older one is told at its next heartbeat, stops, and the newer one gets the group.
  EXPECT_EQ(*queue->Heartbeat(**running, 10s), Fence::kCancelRequested);
  Completion stopped;
  stopped.result = exec::JobResult::kCancelled;
  ASSERT_EQ(*queue->Complete(**running, stopped), Fence::kHeld);
  EXPECT_EQ(queue->Status("new")->jobs["deploy"], "ready");
  Expected<RunStatusInfo> old = queue->Status("old");
  EXPECT_EQ(old->jobs["deploy"], "cancelled");
  EXPECT_EQ(old->jobs["after"], "skipped");
  EXPECT_EQ(old->state, RunState::kCancelled) << "as a local run whose job was cancelled";
}

TEST(JobGroups, CancelInProgressCancelsAnOlderJobThatHasNotStarted) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  // The holder waits at its environment's gate: it holds the group and no worker.
  JobSpec gated = Grouped("deploy", "prod", true);
  gated.environment = "production";
  gated.gate = {{"required", 1}, {"users", {"alice"}}};
  ASSERT_TRUE(queue->Submit(MakeRun("old", {gated})));
  EXPECT_EQ(queue->Status("old")->jobs["deploy"], "waiting");
  ASSERT_TRUE(queue->Submit(MakeRun("new", {Grouped("deploy", "prod", true)})));
  EXPECT_EQ(queue->Status("new")->jobs["deploy"], "grouped");
  // The next sweep (any process) cancels the one that never started; the group passes on.
  ASSERT_TRUE(queue->Sweep());
  Expected<RunStatusInfo> old = queue->Status("old");
  EXPECT_EQ(old->jobs["deploy"], "cancelled");
  EXPECT_EQ(old->state, RunState::kCancelled);
  EXPECT_EQ(Cell(dsn, "SELECT message FROM jobs WHERE run_id = 'old'"),
            "a newer job took concurrency group \"prod\" (cancel-in-progress)");
  EXPECT_EQ(queue->Status("new")->jobs["deploy"], "ready");
}

TEST(JobGroups, AReadyHolderAskedToStopIsNeverClaimed) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(MakeRun("old", {Grouped("deploy", "prod")})));
  ASSERT_TRUE(queue->Submit(MakeRun("new", {Grouped("deploy", "prod", true)})));
  EXPECT_EQ(queue->Status("old")->jobs["deploy"], "waiting") << "parked until the sweep";
  Expected<std::optional<Claim>> none = queue->ClaimNext(AnyWorker("a"));
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none) << "old's deploy was asked to stop; new's waits for the group";
  ASSERT_TRUE(queue->Sweep());
  Expected<std::optional<Claim>> next = queue->ClaimNext(AnyWorker("a"));
  ASSERT_TRUE(next && *next);
  EXPECT_EQ((*next)->run_id, "new");
}

TEST(JobGroups, GroupsEvaluatedFromMatrixAndNeedsAtDecisionTime) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  std::vector<JobSpec> jobs = {Job("pick")};
  for (const char* env : {"staging", "prod", "Staging"}) {
    JobSpec leg = Grouped("deploy", "${{ needs.pick.outputs.app }}-${{ matrix.env }}", false,
                          {"pick"});
    leg.key = std::string("deploy (") + env + ")";
    leg.matrix = {{"env", env}};
    jobs.push_back(leg);
  }
  ASSERT_TRUE(queue->Submit(MakeRun("m", jobs)));
  Expected<std::optional<Claim>> pick = queue->ClaimNext(AnyWorker("a"));
  ASSERT_TRUE(pick && *pick);
  Completion picked;
  picked.outputs["app"] = "Shop";
  ASSERT_EQ(*queue->Complete(**pick, picked), Fence::kHeld);
  Expected<RunStatusInfo> status = queue->Status("m");
  EXPECT_EQ(status->jobs["deploy (staging)"], "ready");
  EXPECT_EQ(status->jobs["deploy (prod)"], "ready");
  EXPECT_EQ(status->jobs["deploy (Staging)"], "grouped") << "shop-staging, ignoring case";
  EXPECT_EQ(Cell(dsn, "SELECT string_agg(grp, ',' ORDER BY grp) FROM job_group_leases"),
            "shop-prod,shop-staging");
}

TEST(JobGroups, AGroupThatCannotBeEvaluatedFailsTheJob) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(MakeRun("bad", {Grouped("deploy", "${{ fromJSON('{') }}")})));
  EXPECT_EQ(queue->Status("bad")->jobs["deploy"], "failure");
  EXPECT_EQ(queue->Status("bad")->state, RunState::kFailure);
  EXPECT_NE(Cell(dsn, "SELECT message FROM jobs WHERE run_id = 'bad'")
                .find("cannot evaluate the job's concurrency group \"${{ fromJSON('{') }}\""),
            std::string::npos);
}

TEST(JobGroups, ALostHolderAndACancelledRunPassTheGroupOn) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(MakeRun("a", {Grouped("deploy", "g")})));
  ASSERT_TRUE(queue->Submit(MakeRun("b", {Grouped("deploy", "g")})));
  WorkerIdentity brief = AnyWorker("dies");
  brief.lease = 200ms;
  Expected<std::optional<Claim>> held = queue->ClaimNext(brief);
  ASSERT_TRUE(held && *held);
  EXPECT_EQ((*held)->run_id, "a");
  std::this_thread::sleep_for(400ms);
  ASSERT_TRUE(queue->Sweep());
  EXPECT_EQ(queue->Status("a")->jobs["deploy"], "lost");
  EXPECT_EQ(queue->Status("b")->jobs["deploy"], "ready") << "the waiting job gets the group";
  ASSERT_TRUE(queue->Submit(MakeRun("c", {Grouped("deploy", "g")})));
  EXPECT_EQ(queue->Status("c")->jobs["deploy"], "grouped");
  ASSERT_TRUE(queue->Cancel("b"));
  EXPECT_EQ(queue->Status("b")->state, RunState::kCancelled);
  EXPECT_EQ(queue->Status("c")->jobs["deploy"], "ready");
}

TEST(JobGroups, FailFastPassesOnTheGroupsOfTheLegsItCancels) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  std::vector<JobSpec> legs;
  for (int n = 1; n <= 2; ++n) {
    JobSpec leg = Grouped("m", "g");
    leg.key = "m (" + std::to_string(n) + ")";
    leg.matrix = {{"n", n}};
    leg.fail_fast = true;
    legs.push_back(leg);
  }
  ASSERT_TRUE(queue->Submit(MakeRun("ff", legs)));
  Expected<RunStatusInfo> status = queue->Status("ff");
  EXPECT_EQ(status->jobs["m (1)"], "ready");
  EXPECT_EQ(status->jobs["m (2)"], "grouped");
  Expected<std::optional<Claim>> first = queue->ClaimNext(AnyWorker("a"));
  ASSERT_TRUE(first && *first);
  ASSERT_EQ((*first)->key, "m (1)");
  Completion failed;
  failed.result = exec::JobResult::kFailure;
  // Its completion passes the group to "m (2)", which fail-fast cancels at once: the group is
  // free again, for another run's job.
  ASSERT_EQ(*queue->Complete(**first, failed), Fence::kHeld);
  status = queue->Status("ff");
  EXPECT_EQ(status->jobs["m (2)"], "cancelled");
  EXPECT_EQ(status->state, RunState::kFailure);
  EXPECT_EQ(Cell(dsn, "SELECT count(*) FROM job_group_leases WHERE grp = 'g'"), "0");
  ASSERT_TRUE(queue->Submit(MakeRun("other", {Grouped("deploy", "g")})));
  EXPECT_EQ(queue->Status("other")->jobs["deploy"], "ready");
}

TEST(JobGroups, OfThreeLegsWaitingForOneGroupOnlyTheNewestStaysPending) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  std::vector<JobSpec> legs;
  for (int n = 1; n <= 3; ++n) {
    JobSpec leg = Grouped("m", "g");
    leg.key = "m (" + std::to_string(n) + ")";
    leg.matrix = {{"n", n}};
    legs.push_back(leg);
  }
  // Decided in one batch: the first takes the group, the third replaces the second.
  ASSERT_TRUE(queue->Submit(MakeRun("legs", legs)));
  Expected<RunStatusInfo> status = queue->Status("legs");
  EXPECT_EQ(status->jobs["m (1)"], "ready");
  EXPECT_EQ(status->jobs["m (2)"], "cancelled");
  EXPECT_EQ(status->jobs["m (3)"], "grouped");
  EXPECT_EQ(Cell(dsn, "SELECT message FROM jobs WHERE key = 'm (2)'"),
            "cancelled: a newer job of concurrency group \"g\" is pending");
}

}  // namespace
}  // namespace slipway::backend
