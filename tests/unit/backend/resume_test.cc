// `run --resume` on the PostgreSQL backend (the queue's side), against a real PostgreSQL 15:
// a lost job runs again only when the run is resumed, successful jobs keep their results and
// outputs and are not run again, the dead worker's fencing token stays refused.
#include <thread>

#include "interpreter/backend/pg_audit.h"
#include "tests/unit/backend/backend_test_util.h"

namespace slipway::backend {
namespace {

using namespace testing_util;
using namespace std::chrono_literals;

std::optional<Claim> MustClaim(Queue& queue, WorkerIdentity worker = AnyWorker("w")) {
  Expected<std::optional<Claim>> claim = queue.ClaimNext(worker);
  EXPECT_TRUE(claim) << (claim ? "" : claim.error());
  return claim ? *claim : std::nullopt;
}

TEST(Resume, ALostJobRunsAgainOnlyWhenResumedAndSuccessfulJobsKeepTheirResults) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(
      MakeRun("r", {Job("done"), Job("slow"), Job("next", {"done", "slow"})})));
  std::optional<Claim> done = MustClaim(*queue);
  ASSERT_TRUE(done);
  ASSERT_EQ(done->key, "done");
  Completion with_output;
  with_output.outputs["version"] = "1.2.3";
  ASSERT_EQ(*queue->Complete(*done, with_output), Fence::kHeld);
  WorkerIdentity doomed = AnyWorker("doomed");
  doomed.lease = 200ms;
  std::optional<Claim> slow = MustClaim(*queue, doomed);
  ASSERT_TRUE(slow);
  ASSERT_EQ(slow->key, "slow");
  std::this_thread::sleep_for(350ms);  // the worker "died": its lease runs out
  ASSERT_TRUE(queue->Sweep());
  ASSERT_EQ(queue->Status("r")->state, RunState::kFailure);
  EXPECT_FALSE(MustClaim(*queue)) << "a lost job is never re-run by itself";

  Expected<ResumeReport> resumed = queue->Resume("r");
  ASSERT_TRUE(resumed) << resumed.error();
  EXPECT_EQ(resumed->state, RunState::kRunning);
  ASSERT_EQ(resumed->notices.size(), 1u);
  EXPECT_NE(resumed->notices[0].find("job \"slow\" was lost when worker doomed stopped renewing "
                                     "its lease (attempt 1); it runs again from its first step"),
            std::string::npos)
      << resumed->notices[0];
  Expected<RunStatusInfo> status = queue->Status("r");
  EXPECT_EQ(status->jobs["done"], "success");
  EXPECT_EQ(status->jobs["slow"], "ready");
  EXPECT_EQ(status->jobs["next"], "pending");

  // The dead worker's token is still refused; the new attempt has the next number.
  EXPECT_EQ(*queue->Complete(*slow, Completion{}), Fence::kLost);
  std::optional<Claim> again = MustClaim(*queue);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->key, "slow");
  EXPECT_EQ(again->attempt, slow->attempt + 1);
  ASSERT_EQ(*queue->Complete(*again, Completion{}), Fence::kHeld);
  // "done" was not run again: its outputs from the first attempt reach "next".
  std::optional<Claim> next = MustClaim(*queue);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->key, "next");
  EXPECT_EQ(next->needs["done"]["outputs"]["version"], "1.2.3");
  EXPECT_EQ(next->needs["done"]["result"], "success");
  ASSERT_EQ(*queue->Complete(*next, Completion{}), Fence::kHeld);
  EXPECT_FALSE(MustClaim(*queue)) << "\"done\" must not run twice";
  EXPECT_EQ(queue->Status("r")->state, RunState::kSuccess);

  Expected<exec::AuditVerification> audit = VerifyPgAudit(dsn, kAuditKey);
  ASSERT_TRUE(audit) << audit.error();
  EXPECT_TRUE(audit->ok) << audit->message;
  EXPECT_EQ(Exec(dsn, "DO $$ BEGIN IF (SELECT count(*) FROM audit WHERE entry->>'kind' = "
                      "'run-resume' AND entry->'what'->'jobs_run_again' = '[\"slow\", \"next\"]') "
                      "<> 1 THEN RAISE EXCEPTION 'no run-resume entry'; END IF; END $$"),
            "");
}

TEST(Resume, ARunThatIsStillGoingOrSucceededIsNotResumed) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(MakeRun("going", {Job("a")})));
  Expected<ResumeReport> going = queue->Resume("going");
  ASSERT_FALSE(going);
  EXPECT_NE(going.error().find("is still running"), std::string::npos) << going.error();
  std::optional<Claim> a = MustClaim(*queue);
  ASSERT_TRUE(a);
  ASSERT_EQ(*queue->Complete(*a, Completion{}), Fence::kHeld);
  Expected<ResumeReport> succeeded = queue->Resume("going");
  ASSERT_FALSE(succeeded);
  EXPECT_NE(succeeded.error().find("nothing to resume"), std::string::npos) << succeeded.error();
  EXPECT_FALSE(queue->Resume("nope"));
}

}  // namespace
}  // namespace slipway::backend
