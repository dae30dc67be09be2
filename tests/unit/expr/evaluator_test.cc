// Evaluation tables against one context, plus status functions, hashFiles and limits.
#include "interpreter/expr/evaluator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "interpreter/expr/batch.h"
#include "interpreter/expr/hash_files.h"
#include "interpreter/expr/parser.h"

namespace slipway::expr {
namespace {

Value TestContext() {
  static const char* kJson = R"({
    "github": {"ref": "refs/tags/v1.2.0", "event_name": "workflow_dispatch",
               "event": {"inputs": {"confirm": "DEPLOY TO PRODUCTION"},
                         "issue": {"labels": [{"name": "bug"}, {"name": "ops"}]}}},
    "inputs": {"deployment_confirmation": "DEPLOY TO PRODUCTION", "dry_run": false, "n": 3},
    "needs": {"build": {"result": "success", "outputs": {"version": "1.2.0"}}},
    "matrix": {"os": "ubuntu-latest", "node": [18, 20]},
    "env": {"STAGE": "prod"}
  })";
  return *FromJson(nlohmann::ordered_json::parse(kJson));
}

// Parses with every function available (status functions, hashFiles), as in a workflow step.
std::string Eval(const std::string& text, const EvalOptions& options = {}) {
  const Value context = TestContext();
  ParseOptions parse_options;
  parse_options.named_values = ContextNames(context);
  Expected<Expr, Error> e = Parse(text, parse_options);
  if (!e) return "error: " + e.error().message;
  Expected<Value, Error> v = Evaluate(*e, context, options);
  if (!v) return "error: " + v.error().message;
  std::string out;
  WriteJson(*v, out);
  return out;
}

TEST(Evaluator, Table) {
  const struct {
    const char* in;
    const char* out;
  } kCases[] = {
      {"inputs.deployment_confirmation == 'DEPLOY TO PRODUCTION'", "true"},
      {"inputs.DEPLOYMENT_CONFIRMATION == 'deploy to production'", "true"},
      {"startsWith(github.ref, 'refs/tags/v')", "true"},
      {"needs.build.outputs.version", "\"1.2.0\""},
      {"needs['build'].OUTPUTS['version']", "\"1.2.0\""},
      {"needs.deploy.outputs.version", "null"},
      {"join(github.event.issue.labels.*.name, ', ')", "\"bug, ops\""},
      {"contains(github.event.issue.labels.*.name, 'OPS')", "true"},
      {"matrix.node[1]", "20"},
      {"matrix.node[5]", "null"},
      {"inputs.dry_run || 'default'", "\"default\""},
      {"inputs.n && 'yes'", "\"yes\""},
      {"!inputs.dry_run", "true"},
      {"format('{0}-{1}', env.STAGE, inputs.n)", "\"prod-3\""},
      {"format('{{{0}}}', 'x')", "\"{x}\""},
      {"toJSON(matrix.node)", "\"[\\n  18,\\n  20\\n]\""},
      {"fromJSON('{\"a\": [1, 2]}').a[1]", "2"},
      {"fromJSON('NaN') == fromJSON('NaN')", "false"},
      // Newtonsoft reads single-quoted strings and unquoted property names.
      {"fromJSON('{''k'': ''v\"w''}').k", "\"v\\\"w\""},
      {"fromJSON('{key_1: 5, null: [''x'', \"y\"]}').null[0]", "\"x\""},
      {"fromJSON('{key_1 : 5}').key_1", "5"},
      {"case(env.STAGE == 'prod', 'p', 'other')", "\"p\""},
      {"matrix.*", "[\"ubuntu-latest\",[18,20]]"},
      {"1 / 2", "error: Unexpected symbol: '/'. Located at position 3 within expression: 1 / 2"},
      {"case(1, 2, 3)", "error: case predicate must evaluate to a boolean value"},
      {"format('{1}', 'a')",
       "error: The following format string references more arguments than were supplied: {1}"},
      {"format('{0:x}', 'a')",
       "error: The format specifiers 'x' are not valid for objects of type 'String'"},
      {"fromJSON('{')", "error: Error parsing fromJson: invalid JSON"},
      {"secrets.TOKEN", "null"},  // a standard context that is absent is null
      {"nope.x",
       "error: Unrecognized named-value: 'nope'. Located at position 1 within "
       "expression: nope.x"},
  };
  for (const auto& c : kCases) EXPECT_EQ(Eval(c.in), c.out) << c.in;
}

TEST(Evaluator, ExprCommandOffersOnlyTheCoreFunctions) {
  Expected<Value, Error> v = EvaluateText("success()", TestContext());
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().message.rfind("Unrecognized function: 'success'", 0), 0u);
}

TEST(Evaluator, ErrorsCarryTheOffset) {
  Expected<Value, Error> v = EvaluateText("'a' && case(1, 2, 3)", TestContext());
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().kind, ErrorKind::kEvaluation);
  EXPECT_EQ(v.error().offset, 7u);
  EXPECT_EQ(v.error().length, 4u);
}

TEST(Evaluator, LazyLikeTheRunner) {
  // Unreferenced format arguments, the right side of && / ||, and case branches not taken are
  // never evaluated, so their errors never happen.
  EXPECT_EQ(Eval("format('x', case(1, 2, 3))"), "\"x\"");
  EXPECT_EQ(Eval("false && case(1, 2, 3)"), "false");
  EXPECT_EQ(Eval("case(false, case(1, 2, 3), 'd')"), "\"d\"");
  EXPECT_EQ(Eval("inputs.nothing[case(1, 2, 3)]"), "null");
}

