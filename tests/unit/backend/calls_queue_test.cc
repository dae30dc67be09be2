// Reusable-workflow calls in the queue (calls.cc, strategy.cc), against a real PostgreSQL 15,
// for what the CLI tests cannot time: a calling leg that fail-fast asks to stop while a worker
// is starting its call starts no called job.
#include "tests/unit/backend/backend_test_util.h"

namespace slipway::backend {
namespace {

using namespace testing_util;

// Leg `leg` of calling matrix job "call", and its one called job "<leg>/work".
std::vector<JobSpec> CallLeg(const std::string& leg, int n, int position) {
  JobSpec calling = Job(leg);
  calling.job_id = "call";
  calling.matrix = {{"n", n}};
  calling.fail_fast = true;
  calling.position = position;
  JobSpec called = Job(leg + "/work", {"call"});
  called.caller = leg;
  called.position = position + 10;
  return {calling, called};
}

Claim MustClaim(Queue& queue, const std::string& key) {
  Expected<std::optional<Claim>> claim = queue.ClaimNext(AnyWorker("w-" + key));
  EXPECT_TRUE(claim && *claim) << (claim ? "nothing to claim" : claim.error());
  EXPECT_EQ(claim && *claim ? (*claim)->key : "", key);
  return claim && *claim ? **claim : Claim{};
}

std::string Result(const std::string& dsn, const std::string& key) {
  pqxx::connection connection(dsn);
  pqxx::nontransaction tx(connection);
  pqxx::result row = tx.exec_params(
      "SELECT COALESCE(result::text, state::text) FROM jobs WHERE run_id = 'c' AND key = $1", key);
  return row.empty() ? "" : row[0][0].as<std::string>();
}

TEST(Calls, ALegAskedToStopByFailFastWhileItsCallStartsRunsNoCalledJob) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  std::vector<JobSpec> jobs = CallLeg("call (1)", 1, 0);
  for (JobSpec& job : CallLeg("call (2)", 2, 1)) jobs.push_back(std::move(job));
  ASSERT_TRUE(queue->Submit(MakeRun("c", jobs)));
  // Both legs are claimed; only the first one's call starts for now.
  Claim one = MustClaim(*queue, "call (1)");
  Claim two = MustClaim(*queue, "call (2)");
  ASSERT_EQ(*queue->StartCall(one, {{"inputs", nlohmann::json::object()}}), Fence::kHeld);
  Claim work = MustClaim(*queue, "call (1)/work");
  Completion failed;
  failed.result = exec::JobResult::kFailure;
  ASSERT_EQ(*queue->Complete(work, failed), Fence::kHeld);
  Claim ending = MustClaim(*queue, "call (1)");
  ASSERT_EQ(*queue->Complete(ending, failed), Fence::kHeld);  // fail-fast: "call (2)" told
  EXPECT_EQ(*queue->Heartbeat(two, std::chrono::seconds(10)), Fence::kCancelRequested);

  // Its call starts all the same (the worker had not looked): its called job is cancelled at
  // once, and the leg is left to end with that result.
  ASSERT_EQ(*queue->StartCall(two, {{"inputs", nlohmann::json::object()}}), Fence::kHeld);
  EXPECT_EQ(Result(dsn, "call (2)/work"), "cancelled");
  Claim two_ending = MustClaim(*queue, "call (2)");
  Completion cancelled;
  cancelled.result = exec::JobResult::kCancelled;
  ASSERT_EQ(*queue->Complete(two_ending, cancelled), Fence::kHeld);
  Expected<RunStatusInfo> status = queue->Status("c");
  ASSERT_TRUE(status) << status.error();
  EXPECT_EQ(status->state, RunState::kFailure);
  EXPECT_EQ(status->jobs["call (2)"], "cancelled");
}

}  // namespace
}  // namespace slipway::backend
