// Scheduler tests: FakeJobRunner and FakeClock, no processes, no sleeping.
#include "interpreter/exec/scheduler.h"
#include "interpreter/exec/run.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/support/fake_clock.h"
#include "tests/support/fake_job_runner.h"

namespace slipway::exec {
namespace {

using nlohmann::ordered_json;
using testing::FakeClock;
using testing::FakeJobRunner;

class PlanBuilder {
 public:
  plan::PlannedJob& Job(const std::string& id, std::vector<std::string> needs = {},
                        std::string if_condition = "") {
    plan::PlannedJob job;
    job.index = plan::JobIndex{static_cast<uint32_t>(plan_.jobs.size())};
    job.id = id;
    job.name = id;
    job.if_condition = std::move(if_condition);
    for (const std::string& need : needs) {
      const plan::PlannedJob* found = plan_.FindJob(need);
      EXPECT_NE(found, nullptr) << need;
      if (found) job.needs.push_back(found->index);
    }
    plan_.jobs.push_back(std::move(job));
    return plan_.jobs.back();
  }
  plan::Plan& plan() { return plan_; }

 private:
  plan::Plan plan_;
};

JobOutcome Result(JobResult result, std::map<std::string, std::string> outputs = {}) {
  return JobOutcome{result, std::move(outputs), {}, ""};
}

struct Harness {
  RunEventQueue events;
  FakeClock clock;
  RunRecord record;
  Harness() { record.id = "run-1"; }
  RunStatus Run(const plan::Plan& plan, JobRunner& runner, const RunRequest* request = nullptr) {
    Scheduler scheduler(plan, runner, events, clock, record, nullptr, nullptr, nullptr, request);
    return scheduler.Run();
  }
  std::string ResultOf(const std::string& key) {
    const std::optional<JobResult>& result = record.jobs[key].result;
    return result ? JobResultName(*result) : "";
  }
};

TEST(SchedulerTest, RunsInDependencyOrder) {
  PlanBuilder b;
  b.Job("deploy", {});
  b.Job("build", {});
  b.plan().jobs[0].needs = {plan::JobIndex{1}};  // deploy needs build, declared later
  b.Job("verify", {"deploy"});
  Harness h;
  FakeJobRunner runner(h.events, 1, /*auto_finish=*/true);
  EXPECT_EQ(h.Run(b.plan(), runner), RunStatus::kSuccess);
  EXPECT_EQ(runner.started(), (std::vector<std::string>{"build", "deploy", "verify"}));
  EXPECT_EQ(h.record.status, RunStatus::kSuccess);
  EXPECT_EQ(h.ResultOf("verify"), "success");
}

TEST(SchedulerTest, FailureSkipsDependantsButRunsAlwaysAndFailureJobs) {
  PlanBuilder b;
  b.Job("build");
  b.Job("deploy", {"build"});
  b.Job("smoke", {"deploy"});
  b.Job("rollback", {"smoke"}, "failure()");
  b.Job("notify", {"smoke"}, "${{ always() }}");
  b.Job("celebrate", {"smoke"}, "success()");
  Harness h;
  FakeJobRunner runner(h.events, 4, true);
  runner.SetOutcome("deploy", Result(JobResult::kFailure));
  EXPECT_EQ(h.Run(b.plan(), runner), RunStatus::kFailure);
  EXPECT_EQ(h.ResultOf("deploy"), "failure");
  EXPECT_EQ(h.ResultOf("smoke"), "skipped");
  EXPECT_EQ(h.ResultOf("rollback"), "success");
  EXPECT_EQ(h.ResultOf("notify"), "success");
  EXPECT_EQ(h.ResultOf("celebrate"), "skipped");
  EXPECT_EQ(h.record.status, RunStatus::kFailure);
}

TEST(SchedulerTest, OutputsFlowThroughNeeds) {
  PlanBuilder b;
  b.Job("build");
  b.Job("deploy", {"build"}, "needs.build.outputs.version == '1.2.3'");
  b.Job("other", {"build"}, "needs.build.outputs.version == 'nope'");
  Harness h;
  FakeJobRunner runner(h.events, 4, true);
  runner.SetOutcome("build", Result(JobResult::kSuccess, {{"version", "1.2.3"}}));
  EXPECT_EQ(h.Run(b.plan(), runner), RunStatus::kSuccess);
  ordered_json needs = runner.assignment("deploy").needs;
  EXPECT_EQ(needs["build"]["result"], "success");
  EXPECT_EQ(needs["build"]["outputs"]["version"], "1.2.3");
  EXPECT_EQ(h.ResultOf("other"), "skipped");
  EXPECT_EQ(h.record.jobs["build"].outputs["version"], "1.2.3");
}

TEST(SchedulerTest, RespectsTheJobLimitAndStartsWhenOneFinishes) {
  PlanBuilder b;
  for (const char* id : {"a", "b", "c", "d"}) b.Job(id);
  Harness h;
  FakeJobRunner runner(h.events, 2, /*auto_finish=*/false);
  RunStatus status = RunStatus::kFailure;
  std::thread scheduler([&] { status = h.Run(b.plan(), runner); });
  ASSERT_TRUE(runner.WaitForStarted(2));
  EXPECT_EQ(runner.running(), (std::set<std::string>{"a", "b"}));
  runner.Finish("b", Result(JobResult::kSuccess));
  ASSERT_TRUE(runner.WaitForStarted(3));
  EXPECT_EQ(runner.running(), (std::set<std::string>{"a", "c"}));
  runner.Finish("a", Result(JobResult::kSuccess));
  ASSERT_TRUE(runner.WaitForStarted(4));
  runner.Finish("c", Result(JobResult::kSuccess));
  runner.Finish("d", Result(JobResult::kSuccess));
  scheduler.join();
  EXPECT_EQ(status, RunStatus::kSuccess);
  EXPECT_EQ(runner.max_concurrent(), 2u);
}

TEST(SchedulerTest, MatrixInstancesFailFastAndMaxParallel) {
  PlanBuilder b;
  plan::PlannedJob& test = b.Job("test");
  test.matrix = {ordered_json{{"os", "linux"}, {"node", 18}},
                 ordered_json{{"os", "linux"}, {"node", 20}},
                 ordered_json{{"os", "mac"}, {"node", 18}}};
  test.max_parallel = 2;
  b.Job("after", {"test"}, "always()");
  Harness h;
  FakeJobRunner runner(h.events, 10, false);
  RunStatus status = RunStatus::kSuccess;
  std::thread scheduler([&] { status = h.Run(b.plan(), runner); });
  ASSERT_TRUE(runner.WaitForStarted(2));
  EXPECT_EQ(runner.running(), (std::set<std::string>{"test (linux, 18)", "test (linux, 20)"}));
  EXPECT_EQ(runner.assignment("test (linux, 20)").strategy["job-index"], 1);
  EXPECT_EQ(runner.assignment("test (linux, 20)").matrix["node"], 20);
  JobAssignment sibling = runner.assignment("test (linux, 20)");
  runner.Finish("test (linux, 18)", Result(JobResult::kFailure));
  // fail-fast: the running sibling is asked to stop; the one not started is cancelled.
  for (int i = 0; i < 500 && !sibling.control->cancel->is_cancelled(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(sibling.control->cancel->is_cancelled());
  runner.Finish("test (linux, 20)", Result(JobResult::kCancelled));
  bool after_started = runner.WaitForStarted(3);  // "after" (always()) once the matrix is done
  EXPECT_TRUE(after_started);
  if (after_started) runner.Finish("after", Result(JobResult::kSuccess));
  scheduler.join();
  EXPECT_EQ(status, RunStatus::kFailure);
  EXPECT_EQ(runner.started().size(), 3u);
  EXPECT_EQ(h.ResultOf("test (mac, 18)"), "cancelled");
  EXPECT_EQ(h.ResultOf("test (linux, 20)"), "cancelled");
  EXPECT_EQ(h.ResultOf("after"), "success");
}

TEST(SchedulerTest, InterruptCancelsAndRunsOnlyAlwaysJobs) {
  PlanBuilder b;
  b.Job("long");
  b.Job("next", {"long"});
  b.Job("cleanup", {"long"}, "always()");
  b.Job("on-cancel", {"long"}, "cancelled()");
  Harness h;
  FakeJobRunner runner(h.events, 4, false);
  RunStatus status = RunStatus::kSuccess;
  std::thread scheduler([&] { status = h.Run(b.plan(), runner); });
  ASSERT_TRUE(runner.WaitForStarted(1));
  JobAssignment running = runner.assignment("long");
  h.events.Push(Interrupted{2, 1});
  // The running job sees its cancel token set (a real one stops its step and reports).
  for (int i = 0; i < 500 && !running.control->cancel->is_cancelled(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(running.control->cancel->is_cancelled());
  EXPECT_FALSE(running.control->force->is_cancelled());
  runner.Finish("long", Result(JobResult::kCancelled));
  ASSERT_TRUE(runner.WaitForStarted(3));
  runner.Finish("cleanup", Result(JobResult::kSuccess));
  runner.Finish("on-cancel", Result(JobResult::kSuccess));
  scheduler.join();
  EXPECT_EQ(status, RunStatus::kCancelled);
  EXPECT_EQ(h.ResultOf("next"), "cancelled");
  EXPECT_EQ(h.ResultOf("cleanup"), "success");
  EXPECT_EQ(h.ResultOf("on-cancel"), "success");
  EXPECT_EQ(h.record.status, RunStatus::kCancelled);
}

TEST(SchedulerTest, ContinueOnErrorJobDoesNotFailTheRun) {
  PlanBuilder b;
  b.Job("flaky").continue_on_error = true;
  b.Job("next", {"flaky"});
  Harness h;
  FakeJobRunner runner(h.events, 4, true);
  runner.SetOutcome("flaky", Result(JobResult::kFailure));
  EXPECT_EQ(h.Run(b.plan(), runner), RunStatus::kSuccess);
  EXPECT_EQ(h.ResultOf("flaky"), "failure");
  EXPECT_EQ(h.ResultOf("next"), "success");
}

TEST(SchedulerTest, ResumeSkipsSuccessfulJobsAndRestoresOutputs) {
  PlanBuilder b;
  b.Job("build");
  b.Job("deploy", {"build"});
  Harness h;
  JobRecord& build = h.record.jobs["build"];
  build.status = JobRecordStatus::kCompleted;
  build.result = JobResult::kSuccess;
  build.outputs = {{"version", "9.9.9"}};
  JobRecord& deploy = h.record.jobs["deploy"];
  deploy.status = JobRecordStatus::kRunning;  // killed mid-job
  FakeJobRunner runner(h.events, 4, true);
  EXPECT_EQ(h.Run(b.plan(), runner), RunStatus::kSuccess);
  EXPECT_EQ(runner.started(), (std::vector<std::string>{"deploy"}));
  EXPECT_EQ(runner.assignment("deploy").needs["build"]["outputs"]["version"], "9.9.9");
}

TEST(SchedulerTest, OnlyJobRunsItAndItsNeeds) {
  PlanBuilder b;
  b.Job("build");
  b.Job("lint");
  b.Job("deploy", {"build"});
  Harness h;
  FakeJobRunner runner(h.events, 4, true);
  RunRequest request;
  request.only_jobs = {"deploy"};
  EXPECT_EQ(h.Run(b.plan(), runner, &request), RunStatus::kSuccess);
  EXPECT_EQ(runner.started(), (std::vector<std::string>{"build", "deploy"}));
  EXPECT_EQ(h.ResultOf("lint"), "skipped");
}

TEST(SchedulerTest, BadIfFailsTheJob) {
  PlanBuilder b;
  b.Job("a", {}, "nosuchfunction()");
  Harness h;
  FakeJobRunner runner(h.events, 4, true);
  EXPECT_EQ(h.Run(b.plan(), runner), RunStatus::kFailure);
  EXPECT_TRUE(runner.started().empty());
  EXPECT_EQ(h.ResultOf("a"), "failure");
}

TEST(SchedulerTest, InstanceKeys) {
  EXPECT_EQ(Scheduler::InstanceKey("build", ordered_json()), "build");
  EXPECT_EQ(Scheduler::InstanceKey("t", ordered_json{{"os", "linux"}, {"v", 1.5}, {"x", true}}),
            "t (linux, 1.5, true)");
}

}  // namespace
}  // namespace slipway::exec
