// The audit table chained per writer (pg_audit.h): completions of one run by many workers do
// not wait for each other's audit writes, and `audit verify` still finds, as a superuser who
// bypasses the append-only triggers could make them, edits, deletions (in the middle and at
// the end of a chain, whole chains) and reordering; an aborted transaction is no false alarm.
#include <atomic>
#include <pqxx/pqxx>
#include <thread>

#include "interpreter/backend/pg_audit.h"
#include "tests/unit/backend/backend_test_util.h"

namespace slipway::backend {
namespace {

using namespace testing_util;

constexpr char kBypass[] = "SET LOCAL session_replication_role = replica; ";

int64_t Scalar(const std::string& dsn, const std::string& sql) {
  pqxx::connection connection(dsn);
  pqxx::nontransaction tx(connection);
  return tx.exec(sql)[0][0].as<int64_t>();
}

// Submits a run of `jobs` independent jobs with `queue`, then claims and completes every job
// with it: one writer, so one chain holding run-start, the job results and run-end.
void RunAllWith(Queue& queue, const std::string& run_id, int jobs) {
  std::vector<JobSpec> specs;
  for (int i = 0; i < jobs; ++i) specs.push_back(Job("j" + std::to_string(i)));
  ASSERT_TRUE(queue.Submit(MakeRun(run_id, specs)));
  for (int i = 0; i < jobs; ++i) {
    Expected<std::optional<Claim>> claim = queue.ClaimNext(AnyWorker("w"));
    ASSERT_TRUE(claim && *claim);
    ASSERT_TRUE(queue.Complete(**claim, Completion{}));
  }
  Expected<RunStatusInfo> status = queue.Status(run_id);
  ASSERT_TRUE(status);
  ASSERT_EQ(status->state, RunState::kSuccess);
}

exec::AuditVerification MustVerify(const std::string& dsn) {
  Expected<exec::AuditVerification> result = VerifyPgAudit(dsn, kAuditKey);
  EXPECT_TRUE(result) << (result ? "" : result.error());
  return result ? *result : exec::AuditVerification{};
}

class AuditChains : public ::testing::Test {
 protected:
  void SetUp() override {
    SLIPWAY_MIGRATED_POSTGRES(dsn_);
    queue_ = MustConnect(dsn_);
    ASSERT_TRUE(queue_);
    RunAllWith(*queue_, "one", 4);  // one chain: run-start, 4 job results, run-end
    exec::AuditVerification ok = MustVerify(dsn_);
    ASSERT_TRUE(ok.ok) << ok.message;
    ASSERT_EQ(ok.entries, 6u);
    ASSERT_EQ(Scalar(dsn_, "SELECT count(*) FROM audit_chains"), 1);
  }
  std::string dsn_;
  std::unique_ptr<Queue> queue_;
};

TEST_F(AuditChains, ManyWritersCompletingOneRunEachKeepAnIntactChain) {
  constexpr int kJobs = 60, kWorkers = 4;
  std::vector<JobSpec> specs;
  for (int i = 0; i < kJobs; ++i) specs.push_back(Job("j" + std::to_string(i)));
  ASSERT_TRUE(queue_->Submit(MakeRun("many", specs)));
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&, w] {
      std::unique_ptr<Queue> queue = MustConnect(dsn_);
      if (!queue) return;
      while (true) {
        Expected<std::optional<Claim>> claim = queue->ClaimNext(AnyWorker("w" + std::to_string(w)));
        if (!claim || !*claim) return;
        if (queue->Complete(**claim, Completion{})) ++done;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(done.load(), kJobs);
  exec::AuditVerification ok = MustVerify(dsn_);
  EXPECT_TRUE(ok.ok) << ok.message;
  EXPECT_EQ(ok.entries, 6u + 1 + kJobs + 1);  // + run-start, the results, run-end
  EXPECT_EQ(Scalar(dsn_, "SELECT count(*) FROM audit WHERE entry->>'run_id' = 'many' AND "
                         "entry->>'kind' = 'job-result'"),
            kJobs);
  // Every worker that completed something wrote its own chain.
  EXPECT_GE(Scalar(dsn_, "SELECT count(*) FROM audit_chains"), 2);
}

TEST_F(AuditChains, AnEntryDeletedInTheMiddleOfAChainIsFound) {
  ASSERT_EQ(Exec(dsn_, std::string(kBypass) + "DELETE FROM audit WHERE chain = 1 AND chain_seq = 3"),
            "");
  exec::AuditVerification result = MustVerify(dsn_);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.message.find("chain 1: entry 3 is missing"), std::string::npos)
      << result.message;
}

TEST_F(AuditChains, TheLastEntriesOfAChainDeletedAreFound) {
  ASSERT_EQ(Exec(dsn_, std::string(kBypass) + "DELETE FROM audit WHERE chain = 1 AND chain_seq >= 5"),
            "");
  exec::AuditVerification result = MustVerify(dsn_);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.message.find("chain 1: entries 5 to 6 are missing"), std::string::npos)
      << result.message;
}

TEST_F(AuditChains, EntriesPutBackInAnotherOrderAreFound) {
  // Deleted and inserted again (fresh rows, so their xmin is their inserting transaction's)
  // with entries 2 and 3 swapped.
  ASSERT_EQ(Exec(dsn_, std::string(kBypass) +
                           "CREATE TEMP TABLE saved AS SELECT * FROM audit WHERE chain = 1 AND "
                           "chain_seq IN (2, 3); DELETE FROM audit WHERE chain = 1 AND chain_seq "
                           "IN (2, 3); INSERT INTO audit (seq, at, role, entry, prev, mac, chain, "
                           "chain_seq) SELECT seq, at, role, entry, prev, mac, chain, 5 - chain_seq "
                           "FROM saved"),
            "");
  exec::AuditVerification result = MustVerify(dsn_);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.message.find("was moved"), std::string::npos) << result.message;
}

