// Validation throughput over the real-world corpus (../shared/corpus/real), against the floor
// set by yaml-cpp itself, measured side by side in the same run:
//   BM_YamlCppLoad      bare YAML::Load of every corpus file
//   BM_ValidateCorpus   slipway's load + schema pass + semantic rules of the same files
// Target (issue 2): BM_ValidateCorpus time ≤ 1.4 × BM_YamlCppLoad time. Both report files/s.
#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "interpreter/validate/validate.h"
#include "stdlib/registry.h"

namespace {

struct CorpusFile {
  std::string path;
  std::string text;
};

const std::vector<CorpusFile>& Corpus() {
  static const std::vector<CorpusFile> files = [] {
    std::vector<CorpusFile> result;
    std::string dir = std::string(SLIPWAY_SHARED_DIR) + "/corpus/real";
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
      std::string ext = entry.path().extension().string();
      if (ext != ".yml" && ext != ".yaml") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      result.push_back({entry.path().string(), text.str()});
    }
    std::sort(result.begin(), result.end(),
              [](const CorpusFile& a, const CorpusFile& b) { return a.path < b.path; });
    return result;
  }();
  return files;
}

void BM_YamlCppLoad(benchmark::State& state) {
  const std::vector<CorpusFile>& files = Corpus();
  for (auto _ : state) {
    for (const CorpusFile& file : files) {
      try {
        YAML::Node node = YAML::Load(file.text);
        benchmark::DoNotOptimize(node);
      } catch (const YAML::Exception&) {
      }
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * files.size()));
}
BENCHMARK(BM_YamlCppLoad)->Unit(benchmark::kMillisecond);

void BM_ValidateCorpus(benchmark::State& state) {
  const std::vector<CorpusFile>& files = Corpus();
  const slipway::step_api::StepCatalog catalog = slipway::stdlib::BuiltinSteps();
  for (auto _ : state) {
    slipway::SourceManager sources;
    for (const CorpusFile& file : files) {
      slipway::FileId id = sources.Add(file.path, file.text);
      slipway::Diagnostics diagnostics;
      auto workflow = slipway::validate::ValidateText(sources, id, catalog, diagnostics);
      benchmark::DoNotOptimize(workflow);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * files.size()));
}
BENCHMARK(BM_ValidateCorpus)->Unit(benchmark::kMillisecond);

}  // namespace
