#include "stdlib/audit/audit.h"

#include <gtest/gtest.h>

#include "tests/support/fake_step_context.h"

namespace slipway::stdlib::audit {
namespace {

using slipway::testing::FakeStepContext;
using slipway::testing::ScratchDir;

TEST(AuditTest, PassesWhoWhyWhatWhereHowToAppendAudit) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  step_api::StepInputs inputs;
  inputs.with = {{"action", "deploy"},           {"reason", "hotfix for login"},
                 {"environment", "production"},  {"region", "us-east-2"},
                 {"account", "123456789012"},    {"components", "lambdas-only"},
                 {"outcome", "success"},         {"details", "force_deploy=false\ntests=success\n"}};
  std::unique_ptr<step_api::StepImpl> step = Make();
  step_api::StepOutcome outcome = step->Run(inputs, context);
  ASSERT_EQ(outcome.status, step_api::StepStatus::kSuccess) << outcome.message;
  ASSERT_EQ(context.audit_entries().size(), 1u);
  const nlohmann::json& entry = context.audit_entries()[0];
  EXPECT_EQ(entry["action"], "deploy");
  EXPECT_EQ(entry["why"], "hotfix for login");
  EXPECT_EQ(entry["what"]["components"], "lambdas-only");
  EXPECT_EQ(entry["what"]["outcome"], "success");
  EXPECT_EQ(entry["where"]["environment"], "production");
  EXPECT_EQ(entry["where"]["region"], "us-east-2");
  EXPECT_EQ(entry["where"]["account"], "123456789012");
  EXPECT_EQ(entry["how"]["details"]["force_deploy"], "false");
  EXPECT_EQ(entry["how"]["details"]["tests"], "success");
}

TEST(AuditTest, MissingActionFailsWithoutWriting) {
  ScratchDir dir;
  FakeStepContext context(dir.path());
  step_api::StepInputs inputs;
  inputs.with = {{"reason", "x"}};
  step_api::StepOutcome outcome = Make()->Run(inputs, context);
  EXPECT_EQ(outcome.status, step_api::StepStatus::kFailure);
  EXPECT_NE(outcome.message.find("\"action\""), std::string::npos) << outcome.message;
  EXPECT_TRUE(context.audit_entries().empty());
}

TEST(AuditTest, BadDetailsLineIsAnError) {
  step_api::StepInputs inputs;
  inputs.with = {{"action", "deploy"}, {"details", "no separator here"}};
  std::string error;
  EXPECT_TRUE(BuildEntry(inputs, &error).is_null());
  EXPECT_EQ(error, "input \"details\": expected KEY=VALUE, got \"no separator here\"");
}

TEST(AuditTest, PreviewShowsTheEntryWithoutWriting) {
  step_api::StepInputs inputs;
  inputs.with = {{"action", "rollback"}, {"environment", "staging"}};
  step_api::StepPreview preview = Make()->Preview(inputs);
  EXPECT_EQ(preview.summary, "append audit entry \"rollback\"");
  ASSERT_EQ(preview.details.size(), 1u);
  EXPECT_NE(preview.details[0].find("\"environment\":\"staging\""), std::string::npos);
}

}  // namespace
}  // namespace slipway::stdlib::audit