TEST_F(AuditChains, AWholeChainDeletedIsFound) {
  std::unique_ptr<Queue> other = MustConnect(dsn_);
  RunAllWith(*other, "two", 2);  // chain 2
  RunAllWith(*MustConnect(dsn_), "three", 1);  // chain 3
  ASSERT_TRUE(MustVerify(dsn_).ok);
  ASSERT_EQ(Exec(dsn_, std::string(kBypass) + "DELETE FROM audit WHERE chain = 2; DELETE FROM "
                                              "audit_chains WHERE id = 2"),
            "");
  exec::AuditVerification result = MustVerify(dsn_);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.message.find("audit chain 2 is missing"), std::string::npos) << result.message;
}

TEST_F(AuditChains, AChainHeadRolledBackIsFound) {
  // The last entry deleted and the head's number moved back over it: the head's MAC is still
  // the deleted entry's, not the new last one's.
  ASSERT_EQ(Exec(dsn_, std::string(kBypass) + "DELETE FROM audit WHERE chain = 1 AND chain_seq = "
                                              "6; UPDATE audit_chains SET head_seq = 5 WHERE id = 1"),
            "");
  exec::AuditVerification result = MustVerify(dsn_);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.message.find("the head was rewritten"), std::string::npos) << result.message;
}

TEST_F(AuditChains, AbortedTransactionsAreNoFalseAlarm) {
  // A transaction that wrote an audit row (taking a number from audit_seq, which a rollback
  // does not give back) and then aborted; then a failed submit (duplicate run id) through a
  // queue whose chain is open; then more entries from the same queue.
  ASSERT_NE(Exec(dsn_, "INSERT INTO audit (at, entry, prev, mac) VALUES (now(), '{}', '', ''); "
                       "SELECT 1/0"),
            "");
  Expected<RunState> duplicate = queue_->Submit(MakeRun("one", {Job("a")}));
  EXPECT_FALSE(duplicate);
  RunAllWith(*queue_, "after", 2);
  exec::AuditVerification ok = MustVerify(dsn_);
  EXPECT_TRUE(ok.ok) << ok.message;
  EXPECT_EQ(ok.entries, 6u + 4);
}

}  // namespace
}  // namespace slipway::backend