TEST(Evaluator, StatusFunctionsAskTheCaller) {
  EvalOptions options;
  EXPECT_EQ(Eval("success()", options), "true");
  EXPECT_EQ(Eval("failure()", options), "false");
  options.status.success = false;
  options.status.failure = true;
  EXPECT_EQ(Eval("success()", options), "false");
  EXPECT_EQ(Eval("failure() && always()", options), "true");
  options.status.cancelled = true;
  EXPECT_EQ(Eval("cancelled()", options), "true");
}

TEST(Evaluator, MemoryLimitIsAnError) {
  // Each format() doubles the string; GitHub stops at 1 MiB of evaluation memory.
  std::string text = "'xxxxxxxxxxxxxxxx'";
  for (int i = 0; i < 17; ++i) text = "format('{0}{0}', " + text + ")";
  const std::string result = Eval(text);
  EXPECT_EQ(result.rfind("error: The maximum allowed memory size was exceeded", 0), 0u)
      << result.substr(0, 100);
  EXPECT_EQ(Eval("format('{0}{0}', 'ab')"), "\"abab\"");
}

class HashFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("slipway_hashfiles_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "b");
    Write("a.txt", "hello\n");
    Write("b/deep.txt", "deep\n");
    Write("c.txt", "world\n");
    Write("b/skip.log", "log\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }
  std::string Hash(const std::string& args) {
    EvalOptions options;
    options.workspace = dir_.string();
    return Eval("hashFiles(" + args + ")", options);
  }
  std::filesystem::path dir_;
};

// Expected digests: sha256 over the concatenated sha256 digests of the files, computed
// independently with Python's hashlib.
TEST_F(HashFilesTest, HashesMatchingFilesInPathOrder) {
  EXPECT_EQ(Hash("'a.txt'"),
            "\"ecb65bb98f9d905b70458986c39fcbad7715e5f2fcc3b1f07767d7c83e2438cc\"");
  EXPECT_EQ(Hash("'*.txt'"),
            "\"96cb8058ed58b58f8fc0ad459bacf81108599b403e91674460ccb089f8ebb9db\"");
  EXPECT_EQ(Hash("'**/*.txt'"),
            "\"5bc0bf25607979dc79a62e7cee759c973af9fa7d7029a97ef92e0e73425bc80a\"");
  EXPECT_EQ(Hash("'**', '!**/*.log'"),
            "\"5bc0bf25607979dc79a62e7cee759c973af9fa7d7029a97ef92e0e73425bc80a\"");
  EXPECT_EQ(Hash("'a.txt', 'c.txt'"),
            "\"96cb8058ed58b58f8fc0ad459bacf81108599b403e91674460ccb089f8ebb9db\"");
  EXPECT_EQ(Hash("'nothing/**'"), "\"\"");
  EXPECT_EQ(Hash("'--bogus', 'a.txt'").rfind("error: Invalid glob option --bogus", 0), 0u);
}

// @actions/glob's search paths (internal-pattern.ts fixupPattern, getSearchPaths): a leading
// ".", repeated and trailing separators do not change them; one under another, or the same
// twice, is left out; `..` anywhere, or `.` after the first segment, is an error.
TEST_F(HashFilesTest, SearchPathsAsActionsGlobNormalisesThem) {
  auto roots = [&](const std::string& patterns) {
    std::vector<std::string> found;
    Expected<std::vector<std::string>> files = GlobFiles(dir_.string(), {patterns}, true, &found);
    EXPECT_TRUE(files) << patterns;
    std::string joined;
    for (const std::string& root : found) joined += "[" + root + "]";
    return joined;
  };
  EXPECT_EQ(roots("b"), "[b]");
  EXPECT_EQ(roots("b/"), "[b]");
  EXPECT_EQ(roots("./b/"), "[b]");
  EXPECT_EQ(roots("b//"), "[b]");
  EXPECT_EQ(roots(".//b///*.txt"), "[b]");
  EXPECT_EQ(roots("."), "[]");
  EXPECT_EQ(roots(dir_.string() + "/"), "[]");
  EXPECT_EQ(roots(dir_.string() + "/b/"), "[b]");
  EXPECT_EQ(roots("a.txt\na.txt"), "[a.txt]");
  EXPECT_EQ(roots("b\nb/deep.txt\nc.txt"), "[b][c.txt]");
  std::vector<std::string> unused;
  Expected<std::vector<std::string>> files = GlobFiles(dir_.string(), {"./b/"}, true, &unused);
  ASSERT_TRUE(files);
  EXPECT_EQ(*files, (std::vector<std::string>{"b/deep.txt", "b/skip.log"}));
  for (const char* bad : {"../x", "b/../b", "b/./deep.txt", "!../x"}) {
    Expected<std::vector<std::string>> refused = GlobFiles(dir_.string(), {bad}, true, nullptr);
    ASSERT_FALSE(refused) << bad;
    std::string written = bad[0] == '!' ? bad + 1 : bad;
    EXPECT_EQ(refused.error(),
              "Invalid pattern '" + written + "'. Relative pathing '.' and '..' is not allowed.");
  }
}

TEST(GlobMatch, Patterns) {
  EXPECT_TRUE(GlobMatch("**/*.txt", "a.txt"));
  EXPECT_TRUE(GlobMatch("**/*.txt", "x/y/a.txt"));
  EXPECT_TRUE(GlobMatch("src", "src/a/b.c"));  // a directory matches what is below it
  EXPECT_TRUE(GlobMatch("a?c.[ch]", "abc.h"));
  EXPECT_FALSE(GlobMatch("*.txt", "x/a.txt"));
  EXPECT_FALSE(GlobMatch("a[!b]c", "abc"));
  EXPECT_TRUE(GlobMatch("./pkg/*.json", "pkg/package.json"));
}

}  // namespace
}  // namespace slipway::expr
