// The queue's hot paths (schema version 3): claims of several jobs in one statement, a
// completion whose BEGIN and COMMIT travel with its statements, and the job-level `if:` scope
// built by the one scope builder (plan/eval_scope.h).
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "interpreter/backend/pg_audit.h"
#include "tests/unit/backend/backend_test_util.h"

namespace slipway::backend {
namespace {

using namespace testing_util;
using namespace std::chrono_literals;

TEST(HotPath, OneClaimOfSeveralJobsGivesEachItsOwnLeaseAndAttempt) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(MakeRun("b", {Job("a"), Job("b"), Job("c"), Job("after", {"a"})})));
  Expected<std::vector<Claim>> claims = queue->ClaimUpTo(AnyWorker("w"), 5);
  ASSERT_TRUE(claims) << claims.error();
  // Only the three ready jobs, oldest (file order) first; `after` is still pending.
  ASSERT_EQ(claims->size(), 3u);
  EXPECT_EQ((*claims)[0].key, "a");
  EXPECT_EQ((*claims)[1].key, "b");
  EXPECT_EQ((*claims)[2].key, "c");
  for (const Claim& claim : *claims) EXPECT_EQ(claim.attempt, 1) << claim.key;
  Expected<std::vector<Claim>> none = queue->ClaimUpTo(AnyWorker("other"), 5);
  ASSERT_TRUE(none) << none.error();
  EXPECT_TRUE(none->empty());

  Completion with_output;
  with_output.outputs["v"] = "7";
  ASSERT_EQ(*queue->Complete((*claims)[0], with_output), Fence::kHeld);
  // The dependant's claim brings its needs context along.
  Expected<std::vector<Claim>> after = queue->ClaimUpTo(AnyWorker("w"), 5);
  ASSERT_TRUE(after) << after.error();
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].key, "after");
  EXPECT_EQ((*after)[0].needs["a"]["result"], "success");
  EXPECT_EQ((*after)[0].needs["a"]["outputs"]["v"], "7");
  // A completion written with another claim's token is refused and writes nothing.
  Claim forged = (*claims)[1];
  forged.attempt = 2;
  ASSERT_EQ(*queue->Complete(forged, Completion{}), Fence::kLost);
  Expected<RunStatusInfo> status = queue->Status("b");
  ASSERT_TRUE(status) << status.error();
  EXPECT_EQ(status->jobs["b"], "running");
  for (const Claim& claim : {(*claims)[1], (*claims)[2], (*after)[0]}) {
    ASSERT_EQ(*queue->Complete(claim, Completion{}), Fence::kHeld) << claim.key;
  }
  status = queue->Status("b");
  ASSERT_TRUE(status) << status.error();
  EXPECT_EQ(status->state, RunState::kSuccess);
  Expected<exec::AuditVerification> audit = VerifyPgAudit(dsn, kAuditKey);
  ASSERT_TRUE(audit) << audit.error();
  EXPECT_TRUE(audit->ok) << audit->message;
  EXPECT_EQ(audit->entries, 6u);  // run-start, 4 job results, run-end
}

TEST(HotPath, ACompletionClaimsTheWorkersNextJobOnceCommitted) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(MakeRun("n", {Job("first"), Job("second", {"first"})})));
  WorkerIdentity me = AnyWorker("w");
  Expected<std::optional<Claim>> first = queue->ClaimNext(me);
  ASSERT_TRUE(first && *first);
  // A completion fenced out claims nothing.
  Claim stale = **first;
  stale.attempt = 7;
  NextClaims none{&me, 1, "", {}};
  ASSERT_EQ(*queue->Complete(stale, Completion{}, &none), Fence::kLost);
  EXPECT_TRUE(none.claimed.empty());
  // The dependant this completion made ready is this worker's next job, with its needs.
  Completion out;
  out.outputs["v"] = "1";
  NextClaims next{&me, 1, "", {}};
  ASSERT_EQ(*queue->Complete(**first, out, &next), Fence::kHeld);
  ASSERT_EQ(next.claimed.size(), 1u);
  EXPECT_EQ(next.claimed[0].key, "second");
  EXPECT_EQ(next.claimed[0].attempt, 1);
  EXPECT_EQ(next.claimed[0].needs["first"]["outputs"]["v"], "1");
  Expected<RunStatusInfo> status = queue->Status("n");
  ASSERT_TRUE(status) << status.error();
  EXPECT_EQ(status->jobs["second"], "running");
  // The last completion ends the run; there is nothing more to claim.
  NextClaims after{&me, 1, "", {}};
  ASSERT_EQ(*queue->Complete(next.claimed[0], Completion{}, &after), Fence::kHeld);
  EXPECT_TRUE(after.claimed.empty());
  status = queue->Status("n");
  ASSERT_TRUE(status) << status.error();
  EXPECT_EQ(status->state, RunState::kSuccess);
}

