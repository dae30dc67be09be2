// The job logic of `slipway run` — status functions, continue-on-error, timeouts, outputs, env
// layering, defaults, cancellation, matrix legs, run-time environments — through ExecuteRun
// with the step executors replaced by FakeStepExecutors: no process is spawned. Expectations
// follow GitHub's documentation and actions/runner (cited per test), not slipway's history.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "interpreter/exec/process.h"
#include "interpreter/exec/run.h"
#include "interpreter/exec/run_store.h"
#include "interpreter/expr/hash_files.h"
#include "interpreter/plan/plan_file.h"
#include "stdlib/registry.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_step_executor.h"

namespace slipway::exec {
namespace {

namespace fs = std::filesystem;
using testing::FakeStepExecutors;

class JobLogicTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("slipway-job-logic-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "tmp");
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  void Write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name) << text;
  }

  /// Plans and runs `workflow` (as wf.yml in a fresh workspace) with the fake executors.
  RunStatus Run(const std::string& workflow, const std::string& ref = "refs/heads/main",
                std::optional<std::string> env_config = std::nullopt,
                std::vector<std::pair<std::string, std::string>> approvals = {}) {
    Write("wf.yml", workflow);
    plan::PlanOptions options;
    options.workflow_path = (dir_ / "wf.yml").string();
    options.ref = ref;
    options.sha = "0123abcd";
    options.actor = "alice";
    options.work_dir = dir_.string();
    if (env_config) {
      Write("envs.yml", *env_config);
      options.env_config = (dir_ / "envs.yml").string();
    }
    Diagnostics diagnostics;
    plan::PlanStatus status = plan::MakePlan(sources_, options, plan::GitInfo{}, catalog_,
                                             diagnostics, &plan_, &loaded_);
    if (status != plan::PlanStatus::kOk || !plan_) {
      ADD_FAILURE() << "the workflow does not plan: "
                    << (diagnostics.items().empty() ? "" : diagnostics.items().front().message);
      return RunStatus::kFailure;
    }
    RunRequest request;
    request.plan = &*plan_;
    request.workflow = &*loaded_.workflow;
    request.catalog = &catalog_;
    request.environments = loaded_.environments ? &*loaded_.environments : nullptr;
    request.event = loaded_.event ? &*loaded_.event : nullptr;
    request.state_dir = (dir_ / "state").string();
    request.run_id = "r1";
    request.jobs = jobs_;
    request.approvals = std::move(approvals);
    request.environment = {{"PATH", "/usr/bin:/bin"},
                           {"HOME", (dir_ / "home").string()},
                           {"TMPDIR", (dir_ / "tmp").string()}};
    request.workspace = dir_.string();
    request.executors = &fake_;
    std::FILE* out = std::tmpfile();
    request.out = out;
    setenv("SLIPWAY_AUDIT_KEY", "job-logic-test", 1);
    RunResult result = ExecuteRun(request);
    std::rewind(out);
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, out)) > 0) console_.append(buffer, n);
    std::fclose(out);
    EXPECT_EQ(result.error, "") << console_;
    Expected<RunRecord> record = RunStore::Load(request.state_dir, "r1");
    EXPECT_TRUE(record.has_value());
    if (record) record_ = *record;
    return result.status;
  }

  std::string Result(const std::string& job) {
    const std::optional<JobResult>& result = record_.jobs[job].result;
    return result ? JobResultName(*result) : "";
  }
  const StepRecord& Step(const std::string& job, size_t i) { return record_.jobs[job].steps.at(i); }
  bool Printed(const std::string& text) const {
    return console_.find(text) != std::string::npos;
  }
  std::string Audit() {
    std::ifstream in(dir_ / "state" / "audit.jsonl");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
  size_t jobs_ = 1;
  SourceManager sources_;
  step_api::StepCatalog catalog_ = stdlib::BuiltinSteps();
  std::optional<plan::Plan> plan_;
  plan::PlanInputs loaded_;
  FakeStepExecutors fake_;
  RunRecord record_;
  std::string console_;
};

