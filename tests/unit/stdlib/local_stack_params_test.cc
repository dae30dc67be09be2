// What the local stack tool records of parameters that came from secrets, and how a later run
// restores them (issue 10 §2: no secret on disk; resolved again from the rolling-back run).
#include "stdlib/stack_deploy/local_stack_params.h"

#include <gtest/gtest.h>

#include "tests/support/fake_step_context.h"

namespace slipway::stdlib::stack_deploy {
namespace {

using slipway::testing::FakeStepContext;
using slipway::testing::ScratchDir;

TEST(LocalStackParamsTest, SecretsAreRecordedByWhereTheyCameFrom) {
  const struct {
    const char* written;
    bool secret;
  } cases[] = {
      {"${{ secrets.DB_PASSWORD }}", true},
      {"${{secrets['DB_PASSWORD']}}", true},
      {"postgres://app:${{ secrets.DB_PASSWORD }}@db/app", true},
      {"${{ format('{0}', secrets.TOKEN) }}", true},
      {"${{ inputs.version }}", false},
      {"secrets.DB_PASSWORD", false},  // plain text, not an expression
      {"1.2.3", false},
  };
  for (const auto& c : cases) EXPECT_EQ(UsesSecrets(c.written), c.secret) << c.written;

  nlohmann::json recorded =
      RecordParameters({{"DB_PASSWORD", "hunter2"}, {"VERSION", "1.2.3"}},
                       {{"DB_PASSWORD", "${{ secrets.DB_PASSWORD }}"},
                        {"VERSION", "${{ inputs.version }}"}});
  EXPECT_EQ(recorded, (nlohmann::json{{"DB_PASSWORD", "${{ secrets.DB_PASSWORD }}"},
                                      {"VERSION", "1.2.3"}}));
  EXPECT_EQ(RecordOutputs({{"dsn", "postgres://app:hunter2@db"}, {"url", "http://x"}},
                          {{"dsn", "postgres://app:${{ secrets.DB_PASSWORD }}@db"}}),
            (nlohmann::json{{"dsn", "***"}, {"url", "http://x"}}));
}

TEST(LocalStackParamsTest, RestoreResolvesSecretsFromTheRunDoingIt) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  context.set_secret("DB_PASSWORD", "hunter2");
  std::map<std::string, std::string> values;
  EXPECT_EQ(RestoreParameters({{"DSN", "postgres://app:${{ secrets.DB_PASSWORD }}@db"},
                               {"PLAIN", "${{secrets['DB_PASSWORD']}}"},
                               {"VERSION", "1.2.3"}},
                              context, &values),
            "");
  EXPECT_EQ(values, (std::map<std::string, std::string>{{"DSN", "postgres://app:hunter2@db"},
                                                         {"PLAIN", "hunter2"},
                                                         {"VERSION", "1.2.3"}}));

  std::map<std::string, std::string> missing;
  EXPECT_EQ(RestoreParameters({{"TOKEN", "${{ secrets.API_TOKEN }}"}}, context, &missing),
            "parameter TOKEN came from secret API_TOKEN, which this job does not have; give the "
            "job that secret to restore the version (an environment's secret reaches only the "
            "jobs of that environment)");
  EXPECT_EQ(RestoreParameters({{"MIXED", "${{ secrets.DB_PASSWORD }}-${{ inputs.suffix }}"}},
                              context, &missing),
            "parameter MIXED was recorded as \"${{ secrets.DB_PASSWORD }}-${{ inputs.suffix }}\", "
            "which mixes a secret with other expressions and cannot be restored");
}

// A secret that reached a parameter another way than `${{ secrets.NAME }}` text (env, a step
// output) is stored masked, and the record says the version cannot be started again from it.
TEST(LocalStackParamsTest, VersionRecordIsMaskedAndSaysWhatARestartWouldMiss) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  context.set_secret("DB_PASSWORD", "hunter2");
  nlohmann::json meta = {
      {"version", "v1"},
      {"start", "./app --password hunter2"},
      {"parameters", {{"VIA_ENV", "hunter2"}, {"WRITTEN", "${{ secrets.DB_PASSWORD }}"},
                      {"PLAIN", "1.2.3"}}},
      {"outputs", {{"dsn", "postgres://app:hunter2@db"}}}};
  nlohmann::json stored = MaskVersionRecord(meta, context);
  EXPECT_EQ(stored.dump().find("hunter2"), std::string::npos) << stored.dump();
  EXPECT_EQ(stored["parameters"], (nlohmann::json{{"VIA_ENV", "***"},
                                                  {"WRITTEN", "${{ secrets.DB_PASSWORD }}"},
                                                  {"PLAIN", "1.2.3"}}));
  EXPECT_EQ(stored["outputs"]["dsn"], "postgres://app:***@db");
  EXPECT_EQ(stored["unrecorded"], (nlohmann::json{"parameter VIA_ENV", "start"}));
  EXPECT_EQ(UnrecordedProblem(stored),
            "its record holds \"***\" for parameter VIA_ENV, start: a secret not written as "
            "${{ secrets.NAME }} in `with:` (it came through env or a step output) is never "
            "stored, so it cannot be restored; pass secrets to stack-deploy as "
            "${{ secrets.NAME }} to make a version restartable");
  // Masking a stored record again keeps what it says.
  EXPECT_EQ(MaskVersionRecord(stored, context), stored);

  nlohmann::json clean = {{"version", "v2"}, {"parameters", {{"PLAIN", "1.2.3"}}}};
  EXPECT_EQ(MaskVersionRecord(clean, context), clean);
  EXPECT_EQ(UnrecordedProblem(clean), "");
}

}  // namespace
}  // namespace slipway::stdlib::stack_deploy
