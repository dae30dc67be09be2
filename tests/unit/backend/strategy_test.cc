// A matrix job's strategy enforced by the PostgreSQL queue (GitHub: "max-parallel: the maximum
// number of jobs that can run simultaneously when using a matrix job strategy"; "fail-fast:
// GitHub will cancel all in-progress and queued jobs in the matrix if any job in the matrix
// fails"), against a real PostgreSQL 15.
#include <atomic>
#include <mutex>
#include <thread>

#include "tests/unit/backend/backend_test_util.h"

namespace slipway::backend {
namespace {

using namespace testing_util;
using namespace std::chrono_literals;

// Job `id` as `count` matrix instances "id (1)".."id (count)".
std::vector<JobSpec> Matrix(const std::string& id, int count, int max_parallel, bool fail_fast) {
  std::vector<JobSpec> out;
  for (int n = 1; n <= count; ++n) {
    JobSpec job = Job(id);
    job.key = id + " (" + std::to_string(n) + ")";
    job.matrix = {{"n", n}};
    job.max_parallel = max_parallel;
    job.fail_fast = fail_fast;
    out.push_back(job);
  }
  return out;
}

RunSpec MatrixRun(const std::string& run_id, int count, int max_parallel, bool fail_fast) {
  std::vector<JobSpec> jobs = Matrix("m", count, max_parallel, fail_fast);
  jobs.push_back(Job("after", {"m"}));
  return MakeRun(run_id, jobs);
}

TEST(Strategy, MaxParallelHoldsAcrossRacingWorkers) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> submitter = MustConnect(dsn);
  ASSERT_TRUE(submitter);
  ASSERT_TRUE(submitter->Submit(MatrixRun("mp", 12, 3, false)));
  std::atomic<int> running{0}, most{0}, done{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 6; ++w) {
    threads.emplace_back([&, w] {
      std::unique_ptr<Queue> queue = MustConnect(dsn);
      if (!queue) return;
      for (int idle = 0; idle < 200 && done.load() < 13;) {
        Expected<std::optional<Claim>> claim = queue->ClaimNext(AnyWorker("w" + std::to_string(w)));
        if (!claim) return;
        if (!*claim) {
          ++idle;
          std::this_thread::sleep_for(5ms);
          continue;
        }
        bool matrix = (*claim)->job_id == "m";
        if (matrix) {
          int now = ++running;
          for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {
          }
          std::this_thread::sleep_for(20ms);
          --running;  // before completing: the completion lets the next one start
        }
        if (queue->Complete(**claim, Completion{})) ++done;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(done.load(), 13);
  EXPECT_EQ(most.load(), 3) << "max-parallel 3 with 6 workers";
  EXPECT_EQ(submitter->Status("mp")->state, RunState::kSuccess);
}

TEST(Strategy, AThrottledInstanceWaitsForARunningOneToComplete) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(MatrixRun("one", 3, 1, false)));
  Expected<std::optional<Claim>> first = queue->ClaimNext(AnyWorker("a"));
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->key, "m (1)");
  Expected<std::optional<Claim>> none = queue->ClaimNext(AnyWorker("b"));
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  EXPECT_EQ(queue->Status("one")->jobs["m (2)"], "throttled");
  ASSERT_EQ(*queue->Complete(**first, Completion{}), Fence::kHeld);
  Expected<std::optional<Claim>> second = queue->ClaimNext(AnyWorker("b"));
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->key, "m (2)");
}

TEST(Strategy, FailFastCancelsQueuedAndRunningInstances) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(MatrixRun("ff", 4, 2, true)));
  Expected<std::optional<Claim>> a = queue->ClaimNext(AnyWorker("a"));
  Expected<std::optional<Claim>> b = queue->ClaimNext(AnyWorker("b"));
  ASSERT_TRUE(a && *a && b && *b);
  Completion failed;
  failed.result = exec::JobResult::kFailure;
  ASSERT_EQ(*queue->Complete(**a, failed), Fence::kHeld);
  Expected<RunStatusInfo> status = queue->Status("ff");
  EXPECT_EQ(status->jobs["m (3)"], "cancelled");
  EXPECT_EQ(status->jobs["m (4)"], "cancelled");
  EXPECT_EQ(status->jobs[(*b)->key], "running");
  // The running one is told at its next heartbeat.
  EXPECT_EQ(*queue->Heartbeat(**b, 10s), Fence::kCancelRequested);
  Completion stopped;
  stopped.result = exec::JobResult::kCancelled;
  ASSERT_EQ(*queue->Complete(**b, stopped), Fence::kHeld);
  status = queue->Status("ff");
  EXPECT_EQ(status->jobs["after"], "skipped");
  EXPECT_EQ(status->state, RunState::kFailure);
}

TEST(Strategy, WithoutFailFastTheOtherInstancesGoOn) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(MatrixRun("noff", 2, 0, false)));
  Expected<std::optional<Claim>> a = queue->ClaimNext(AnyWorker("a"));
  ASSERT_TRUE(a && *a);
  Completion failed;
  failed.result = exec::JobResult::kFailure;
  ASSERT_EQ(*queue->Complete(**a, failed), Fence::kHeld);
  EXPECT_EQ(queue->Status("noff")->jobs["m (2)"], "ready");
}

}  // namespace
}  // namespace slipway::backend
