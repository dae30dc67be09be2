// Golden expression cases: tests/golden/expr/<topic>.jsonl, one {"expr", "result"|"error"} per
// line (a line with only "context" sets the context for the lines after it; a line may carry
// its own "context"). Files in tests/golden/expr/generated/ (cases generated with GitHub's
// @actions/expressions) are read the same way; their expected errors are matched by presence
// only, since the TypeScript library words some messages differently. Cases listed in
// tests/golden/expr/known_differences.jsonl ({"expr", "reason"}) are skipped with the reason:
// they are where GitHub's runner, which slipway follows, and the TypeScript library disagree.
//
// SLIPWAY_UPDATE_GOLDEN=1 rewrites the hand-written files with the current results.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "interpreter/expr/batch.h"
#include "tests/support/golden.h"

namespace slipway::expr {
namespace {

using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

struct GoldenCase {
  std::string name;
  std::string file;
  bool generated = false;
  Json line;
  Json context;  // the context in effect
};

std::vector<fs::path> JsonlFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.ends_with(".jsonl") && name != "known_differences.jsonl") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Sanitize(const std::string& s) {
  std::string out;
  for (char c : s) out.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return out;
}

std::vector<GoldenCase> LoadCases() {
  std::vector<GoldenCase> cases;
  const fs::path root = testing::SourcePath("tests/golden/expr");
  for (bool generated : {false, true}) {
    for (const fs::path& file : JsonlFiles(generated ? root / "generated" : root)) {
      std::ifstream in(file);
      std::string text;
      Json context = Json::object();
      int line_no = 0;
      while (std::getline(in, text)) {
        ++line_no;
        const Json line = Json::parse(text, nullptr, false);
        if (line.is_discarded() || !line.is_object()) continue;
        if (line.contains("context") && !line.contains("expr")) {
          context = line["context"];
          continue;
        }
        if (!line.contains("expr")) continue;
        GoldenCase c;
        c.file = file.string();
        c.generated = generated;
        c.name = Sanitize((generated ? "generated_" : "") + file.stem().string() + "_" +
                          std::to_string(line_no));
        c.line = line;
        c.context = line.contains("context") ? line["context"] : context;
        cases.push_back(std::move(c));
      }
    }
  }
  return cases;
}

const std::map<std::string, std::string>& KnownDifferences() {
  static const auto* known = [] {
    auto* m = new std::map<std::string, std::string>;
    std::ifstream in(testing::SourcePath("tests/golden/expr/known_differences.jsonl"));
    std::string text;
    while (std::getline(in, text)) {
      const Json line = Json::parse(text, nullptr, false);
      if (line.is_object() && line.contains("expr")) {
        (*m)[line["expr"].get<std::string>()] = line.value("reason", "");
      }
    }
    return m;
  }();
  return *known;
}

Expected<Value, Error> RunCase(const GoldenCase& c) {
  Expected<Value> context = FromJson(c.context);
  if (!context) return MakeUnexpected(Error{ErrorKind::kEvaluation, 0, 0, context.error()});
  return EvaluateText(c.line["expr"].get<std::string>(), *context);
}

// JSON equality with numbers compared as doubles (1 == 1.0).
bool SameJson(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SameJson(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    auto ib = b.begin();
    for (auto ia = a.begin(); ia != a.end(); ++ia, ++ib) {
      if (ia.key() != ib.key() || !SameJson(ia.value(), ib.value())) return false;
    }
    return true;
  }
  return a == b;
}

class ExprGolden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(ExprGolden, Matches) {
  const GoldenCase& c = GetParam();
  const std::string text = c.line["expr"].get<std::string>();
  if (auto it = KnownDifferences().find(text); it != KnownDifferences().end()) {
    GTEST_SKIP() << it->second;
  }
  SCOPED_TRACE(c.file + ": " + text);
  Expected<Value, Error> result = RunCase(c);
  if (c.line.contains("error")) {
    ASSERT_FALSE(result.has_value()) << "expected an error, got " << ToJson(*result).dump();
    if (!c.generated) {
      const std::string want = c.line["error"].get<std::string>();
      EXPECT_NE(result.error().message.find(want), std::string::npos)
          << "message: " << result.error().message << "\nexpected: " << want;
    }
    return;
  }
  ASSERT_TRUE(result.has_value()) << "unexpected error: " << result.error().message;
  std::string written;
  WriteJson(*result, written);  // as `slipway expr` prints it (NaN → null)
  EXPECT_TRUE(SameJson(Json::parse(written), c.line["result"]))
      << "got " << written << "\nwant " << c.line["result"].dump();
}

INSTANTIATE_TEST_SUITE_P(Expr, ExprGolden, ::testing::ValuesIn(LoadCases()),
                         [](const ::testing::TestParamInfo<GoldenCase>& info) {
                           return info.param.name;
                         });

TEST(ExprGoldenUpdate, RewritesWhenAsked) {
  if (!testing::UpdateGolden()) GTEST_SKIP() << "set SLIPWAY_UPDATE_GOLDEN=1 to rewrite";
  for (const fs::path& file : JsonlFiles(testing::SourcePath("tests/golden/expr"))) {
    std::ifstream in(file);
    std::string text;
    std::string out;
    Json context = Json::object();
    while (std::getline(in, text)) {
      Json line = Json::parse(text, nullptr, false);
      if (line.is_object() && line.contains("expr")) {
        const Json before = line;
        GoldenCase c{"", file.string(), false, line,
                     line.contains("context") ? line["context"] : context};
        Expected<Value, Error> result = RunCase(c);
        line.erase("result");
        line.erase("error");
        if (result) {
          std::string written;
          WriteJson(*result, written);
          line["result"] = Json::parse(written);
        } else {
          line["error"] = result.error().message;
        }
        // Unchanged cases keep their spelling (key order and spacing).
        if (nlohmann::json::parse(line.dump()) != nlohmann::json::parse(before.dump())) {
          text = line.dump();
        }
      } else if (line.is_object() && line.contains("context")) {
        context = line["context"];
      }
      out += text + "\n";
    }
    testing::WriteFile(file.string(), out);
  }
}

}  // namespace
}  // namespace slipway::expr
