// Conformance of `slipway validate` with GitHub's own workflow parser, read at test time from
// ../shared:
//   - corpus/real/*.y*ml with anchor-verdicts.jsonl: every file GitHub's parser accepts must
//     validate with no error; every file it rejects must get an error on a line where GitHub
//     reports one.
//   - conformance/workflow-parser/*.yml (GitHub's parser test cases): the same accept/reject
//     agreement, and for rejected cases an error on one of GitHub's lines.
// Deliberate differences are listed, each with its reason, in workflow_differences.txt.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "interpreter/validate/validate.h"
#include "stdlib/registry.h"
#include "tests/support/golden.h"

namespace slipway {
namespace {

struct Outcome {
  std::set<uint32_t> error_lines;
  std::string first_errors;  // for failure messages
};

/// The called workflows a parser case carries after its workflow, by their `uses` value.
using Callees = std::map<std::string, std::string>;

Outcome Validate(const std::string& name, const std::string& text, const Callees& callees = {}) {
  static const step_api::StepCatalog catalog = stdlib::BuiltinSteps();
  SourceManager sources;
  FileId file = sources.Add(name, text);
  Diagnostics diagnostics;
  validate::ValidateOptions options;
  options.read_callee = [&callees](std::string_view uses) -> std::optional<std::string> {
    auto it = callees.find(std::string(uses));
    if (it == callees.end()) return std::nullopt;
    return it->second;
  };
  validate::ValidateText(sources, file, catalog, diagnostics, options);
  diagnostics.Sort();
  Outcome outcome;
  for (const Diagnostic& d : diagnostics.items()) {
    if (d.severity != Severity::kError) continue;
    outcome.error_lines.insert(d.where.begin.line);
    if (outcome.first_errors.size() < 600) {
      outcome.first_errors += std::to_string(d.where.begin.line) + ":" +
                              std::to_string(d.where.begin.col) + ": " + d.message + " [" + d.rule +
                              "]\n";
    }
  }
  return outcome;
}

/// workflow_differences.txt: "<corpus|parser> <file> <reason...>" per line, # comments.
std::map<std::string, std::string> Differences() {
  std::map<std::string, std::string> result;
  std::istringstream in(
      testing::ReadFile(testing::SourcePath("tests/conformance/workflow_differences.txt")));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string set, file, reason;
    fields >> set >> file;
    std::getline(fields, reason);
    result[set + " " + file] = reason;
  }
  return result;
}

/// Compares one verdict; returns "" when slipway agrees, else what differs.
std::string Compare(bool github_accepts, const std::set<uint32_t>& github_lines,
                    const Outcome& ours) {
  if (github_accepts) {
    return ours.error_lines.empty() ? "" : "GitHub accepts; slipway reports:\n" + ours.first_errors;
  }
  if (ours.error_lines.empty()) return "GitHub rejects; slipway reports no error";
  if (github_lines.empty()) return "";
  for (uint32_t line : github_lines) {
    if (ours.error_lines.count(line)) return "";
  }
  std::string lines;
  for (uint32_t line : github_lines) lines += " " + std::to_string(line);
  return "GitHub rejects at lines" + lines + "; slipway reports:\n" + ours.first_errors;
}

TEST(WorkflowConformance, RealCorpusAgreesWithGitHubParser) {
  std::map<std::string, std::string> differences = Differences();
  std::string dir = testing::SharedPath("corpus/real/");
  std::istringstream verdicts(testing::ReadFile(dir + "anchor-verdicts.jsonl"));
  std::string line;
  int accepted = 0, accepted_agree = 0, rejected = 0, rejected_agree = 0, listed = 0;
  while (std::getline(verdicts, line)) {
    if (line.empty()) continue;
    nlohmann::json verdict = nlohmann::json::parse(line);
    std::string file = verdict["file"];
    bool accepts = verdict["workflow_parser"]["accepts"];
    std::set<uint32_t> lines;
    for (const auto& error : verdict["workflow_parser"]["errors"]) {
      lines.insert(error.value("line", 0u));
    }
    std::string diff = Compare(accepts, lines, Validate(file, testing::ReadFile(dir + file)));
    (accepts ? accepted : rejected) += 1;
    if (diff.empty()) {
      (accepts ? accepted_agree : rejected_agree) += 1;
    } else if (differences.count("corpus " + file)) {
      ++listed;
    } else {
      ADD_FAILURE() << file << ": " << diff;
    }
  }
  std::cout << "corpus: accepted " << accepted_agree << "/" << accepted << ", rejected "
            << rejected_agree << "/" << rejected << ", listed differences " << listed << "\n";
  EXPECT_GT(accepted + rejected, 500) << "corpus not found";
}

TEST(WorkflowConformance, ParserCasesAgreeWithGitHubParser) {
  std::map<std::string, std::string> differences = Differences();
  std::string dir = testing::SharedPath("conformance/workflow-parser/");
  static const RE2 kLine(R"(\(Line: (\d+), Col: \d+\))");
  int total = 0, agree = 0, listed = 0;
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".yml") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    std::string text = testing::ReadFile(dir + name);
    // header --- workflow --- expected
    size_t first = text.find("\n---\n");
    size_t second = first == std::string::npos ? first : text.find("\n---\n", first + 5);
    if (second == std::string::npos) {
      ADD_FAILURE() << name << ": not in header/workflow/expected form";
      continue;
    }
    // Line numbers in GitHub's messages count from the workflow's first line.
    std::string workflow = text.substr(first + 5, second - first - 4);
    std::string expected = text.substr(second + 5);
    // Reusable-workflow cases carry the called workflows next: "<uses>\n---\n<text>\n---\n".
    Callees callees;
    while (!expected.empty() && expected[0] != '{') {
      size_t name_end = expected.find("\n---\n");
      size_t doc_end =
          name_end == std::string::npos ? name_end : expected.find("\n---\n", name_end + 5);
      if (doc_end == std::string::npos) break;
      callees[expected.substr(0, name_end)] = expected.substr(name_end + 5, doc_end - name_end - 4);
      expected = expected.substr(doc_end + 5);
    }
    bool accepts = expected.find("\"errors\"") == std::string::npos;
    std::set<uint32_t> lines;
    re2::StringPiece input(expected);
    std::string number;
    while (RE2::FindAndConsume(&input, kLine, &number)) lines.insert(std::stoul(number));
    ++total;
    // The called workflows are validated too, each in its own file, as `plan` and `run` do
    // (plan/called_workflows.cc): GitHub reports a problem of a callee's own call there.
    Outcome ours = Validate(name, workflow, callees);
    for (const auto& [uses, text] : callees) {
      Outcome callee = Validate(uses, text, callees);
      ours.error_lines.insert(callee.error_lines.begin(), callee.error_lines.end());
      ours.first_errors += callee.first_errors;
    }
    std::string diff = Compare(accepts, lines, ours);
    if (diff.empty()) {
      ++agree;
    } else if (differences.count("parser " + name)) {
      ++listed;
    } else {
      ADD_FAILURE() << name << ": " << diff;
    }
  }
  std::cout << "workflow-parser cases: agree " << agree << "/" << total << ", listed differences "
            << listed << "\n";
  EXPECT_GT(total, 150) << "conformance cases not found";
}

}  // namespace
}  // namespace slipway
