#include "interpreter/validate/render.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace slipway::validate {
namespace {

TEST(Render, TextHasCaretUnderline) {
  SourceManager sources;
  FileId file = sources.Add("w.yml", "on: push\njobs:\n  bad.id:\n");
  std::vector<FileResult> files = {
      {"w.yml", {Diagnostic{Severity::kError, "job-id", {file, {3, 3}, 6}, "invalid"}}}};
  EXPECT_EQ(RenderText(sources, files),
            "w.yml:3:3: error: invalid [job-id]\n    bad.id:\n    ^~~~~~\n");
}

TEST(Render, JsonShapeIsDesignMd) {
  std::vector<FileResult> files = {
      {"a.yml", {Diagnostic{Severity::kWarning, "glob", {0, {1, 2}, 1}, "m"}}}, {"b.yml", {}}};
  EXPECT_EQ(RenderJson(files),
            "{\"files\":[{\"file\":\"a.yml\",\"diagnostics\":[{\"line\":1,\"col\":2,\"severity\":"
            "\"warning\",\"rule\":\"glob\",\"message\":\"m\"}]},{\"file\":\"b.yml\","
            "\"diagnostics\":[]}]}\n");
}

TEST(Render, GithubEscapes) {
  std::vector<FileResult> files = {
      {"a,b.yml", {Diagnostic{Severity::kError, "r", {0, {1, 2}, 1}, "50% of\nit"}}}};
  EXPECT_EQ(RenderGithub(files), "::error file=a%2Cb.yml,line=1,col=2::50%25 of%0Ait [r]\n");
}

TEST(Render, SarifResult) {
  std::vector<FileResult> files = {
      {"a.yml", {Diagnostic{Severity::kError, "cron", {0, {4, 5}, 3}, "bad"}}}};
  nlohmann::json sarif = nlohmann::json::parse(RenderSarif(files));
  EXPECT_EQ(sarif["version"], "2.1.0");
  EXPECT_EQ(sarif["runs"][0]["tool"]["driver"]["rules"][0]["id"], "cron");
  const nlohmann::json& region =
      sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
  EXPECT_EQ(region["startLine"], 4);
  EXPECT_EQ(region["endColumn"], 8);
}

TEST(Render, ParseFormat) {
  Format format;
  EXPECT_TRUE(ParseFormat("sarif", &format));
  EXPECT_EQ(format, Format::kSarif);
  EXPECT_FALSE(ParseFormat("xml", &format));
}

}  // namespace
}  // namespace slipway::validate
