// The append-only audit table and the approval gates across processes, against a real
// PostgreSQL 15.
#include <sys/wait.h>
#include <unistd.h>

#include <pqxx/pqxx>
#include <thread>

#include "interpreter/backend/pg_audit.h"
#include "tests/unit/backend/backend_test_util.h"

namespace slipway::backend {
namespace {

using namespace testing_util;
using namespace std::chrono_literals;


std::string DsnAs(const std::string& dsn, const std::string& role) {
  return dsn.substr(0, dsn.rfind("&user=")) + "&user=" + role;
}

class AuditTable : public ::testing::Test {
 protected:
  void SetUp() override {
    SLIPWAY_MIGRATED_POSTGRES(dsn_);
    for (int i = 0; i < 3; ++i) {
      Expected<bool> done =
          AppendPgAudit(dsn_, kAuditKey, {{"kind", "note"}, {"n", i}, {"why", "test"}});
      ASSERT_TRUE(done) << done.error();
    }
    Expected<exec::AuditVerification> ok = VerifyPgAudit(dsn_, kAuditKey);
    ASSERT_TRUE(ok) << ok.error();
    ASSERT_TRUE(ok->ok) << ok->message;
    ASSERT_EQ(ok->entries, 3u);
  }
  std::string dsn_;
};

TEST_F(AuditTable, RefusesUpdateDeleteAndTruncateEvenForTheSuperuser) {
  std::string update = Exec(dsn_, "UPDATE audit SET entry = '{}' WHERE seq = 2");
  EXPECT_NE(update.find("append-only: UPDATE refused"), std::string::npos) << update;
  std::string remove = Exec(dsn_, "DELETE FROM audit WHERE seq = 3");
  EXPECT_NE(remove.find("append-only: DELETE refused"), std::string::npos) << remove;
  std::string truncate = Exec(dsn_, "TRUNCATE audit");
  EXPECT_NE(truncate.find("append-only: TRUNCATE refused"), std::string::npos) << truncate;
  EXPECT_TRUE(VerifyPgAudit(dsn_, kAuditKey)->ok);
}

TEST_F(AuditTable, GrantsOnlyInsertAndSelectToWorkersAndReviewers) {
  std::string why;
  PostgresServer* server = PostgresServer::Shared(&why);
  ASSERT_TRUE(server->CreateRole("worker1", "slipway_worker", &why)) << why;
  std::string as_worker = DsnAs(dsn_, "worker1");
  Expected<bool> appended = AppendPgAudit(as_worker, kAuditKey, {{"kind", "note"}});
  ASSERT_TRUE(appended) << appended.error();
  // Even with the trigger out of the way (a superuser's power), the grant refuses.
  std::string update = Exec(as_worker, "UPDATE audit SET entry = '{}' WHERE seq = 1");
  EXPECT_NE(update.find("permission denied"), std::string::npos) << update;
  std::string approve = Exec(as_worker,
                             "INSERT INTO approvals (run_id, environment, role, reviewer, verdict)"
                             " VALUES ('x', 'production', 'x', 'x', 'approve')");
  EXPECT_NE(approve.find("permission denied"), std::string::npos) << approve;
}

TEST_F(AuditTable, VerifyReportsAnEditMadeBySuperuserBypassingTheTrigger) {
  std::string bypass = Exec(dsn_,
                            "SET LOCAL session_replication_role = replica; UPDATE audit SET entry "
                            "= jsonb_set(entry, '{why}', '\"edited\"') WHERE seq = 2");
  ASSERT_EQ(bypass, "");
  Expected<exec::AuditVerification> result = VerifyPgAudit(dsn_, kAuditKey);
  ASSERT_TRUE(result) << result.error();
  EXPECT_FALSE(result->ok);
  EXPECT_EQ(result->line, 2u);
  EXPECT_NE(result->message.find("entry 2 was edited"), std::string::npos) << result->message;
}

TEST_F(AuditTable, VerifyReportsARowRewrittenWithTheSameContent) {
  // An UPDATE that keeps the MAC valid (same values) is still an edit after the fact.
  ASSERT_EQ(Exec(dsn_, "SET LOCAL session_replication_role = replica; UPDATE audit SET entry = "
                       "entry WHERE seq = 1"),
            "");
  Expected<exec::AuditVerification> result = VerifyPgAudit(dsn_, kAuditKey);
  ASSERT_TRUE(result) << result.error();
  EXPECT_FALSE(result->ok);
  EXPECT_NE(result->message.find("rewritten after it was inserted"), std::string::npos)
      << result->message;
}

TEST_F(AuditTable, VerifyReportsDeletedEntriesInTheMiddleAndAtTheEnd) {
  ASSERT_EQ(Exec(dsn_, "SET LOCAL session_replication_role = replica; DELETE FROM audit WHERE "
                       "seq = 3"),
            "");
  Expected<exec::AuditVerification> tail = VerifyPgAudit(dsn_, kAuditKey);
  ASSERT_TRUE(tail);
  EXPECT_FALSE(tail->ok);
  // Each one-off append is a chain of one entry: the chain's head still names it.
  EXPECT_NE(tail->message.find("chain 3: entries 1 to 1 are missing"), std::string::npos)
      << tail->message;
  ASSERT_EQ(Exec(dsn_, "SET LOCAL session_replication_role = replica; DELETE FROM audit WHERE "
                       "seq = 1"),
            "");
  Expected<exec::AuditVerification> middle = VerifyPgAudit(dsn_, kAuditKey);
  ASSERT_TRUE(middle);
  EXPECT_FALSE(middle->ok);
  EXPECT_NE(middle->message.find("chain 1: entries 1 to 1 are missing"), std::string::npos)
      << middle->message;
}

TEST_F(AuditTable, VerifyRefusesEntriesWrittenWithAnotherKey) {
  ASSERT_TRUE(AppendPgAudit(dsn_, "not-the-key", {{"kind", "forged"}}));
  Expected<exec::AuditVerification> result = VerifyPgAudit(dsn_, kAuditKey);
  ASSERT_TRUE(result);
  EXPECT_FALSE(result->ok);
  EXPECT_NE(result->message.find("audit chain 4 was edited or forged"), std::string::npos)
      << result->message;
}

// A run whose only job deploys to an environment needing one approval from alice.
RunSpec GatedRun(const std::string& id, double wait_timer_s = 0, double timeout_s = 3600) {
  JobSpec deploy = Job("deploy");
  deploy.environment = "production";
  deploy.gate = {{"required", 1},
                 {"users", {"alice"}},
                 {"prevent_self_review", true},
                 {"wait_timer_s", wait_timer_s},
                 {"approval_timeout_s", timeout_s}};
  return MakeRun(id, {deploy});
}

// Inserts an approval from a separate process connected as `role`; the child's exit code.
int ApproveFromAnotherProcess(const std::string& dsn, const std::string& run_id,
                              const std::string& claimed_reviewer, const char* verdict) {
  pid_t child = fork();
  if (child == 0) {
    std::string error = Exec(dsn, "INSERT INTO approvals (run_id, environment, role, reviewer, "
                                  "verdict, comment) VALUES ('" + run_id +
                                      "', 'production', 'ignored', '" + claimed_reviewer +
                                      "', '" + verdict + "', 'from a test')");
    _exit(error.empty() ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class Gates : public ::testing::Test {
 protected:
  void SetUp() override {
    SLIPWAY_MIGRATED_POSTGRES(dsn_);
    std::string why;
    PostgresServer* server = PostgresServer::Shared(&why);
    for (const char* role : {"alice", "bob", "octocat"}) {
      ASSERT_TRUE(server->CreateRole(role, "slipway_reviewer", &why)) << why;
    }
  }
  std::string dsn_;
};

TEST_F(Gates, ApprovedFromAnotherProcessWithNoWorkerAliveThenPickedUp) {
  {
    std::unique_ptr<Queue> submitter = MustConnect(dsn_);
    ASSERT_TRUE(submitter);
    ASSERT_EQ(*submitter->Submit(GatedRun("g")), RunState::kRunning);
    EXPECT_EQ(submitter->Status("g")->jobs["deploy"], "waiting");
  }  // the submitter is gone: no process holds the run
  // bob claims to be alice; the database knows better, and bob is no reviewer.
  ASSERT_EQ(ApproveFromAnotherProcess(DsnAs(dsn_, "bob"), "g", "alice", "approve"), 0);
  ASSERT_EQ(ApproveFromAnotherProcess(DsnAs(dsn_, "octocat"), "g", "alice", "approve"), 0);
  std::unique_ptr<Queue> worker = MustConnect(dsn_);
  ASSERT_TRUE(worker);
  ASSERT_TRUE(worker->Sweep());
  EXPECT_EQ(worker->Status("g")->jobs["deploy"], "waiting")
      << "bob is not a reviewer and octocat started the run (prevent_self_review)";
  ASSERT_EQ(ApproveFromAnotherProcess(DsnAs(dsn_, "alice"), "g", "whoever", "approve"), 0);
  ASSERT_TRUE(worker->Sweep());
  Expected<std::optional<Claim>> claim = worker->ClaimNext(AnyWorker("w"));
  ASSERT_TRUE(claim) << claim.error();
  ASSERT_TRUE(*claim);
  EXPECT_EQ((*claim)->key, "deploy");
  pqxx::connection connection(dsn_);
  pqxx::nontransaction tx(connection);
  pqxx::result reviewers =
      tx.exec("SELECT reviewer FROM approvals WHERE run_id = 'g' ORDER BY reviewer");
  ASSERT_EQ(reviewers.size(), 3u);
  EXPECT_EQ(reviewers[0][0].as<std::string>(), "alice");
  EXPECT_EQ(reviewers[1][0].as<std::string>(), "bob");
  pqxx::result audit = tx.exec(
      "SELECT entry->>'reviewers' FROM audit WHERE entry->>'kind' = 'gate' AND "
      "entry->>'decision' = 'approved'");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0][0].as<std::string>(), "[\"alice\"]");
}

// A review answers the jobs waiting when it is given, as on the local backend (job_gate.cc):
// an approval given before a resume answered the first attempt; the resumed job waits for a
// review of its own, which the same reviewer may give again (one row per decision).
TEST_F(Gates, AResumedJobWaitsForAReviewOfItsOwn) {
  std::unique_ptr<Queue> queue = MustConnect(dsn_);
  ASSERT_TRUE(queue);
  ASSERT_EQ(*queue->Submit(GatedRun("r")), RunState::kRunning);
  ASSERT_EQ(ApproveFromAnotherProcess(DsnAs(dsn_, "alice"), "r", "alice", "approve"), 0);
  ASSERT_TRUE(queue->Cancel("r"));
  Expected<RunStatusInfo> status = queue->Status("r");
  ASSERT_TRUE(status) << status.error();
  ASSERT_EQ(status->state, RunState::kCancelled);
  ASSERT_EQ(status->jobs["deploy"], "cancelled");
  Expected<ResumeReport> resumed = queue->Resume("r");
  ASSERT_TRUE(resumed) << resumed.error();
  EXPECT_EQ(resumed->state, RunState::kRunning);
  EXPECT_EQ(queue->Status("r")->jobs["deploy"], "waiting");
  ASSERT_TRUE(queue->Sweep());
  EXPECT_EQ(queue->Status("r")->jobs["deploy"], "waiting")
      << "alice's approval was given before this attempt waited";
  ASSERT_EQ(ApproveFromAnotherProcess(DsnAs(dsn_, "alice"), "r", "alice", "approve"), 0);
  ASSERT_TRUE(queue->Sweep());
  Expected<std::optional<Claim>> claim = queue->ClaimNext(AnyWorker("w"));
  ASSERT_TRUE(claim) << claim.error();
  ASSERT_TRUE(*claim) << "alice's second approval answers the resumed job";
  EXPECT_EQ((*claim)->key, "deploy");
}

TEST_F(Gates, ARejectionFailsTheJobAndAStepRoleCannotApprove) {
  std::unique_ptr<Queue> queue = MustConnect(dsn_);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(GatedRun("rej")));
  std::string why;
  ASSERT_TRUE(PostgresServer::Shared(&why)->CreateRole("runner", "slipway_worker", &why));
  EXPECT_NE(ApproveFromAnotherProcess(DsnAs(dsn_, "runner"), "rej", "alice", "approve"), 0)
      << "a worker's role must not be able to approve";
  ASSERT_EQ(ApproveFromAnotherProcess(DsnAs(dsn_, "alice"), "rej", "alice", "reject"), 0);
  ASSERT_TRUE(queue->Sweep());
  Expected<RunStatusInfo> status = queue->Status("rej");
  EXPECT_EQ(status->jobs["deploy"], "failure");
  EXPECT_EQ(status->state, RunState::kFailure);
}

TEST_F(Gates, WaitTimerAndApprovalTimeoutUseDatabaseTime) {
  std::unique_ptr<Queue> queue = MustConnect(dsn_);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(GatedRun("timer", /*wait_timer_s=*/0.6)));
  ASSERT_EQ(ApproveFromAnotherProcess(DsnAs(dsn_, "alice"), "timer", "alice", "approve"), 0);
  ASSERT_TRUE(queue->Sweep());
  Expected<std::optional<Claim>> early = queue->ClaimNext(AnyWorker("w"));
  ASSERT_TRUE(early);
  EXPECT_FALSE(*early) << "the wait timer has not run out";
  std::this_thread::sleep_for(800ms);
  Expected<std::optional<Claim>> late = queue->ClaimNext(AnyWorker("w"));
  ASSERT_TRUE(late);
  EXPECT_TRUE(*late);

  ASSERT_TRUE(queue->Submit(GatedRun("timeout", 0, /*timeout_s=*/0.3)));
  std::this_thread::sleep_for(500ms);
  ASSERT_TRUE(queue->Sweep());
  EXPECT_EQ(queue->Status("timeout")->jobs["deploy"], "failure");
}

}  // namespace
}  // namespace slipway::backend