// https://docs.github.com/en/actions/learn-github-actions/expressions#status-check-functions:
// a step without `if` has success(); after a failure only failure()/always() steps run.
TEST_F(JobLogicTest, StatusFunctionsAfterAFailedStep) {
  fake_.Fail("build");
  RunStatus status = Run(R"(on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - {name: build, run: make}
      - {name: next, run: echo}
      - {name: on-failure, if: failure(), run: echo}
      - {name: on-success, if: success(), run: echo}
      - {name: always, if: always(), run: echo}
      - {name: cancelled, if: cancelled(), run: echo}
)");
  EXPECT_EQ(status, RunStatus::kFailure);
  EXPECT_EQ(fake_.names(), (std::vector<std::string>{"build", "on-failure", "always"}));
  EXPECT_EQ(Step("j", 1).outcome, StepConclusion::kSkipped);
  EXPECT_EQ(Step("j", 0).conclusion, StepConclusion::kFailure);
  EXPECT_EQ(Result("j"), "failure");
  EXPECT_TRUE(Printed("failure: step \"build\" failed: exit code 1")) << console_;
}

// https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idstepscontinue-on-error
// steps.<id>.outcome is failure, .conclusion success, and the job goes on and succeeds.
TEST_F(JobLogicTest, StepContinueOnError) {
  fake_.Fail("flaky");
  RunStatus status = Run(R"(on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - {id: f, name: flaky, run: x, continue-on-error: true}
      - name: after ${{ steps.f.outcome }} ${{ steps.f.conclusion }}
        run: echo
)");
  EXPECT_EQ(status, RunStatus::kSuccess) << console_;
  EXPECT_EQ(fake_.names(), (std::vector<std::string>{"flaky", "after failure success"}));
  EXPECT_EQ(Step("j", 0).outcome, StepConclusion::kFailure);
  EXPECT_EQ(Step("j", 0).conclusion, StepConclusion::kSuccess);
}

// continue-on-error is evaluated per step at run time: from a matrix value, too.
TEST_F(JobLogicTest, StepContinueOnErrorFromTheMatrix) {
  fake_.Fail("t true");
  fake_.Fail("t false");
  RunStatus status = Run(R"(on: push
jobs:
  j:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        experimental: [true, false]
    steps:
      - name: t ${{ matrix.experimental }}
        run: x
        continue-on-error: ${{ matrix.experimental }}
)");
  EXPECT_EQ(status, RunStatus::kFailure);
  EXPECT_EQ(Result("j (true)"), "success");
  EXPECT_EQ(Result("j (false)"), "failure");
}

