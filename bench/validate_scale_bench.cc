// Validation of one file of the maximum size (4 MiB, slipway's and GitHub's limit) holding tens
// of thousands of jobs that reference each other (needs, needs.<id>.outputs, step outputs):
// the work must grow linearly with the number of jobs (issue 10 §5: 10k jobs took 3 s, 40k 37 s
// while Workflow::FindJob was a linear search per reference). Reference measured in the same
// run: yaml-cpp's bare YAML::Load of the same text.
//   BM_YamlCppLoadMaxFile    YAML::Load of the 4 MiB file
//   BM_ValidateMaxFile       slipway's load + schema pass + every rule of the same file
//   BM_ValidateJobs/N        the same shape with N jobs, to see the growth (N = 2.5k .. 10k; the 4
//   MiB file holds about 17k)
// Target: BM_ValidateMaxFile well under a second on the CI machine (not a test: no timing
// assertion anywhere).
#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>

#include <string>

#include "interpreter/validate/validate.h"
#include "stdlib/registry.h"

namespace {

constexpr size_t kMaxFileSize = 4u << 20;

/// A workflow of `jobs` jobs (0 = as many as fit in kMaxFileSize), each needing the previous
/// one and reading its output.
std::string ManyJobs(size_t jobs) {
  std::string text =
      "name: many jobs\non:\n  workflow_dispatch:\n    inputs:\n      level:\n        type: "
      "string\n        default: info\njobs:\n";
  for (size_t i = 0;; ++i) {
    std::string id = "job_" + std::to_string(i);
    std::string job = "  " + id + ":\n";
    if (i > 0) {
      std::string prev = "job_" + std::to_string(i - 1);
      job += "    needs: " + prev + "\n";
      job += "    if: needs." + prev + ".outputs.ok == 'true'\n";
    }
    job += "    runs-on: ubuntu-latest\n    outputs:\n      ok: ${{ steps.s.outputs.ok }}\n";
    job +=
        "    steps:\n      - id: s\n        run: echo \"ok=true ${{ inputs.level }}\" >> "
        "\"$GITHUB_OUTPUT\"\n";
    if ((jobs == 0 && text.size() + job.size() > kMaxFileSize) || (jobs != 0 && i == jobs)) break;
    text += job;
  }
  return text;
}

void BM_YamlCppLoadMaxFile(benchmark::State& state) {
  const std::string text = ManyJobs(0);
  for (auto _ : state) {
    YAML::Node node = YAML::Load(text);
    benchmark::DoNotOptimize(node);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_YamlCppLoadMaxFile)->Unit(benchmark::kMillisecond);

void Validate(benchmark::State& state, const std::string& text) {
  const slipway::step_api::StepCatalog catalog = slipway::stdlib::BuiltinSteps();
  for (auto _ : state) {
    slipway::SourceManager sources;
    slipway::FileId id = sources.Add("many.yml", text);
    slipway::Diagnostics diagnostics;
    auto workflow = slipway::validate::ValidateText(sources, id, catalog, diagnostics);
    if (diagnostics.has_errors()) state.SkipWithError("the generated workflow has errors");
    benchmark::DoNotOptimize(workflow);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_ValidateMaxFile(benchmark::State& state) { Validate(state, ManyJobs(0)); }
BENCHMARK(BM_ValidateMaxFile)->Unit(benchmark::kMillisecond);

void BM_ValidateJobs(benchmark::State& state) {
  Validate(state, ManyJobs(static_cast<size_t>(state.range(0))));
  state.counters["jobs"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_ValidateJobs)->Arg(2500)->Arg(5000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
