// The scheduler with reusable-workflow calls (scheduler_calls.cc): FakeJobRunner, no processes.
// A calling job takes no worker; its called jobs are decided once it may run, read `needs` by
// their ids in the called file, and the caller ends with their result (GitHub: the caller's
// result is the called workflow's), which its dependants then see.
#include <gtest/gtest.h>

#include "interpreter/exec/run.h"
#include "interpreter/exec/scheduler.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_job_runner.h"

namespace slipway::exec {
namespace {

using testing::FakeClock;
using testing::FakeJobRunner;

/// build → call (calls a → b) → after, with "call/a" and "call/b" planned as the called jobs.
plan::Plan CallPlan(const std::string& caller_if = "") {
  plan::Plan plan;
  auto add = [&](const std::string& id, std::vector<uint32_t> needs) -> plan::PlannedJob& {
    plan::PlannedJob job;
    job.index = plan::JobIndex{static_cast<uint32_t>(plan.jobs.size())};
    job.id = job.name = job.local_id = id;
    for (uint32_t need : needs) job.needs.push_back(plan::JobIndex{need});
    plan.jobs.push_back(std::move(job));
    return plan.jobs.back();
  };
  add("build", {});
  plan::PlannedJob& call = add("call", {0});
  call.callee = 1;
  call.uses = "./called.yml";
  call.if_condition = caller_if;
  add("after", {1});
  for (const char* inner : {"a", "b"}) {
    plan::PlannedJob& job = add(std::string("call/") + inner, {});
    job.local_id = inner;
    job.source = 1;
    job.caller = plan::JobIndex{1};
  }
  plan.jobs[4].needs = {plan::JobIndex{3}};  // b needs a
  return plan;
}

struct Harness {
  RunEventQueue events;
  FakeClock clock;
  RunRecord record;
  Harness() { record.id = "run-1"; }
  RunStatus Run(const plan::Plan& plan, JobRunner& runner) {
    Scheduler scheduler(plan, runner, events, clock, record, nullptr, nullptr, nullptr, nullptr);
    return scheduler.Run();
  }
};

TEST(SchedulerCallsTest, CalledJobsRunInsideTheCallAndTheCallerEndsWithThem) {
  plan::Plan plan = CallPlan();
  Harness h;
  FakeJobRunner runner(h.events, 1, /*auto_finish=*/true);
  runner.SetOutcome("call/a", JobOutcome{JobResult::kSuccess, {{"x", "1"}}, {}, ""});
  EXPECT_EQ(h.Run(plan, runner), RunStatus::kSuccess);
  // The caller itself takes no worker.
  EXPECT_EQ(runner.started(), (std::vector<std::string>{"build", "call/a", "call/b", "after"}));
  // A called job reads `needs` by the ids of its own file.
  nlohmann::ordered_json needs = runner.assignment("call/b").needs;
  EXPECT_EQ(needs["a"]["outputs"]["x"], "1") << needs.dump();
  EXPECT_EQ(runner.assignment("after").needs["call"]["result"], "success");
  EXPECT_EQ(h.record.jobs["call"].result, JobResult::kSuccess);
}

TEST(SchedulerCallsTest, AFailedCalledJobFailsTheCallerAndSkipsItsDependants) {
  plan::Plan plan = CallPlan();
  Harness h;
  FakeJobRunner runner(h.events, 1, /*auto_finish=*/true);
  runner.SetOutcome("call/a", JobOutcome{JobResult::kFailure, {}, {}, "exit 1"});
  EXPECT_EQ(h.Run(plan, runner), RunStatus::kFailure);
  EXPECT_EQ(h.record.jobs["call/b"].result, JobResult::kSkipped);
  EXPECT_EQ(h.record.jobs["call"].result, JobResult::kFailure);
  EXPECT_EQ(h.record.jobs["after"].result, JobResult::kSkipped);
  EXPECT_EQ(runner.started(), (std::vector<std::string>{"build", "call/a"}));
}

TEST(SchedulerCallsTest, ASkippedCallerSkipsEveryCalledJob) {
  plan::Plan plan = CallPlan("false");
  Harness h;
  FakeJobRunner runner(h.events, 1, /*auto_finish=*/true);
  EXPECT_EQ(h.Run(plan, runner), RunStatus::kSuccess);
  EXPECT_EQ(runner.started(), (std::vector<std::string>{"build"}));
  EXPECT_EQ(h.record.jobs["call/a"].result, JobResult::kSkipped);
  EXPECT_EQ(h.record.jobs["call/b"].result, JobResult::kSkipped);
  EXPECT_EQ(h.record.jobs["call"].result, JobResult::kSkipped);
  EXPECT_EQ(h.record.jobs["after"].result, JobResult::kSkipped);
}

}  // namespace
}  // namespace slipway::exec
