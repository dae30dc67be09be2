// Execution benchmarks (issue 5):
//   BM_ExecRawBashSpawn    the reference: `bash -c true` spawned directly (process.h, no shell
//                          files, no masking)
//   BM_ExecRunStep         `run: "true"` steps through `slipway run`'s whole machinery
//                          (ExecuteRun: `bash --noprofile --norc -eo pipefail <script file>`,
//                          GITHUB_* files, masking, step logs, run.json updates); the marginal
//                          cost per step, from runs of 20 and 60 steps. Raw `bash -c true`
//                          spawns (same bash, same spawn code) are interleaved with the runs.
//                          Counters, medians over the iterations:
//                            x_raw_bash       wall time per step / per raw spawn (target: within
//                                             1.2x); x_raw_bash_min/_max its spread
//                            x_raw_bash_cpu   the same with CPU time (slipway's threads plus the
//                                             shells): steadier on a machine that runs other
//                                             things at the same time
//                            per_run_fixed_ms what a run costs once
//                          The runs live under $TMPDIR (default /tmp). What one step costs there
//                          depends on the file system: a step's log file is a new inode, and
//                          ext4 without a journal scans past every recently freed inode of the
//                          directory's group to allocate one (on a machine where other programs
//                          churn /tmp, that was most of the overhead left, so a job's later
//                          step logs are now created on a side thread; TMPDIR=/dev/shm shows
//                          the cost without the file system).
//   BM_ExecRunManySteps    one job of 1,000 `run: "true"` steps through ExecuteRun: wall time
//                          per step (per_step_us) and per raw spawn (x_raw_bash).
//   BM_ExecRunDag10k       a 10,000-job random DAG (~3 needs each) through ExecuteRun and the
//                          real job runner; each job's one step has `if: false`, so this is the
//                          cost of the job machinery itself (contexts, env, records, events)
//                          without processes; counter jobs/s.
//   BM_ExecScheduler10k    the scheduler alone on a 10,000-job random DAG (~3 needs each) with
//                          a runner that finishes every job at once; counter jobs/s (target
//                          >= 5,000 jobs/s).
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <vector>

#include "interpreter/exec/clock.h"
#include "interpreter/exec/process.h"
#include "interpreter/exec/run.h"
#include "interpreter/exec/scheduler.h"
#include "interpreter/model/load_workflow.h"
#include "interpreter/plan/plan_file.h"
#include "stdlib/registry.h"

namespace slipway::exec {
namespace {

namespace fs = std::filesystem;
constexpr int kSteps = 20;

exec::ProcessOptions RawBash() {
  exec::ProcessOptions options;
  options.argv = {"bash", "-c", "true"};
  options.env = CurrentEnvironment();
  return options;
}

/// Wall-clock and CPU seconds (this process's threads plus its reaped children: the shells).
struct Cost {
  double wall = 0;
  double cpu = 0;
};

double CpuSeconds() {
  double total = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage usage{};
    getrusage(who, &usage);
    total += static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
             static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
  }
  return total;
}

template <typename F>
Cost Measure(F&& work) {
  double cpu = CpuSeconds();
  auto start = std::chrono::steady_clock::now();
  work();
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
          CpuSeconds() - cpu};
}

/// The cost of one raw spawn, averaged over `count`.
Cost RawSpawn(int count) {
  const exec::ProcessOptions options = RawBash();
  Cost cost = Measure([&] {
    for (int i = 0; i < count; ++i) RunProcess(options, {}, nullptr);
  });
  return {cost.wall / count, cost.cpu / count};
}

