#include "interpreter/model/environments.h"

#include <cstdio>
#include <fstream>

#include "interpreter/plan/plan_file.h"
#include "tests/unit/plan/plan_test_util.h"

namespace slipway::plan {
namespace {

using testing::Fixture;

TEST(EnvironmentsTest, ParseDuration) {
  EXPECT_EQ(model::ParseDuration("30s"), 30);
  EXPECT_EQ(model::ParseDuration("5m"), 300);
  EXPECT_EQ(model::ParseDuration("48h"), 48 * 3600);
  EXPECT_EQ(model::ParseDuration("1h30m"), 5400);
  EXPECT_EQ(model::ParseDuration("0s"), 0);
  EXPECT_FALSE(model::ParseDuration(""));
  EXPECT_EQ(model::ParseDuration("5"), 300);  // a bare number is minutes, as on GitHub
  EXPECT_EQ(model::ParseDuration("2d"), 2 * 86400);
  EXPECT_FALSE(model::ParseDuration("5x"));
  EXPECT_FALSE(model::ParseDuration("m5"));
  EXPECT_FALSE(model::ParseDuration("99999999h"));
}

TEST(EnvironmentsTest, ReadsTheDocumentedShape) {
  Fixture f;
  const model::EnvironmentsConfig& config = f.Environments(R"(
teams:
  devops-leads: [alice, dave]
environments:
  production:
    url: https://app.example.com
    required_reviewers:
      count: 2
      users: [alice, bob, carol]
      teams: [devops-leads]
      prevent_self_review: true
    wait_timer: 5m
    approval_timeout: 24h
    deployment_branches:
      branches: [main]
      tags: ['v*']
    vars: {AMPLIFY_APP_ID: d123}
    secrets: [AWS_ACCESS_KEY_ID_PROD, SLACK_WEBHOOK_URL]
  dev:
)");
  EXPECT_TRUE(f.diagnostics.empty()) << f.Messages();
  ASSERT_EQ(config.environments.size(), 2u);
  const model::EnvironmentConfig* production = config.Find("production");
  ASSERT_NE(production, nullptr);
  EXPECT_EQ(production->url->value, "https://app.example.com");
  EXPECT_EQ(production->reviewers->count, 2);
  EXPECT_EQ(config.Reviewers(*production),
            (std::vector<std::string>{"alice", "bob", "carol", "dave"}));
  EXPECT_EQ(production->wait_timer_s, 300);
  EXPECT_EQ(production->approval_timeout_s, 24 * 3600);
  EXPECT_EQ(production->deployment_branches.tags[0].value, "v*");
  EXPECT_EQ(production->secrets.size(), 2u);
  EXPECT_EQ(config.Find("dev")->approval_timeout_s, 48 * 3600);
}

TEST(EnvironmentsTest, SemanticErrorsHavePositions) {
  Fixture f;
  f.Environments(R"(teams:
  leads: [alice]
environments:
  production:
    required_reviewers:
      count: 3
      users: [bob]
      teams: [lead]
    wait_timer: 1000h
)");
  std::string messages;
  for (const Diagnostic& d : f.diagnostics.items()) {
    messages += std::to_string(d.where.begin.line) + ":" + std::to_string(d.where.begin.col) +
                ": " + d.message + "\n";
  }
  EXPECT_EQ(messages,
            "8:15: unknown team \"lead\" in required_reviewers of "
            "\"production\"; did you mean "
            "\"leads\"?\n"
            "6:14: required_reviewers of \"production\" needs 3 distinct "
            "approvals but only 1 "
            "reviewers are configured\n"
            "9:17: wait_timer \"1000h\" is 60000 minutes; the maximum is 43200 minutes (30 "
            "days)\n");
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

TEST(EnvironmentsTest, SchemaRejectsUnknownKeysWithPositions) {
  std::string path = WriteTemp("envs_unknown.yml", R"(environments:
  production:
    required_reviewer:
      count: 2
    wait_timer: 5 minutes
)");
  SourceManager sources;
  Diagnostics diagnostics;
  std::optional<model::EnvironmentsConfig> config =
      LoadEnvironmentsFile(sources, path, diagnostics);
  ASSERT_TRUE(config);
  ASSERT_EQ(diagnostics.error_count(), 2u);
  diagnostics.Sort();
  const Diagnostic& unknown = diagnostics.items()[0];
  EXPECT_EQ(unknown.where.begin.line, 3u);
  EXPECT_EQ(unknown.rule, "schema");
  EXPECT_NE(unknown.message.find("required_reviewer"), std::string::npos) << unknown.message;
  EXPECT_NE(unknown.message.find("did you mean \"required_reviewers\""), std::string::npos)
      << unknown.message;
  EXPECT_EQ(diagnostics.items()[1].where.begin.line, 5u);
}

TEST(EnvironmentsTest, UnreadableFileIsAnIoError) {
  SourceManager sources;
  Diagnostics diagnostics;
  EXPECT_FALSE(LoadEnvironmentsFile(sources, "/nonexistent/envs.yml", diagnostics));
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics.items()[0].rule, "io");
}

}  // namespace
}  // namespace slipway::plan
