// The test-file loader: schema errors with file:line:col, the model it builds (shared stubs and
// trigger merged under the scenario's own), durations and globs.
#include "interpreter/rehearse/test_file.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "interpreter/rehearse/expectations.h"

namespace slipway::rehearse {
namespace {

namespace fs = std::filesystem;

class TestFileLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("slipway-test-file-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    std::ofstream(dir_ / "wf.yml") << "on: push\njobs: {a: {runs-on: x, steps: [{run: 'true'}]}}\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::optional<TestFile> Load(const std::string& text, std::string* errors) {
    std::ofstream(dir_ / "x.test.yml") << text;
    SourceManager sources;
    Diagnostics diagnostics;
    std::optional<TestFile> file = LoadTestFile(sources, (dir_ / "x.test.yml").string(), diagnostics);
    for (const Diagnostic& d : diagnostics.items()) {
      *errors += fmt::format("{}:{}: {} [{}]\n", d.where.begin.line, d.where.begin.col, d.message,
                             d.rule);
    }
    return file;
  }
  fs::path dir_;
};

TEST_F(TestFileLoad, BuildsScenariosWithSharedPartsMerged) {
  std::string errors;
  std::optional<TestFile> file = Load(R"(workflow: wf.yml
trigger: {event: push, actor: alice, secrets: {A: one}}
stubs:
  commands: [{argv: "aws *", stdout: shared}]
scenarios:
  - name: first
    trigger: {actor: bob, inputs: {n: 3, flag: true}}
    approvals: [{environment: prod, by: carol, at: 1h30m}]
    stubs:
      commands: [{regex: "^gh .*", exit-code: 2, delay: 90s, times: 1}]
      jobs: [{job: a, result: failure}]
    expect:
      result: failure
      jobs: {a: failure, b: {result: success, steps: {s: {outcome: failure, conclusion: success}}}}
      order: [[a, b, c]]
)",
                                      &errors);
  ASSERT_TRUE(file) << errors;
  EXPECT_EQ(errors, "");
  ASSERT_EQ(file->scenarios.size(), 1u);
  const Scenario& s = file->scenarios[0];
  EXPECT_EQ(s.trigger.event.value_or(""), "push");
  EXPECT_EQ(s.trigger.actor.value_or(""), "bob");
  EXPECT_EQ(s.trigger.inputs.at("n"), "3");
  EXPECT_EQ(s.trigger.inputs.at("flag"), "true");
  EXPECT_EQ(s.trigger.secrets.at("A"), "one");
  ASSERT_EQ(s.approvals.size(), 1u);
  EXPECT_EQ(s.approvals[0].at, Duration(90 * 60 * 1000));
  ASSERT_EQ(s.stubs.commands.size(), 2u);  // the scenario's rule first
  EXPECT_TRUE(s.stubs.commands[0].pattern.regex);
  EXPECT_EQ(s.stubs.commands[0].exit_code, 2);
  EXPECT_EQ(s.stubs.commands[0].delay, Duration(90'000));
  EXPECT_EQ(s.stubs.commands[1].stdout_text, "shared");
  ASSERT_EQ(s.stubs.jobs.size(), 1u);
  EXPECT_EQ(s.stubs.jobs[0].result, exec::JobResult::kFailure);
  EXPECT_EQ(s.expect.result, RunOutcome::kFailure);
  ASSERT_EQ(s.expect.jobs.size(), 2u);
  EXPECT_EQ(s.expect.jobs[1].second.steps[0].second.conclusion.value_or(""), "success");
  EXPECT_EQ(s.expect.order[0].size(), 3u);
}

TEST_F(TestFileLoad, MistakesArePositioned) {
  struct Case {
    const char* text;
    const char* error;  // a substring of the rendered diagnostics
  };
  const Case kCases[] = {
      {"workflow: wf.yml\nscenarios:\n  - name: a\n    expct: {}\n", "4:5:"},
      {"workflow: wf.yml\nscenarios:\n  - name: a\n    approvals: [{environment: p, by: x, at: soon}]\n",
       "4:"},
      {"workflow: wf.yml\nscenarios:\n  - name: a\n  - name: a\n", "4:11: scenario \"a\" is defined twice"},
      {"workflow: nope.yml\nscenarios: [{name: a}]\n", "1:11: workflow \"nope.yml\" not found"},
      {"workflow: wf.yml\nscenarios:\n  - name: a\n    stubs: {commands: [{regex: '(('}]}\n",
       "invalid RE2 pattern"},
      {"workflow: wf.yml\nscenarios:\n  - name: a\n    expect: {result: maybe}\n", "4:"},
      {"workflow: wf.yml\nscenarios: []\n", "2:"},
  };
  for (const Case& c : kCases) {
    std::string errors;
    EXPECT_FALSE(Load(c.text, &errors)) << c.text;
    EXPECT_NE(errors.find(c.error), std::string::npos) << c.text << "\n" << errors;
  }
}

TEST(ParseDuration, Table) {
  EXPECT_EQ(ParseDuration("90s"), Duration(90'000));
  EXPECT_EQ(ParseDuration("5m"), Duration(300'000));
  EXPECT_EQ(ParseDuration("48h"), Duration(172'800'000));
  EXPECT_EQ(ParseDuration("1h30m"), Duration(5'400'000));
  EXPECT_EQ(ParseDuration("250ms"), Duration(250));
  EXPECT_EQ(ParseDuration("2"), Duration(2000));
  EXPECT_EQ(ParseDuration("1d"), Duration(86'400'000));
  EXPECT_FALSE(ParseDuration("soon"));
  EXPECT_FALSE(ParseDuration("5"
                             "x"));
  EXPECT_FALSE(ParseDuration(""));
  EXPECT_FALSE(ParseDuration("m"));
}

TEST(GlobMatch, StarCrossesSlashesAndSpaces) {
  EXPECT_TRUE(GlobMatch("aws s3 *", "aws s3 sync dist s3://bucket/x"));
  EXPECT_TRUE(GlobMatch("/services/*", "/services/T0/B0/x"));
  EXPECT_TRUE(GlobMatch("gh release view rc-?.?.?", "gh release view rc-1.2.0"));
  EXPECT_FALSE(GlobMatch("aws s3 *", "aws sts get-caller-identity"));
  EXPECT_FALSE(GlobMatch("aws", "aws s3"));
}

TEST(Contains, SubsetOfObjectsAndScalarsByText) {
  nlohmann::json entry = {{"kind", "approval"}, {"counted", true}, {"who", {{"actor", "x"}, {"n", 2}}}};
  EXPECT_TRUE(Contains(entry, {{"kind", "approval"}}));
  EXPECT_TRUE(Contains(entry, {{"counted", "true"}, {"who", {{"n", "2"}}}}));
  EXPECT_FALSE(Contains(entry, {{"kind", "gate"}}));
  EXPECT_FALSE(Contains(entry, {{"missing", 1}}));
  EXPECT_EQ(AtPointer({{"a", {{"b", {1, 2}}}}}, "/a/b/1"), 2);
  EXPECT_TRUE(AtPointer({{"a", 1}}, "/nope").is_null());
  EXPECT_TRUE(AtPointer({{"a", 1}}, "not a pointer").is_null());
}

}  // namespace
}  // namespace slipway::rehearse
