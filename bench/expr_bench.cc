// Expression engine throughput on a realistic mix: every "${{ }}" of the shared corpus
// (../shared/corpus/real/*.yml, one expression per "${{ }}" on a line) against one shared
// context (bench/expr_context.json). bench/expr_batch_compare.sh measures the same cases
// through `slipway expr --batch` against GitHub's evaluator and reports the ratio.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "interpreter/expr/batch.h"
#include "interpreter/expr/evaluator.h"
#include "interpreter/expr/parser.h"
#include "interpreter/expr/template.h"

namespace slipway::expr {
namespace {

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Corpus {
  std::vector<std::string> texts;
  Value context;
  ParseOptions options;
  std::vector<Expr> parsed;  // the ones that parse
};

const Corpus& GetCorpus() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& e :
         std::filesystem::directory_iterator(SLIPWAY_SHARED_DIR "/corpus/real", ec)) {
      const std::string ext = e.path().extension().string();
      if (ext == ".yml" || ext == ".yaml") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::istringstream lines(ReadAll(f));
      std::string line;
      while (std::getline(lines, line)) {
        if (!HasExpressions(line)) continue;
        Expected<std::vector<TemplatePart>, Error> parts = SplitTemplate(line);
        if (!parts) continue;
        for (const TemplatePart& p : *parts) {
          if (p.is_expression) c->texts.emplace_back(p.text);
        }
      }
    }
    const auto json =
        nlohmann::ordered_json::parse(ReadAll(SLIPWAY_SOURCE_DIR "/bench/expr_context.json"));
    c->context = *FromJson(json);
    c->options.named_values = ContextNames(c->context);
    for (const std::string& t : c->texts) {
      Expected<Expr, Error> e = Parse(t, c->options);
      if (e) c->parsed.push_back(std::move(e).value());
    }
    return c;
  }();
  return *corpus;
}

void BM_ExprParse(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  for (auto _ : state) {
    for (const std::string& t : c.texts) benchmark::DoNotOptimize(Parse(t, c.options));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(c.texts.size()));
}
BENCHMARK(BM_ExprParse)->Unit(benchmark::kMillisecond);

void BM_ExprEvaluate(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  for (auto _ : state) {
    for (const Expr& e : c.parsed) benchmark::DoNotOptimize(Evaluate(e, c.context));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(c.parsed.size()));
}
BENCHMARK(BM_ExprEvaluate)->Unit(benchmark::kMillisecond);

void BM_ExprParseEvaluate(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  for (auto _ : state) {
    for (const std::string& t : c.texts) {
      Expected<Expr, Error> e = Parse(t, c.options);
      if (e) benchmark::DoNotOptimize(Evaluate(*e, c.context));
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(c.texts.size()));
}
BENCHMARK(BM_ExprParseEvaluate)->Unit(benchmark::kMillisecond);

// The whole `expr --batch` line path: JSON line in, JSON line out.
void BM_ExprBatchLines(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  std::vector<std::string> lines;
  for (const std::string& t : c.texts) {
    nlohmann::ordered_json line = {{"expr", t}};
    lines.push_back(line.dump());
  }
  const std::string context_line =
      "{\"context\":" + ReadAll(SLIPWAY_SOURCE_DIR "/bench/expr_context.json") + "}";
  for (auto _ : state) {
    BatchSession session;
    std::string out;
    session.ProcessLine(context_line, out);
    for (const std::string& l : lines) session.ProcessLine(l, out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(lines.size()));
}
BENCHMARK(BM_ExprBatchLines)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace slipway::expr
