// libFuzzer target for the expression engine: lexer, parser, evaluator and template splitting
// on arbitrary bytes. Any crash, hang or sanitizer report is a bug (STYLE.md §5): user input
// must only ever produce values or errors.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "interpreter/expr/analysis.h"
#include "interpreter/expr/batch.h"
#include "interpreter/expr/evaluator.h"
#include "interpreter/expr/parser.h"
#include "interpreter/expr/template.h"

namespace {

const slipway::expr::Value& Context() {
  static const slipway::expr::Value* context = [] {
    const auto json = nlohmann::ordered_json::parse(R"({
      "github": {"ref": "refs/heads/main", "event": {"labels": [{"name": "a"}, {"name": "B"}]}},
      "env": {"X": "1", "Y": ""}, "matrix": {"os": ["linux", "mac"], "n": 3},
      "inputs": {"flag": true, "text": "it's"}})");
    return new slipway::expr::Value(*slipway::expr::FromJson(json));
  }();
  return *context;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  slipway::expr::ParseOptions options;
  options.named_values = {"github", "env", "matrix", "inputs"};
  options.allow_unknown_functions = (size % 2) == 1;
  slipway::expr::EvalOptions eval;
  eval.workspace = "/nonexistent-slipway-fuzz";  // hashFiles finds nothing, quickly
  auto parsed = slipway::expr::Parse(text, options);
  if (parsed) {
    (void)parsed->Dump();
    (void)slipway::expr::Analyze(*parsed);
    (void)slipway::expr::Evaluate(*parsed, Context(), eval);
  }
  (void)slipway::expr::EvaluateTemplate(text, Context(), options, eval);
  auto condition = slipway::expr::ParseCondition(text, options);
  if (condition) (void)slipway::expr::EvaluateCondition(*condition, Context(), eval);
  // The same bytes as `slipway expr --batch` input lines.
  slipway::expr::BatchSession session;
  std::string out;
  session.ProcessLine(text, out);
  session.ProcessLine("{\"expr\": \"" + std::string(text.substr(0, 200)) + "\"}", out);
  return 0;
}
