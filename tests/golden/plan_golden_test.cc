// Golden tests of `slipway plan`: each tests/golden/plan/<case>/ holds `args`
// (the command line after `slipway plan`; the first word is the workflow path
// relative to the source tree, or the case's own workflow.yml when the line
// starts with "--") and the expected output in every format: expected.txt
// (diagnostics, then the text plan), expected.json, expected.mermaid and
// expected.dot. A case whose arguments are refused (exit 2) has only
// expected.txt. Plans are made on a fixed git checkout (main at 1111…,
// example/app, actor octocat), so they do not depend on the real repository.
// SLIPWAY_UPDATE_GOLDEN=1 rewrites the expected files (the SHA-256 lines are
// written as /regex/ lines so that editing a workflow shows up only where the plan changes).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include "interpreter/plan/plan_file.h"
#include "interpreter/plan/render.h"
#include "interpreter/validate/render.h"
#include "interpreter/validate/schema_pass.h"
#include "interpreter/yaml/loader.h"
#include "schemas/embedded.h"
#include "stdlib/registry.h"
#include "tests/support/golden.h"

namespace slipway {
namespace {

using testing::ReadFile;
using testing::SourcePath;

/// Splits an args line like a shell would for simple quoting ("..." and '...').
std::vector<std::string> SplitArgs(const std::string& line) {
  std::vector<std::string> out;
  std::string current;
  bool in_word = false;
  char quote = 0;
  for (char c : line) {
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else {
        current += c;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\n' || c == '\t') {
      if (in_word) out.push_back(current);
      current.clear();
      in_word = false;
    } else {
      current += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(current);
  return out;
}

/// The flags of `slipway plan` → PlanOptions; false (with a failure) on an unknown flag.
bool ParseOptions(const std::string& name, const std::vector<std::string>& args,
                  plan::PlanOptions* options, std::string* format_error) {
  size_t i = 0;
  if (!args.empty() && args[0].rfind("--", 0) != 0) {
    options->workflow_path = args[0];
    i = 1;
  } else {
    options->workflow_path = "tests/golden/plan/" + name + "/workflow.yml";
  }
  for (; i + 1 < args.size(); i += 2) {
    const std::string& flag = args[i];
    const std::string& value = args[i + 1];
    std::pair<std::string, std::string> kv;
    if (flag == "--event") {
      options->event_name = value;
    } else if (flag == "--ref") {
      options->ref = value;
    } else if (flag == "--sha") {
      options->sha = value;
    } else if (flag == "--actor") {
      options->actor = value;
    } else if (flag == "--action") {
      options->action = value;
    } else if (flag == "--at") {
      options->at = value;
    } else if (flag == "--event-file") {
      options->event_file = value;
    } else if (flag == "--env-config") {
      options->env_config = value;
    } else if (flag == "--input" && plan::SplitKeyValue(value, &kv)) {
      options->inputs.push_back(kv);
    } else if (flag == "--var" && plan::SplitKeyValue(value, &kv)) {
      options->vars.push_back(kv);
    } else {
      *format_error = "unsupported argument \"" + flag + "\" in args";
      return false;
    }
  }
  if (i != args.size()) {
    *format_error = "flag without a value in args";
    return false;
  }
  return true;
}

std::string RenderDiagnostics(const SourceManager& sources, Diagnostics& diagnostics) {
  diagnostics.Sort();
  std::string out;
  std::map<FileId, validate::FileResult> by_file;
  for (const Diagnostic& d : diagnostics.items()) {
    if (d.where.file == kNoFile) {
      out += std::string("slipway plan: ") + SeverityName(d.severity) + ": " + d.message + " [" +
             d.rule + "]\n";
      continue;
    }
    by_file[d.where.file].path = sources.path(d.where.file);
    by_file[d.where.file].diagnostics.push_back(d);
  }
  std::vector<validate::FileResult> files;
  for (auto& [file, result] : by_file) files.push_back(std::move(result));
  if (!files.empty()) out += validate::RenderText(sources, files);
  return out;
}

/// JSON with the SHA-256 lines turned into /regex/ lines.
std::string GoldenJson(const std::string& json) {
  std::string out;
  for (const std::string& line : testing::SplitLines(json)) {
    size_t key = line.find("_sha256\": \"");
    if (key != std::string::npos) {
      std::string prefix = line.substr(0, key + 11);
      out += "/" + prefix + "[0-9a-f]{64}\",?/\n";
    } else {
      out += line + "\n";
    }
  }
  return out;
}

class PlanGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(PlanGolden, MatchesEveryFormat) {
  const std::string name = GetParam();
  const std::string dir = SourcePath("tests/golden/plan/" + name);
  // Paths in args and outputs are relative to the source tree.
  ASSERT_EQ(chdir(SourcePath("").c_str()), 0);
  plan::PlanOptions options;
  std::string args_error;
  ASSERT_TRUE(ParseOptions(name, SplitArgs(ReadFile(dir + "/args")), &options, &args_error))
      << args_error;
  options.work_dir = ".";
  options.probe_tools = false;  // the expected output must not depend on this machine's tools
  plan::GitInfo git;
  git.ref = "refs/heads/main";
  git.sha = "1111111111111111111111111111111111111111";
  git.repository = "example/app";
  git.actor = "octocat";
  git.default_branch = "main";

  SourceManager sources;
  Diagnostics diagnostics;
  std::optional<plan::Plan> result;
  step_api::StepCatalog catalog = stdlib::BuiltinSteps();
  plan::PlanStatus status = plan::MakePlan(sources, options, git, catalog, diagnostics, &result);
  std::map<std::string, std::string> actual;
  actual["expected.txt"] = RenderDiagnostics(sources, diagnostics);
  if (status != plan::PlanStatus::kUsageError) {
    ASSERT_TRUE(result.has_value());
    actual["expected.txt"] += plan::RenderText(*result, false);
    actual["expected.json"] = plan::RenderJson(*result);
    actual["expected.mermaid"] = plan::RenderMermaid(*result);
    actual["expected.dot"] = plan::RenderDot(*result);
  }
  // The JSON form is a contract: it must satisfy schemas/plan.schema.json.
  if (actual.count("expected.json")) {
    SourceManager json_sources;
    FileId file = json_sources.Add("plan.json", actual["expected.json"]);
    Diagnostics schema;
    std::optional<yaml::Node> root = yaml::LoadYaml(json_sources, file, schema);
    ASSERT_TRUE(root.has_value());
    validate::CheckAgainstSchema(*root, schemas::Embedded("plan"), schema);
    EXPECT_TRUE(schema.empty()) << RenderDiagnostics(json_sources, schema);
  }
  if (testing::UpdateGolden()) {
    for (const char* file : {"expected.json", "expected.mermaid", "expected.dot"}) {
      std::filesystem::remove(dir + "/" + file);
    }
    for (const auto& [file, text] : actual) {
      testing::WriteFile(dir + "/" + file, file == "expected.json" ? GoldenJson(text) : text);
    }
    return;
  }
  for (const char* file : {"expected.json", "expected.mermaid", "expected.dot"}) {
    EXPECT_EQ(std::filesystem::exists(dir + "/" + file), actual.count(file) > 0)
        << name << "/" << file << (actual.count(file) ? " is missing" : " should not exist");
  }
  for (const auto& [file, text] : actual) {
    SCOPED_TRACE(name + "/" + file);
    std::string expected = ReadFile(dir + "/" + file);
    ASSERT_FALSE(expected.empty());
    testing::ExpectLinesMatch(expected, text);
  }
}

std::vector<std::string> PlanCases() {
  std::vector<std::string> cases;
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath("tests/golden/plan"))) {
    if (entry.is_directory()) cases.push_back(entry.path().filename().string());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Plan, PlanGolden, ::testing::ValuesIn(PlanCases()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace slipway
