#include "interpreter/model/build_model.h"

#include <gtest/gtest.h>

#include "interpreter/model/load_workflow.h"

namespace slipway::model {
namespace {

Workflow Build(const std::string& text) {
  static SourceManager sources;
  Diagnostics diagnostics;
  FileId file = sources.Add("test.yml", text);
  std::optional<Workflow> w = LoadWorkflowText(sources, file, diagnostics);
  EXPECT_TRUE(w.has_value());
  EXPECT_FALSE(diagnostics.has_errors());
  return w ? std::move(*w) : Workflow{};
}

TEST(BuildModel, ReadsTriggersInAllThreeForms) {
  EXPECT_EQ(Build("on: push\njobs: {}\n").on.at(0).event.value, "push");
  Workflow list = Build("on: [push, pull_request]\njobs: {}\n");
  ASSERT_EQ(list.on.size(), 2u);
  EXPECT_EQ(list.on[1].event.value, "pull_request");
  Workflow map = Build(
      "on:\n  push:\n    tags: ['v*']\n    branches-ignore: dev\n  release:\n    types: [published]\n"
      "  schedule:\n    - cron: '0 0 * * *'\njobs: {}\n");
  ASSERT_EQ(map.on.size(), 3u);
  EXPECT_TRUE(map.on[0].has_tags);
  EXPECT_FALSE(map.on[0].has_branches);
  EXPECT_EQ(map.on[0].tags.at(0).value, "v*");
  EXPECT_EQ(map.on[0].branches_ignore.at(0).value, "dev");
  EXPECT_EQ(map.on[1].types.at(0).value, "published");
  EXPECT_EQ(map.on[2].crons.at(0).value, "0 0 * * *");
}

TEST(BuildModel, ReadsDispatchInputs) {
  Workflow w = Build(R"(on:
  workflow_dispatch:
    inputs:
      confirm:
        description: Type DEPLOY TO PRODUCTION
        required: true
        pattern: '^DEPLOY TO PRODUCTION$'
      target:
        type: choice
        options: [dev, staging, production]
        default: dev
jobs: {}
)");
  const Trigger* dispatch = w.FindTrigger("workflow_dispatch");
  ASSERT_NE(dispatch, nullptr);
  ASSERT_EQ(dispatch->inputs.size(), 2u);
  EXPECT_TRUE(dispatch->inputs[0].required);
  EXPECT_EQ(dispatch->inputs[0].type_name(), "string");
  EXPECT_EQ(dispatch->inputs[0].pattern->value, "^DEPLOY TO PRODUCTION$");
  EXPECT_EQ(dispatch->inputs[1].options.size(), 3u);
  EXPECT_EQ(dispatch->inputs[1].default_value->value, "dev");
}

TEST(BuildModel, ReadsJobsAndSteps) {
  Workflow w = Build(R"(on: push
env: {A: "1"}
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      version: ${{ steps.v.outputs.version }}
    steps:
      - id: v
        run: echo "version=1" >> "$GITHUB_OUTPUT"
  deploy:
    needs: build
    if: github.ref == 'refs/heads/main'
    environment:
      name: production
      url: https://example.com
    strategy:
      fail-fast: false
      matrix:
        region: [us-east-1, eu-west-1]
        include:
          - region: ap-south-1
    steps:
      - uses: slipway/stack-deploy@v1
        with:
          tool: local
)");
  ASSERT_EQ(w.jobs.size(), 2u);
  EXPECT_EQ(FindIn(w.env, "A")->value, "1");
  const Job& build = w.jobs[0];
  EXPECT_TRUE(FindIn(build.outputs, "version")->has_expr);
  EXPECT_EQ(build.steps.at(0).id->value, "v");
  EXPECT_EQ(build.steps.at(0).DisplayName(), "Run echo \"version=1\" >> \"$GITHUB_OUTPUT\"");
  const Job* deploy = w.FindJob("deploy");
  ASSERT_NE(deploy, nullptr);
  EXPECT_EQ(deploy->needs.at(0).value, "build");
  EXPECT_EQ(deploy->where.begin, (SourcePos{11, 3}));
  EXPECT_EQ(deploy->environment.name.value, "production");
  EXPECT_EQ(deploy->environment.url->value, "https://example.com");
  EXPECT_EQ(deploy->strategy.axes.at(0).first.value, "region");
  EXPECT_EQ(deploy->strategy.include.size(), 1u);
  EXPECT_EQ(deploy->strategy.fail_fast->value, "false");
  EXPECT_EQ(FindIn(deploy->steps.at(0).with, "tool")->value, "local");
}

TEST(LoadWorkflowFile, UnreadableFileIsADiagnostic) {
  SourceManager sources;
  Diagnostics diagnostics;
  EXPECT_FALSE(LoadWorkflowFile(sources, "/nonexistent/x.yml", diagnostics).has_value());
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics.items()[0].rule, "io");
}

}  // namespace
}  // namespace slipway::model