void BM_ExecRawBashSpawn(benchmark::State& state) {
  const exec::ProcessOptions options = RawBash();
  for (auto _ : state) {
    ProcessResult result = RunProcess(options, {}, nullptr);
    benchmark::DoNotOptimize(result.exit_code);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExecRawBashSpawn)->Unit(benchmark::kMicrosecond);

/// A planned one-job workflow of `steps` `run: "true"` steps, ready for ExecuteRun.
struct StepWorkflow {
  SourceManager sources;
  std::optional<plan::Plan> plan;
  std::optional<model::Workflow> model;
  RunRequest request;

  StepWorkflow(const fs::path& dir, int steps, const step_api::StepCatalog& catalog,
               std::FILE* sink)
      : StepWorkflow(dir, "wf" + std::to_string(steps) + ".yml", StepsText(steps), catalog, sink) {}

  static std::string StepsText(int steps) {
    std::string workflow = "on: push\njobs:\n  steps:\n    runs-on: ubuntu-latest\n    steps:\n";
    for (int i = 0; i < steps; ++i) workflow += "      - run: \"true\"\n";
    return workflow;
  }

  StepWorkflow(const fs::path& dir, const std::string& name, const std::string& workflow,
               const step_api::StepCatalog& catalog, std::FILE* sink) {
    std::ofstream(dir / name) << workflow;
    Diagnostics diagnostics;
    plan::PlanOptions options;
    options.workflow_path = (dir / name).string();
    options.ref = "refs/heads/main";
    options.sha = "0";
    options.actor = "bench";
    plan::MakePlan(sources, options, plan::GitInfo{}, catalog, diagnostics, &plan);
    model = model::LoadWorkflowFile(sources, options.workflow_path, diagnostics);
    if (!plan || !model) return;
    request.plan = &*plan;
    request.workflow = &*model;
    request.catalog = &catalog;
    request.state_dir = (dir / "state").string();
    request.jobs = 1;
    request.environment = CurrentEnvironment();
    request.environment["SLIPWAY_AUDIT_KEY"] = "bench";
    request.workspace = dir.string();
    request.out = sink;
  }
  bool ok() const { return plan && model; }
  /// The cost of one run; wall < 0 when it failed.
  Cost Run() {
    RunStatus status = RunStatus::kFailure;
    Cost cost = Measure([&] { status = ExecuteRun(request).status; });
    if (status != RunStatus::kSuccess) cost.wall = -1;
    return cost;
  }
};

// The marginal cost of one more step: runs of kSteps and 3 * kSteps steps alternate, and the
// difference divided by 2 * kSteps leaves out what a run costs once (run directory, audit
// entries, run.json at start and end).
void BM_ExecRunStep(benchmark::State& state) {
  fs::path dir = fs::temp_directory_path() / ("slipway-exec-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::FILE* sink = std::fopen("/dev/null", "w");
  step_api::StepCatalog catalog = stdlib::BuiltinSteps();
  StepWorkflow small(dir, kSteps, catalog, sink);
  StepWorkflow large(dir, 3 * kSteps, catalog, sink);
  if (!small.ok() || !large.ok()) {
    state.SkipWithError("cannot plan the benchmark workflow");
    return;
  }
  // The raw spawns are interleaved with the runs (as many as the marginal steps), so both
  // sides see the same machine load, and the counters are medians over the iterations: the
  // machine is shared, its load changes by the second, and a burst should move one iteration,
  // not the result. CPU time (slipway's threads plus the shells) is reported too: it hardly
  // depends on what else the machine runs.
  std::vector<double> ratios, cpu_ratios, per_steps, raws, fixed;
  for (auto _ : state) {
    Cost a = small.Run();
    Cost raw1 = RawSpawn(kSteps);
    Cost b = large.Run();
    Cost raw2 = RawSpawn(kSteps);
    if (a.wall < 0 || b.wall < 0) state.SkipWithError("the run failed");
    double raw = (raw1.wall + raw2.wall) / 2;
    double per_step = (b.wall - a.wall) / (2 * kSteps);
    ratios.push_back(per_step / raw);
    cpu_ratios.push_back(((b.cpu - a.cpu) / (2 * kSteps)) / ((raw1.cpu + raw2.cpu) / 2));
    per_steps.push_back(per_step);
    raws.push_back(raw);
    fixed.push_back(a.wall - kSteps * per_step);
  }
  auto median = [](std::vector<double> values) {
    std::sort(values.begin(), values.end());
    size_t n = values.size();
    return n == 0 ? 0.0 : n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  };
  state.SetItemsProcessed(state.iterations() * 4 * kSteps);
  state.counters["x_raw_bash"] = median(ratios);
  if (!ratios.empty()) {
    state.counters["x_raw_bash_min"] = *std::min_element(ratios.begin(), ratios.end());
    state.counters["x_raw_bash_max"] = *std::max_element(ratios.begin(), ratios.end());
  }
  state.counters["x_raw_bash_cpu"] = median(cpu_ratios);
  state.counters["raw_bash_us"] = median(raws) * 1e6;
  state.counters["per_step_us"] = median(per_steps) * 1e6;
  state.counters["per_run_fixed_ms"] = median(fixed) * 1e3;
  std::fclose(sink);
  fs::remove_all(dir);
}
BENCHMARK(BM_ExecRunStep)->Unit(benchmark::kMillisecond)->Iterations(15);

void BM_ExecRunManySteps(benchmark::State& state) {
  constexpr int kMany = 1000;
  fs::path dir = fs::temp_directory_path() / ("slipway-exec-many-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::FILE* sink = std::fopen("/dev/null", "w");
  step_api::StepCatalog catalog = stdlib::BuiltinSteps();
  StepWorkflow many(dir, kMany, catalog, sink);
  if (!many.ok()) {
    state.SkipWithError("cannot plan the benchmark workflow");
    return;
  }
  std::vector<double> per_step, ratios;
  for (auto _ : state) {
    Cost run = many.Run();
    Cost raw = RawSpawn(100);
    if (run.wall < 0) state.SkipWithError("the run failed");
    per_step.push_back(run.wall / kMany);
    ratios.push_back(run.wall / kMany / raw.wall);
  }
  std::sort(per_step.begin(), per_step.end());
  std::sort(ratios.begin(), ratios.end());
  state.counters["per_step_us"] = per_step[per_step.size() / 2] * 1e6;
  state.counters["x_raw_bash"] = ratios[ratios.size() / 2];
  std::fclose(sink);
  fs::remove_all(dir);
}
BENCHMARK(BM_ExecRunManySteps)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_ExecRunDag10k(benchmark::State& state) {
  constexpr size_t kJobs = 10'000;
  fs::path dir = fs::temp_directory_path() / ("slipway-exec-dag-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::FILE* sink = std::fopen("/dev/null", "w");
  step_api::StepCatalog catalog = stdlib::BuiltinSteps();
  std::string text = "on: push\njobs:\n";
  std::mt19937 random(42);
  for (size_t i = 0; i < kJobs; ++i) {
    text += "  j" + std::to_string(i) + ":\n    runs-on: ubuntu-latest\n";
    std::vector<size_t> needs;
    for (int k = 0; k < 3 && i > 0; ++k) {
      size_t need = random() % i;
      if (std::find(needs.begin(), needs.end(), need) == needs.end()) needs.push_back(need);
    }
    if (!needs.empty()) {
      text += "    needs: [";
      for (size_t k = 0; k < needs.size(); ++k) {
        text += (k ? ", j" : "j") + std::to_string(needs[k]);
      }
      text += "]\n";
    }
    text += "    steps:\n      - if: false\n        run: \"true\"\n";
  }
  StepWorkflow dag(dir, "dag.yml", text, catalog, sink);
  if (!dag.ok()) {
    state.SkipWithError("cannot plan the benchmark workflow");
    return;
  }
  dag.request.jobs = 2;
  int attempt = 0;
  for (auto _ : state) {
    dag.request.run_id = "dag" + std::to_string(++attempt);
    if (dag.Run().wall < 0) state.SkipWithError("the run failed");
  }
  state.counters["jobs_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kJobs), benchmark::Counter::kIsRate);
  std::fclose(sink);
  fs::remove_all(dir);
}
BENCHMARK(BM_ExecRunDag10k)->Unit(benchmark::kMillisecond)->Iterations(3);

/// Finishes every job the moment it starts.
class InstantRunner final : public JobRunner {
 public:
  explicit InstantRunner(RunEventQueue& events) : events_(events) {}
  bool CanStartMore() const override { return true; }
  void Start(JobAssignment job) override { events_.Push(JobFinished{job.key, JobOutcome{}}); }

 private:
  RunEventQueue& events_;
};

plan::Plan RandomDag(size_t jobs) {
  plan::Plan plan;
  std::mt19937 random(42);
  for (size_t i = 0; i < jobs; ++i) {
    plan::PlannedJob job;
    job.index = plan::JobIndex{static_cast<uint32_t>(i)};
    job.id = "job" + std::to_string(i);
    for (int k = 0; k < 3 && i > 0; ++k) {
      plan::JobIndex need{static_cast<uint32_t>(random() % i)};
      if (std::find(job.needs.begin(), job.needs.end(), need) == job.needs.end()) {
        job.needs.push_back(need);
      }
    }
    plan.jobs.push_back(std::move(job));
  }
  return plan;
}

void BM_ExecScheduler10k(benchmark::State& state) {
  plan::Plan plan = RandomDag(10'000);
  RealClock clock;
  for (auto _ : state) {
    RunEventQueue events;
    InstantRunner runner(events);
    RunRecord record;
    record.id = "bench";
    Scheduler scheduler(plan, runner, events, clock, record, nullptr, nullptr, nullptr);
    if (scheduler.Run() != RunStatus::kSuccess) state.SkipWithError("the run failed");
  }
  state.SetItemsProcessed(state.iterations() * plan.jobs.size());
  state.counters["jobs_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * plan.jobs.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ExecScheduler10k)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace slipway::exec
