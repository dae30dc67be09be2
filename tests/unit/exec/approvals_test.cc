#include "interpreter/exec/approvals.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>

#include "tests/support/fake_clock.h"

namespace slipway::exec {
namespace {

ReviewerPolicy Production() {
  ReviewerPolicy policy;
  policy.required = 2;
  policy.users = {"alice", "bob", "carol"};
  policy.teams = {"devops-leads"};
  policy.team_members = {{"devops-leads", {"alice", "dave"}}};
  policy.prevent_self_review = true;
  return policy;
}

std::vector<Approval> By(std::vector<std::string> names) {
  std::vector<Approval> approvals;
  for (std::string& name : names) approvals.push_back({name, "", "test"});
  return approvals;
}

TEST(CountApprovalsTest, Table) {
  struct Case {
    std::string name;
    std::vector<std::string> reviewers;
    std::string actor;
    bool satisfied;
    std::vector<std::string> counted;
    std::vector<std::string> refused;
  };
  const Case cases[] = {
      {"none", {}, "erin", false, {}, {}},
      {"one of two", {"alice"}, "erin", false, {"alice"}, {}},
      {"two distinct", {"alice", "bob"}, "erin", true, {"alice", "bob"}, {}},
      {"same reviewer twice", {"alice", "ALICE"}, "erin", false, {"alice"}, {}},
      {"team member counts", {"dave", "carol"}, "erin", true, {"dave", "carol"}, {}},
      {"unknown reviewer",
       {"mallory", "bob"},
       "erin",
       false,
       {"bob"},
       {"\"mallory\" is not a required reviewer of \"production\""}},
      {"self review refused",
       {"alice", "bob"},
       "alice",
       false,
       {"bob"},
       {"\"alice\" started the run and \"production\" prevents self-review"}},
  };
  for (const Case& c : cases) {
    ApprovalTally tally = CountApprovals(Production(), "production", c.actor, By(c.reviewers));
    EXPECT_EQ(tally.satisfied, c.satisfied) << c.name;
    EXPECT_EQ(tally.counted, c.counted) << c.name;
    EXPECT_EQ(tally.refused, c.refused) << c.name;
    EXPECT_EQ(tally.required, 2) << c.name;
  }
}

TEST(CountApprovalsTest, SelfReviewAllowedWhenNotPrevented) {
  ReviewerPolicy policy = Production();
  policy.prevent_self_review = false;
  EXPECT_TRUE(CountApprovals(policy, "production", "alice", By({"alice", "bob"})).satisfied);
}

TEST(CountApprovalsTest, NoReviewersConfiguredMeansNoGate) {
  ApprovalTally tally = CountApprovals(ReviewerPolicy{}, "dev", "erin", {});
  EXPECT_TRUE(tally.satisfied);
  EXPECT_EQ(tally.required, 0);
}

class ApprovalFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    run_dir_ = (std::filesystem::temp_directory_path() /
                ("slipway-approvals-" + std::to_string(getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                   .string();
    std::filesystem::remove_all(run_dir_);
    setenv("SLIPWAY_AUDIT_KEY", "approvals-test-key", 1);
  }
  void TearDown() override {
    std::filesystem::remove_all(run_dir_);
    unsetenv("SLIPWAY_AUDIT_KEY");
  }
  std::string run_dir_;
};

TEST_F(ApprovalFilesTest, RecordedApprovalsAreReadBackPerEnvironment) {
  ASSERT_TRUE(RecordApproval(run_dir_, "production", {"bob", "2026-01-01T00:00:02Z", "cli"}));
  ASSERT_TRUE(RecordApproval(run_dir_, "production", {"alice", "2026-01-01T00:00:01Z", "cli"}));
  ASSERT_TRUE(RecordApproval(run_dir_, "staging", {"carol", "2026-01-01T00:00:03Z", "cli"}));
  std::vector<Approval> approvals = ReadApprovals(run_dir_, "production");
  ASSERT_EQ(approvals.size(), 2u);
  EXPECT_EQ(approvals[0].reviewer, "alice");
  EXPECT_EQ(approvals[1].reviewer, "bob");
  EXPECT_TRUE(ReadApprovals(run_dir_, "dev").empty());
}

TEST_F(ApprovalFilesTest, WaitSeesAnApprovalGivenWhileWaiting) {
  testing::FakeClock clock;
  auto cancel = CancelToken::Make();
  ReviewerPolicy policy = Production();
  policy.required = 1;
  auto waiting = std::async(std::launch::async, [&] {
    return WaitForApprovals(
        policy, "production", "erin", [&] { return ReadApprovals(run_dir_, "production"); }, clock,
        *cancel, std::chrono::hours(48), std::chrono::seconds(1), {}, nullptr);
  });
  ASSERT_TRUE(clock.WaitForSleepers(1));
  ASSERT_TRUE(RecordApproval(run_dir_, "production", {"carol", "t", "slipway approve"}));
  clock.Advance(std::chrono::seconds(1));
  EXPECT_EQ(waiting.get(), GateDecision::kApproved);
}

TEST_F(ApprovalFilesTest, WaitTimesOut) {
  testing::FakeClock clock;
  auto cancel = CancelToken::Make();
  ApprovalTally tally;
  std::vector<std::string> changes;
  auto waiting = std::async(std::launch::async, [&] {
    return WaitForApprovals(
        Production(), "production", "erin", [&] { return By({"mallory"}); }, clock, *cancel,
        std::chrono::hours(48), std::chrono::hours(100),
        [&](const ApprovalTally& t) { changes.push_back(std::to_string(t.counted.size())); },
        &tally);
  });
  ASSERT_TRUE(clock.WaitForSleepers(1));
  clock.Advance(std::chrono::hours(48));
  EXPECT_EQ(waiting.get(), GateDecision::kTimedOut);
  EXPECT_EQ(tally.refused.size(), 1u);
  EXPECT_EQ(changes.size(), 1u);  // reported once, not on every poll
}

TEST_F(ApprovalFilesTest, WaitIsCancellable) {
  testing::FakeClock clock;
  auto cancel = CancelToken::Make();
  auto waiting = std::async(std::launch::async, [&] {
    return WaitForApprovals(
        Production(), "production", "erin", [] { return std::vector<Approval>{}; }, clock, *cancel,
        std::chrono::hours(48), std::chrono::seconds(5), {}, nullptr);
  });
  ASSERT_TRUE(clock.WaitForSleepers(1));
  cancel->RequestCancel();
  EXPECT_EQ(waiting.get(), GateDecision::kCancelled);
}

}  // namespace
}  // namespace slipway::exec

namespace slipway::exec {
namespace {

TEST(ApprovalInboxTest, TypedLines) {
  ApprovalInbox inbox;
  std::string error;
  EXPECT_TRUE(inbox.AddLine("approve production bob\n", "t1", &error));
  EXPECT_FALSE(inbox.AddLine("yes please\n", "t2", &error));
  EXPECT_EQ(error, "type \"approve ENV NAME\" to approve an environment");
  error.clear();
  EXPECT_FALSE(inbox.AddLine("   \n", "t3", &error));
  EXPECT_TRUE(error.empty());
  std::vector<Approval> approvals = inbox.For("production");
  ASSERT_EQ(approvals.size(), 1u);
  EXPECT_EQ(approvals[0].reviewer, "bob");
  EXPECT_EQ(approvals[0].source, "prompt");
  EXPECT_TRUE(inbox.For("staging").empty());
}

}  // namespace
}  // namespace slipway::exec

namespace slipway::exec {
namespace {

TEST(CountApprovalsTest, CountsNeverExceedWhatIsRequired) {
  ApprovalTally tally =
      CountApprovals(Production(), "production", "erin", By({"alice", "bob", "carol", "dave"}));
  EXPECT_TRUE(tally.satisfied);
  EXPECT_EQ(tally.counted, (std::vector<std::string>{"alice", "bob"}));
}

TEST(CountApprovalsTest, RejectionByAReviewerWinsForgeriesNeverCount) {
  std::vector<Approval> approvals = By({"alice", "bob"});
  Approval forged{"carol", "", "slipway approve"};
  forged.forged = true;
  forged.file = "approve-carol.json";
  approvals.push_back(forged);
  ApprovalTally forged_only = CountApprovals(Production(), "production", "erin", {forged});
  EXPECT_FALSE(forged_only.satisfied);
  ASSERT_EQ(forged_only.refused.size(), 1u);
  EXPECT_NE(forged_only.refused[0].find("is forged"), std::string::npos);
  Approval stranger{"mallory", "", "slipway reject", "no"};
  stranger.rejected = true;
  approvals.push_back(stranger);
  EXPECT_TRUE(CountApprovals(Production(), "production", "erin", approvals).satisfied);
  Approval rejection{"dave", "", "slipway reject", "not today"};
  rejection.rejected = true;
  approvals.push_back(rejection);
  ApprovalTally tally = CountApprovals(Production(), "production", "erin", approvals);
  EXPECT_FALSE(tally.satisfied);
  EXPECT_EQ(tally.rejected_by, "dave");
  EXPECT_EQ(RejectionMessage("production", tally),
            "environment \"production\" was rejected by \"dave\": not today");
}

TEST(WhyNotCountedTest, EachReasonIsNamed) {
  const ReviewerPolicy policy = Production();
  auto why = [&](std::vector<std::string> existing, const std::string& who) {
    return WhyNotCounted(policy, "production", "alice", By(existing), {who, "", "t"});
  };
  EXPECT_EQ(why({}, "bob"), "");
  EXPECT_EQ(why({}, "mallory"), "\"mallory\" is not a required reviewer of \"production\"");
  EXPECT_EQ(why({}, "Alice"), "\"Alice\" started the run and \"production\" prevents self-review");
  EXPECT_EQ(why({"bob"}, "BOB"), "\"BOB\" already approved \"production\" for this run");
  EXPECT_EQ(why({"bob", "carol"}, "dave"),
            "\"production\" already has the 2 approval(s) it requires");
}

class SignedRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("slipway-signed-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    run_dir_ = (root_ / "state/runs/r1").string();
    std::filesystem::create_directories(run_dir_);
    setenv("SLIPWAY_AUDIT_KEY", "signed-records-test-key", 1);
  }
  void TearDown() override {
    std::filesystem::remove_all(root_);
    unsetenv("SLIPWAY_AUDIT_KEY");
  }
  std::filesystem::path root_;
  std::string run_dir_;
};

TEST_F(SignedRecordsTest, EditedRecordsAreForgeriesReportedOnce) {
  Approval bob{"bob", "t1", "slipway approve", "ok"};
  ASSERT_TRUE(RecordApproval(run_dir_, "production", bob));
  std::string file = run_dir_ + "/approvals/production/approve-bob.json";
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<Approval> good = ReadApprovals(run_dir_, "production");
  ASSERT_EQ(good.size(), 1u);
  EXPECT_FALSE(good[0].forged);
  EXPECT_EQ(good[0].comment, "ok");
  // The same record, edited to name another reviewer.
  std::string edited = text;
  edited.replace(edited.find("\"bob\""), 5, "\"eve\"");
  std::ofstream(file) << edited;
  std::vector<Approval> read = ReadApprovals(run_dir_, "production");
  ASSERT_EQ(read.size(), 1u);
  EXPECT_TRUE(read[0].forged);
  EXPECT_EQ(read[0].reviewer, "eve");
  EXPECT_TRUE(ReadApprovals(run_dir_, "production").empty());  // moved aside: reported once
  EXPECT_TRUE(std::filesystem::exists(file + ".forged"));
  std::ifstream audit(root_ / "state/audit.jsonl");
  std::string log((std::istreambuf_iterator<char>(audit)), std::istreambuf_iterator<char>());
  EXPECT_NE(log.find("\"kind\":\"approval-forgery\""), std::string::npos) << log;
  // The key changes: the genuine record no longer verifies either.
  ASSERT_TRUE(RecordApproval(run_dir_, "production", bob));
  setenv("SLIPWAY_AUDIT_KEY", "another-key", 1);
  EXPECT_TRUE(ReadApprovals(run_dir_, "production")[0].forged);
}

TEST_F(SignedRecordsTest, WaitingGateIsPublishedWhileWaiting) {
  EXPECT_FALSE(ReadWaitingGate(run_dir_, "production").has_value());
  {
    WaitingMark mark(run_dir_, {"production", "alice", Production()});
    Expected<WaitingGate> gate = ReadWaitingGate(run_dir_, "production");
    ASSERT_TRUE(gate.has_value()) << gate.error();
    EXPECT_EQ(gate->actor, "alice");
    EXPECT_EQ(gate->policy.required, 2);
    EXPECT_EQ(gate->policy.team_members, Production().team_members);
    std::ofstream(run_dir_ + "/approvals/production/waiting") << "{\"required\":0}";
    EXPECT_FALSE(ReadWaitingGate(run_dir_, "production").has_value());
  }
  EXPECT_FALSE(ReadWaitingGate(run_dir_, "production").has_value());
}

}  // namespace
}  // namespace slipway::exec
