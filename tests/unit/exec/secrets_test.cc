#include "interpreter/exec/secrets.h"

#include <gtest/gtest.h>

namespace slipway::exec {
namespace {

TEST(DotenvTest, ParsesTheUsualForms) {
  auto parsed = ParseDotenv(
      "# comment\n"
      "PLAIN=value\n"
      "export EXPORTED=yes\n"
      "SPACED = spaced value  # trailing comment\n"
      "SINGLE='literal \\n $x'\n"
      "DOUBLE=\"line1\\nline2 \\\"q\\\"\"\n"
      "MULTI=\"first\n"
      "second\"\n"
      "EMPTY=\n"
      "\n");
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  std::map<std::string, std::string> expected = {
      {"PLAIN", "value"},
      {"EXPORTED", "yes"},
      {"SPACED", "spaced value"},
      {"SINGLE", "literal \\n $x"},
      {"DOUBLE", "line1\nline2 \"q\""},
      {"MULTI", "first\nsecond"},
      {"EMPTY", ""},
  };
  EXPECT_EQ(*parsed, expected);
}

TEST(DotenvTest, Errors) {
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {"A=1\nnot a pair\n", "line 2: expected NAME=VALUE"},
      {"A=\"open\n", "line 1: unterminated double quote"},
      {"A='x' junk\n", "line 1: unexpected text after the quoted value"},
      {"=v\n", "line 1: expected NAME=VALUE"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseDotenv(c.text);
    ASSERT_FALSE(parsed.has_value()) << c.text;
    EXPECT_EQ(parsed.error(), c.error) << c.text;
  }
}

TEST(SecretsTest, FromEnvironmentAndHiddenFromChildren) {
  std::map<std::string, std::string> env = {{"SLIPWAY_SECRET_TOKEN", "t"},
                                            {"SLIPWAY_AUDIT_KEY", "k"},
                                            {"SLIPWAY_SECRET_", "no name"},
                                            {"PATH", "/bin"}};
  EXPECT_EQ(SecretsFromEnvironment(env), (std::map<std::string, std::string>{{"TOKEN", "t"}}));
  EXPECT_EQ(WithoutSlipwaySecrets(env), (std::map<std::string, std::string>{{"PATH", "/bin"}}));
}

}  // namespace
}  // namespace slipway::exec

namespace slipway::exec {
namespace {

TEST(SecretsForJob, RepositorySecretsEverywhereEnvironmentSecretsOnlyInTheirJobs) {
  std::map<std::string, std::string> all = {{"TOKEN", "repo"},
                                            {"KEY", "repo-key"},
                                            {"production.KEY", "prod-key"},
                                            {"production.DB", "prod-db"},
                                            {"staging.KEY", "staging-key"}};
  EXPECT_EQ(SecretsForJob(all, ""),
            (std::map<std::string, std::string>{{"KEY", "repo-key"}, {"TOKEN", "repo"}}));
  EXPECT_EQ(SecretsForJob(all, "production"),
            (std::map<std::string, std::string>{
                {"DB", "prod-db"}, {"KEY", "prod-key"}, {"TOKEN", "repo"}}));
  EXPECT_EQ(SecretsForJob(all, "staging")["KEY"], "staging-key");
  EXPECT_FALSE(SecretsForJob(all, "staging").contains("DB"));
  // A prefix of another environment's name is not that environment.
  EXPECT_EQ(SecretsForJob(all, "prod")["KEY"], "repo-key");
}

}  // namespace
}  // namespace slipway::exec