TEST(HotPath, RacingBatchClaimersRunEachJobExactlyOnce) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  constexpr int kJobs = 150;
  std::vector<JobSpec> jobs;
  for (int i = 0; i < kJobs; ++i) jobs.push_back(Job("j" + std::to_string(i)));
  jobs.push_back(Job("last", {"j3", "j77", "j149"}));
  std::unique_ptr<Queue> submitter = MustConnect(dsn);
  ASSERT_TRUE(submitter);
  ASSERT_TRUE(submitter->Submit(MakeRun("race", jobs)));
  std::mutex mutex;
  std::map<std::string, int> runs;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int w = 0; w < 6; ++w) {
    threads.emplace_back([&, w] {
      std::unique_ptr<Queue> queue = MustConnect(dsn);
      if (!queue) return;
      int idle = 0;
      while (idle < 20) {
        Expected<std::vector<Claim>> claims =
            queue->ClaimUpTo(AnyWorker("w" + std::to_string(w)), 1 + w % 4);
        if (!claims) {
          std::lock_guard<std::mutex> lock(mutex);
          errors.push_back(claims.error());
          return;
        }
        if (claims->empty()) {
          ++idle;
          std::this_thread::sleep_for(5ms);
          continue;
        }
        idle = 0;
        for (const Claim& claim : *claims) {
          {
            std::lock_guard<std::mutex> lock(mutex);
            ++runs[claim.key];
          }
          Expected<Fence> fence = queue->Complete(claim, Completion{});
          if (!fence || *fence != Fence::kHeld) {
            std::lock_guard<std::mutex> lock(mutex);
            errors.push_back(fence ? "fenced out: " + claim.key : fence.error());
          }
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(runs.size(), static_cast<size_t>(kJobs + 1));
  for (const auto& [key, count] : runs) EXPECT_EQ(count, 1) << key;
  Expected<RunStatusInfo> status = submitter->Status("race");
  ASSERT_TRUE(status) << status.error();
  EXPECT_EQ(status->state, RunState::kSuccess);
  Expected<exec::AuditVerification> audit = VerifyPgAudit(dsn, kAuditKey);
  ASSERT_TRUE(audit) << audit.error();
  EXPECT_TRUE(audit->ok) << audit->message;
  EXPECT_EQ(audit->entries, static_cast<size_t>(kJobs + 3));
}

TEST(HotPath, ACompletionWhoseAuditAppendIsRefusedIsNotCommitted) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  // The submission opened this queue's chain (1); its head is then moved behind its back.
  ASSERT_TRUE(queue->Submit(MakeRun("a", {Job("only")})));
  Expected<std::optional<Claim>> claim = queue->ClaimNext(AnyWorker("w"));
  ASSERT_TRUE(claim && *claim);
  ASSERT_EQ(Exec(dsn,
                 "SET LOCAL session_replication_role = replica; UPDATE audit_chains SET "
                 "head_seq = head_seq + 1 WHERE id = 1"),
            "");
  Expected<Fence> refused = queue->Complete(**claim, Completion{});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("head moved"), std::string::npos) << refused.error();
  Expected<RunStatusInfo> status = queue->Status("a");
  ASSERT_TRUE(status) << status.error();
  EXPECT_EQ(status->jobs["only"], "running");  // nothing was done unaudited
  // The connection is usable again (rolled back), and the next write opens a new chain.
  ASSERT_EQ(*queue->Complete(**claim, Completion{}), Fence::kHeld);
  status = queue->Status("a");
  ASSERT_TRUE(status) << status.error();
  EXPECT_EQ(status->state, RunState::kSuccess);
}

TEST(HotPath, AJobIfSeesGithubInputsAndVarsOfItsRun) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  auto job = [](const std::string& id, const std::string& condition) {
    JobSpec spec = Job(id, {"build"});
    spec.if_condition = condition;
    return spec;
  };
  RunSpec run = MakeRun(
      "ctx", {Job("build"), job("by_job", "github.job == 'by_job' && github.run_id == 'ctx'"),
              job("other_job", "github.job == 'build'"),
              job("by_input", "inputs.flavour == 'mint' && vars.REGION == 'eu'"),
              job("by_event", "github.event_name == 'push' && github.ref == 'refs/heads/main'"),
              job("wrong_input", "inputs.flavour == 'lemon'")});
  run.inputs = {{"flavour", "mint"}};
  run.vars = {{"REGION", "eu"}};
  run.github = {{"event_name", "push"}, {"ref", "refs/heads/main"}, {"run_id", "stale"}};
  ASSERT_TRUE(queue->Submit(run));
  Expected<std::optional<Claim>> build = queue->ClaimNext(AnyWorker("w"));
  ASSERT_TRUE(build && *build);
  ASSERT_EQ(*queue->Complete(**build, Completion{}), Fence::kHeld);
  std::set<std::string> claimed;
  while (true) {
    Expected<std::optional<Claim>> next = queue->ClaimNext(AnyWorker("w"));
    ASSERT_TRUE(next) << next.error();
    if (!*next) break;
    claimed.insert((*next)->key);
    ASSERT_EQ(*queue->Complete(**next, Completion{}), Fence::kHeld);
  }
  EXPECT_EQ(claimed, (std::set<std::string>{"by_job", "by_input", "by_event"}));
  Expected<RunStatusInfo> status = queue->Status("ctx");
  ASSERT_TRUE(status) << status.error();
  EXPECT_EQ(status->jobs["other_job"], "skipped");
  EXPECT_EQ(status->jobs["wrong_input"], "skipped");
}

}  // namespace
}  // namespace slipway::backend
