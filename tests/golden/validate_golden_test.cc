// Golden tests of `slipway validate`: tests/golden/validate/ok/*.yml must give no diagnostic at
// all; tests/golden/validate/err/<case>.yml must give exactly the lines of <case>.out, one
// diagnostic per line as `line:col: severity: message [rule]` (a line written /regex/ matches
// by regular expression). SLIPWAY_UPDATE_GOLDEN=1 rewrites the .out files.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "interpreter/validate/validate.h"
#include "stdlib/registry.h"
#include "tests/support/golden.h"

namespace slipway {
namespace {

using testing::ListCases;
using testing::ReadFile;
using testing::SourcePath;

/// Validates `text` as `path` and renders one line per diagnostic, without the file name, in
/// position order (`sorted`) or as found.
std::string ValidateToLines(const std::string& path, const std::string& text,
                            size_t two_threads_from_jobs = 256, bool sorted = true) {
  SourceManager sources;
  FileId file = sources.Add(path, text);
  Diagnostics diagnostics;
  step_api::StepCatalog catalog = stdlib::BuiltinSteps();
  validate::ValidateOptions options;
  // Local reusable-workflow calls (./tests/golden/validate/callees/...) are read from the
  // source root, where the err/ cases run.
  options.read_callee = validate::LocalCalleeReader(".");
  options.two_threads_from_jobs = two_threads_from_jobs;
  validate::ValidateText(sources, file, catalog, diagnostics, options);
  if (sorted) diagnostics.Sort();
  std::string out;
  for (const Diagnostic& d : diagnostics.items()) {
    out += fmt::format("{}:{}: {}: {} [{}]\n", d.where.begin.line, d.where.begin.col,
                       SeverityName(d.severity), d.message, d.rule);
  }
  return out;
}

class ValidateOkGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ValidateOkGolden, HasNoDiagnostics) {
  std::string text = ReadFile(SourcePath("tests/golden/validate/ok/" + GetParam() + ".yml"));
  EXPECT_EQ(ValidateToLines("test.yml", text), "");
}

INSTANTIATE_TEST_SUITE_P(Ok, ValidateOkGolden,
                         ::testing::ValuesIn(ListCases("tests/golden/validate/ok", ".yml")));

class ValidateErrGolden : public ::testing::TestWithParam<std::string> {
 protected:
  // `uses: ./path` (rule local-action) resolves against the workspace: the repository root.
  static void SetUpTestSuite() { ASSERT_EQ(chdir(SourcePath("").c_str()), 0); }
};

TEST_P(ValidateErrGolden, MatchesOut) {
  std::string base = SourcePath("tests/golden/validate/err/" + GetParam());
  std::string text = ReadFile(base + ".yml");
  std::string actual = ValidateToLines("test.yml", text);
  if (testing::UpdateGolden()) {
    testing::WriteFile(base + ".out", actual);
    return;
  }
  std::string expected = ReadFile(base + ".out");
  ASSERT_FALSE(expected.empty()) << "err/ case with an empty .out: move it to ok/";
  // Every invalid workflow must fail validation (warn_* cases hold likely bugs GitHub accepts).
  if (GetParam().rfind("warn_", 0) != 0) {
    EXPECT_NE(actual.find(": error: "), std::string::npos) << "no error for " << GetParam();
  }
  testing::ExpectLinesMatch(expected, actual);
}

// Large files are checked on two threads: the findings, and their order before sorting, must be
// those of one thread.
TEST_P(ValidateErrGolden, SameOnTwoThreads) {
  std::string text = ReadFile(SourcePath("tests/golden/validate/err/" + GetParam() + ".yml"));
  constexpr size_t kNever = SIZE_MAX;
  EXPECT_EQ(ValidateToLines("test.yml", text, /*two_threads_from_jobs=*/0, /*sorted=*/false),
            ValidateToLines("test.yml", text, kNever, /*sorted=*/false));
}

INSTANTIATE_TEST_SUITE_P(Err, ValidateErrGolden,
                         ::testing::ValuesIn(ListCases("tests/golden/validate/err", ".yml")));

}  // namespace
}  // namespace slipway
