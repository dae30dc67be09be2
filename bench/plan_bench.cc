// Planning speed on synthetic workflows of 1,000 / 10,000 / 100,000 jobs: a
// random DAG (fixed seed, ~3 needs per job), a matrix on every 25th job,
// expressions in `if:` and in every step. Reports time per plan, microseconds
// per job (flat across sizes = linear growth) and the process's peak RSS.
// Target (issue 4): 10,000 jobs planned in under 200 ms.
//
// The workflow is built as a YAML tree in memory (the loader caps files at 4
// MiB, which the 100,000-job case exceeds); BuildModel and BuildPlan are the real ones.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <map>
#include <memory>
#include <random>
#include <string>

#include "interpreter/model/build_model.h"
#include "interpreter/plan/planner.h"

namespace slipway {
namespace {

yaml::Node Scalar(std::string value) {
  yaml::Node n;
  n.kind = yaml::NodeKind::kScalar;
  n.value = std::move(value);
  return n;
}

yaml::Node Map(std::vector<std::pair<std::string, yaml::Node>> entries) {
  yaml::Node n;
  n.kind = yaml::NodeKind::kMapping;
  for (auto& [key, value] : entries) n.entries.emplace_back(Scalar(key), std::move(value));
  return n;
}

yaml::Node Seq(std::vector<yaml::Node> items) {
  yaml::Node n;
  n.kind = yaml::NodeKind::kSequence;
  n.items = std::move(items);
  return n;
}

std::shared_ptr<const yaml::Node> SyntheticWorkflow(int jobs) {
  std::mt19937 rng(20261122);
  yaml::Node job_map;
  job_map.kind = yaml::NodeKind::kMapping;
  for (int i = 0; i < jobs; ++i) {
    std::vector<std::pair<std::string, yaml::Node>> job;
    job.emplace_back("runs-on", Scalar("ubuntu-latest"));
    if (i > 0) {
      std::vector<yaml::Node> needs;
      int count = std::min(i, 3);
      // Mostly recent jobs, as real pipelines chain stages; some reach far back.
      for (int k = 0; k < count; ++k) {
        int window = std::min(i, (rng() % 4 == 0) ? i : 50);
        needs.push_back(Scalar("j" + std::to_string(i - 1 - static_cast<int>(rng() % window))));
      }
      job.emplace_back("needs", Seq(std::move(needs)));
      switch (rng() % 4) {
        case 0:
          job.emplace_back("if", Scalar("github.ref == 'refs/heads/main' && inputs.deploy"));
          break;
        case 1:
          job.emplace_back("if",
                           Scalar("${{ !cancelled() && contains(github.event_name, 'push') }}"));
          break;
        case 2:
          job.emplace_back("if", Scalar("always()"));
          break;
        default:
          break;
      }
    }
    if (i % 25 == 0) {
      job.emplace_back(
          "strategy",
          Map({{"matrix", Map({{"os", Seq({Scalar("ubuntu"), Scalar("macos"), Scalar("windows")})},
                               {"node", Seq({Scalar("18"), Scalar("20")})}})}}));
    }
    job.emplace_back("env", Map({{"STAGE", Scalar("stage-${{ github.ref_name }}")}}));
    job.emplace_back("steps",
                     Seq({Map({{"run", Scalar("make build SHA=${{ github.sha }} STAGE=$STAGE")}}),
                          Map({{"if", Scalar("github.event_name == 'push'")},
                               {"run", Scalar("echo ${{ inputs.target }} ${{ "
                                              "steps.x.outputs.y }}")}})}));
    job_map.entries.emplace_back(Scalar("j" + std::to_string(i)), Map(std::move(job)));
  }
  auto root = std::make_shared<yaml::Node>(Map({{"on", Scalar("push")}}));
  root->entries.emplace_back(Scalar("jobs"), std::move(job_map));
  return root;
}

struct Prepared {
  model::Workflow workflow;
  plan::PlanRequest request;
};

/// Built once per size and reused by every iteration (and by the next benchmark of that size).
const Prepared& Prepare(int jobs) {
  static std::map<int, std::unique_ptr<Prepared>> cache;
  std::unique_ptr<Prepared>& slot = cache[jobs];
  if (!slot) {
    slot = std::make_unique<Prepared>();
    slot->workflow = model::BuildModel(SyntheticWorkflow(jobs), kNoFile);
    plan::Event& event = slot->request.event;
    event.name = "push";
    event.ref = "refs/heads/main";
    event.ref_name = "main";
    event.ref_type = "branch";
    event.sha = "1111111111111111111111111111111111111111";
    event.actor = "octocat";
    event.repository = "example/app";
    slot->request.inputs = {{"deploy", true}, {"target", "prod"}};
    slot->request.workflow_path = "synthetic.yml";
  }
  return *slot;
}

long PeakRssKb() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

void BM_PlanJobs(benchmark::State& state) {
  const int jobs = static_cast<int>(state.range(0));
  const Prepared& prepared = Prepare(jobs);
  size_t planned = 0;
  for (auto _ : state) {
    Diagnostics diagnostics;
    plan::Plan plan = plan::BuildPlan(prepared.workflow, prepared.request, diagnostics);
    planned = plan.jobs.size();
    benchmark::DoNotOptimize(plan);
  }
  state.counters["jobs"] = static_cast<double>(planned);
  state.counters["us_per_job"] = benchmark::Counter(
      static_cast<double>(jobs) * state.iterations(),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert, benchmark::Counter::kIs1000);
  state.counters["peak_rss_mb"] = static_cast<double>(PeakRssKb()) / 1024.0;
}

BENCHMARK(BM_PlanJobs)->Arg(1000)->Iterations(10)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PlanJobs)->Arg(10000)->Iterations(5)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PlanJobs)->Arg(100000)->Iterations(2)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace slipway