// timeout-minutes: the step gets what is left of its own and the job's time, in whole minutes
// as GitHub converts it ((Int32) in ConvertToStepTimeout: 2.498 is 2); a timed-out step fails
// the job with a message naming the limit.
TEST_F(JobLogicTest, StepTimeout) {
  fake_.On("slow", [](const ResolvedStep& step, StepIo&) {
    EXPECT_NEAR(static_cast<double>(step.timeout.count()), 120'000.0, 1.0);
    StepOutcome outcome;
    outcome.timed_out = true;
    return outcome;
  });
  RunStatus status = Run(R"(on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - {name: slow, run: sleep 999, timeout-minutes: 2.498}
      - {name: cleanup, if: always(), run: echo}
)");
  EXPECT_EQ(status, RunStatus::kFailure);
  EXPECT_TRUE(Printed("The action 'slow' has timed out after 2 minutes.")) << console_;
  EXPECT_EQ(fake_.names(), (std::vector<std::string>{"slow", "cleanup"}));
}

// A step's timeout-minutes is evaluated when the step starts (StepsRunner.RunStepAsync,
// EvaluateStepTimeout), so it may read an earlier step's outputs; what it gives must be a
// number: a string (even "3") is an error logged on the step, which then runs without a
// timeout of its own (only the job's, 360 minutes here).
TEST_F(JobLogicTest, StepTimeoutEvaluatedWhenTheStepStarts) {
  std::vector<int64_t> timeouts;
  fake_.On("first", [](const ResolvedStep&, StepIo&) {
    StepOutcome outcome;
    outcome.outputs["minutes"] = "3";
    return outcome;
  });
  for (const char* name : {"from-output", "from-string", "from-env"}) {
    fake_.On(name, [&](const ResolvedStep& step, StepIo&) {
      timeouts.push_back(step.timeout.count());
      return StepOutcome{};
    });
  }
  RunStatus status = Run(R"(on: push
jobs:
  j:
    runs-on: ubuntu-latest
    env: {T: "4"}
    steps:
      - {id: a, name: first, run: x}
      - {name: from-output, run: x, timeout-minutes: "${{ fromJSON(steps.a.outputs.minutes) }}"}
      - {name: from-string, run: x, timeout-minutes: "${{ steps.a.outputs.minutes }}"}
      - {name: from-env, run: x, timeout-minutes: "${{ env.T }}"}
)");
  EXPECT_EQ(status, RunStatus::kSuccess) << console_;
  ASSERT_EQ(timeouts.size(), 3u);
  EXPECT_EQ(timeouts[0], 3 * 60'000);
  EXPECT_GT(timeouts[1], 359 * 60'000);  // what is left of the job's 360 minutes
  EXPECT_GT(timeouts[2], 359 * 60'000);
  EXPECT_TRUE(Printed("An error occurred when attempting to determine the step timeout.")) << console_;
  EXPECT_TRUE(Printed("steps[2].timeout-minutes: Unexpected value '3'")) << console_;
}

// A job's timeout-minutes and cancel-timeout-minutes are decided when the job starts, so they
// may come from needs or from the leg's matrix (WorkflowTemplateConverter: number-strategy-
// context); each leg gets its own.
TEST_F(JobLogicTest, JobTimeoutFromNeedsAndMatrix) {
  fake_.On("produce", [](const ResolvedStep&, StepIo&) {
    StepOutcome outcome;
    outcome.outputs["minutes"] = "7";
    return outcome;
  });
  std::map<std::string, int64_t> timeouts;
  fake_.On("probe", [&](const ResolvedStep& step, StepIo&) {
    timeouts[step.env.value("LEG", "")] = step.timeout.count();
    return StepOutcome{};
  });
  RunStatus status = Run(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    outputs: {minutes: "${{ steps.p.outputs.minutes }}"}
    steps:
      - {id: p, name: produce, run: x}
  b:
    needs: a
    runs-on: ubuntu-latest
    timeout-minutes: ${{ fromJSON(needs.a.outputs.minutes) }}
    env: {LEG: needs}
    steps:
      - {name: probe, run: x}
  c:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        t: [2, 3]
    timeout-minutes: ${{ matrix.t }}
    env: {LEG: "m${{ matrix.t }}"}
    steps:
      - {name: probe, run: x}
)");
  EXPECT_EQ(status, RunStatus::kSuccess) << console_;
  ASSERT_EQ(timeouts.size(), 3u) << console_;
  EXPECT_GT(timeouts["needs"], 6 * 60'000);
  EXPECT_LE(timeouts["needs"], 7 * 60'000);
  EXPECT_GT(timeouts["m2"], 1 * 60'000);
  EXPECT_LE(timeouts["m2"], 2 * 60'000);
  EXPECT_GT(timeouts["m3"], 2 * 60'000);
  EXPECT_LE(timeouts["m3"], 3 * 60'000);
}

// Job outputs: https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/passing-information-between-jobs
// (step output → job output → needs.<job>.outputs in a dependent job's env).
TEST_F(JobLogicTest, OutputsFlowFromStepsToDependentJobs) {
  fake_.Outputs("produce", {{"version", "1.2.3"}});
  RunStatus status = Run(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      version: ${{ steps.p.outputs.version }}
      empty: ${{ steps.p.outputs.nothing }}
    steps:
      - {id: p, name: produce, run: x}
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - name: consume
        run: echo
        env:
          V: ${{ needs.a.outputs.version }}
)");
  EXPECT_EQ(status, RunStatus::kSuccess) << console_;
  EXPECT_EQ(fake_.call("consume").env["V"], "1.2.3");
  EXPECT_EQ(record_.jobs["a"].outputs, (std::map<std::string, std::string>{{"version", "1.2.3"}}));
}

// The documented matrix example (docs "Defining outputs for jobs", "Using job outputs in a
// matrix job"): each leg sets only its own output; empty outputs are not set (JobExtension.cs
// skips them), so a later leg does not overwrite an earlier one: 1, 2, 3.
TEST_F(JobLogicTest, MatrixLegsDoNotOverwriteOutputsWithEmptyValues) {
  for (const char* v : {"1", "2", "3"}) {
    fake_.Outputs(std::string("set ") + v, {{std::string("output_") + v, v}});
  }
  RunStatus status = Run(R"(on: push
jobs:
  job1:
    runs-on: ubuntu-latest
    outputs:
      output_1: ${{ steps.gen_output.outputs.output_1 }}
      output_2: ${{ steps.gen_output.outputs.output_2 }}
      output_3: ${{ steps.gen_output.outputs.output_3 }}
    strategy:
      matrix:
        version: [1, 2, 3]
    steps:
      - name: set ${{ matrix.version }}
        id: gen_output
        run: echo "output_${{ matrix.version }}=${{ matrix.version }}" >> "$GITHUB_OUTPUT"
  job2:
    runs-on: ubuntu-latest
    needs: [job1]
    steps:
      - name: show
        run: echo
        env:
          OUT: ${{ needs.job1.outputs.output_1 }},${{ needs.job1.outputs.output_2 }},${{ needs.job1.outputs.output_3 }}
)");
  EXPECT_EQ(status, RunStatus::kSuccess) << console_;
  EXPECT_EQ(fake_.call("show").env["OUT"], "1,2,3");
}

// Env layering: workflow env < job env < GITHUB_ENV of earlier steps < the step's env.
TEST_F(JobLogicTest, EnvLayering) {
  fake_.On("first", [](const ResolvedStep&, StepIo& io) {
    io.SetEnv("A", "from-github-env");
    io.SetEnv("C", "from-github-env");
    return StepOutcome{};
  });
  RunStatus status = Run(R"(on: push
env: {A: workflow, B: workflow, W: workflow}
jobs:
  j:
    runs-on: ubuntu-latest
    env: {A: job, B: job}
    steps:
      - {name: first, run: x}
      - name: second
        run: x
        env: {C: step, S: '${{ env.A }}'}
)");
  EXPECT_EQ(status, RunStatus::kSuccess) << console_;
  FakeStepExecutors::Call second = fake_.call("second");
  EXPECT_EQ(second.env["A"], "from-github-env");
  EXPECT_EQ(second.env["B"], "job");
  EXPECT_EQ(second.env["C"], "step");
  EXPECT_EQ(second.env["W"], "workflow");
  EXPECT_EQ(second.env["S"], "from-github-env");
  EXPECT_EQ(second.process_env["C"], "step");
}

// GITHUB_* and RUNNER_* are the runner's: neither GITHUB_ENV nor a step's env changes what
// the step's process sees (ScriptHandler.cs sets them after the env); CI may be changed.
TEST_F(JobLogicTest, RunnerVariablesCannotBeOverridden) {
  fake_.On("first", [](const ResolvedStep&, StepIo& io) {
    io.SetEnv("GITHUB_REF", "refs/heads/evil");
    io.SetEnv("RUNNER_TEMP", "/somewhere");
    return StepOutcome{};
  });
  RunStatus status = Run(R"(on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - {name: first, run: x}
      - name: second
        run: x
        env: {GITHUB_SHA: fake, GITHUB_WORKSPACE: /etc, CI: 'no'}
)");
  EXPECT_EQ(status, RunStatus::kSuccess) << console_;
  FakeStepExecutors::Call second = fake_.call("second");
  EXPECT_EQ(second.process_env["GITHUB_REF"], "refs/heads/main");
  EXPECT_EQ(second.process_env["GITHUB_SHA"], "0123abcd");
  EXPECT_EQ(second.process_env["GITHUB_WORKSPACE"], dir_.string());
  EXPECT_NE(second.process_env["RUNNER_TEMP"], "/somewhere");
  EXPECT_EQ(second.process_env["CI"], "no");
}

// defaults.run at workflow and job level (job wins), step keys win over both; paths handed to
// a step are absolute.
TEST_F(JobLogicTest, RunDefaults) {
  RunStatus status = Run(R"(on: push
defaults:
  run: {shell: sh, working-directory: wf-dir}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - {name: from-workflow, run: x}
  b:
    runs-on: ubuntu-latest
    defaults:
      run: {working-directory: job-dir}
    steps:
      - {name: from-job, run: x}
      - {name: own, run: x, shell: bash, working-directory: /tmp}
)");
  EXPECT_EQ(status, RunStatus::kSuccess) << console_;
  EXPECT_EQ(fake_.call("from-workflow").shell, "sh");
  EXPECT_EQ(fake_.call("from-workflow").working_directory, (dir_ / "wf-dir").string());
  EXPECT_EQ(fake_.call("from-job").shell, "sh");
  EXPECT_EQ(fake_.call("from-job").working_directory, (dir_ / "job-dir").string());
  EXPECT_EQ(fake_.call("own").shell, "bash");
  EXPECT_EQ(fake_.call("own").working_directory, "/tmp");
  // RUNNER_TEMP is absolute and outside the state directory.
  std::string temp = fake_.call("own").process_env["RUNNER_TEMP"];
  EXPECT_TRUE(fs::path(temp).is_absolute()) << temp;
  EXPECT_EQ(temp.find((dir_ / "state").string()), std::string::npos) << temp;
  EXPECT_EQ(temp.rfind((dir_ / "tmp").string(), 0), 0u) << temp;
}

// hashFiles() is evaluated when the job runs, against the workspace, in env:, run:, with:, if:.
TEST_F(JobLogicTest, HashFilesAtRunTime) {
  Write("lock.txt", "locked\n");
  Expected<std::string> expected = expr::HashFiles(dir_.string(), {"lock.txt"}, false);
  ASSERT_TRUE(expected.has_value());
  ASSERT_EQ(expected->size(), 64u);
  RunStatus status = Run(R"(on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - name: s
        if: hashFiles('lock.txt') != ''
        run: echo ${{ hashFiles('lock.txt') }}
        env: {H: "${{ hashFiles('**/lock.txt') }}"}
      - name: u
        uses: actions/cache@v4
        with: {key: "k-${{ hashFiles('lock.txt') }}"}
      - name: none
        if: hashFiles('missing/*') != ''
        run: echo
)");
  EXPECT_EQ(status, RunStatus::kSuccess) << console_;
  FakeStepExecutors::Call s = fake_.call("s");
  EXPECT_EQ(s.env["H"], *expected);
  EXPECT_EQ(s.script, "echo " + *expected);
  EXPECT_EQ(fake_.call("u").with["key"], "k-" + *expected);
  EXPECT_EQ(fake_.names(), (std::vector<std::string>{"s", "u"}));
}

// An expression error says which key of which step. A name is best effort (the runner's
// TryUpdateDisplayName): its error is a warning and the step runs; an error in the step's env
// fails the step before its `if:`, and continue-on-error does not apply (StepsRunner.cs).
TEST_F(JobLogicTest, ExpressionErrorsNameTheKey) {
  RunStatus status = Run(R"(on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - {name: ok, run: x}
      - name: "${{ fromJSON('not json') }}"
        id: named
        run: x
      - id: envd
        continue-on-error: true
        if: false
        env: {X: "${{ fromJSON('not json') }}"}
        run: x
)");
  EXPECT_EQ(status, RunStatus::kFailure);
  EXPECT_TRUE(Printed("warning: ")) << console_;
  EXPECT_TRUE(Printed("steps[1].name: ")) << console_;
  EXPECT_TRUE(Printed("steps[2].env.X: ")) << console_;
  EXPECT_EQ(fake_.names(),
            (std::vector<std::string>{"ok", "${{ fromJSON('not json') }}"}));
  EXPECT_FALSE(Printed("cannot evaluate the step's env")) << console_;
}

// A job skipped because a need failed says so.
TEST_F(JobLogicTest, SkippedBecauseANeedFailed) {
  fake_.Fail("b");
  RunStatus status = Run(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps: [{name: b, run: x}]
  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps: [{name: d, run: x}]
)");
  EXPECT_EQ(status, RunStatus::kFailure);
  EXPECT_EQ(Result("deploy"), "skipped");
  EXPECT_TRUE(Printed("[deploy] skipped: needs build failed")) << console_;
  EXPECT_FALSE(Printed("its if is false")) << console_;
}

// jobs.<id>.continue-on-error: the job's failure neither fails the run nor skips its
// dependants.
TEST_F(JobLogicTest, JobContinueOnErrorDoesNotSkipDependants) {
  fake_.Fail("a");
  RunStatus status = Run(R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    continue-on-error: true
    steps: [{name: a, run: x}]
  b:
    needs: a
    runs-on: ubuntu-latest
    steps: [{name: b, run: x}]
)");
  EXPECT_EQ(status, RunStatus::kSuccess) << console_;
  EXPECT_EQ(fake_.names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Result("b"), "success");
}

// The docs' "experimental" matrix: a leg with continue-on-error that fails cancels no sibling
// under fail-fast and does not fail the run.
TEST_F(JobLogicTest, MatrixLegWithContinueOnErrorCancelsNothing) {
  fake_.Fail("test true");
  RunStatus status = Run(R"(on: push
jobs:
  test:
    runs-on: ubuntu-latest
    continue-on-error: ${{ matrix.experimental }}
    strategy:
      fail-fast: true
      matrix:
        experimental: [true, false]
    steps:
      - name: test ${{ matrix.experimental }}
        run: x
)");
  EXPECT_EQ(status, RunStatus::kSuccess) << console_;
  EXPECT_EQ(fake_.names(), (std::vector<std::string>{"test true", "test false"}));
  EXPECT_EQ(Result("test (true)"), "failure");
  EXPECT_EQ(Result("test (false)"), "success");
}

// Without continue-on-error, fail-fast cancels the legs that have not finished.
TEST_F(JobLogicTest, FailFastCancelsSiblings) {
  fake_.Fail("leg 1");
  // The runner may start leg 2 as leg 1's worker frees its slot: then it is cancelled.
  fake_.On("leg 2", [](const ResolvedStep&, StepIo& io) {
    for (int i = 0; i < 500 && !io.cancel().is_cancelled(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return io.cancel().is_cancelled() ? StepOutcome::Cancelled() : StepOutcome{};
  });
  RunStatus status = Run(R"(on: push
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [1, 2]
    steps:
      - name: leg ${{ matrix.n }}
        run: x
)");
  EXPECT_EQ(status, RunStatus::kFailure);
  EXPECT_EQ(fake_.names().at(0), "leg 1");
  EXPECT_EQ(Result("test (2)"), "cancelled");
}

// Cancellation (SIGINT): the running step is cancelled, only always()/cancelled() steps run
// after it; the job is cancelled, and its line says so once ("cancelled", not "cancelled:
// cancelled").
TEST_F(JobLogicTest, Cancellation) {
  fake_.On("long", [](const ResolvedStep&, StepIo& io) {
    kill(getpid(), SIGINT);
    for (int i = 0; i < 500 && !io.cancel().is_cancelled(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return io.cancel().is_cancelled() ? StepOutcome::Cancelled() : StepOutcome{};
  });
  RunStatus status = Run(R"(on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - {name: long, run: x}
      - {name: plain, run: x}
      - {name: always, if: always(), run: x}
      - {name: on-cancel, if: cancelled(), run: x}
)");
  EXPECT_EQ(status, RunStatus::kCancelled);
  EXPECT_EQ(fake_.names(), (std::vector<std::string>{"long", "always", "on-cancel"}));
  EXPECT_EQ(Step("j", 0).outcome, StepConclusion::kCancelled);
  EXPECT_EQ(Result("j"), "cancelled");
  EXPECT_FALSE(Printed("cancelled: cancelled")) << console_;
}

// A run's cancellation evaluates each job's `if` again: a running job whose condition calls
// always() keeps running (https://docs.github.com/en/actions/reference/workflow-cancellation-reference),
// a running job with the default condition is cancelled.
TEST_F(JobLogicTest, CancellationKeepsARunningAlwaysJob) {
  jobs_ = 2;
  std::atomic<bool> keep_started{false};
  fake_.On("keep", [&](const ResolvedStep&, StepIo& io) {
    keep_started = true;
    for (int i = 0; i < 60 && !io.cancel().is_cancelled(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return io.cancel().is_cancelled() ? StepOutcome::Cancelled() : StepOutcome{};
  });
  fake_.On("plain", [&](const ResolvedStep&, StepIo& io) {
    for (int i = 0; i < 200 && !keep_started; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    kill(getpid(), SIGINT);
    for (int i = 0; i < 500 && !io.cancel().is_cancelled(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return io.cancel().is_cancelled() ? StepOutcome::Cancelled() : StepOutcome{};
  });
  RunStatus status = Run(R"(on: push
jobs:
  keep:
    if: always()
    runs-on: ubuntu-latest
    steps: [{name: keep, run: x}]
  plain:
    runs-on: ubuntu-latest
    steps: [{name: plain, run: x}]
)");
  EXPECT_EQ(status, RunStatus::kCancelled);
  EXPECT_EQ(Result("keep"), "success") << console_;
  EXPECT_EQ(Result("plain"), "cancelled") << console_;
}

// jobs.<id>.cancel-timeout-minutes: a step that runs after the cancellation (always(),
// cancelled()) gets that long, GitHub's 5 minutes when the key is absent.
TEST_F(JobLogicTest, CancelTimeoutMinutes) {
  std::vector<int64_t> timeouts;
  fake_.On("long", [](const ResolvedStep&, StepIo& io) {
    kill(getpid(), SIGINT);
    for (int i = 0; i < 500 && !io.cancel().is_cancelled(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return StepOutcome::Cancelled();
  });
  fake_.On("cleanup", [&](const ResolvedStep& step, StepIo&) {
    timeouts.push_back(step.timeout.count());
    return StepOutcome{};
  });
  for (const char* key : {"    cancel-timeout-minutes: ${{ fromJSON('2') }}\n", ""}) {
    std::string workflow = std::string(R"(on: push
jobs:
  j:
    runs-on: ubuntu-latest
)") + key + R"(    steps:
      - {name: long, run: x}
      - {name: cleanup, if: always(), run: x}
)";
    EXPECT_EQ(Run(workflow), RunStatus::kCancelled) << console_;
    std::filesystem::remove_all(dir_ / "state" / "runs");  // the next run is r1 again
  }
  EXPECT_EQ(timeouts, (std::vector<int64_t>{2 * 60'000, 5 * 60'000}));
}

const char kEnvironments[] = R"(environments:
  staging: {}
  production:
    deployment_branches:
      branches: [main]
    required_reviewers:
      users: [bob]
    approval_timeout: 1s
)";

const char kDynamicEnvironment[] = R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    outputs: {env: '${{ steps.s.outputs.env }}'}
    steps: [{id: s, name: pick, run: x}]
  b:
    needs: a
    runs-on: ubuntu-latest
    environment: ${{ needs.a.outputs.env }}
    steps: [{name: deploy, run: x}]
)";

// Issue 10: an environment known only at run time gets the complete gate of the name it
// evaluates to: here the branch policy refuses a feature branch.
TEST_F(JobLogicTest, RunTimeEnvironmentMeetsItsBranchPolicy) {
  fake_.Outputs("pick", {{"env", "production"}});
  RunStatus status =
      Run(kDynamicEnvironment, "refs/heads/feature/evil", kEnvironments, {{"production", "bob"}});
  EXPECT_EQ(status, RunStatus::kFailure);
  EXPECT_EQ(fake_.names(), (std::vector<std::string>{"pick"}));
  EXPECT_TRUE(Printed("environment \"production\" does not allow ref")) << console_;
  EXPECT_NE(Audit().find("\"environment\":\"production\""), std::string::npos) << Audit();
  EXPECT_EQ(Audit().find("\"environment\":\"${{"), std::string::npos) << Audit();
  EXPECT_EQ(Audit().find("\"environments\":[\"${{"), std::string::npos) << Audit();
}

// ... and its reviewers: without an approval it times out, with one it deploys.
TEST_F(JobLogicTest, RunTimeEnvironmentWaitsForReviewers) {
  fake_.Outputs("pick", {{"env", "production"}});
  RunStatus status = Run(kDynamicEnvironment, "refs/heads/main", kEnvironments);
  EXPECT_EQ(status, RunStatus::kFailure);
  EXPECT_EQ(fake_.names(), (std::vector<std::string>{"pick"}));
  EXPECT_TRUE(Printed("waiting for 1 approval for environment \"production\"")) << console_;
  EXPECT_TRUE(Printed("timed out after 1s (0 of 1 approval)")) << console_;
}

TEST_F(JobLogicTest, RunTimeEnvironmentApproved) {
  fake_.Outputs("pick", {{"env", "production"}});
  RunStatus status =
      Run(kDynamicEnvironment, "refs/heads/main", kEnvironments, {{"production", "bob"}});
  EXPECT_EQ(status, RunStatus::kSuccess) << console_;
  EXPECT_EQ(fake_.names(), (std::vector<std::string>{"pick", "deploy"}));
  EXPECT_NE(Audit().find("\"decision\":\"approved\""), std::string::npos) << Audit();
}

// An empty name is no environment (as on GitHub); a name not configured fails the job.
TEST_F(JobLogicTest, RunTimeEnvironmentEmptyOrUnknown) {
  fake_.Outputs("pick", {{"env", ""}});
  EXPECT_EQ(Run(kDynamicEnvironment, "refs/heads/main", kEnvironments), RunStatus::kSuccess)
      << console_;
  EXPECT_EQ(fake_.names(), (std::vector<std::string>{"pick", "deploy"}));
}

TEST_F(JobLogicTest, RunTimeEnvironmentNotConfigured) {
  fake_.Outputs("pick", {{"env", "prod"}});
  EXPECT_EQ(Run(kDynamicEnvironment, "refs/heads/main", kEnvironments), RunStatus::kFailure);
  EXPECT_EQ(fake_.names(), (std::vector<std::string>{"pick"}));
  EXPECT_TRUE(Printed("environment \"prod\" (from \"${{ needs.a.outputs.env }}\") is not "
                      "configured"))
      << console_;
}

// The job's worker tells the event stream about its waits and steps as they happen, so every
// output line carries the step that printed it (a line printed before a step began once went
// to the step before, when the scheduler thread lagged), and a job with a concurrency group
// and reviewers reports its reviewers' wait as "approval" (it was once labelled
// "concurrency", and then no job_approved followed).
TEST_F(JobLogicTest, TheEventStreamFollowsTheWorker) {
  for (const char* name : {"one", "two", "three"}) {
    fake_.On(name, [name](const ResolvedStep&, StepIo& io) {
      io.Log(std::string("hello from ") + name);
      return StepOutcome{};
    });
  }
  RunStatus status = Run(R"(on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    concurrency: deploy-${{ github.ref }}
    environment: production
    steps:
      - {name: one, run: x}
      - {name: two, run: x}
      - {name: three, run: x}
)",
                         "refs/heads/main", kEnvironments, {{"production", "bob"}});
  ASSERT_EQ(status, RunStatus::kSuccess) << console_;
  std::ifstream in(dir_ / "state" / "runs" / "r1" / "events.jsonl");
  std::vector<std::string> seen;
  for (std::string line; std::getline(in, line);) {
    nlohmann::json record = nlohmann::json::parse(line);
    std::string type = record["type"];
    if (type == "job_waiting") seen.push_back("waiting " + record.value("gate", ""));
    if (type == "job_approved") seen.push_back("approved");
    if (type == "step_started") seen.push_back("start " + record["step"]["name"].get<std::string>());
    if (type == "step_finished") seen.push_back("end " + record["step"]["name"].get<std::string>());
    if (type == "step_output" && record["text"].get<std::string>().rfind("hello", 0) == 0) {
      seen.push_back(record["text"].get<std::string>() + " @" +
                     (record.contains("step") ? std::to_string(record["step"]["index"].get<int>()) : "-"));
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "waiting approval", "approved", "start one", "hello from one @0", "end one",
                      "start two", "hello from two @1", "end two", "start three",
                      "hello from three @2", "end three"}));
}

// `environment: ${{ matrix.env }}`: each leg meets its own environment's gate.
TEST_F(JobLogicTest, MatrixEnvironment) {
  RunStatus status = Run(R"(on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        env: [staging, production]
    environment: ${{ matrix.env }}
    steps:
      - name: to ${{ matrix.env }}
        run: x
)",
                         "refs/heads/feature", kEnvironments);
  EXPECT_EQ(status, RunStatus::kFailure);
  EXPECT_EQ(fake_.names(), (std::vector<std::string>{"to staging"}));
  EXPECT_EQ(Result("deploy (staging)"), "success");
  EXPECT_EQ(Result("deploy (production)"), "failure");
}

}  // namespace
}  // namespace slipway::exec
