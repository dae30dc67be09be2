#include "interpreter/exec/approvals.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>

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
  }
  void TearDown() override { std::filesystem::remove_all(run_dir_); }
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
