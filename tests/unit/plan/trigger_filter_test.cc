#include "interpreter/plan/trigger_filter.h"

#include "tests/unit/plan/plan_test_util.h"

namespace slipway::plan {
namespace {

using testing::FixedGit;
using testing::Fixture;
using testing::On;

TriggerDecision Decide(Fixture& f, const std::string& yaml, const EventOptions& options) {
  f.Workflow(yaml);
  std::optional<Event> event = BuildEvent(*f.workflow, options, FixedGit(), f.diagnostics);
  EXPECT_TRUE(event.has_value()) << f.Messages();
  return CheckTrigger(*f.workflow, *event);
}

const char kPushFilters[] = R"(
on:
  push:
    branches: [main, 'release/**']
    tags: ['v*', '!v*-rc*']
jobs:
  a: {runs-on: x, steps: [{run: echo}]}
)";

struct TriggerCase {
  const char* ref;
  bool triggered;
  const char* reason_part;
};

TEST(TriggerFilterTest, PushBranchesAndTags) {
  const TriggerCase cases[] = {
      {"refs/heads/main", true, ""},
      {"refs/heads/release/1.0/hotfix", true, ""},
      {"refs/heads/feature/login", false,
       "branch \"feature/login\" matches none of on.push.branches"},
      {"refs/tags/v1.2.0", true, ""},
      {"refs/tags/v1.2.0-rc1", false, "excluded by \"!v*-rc*\""},
      {"refs/tags/1.2.0", false, "tag \"1.2.0\" matches none of on.push.tags"},
  };
  for (const TriggerCase& c : cases) {
    Fixture f;
    TriggerDecision d = Decide(f, kPushFilters, On("push", c.ref));
    EXPECT_EQ(d.triggered, c.triggered) << c.ref << ": " << d.reason;
    EXPECT_NE(d.reason.find(c.reason_part), std::string::npos) << c.ref << ": " << d.reason;
  }
}

TEST(TriggerFilterTest, OnlyBranchFiltersExcludeTagPushes) {
  Fixture f;
  TriggerDecision d = Decide(f, R"(
on:
  push:
    branches: [main]
jobs: {a: {runs-on: x, steps: [{run: echo}]}}
)",
                             On("push", "refs/tags/v1.0.0"));
  EXPECT_FALSE(d.triggered);
  EXPECT_NE(d.reason.find("on.push.tags"), std::string::npos) << d.reason;
}

TEST(TriggerFilterTest, OnlyTagFiltersExcludeBranchPushes) {
  Fixture f;
  TriggerDecision d = Decide(f, R"(
on:
  push:
    tags: ['v*']
jobs: {a: {runs-on: x, steps: [{run: echo}]}}
)",
                             On("push", "refs/heads/main"));
  EXPECT_FALSE(d.triggered);
  EXPECT_NE(d.reason.find("only tags"), std::string::npos) << d.reason;
}

TEST(TriggerFilterTest, BranchesIgnore) {
  Fixture f;
  TriggerDecision d = Decide(f, R"(
on:
  push:
    branches-ignore: ['dependabot/**']
jobs: {a: {runs-on: x, steps: [{run: echo}]}}
)",
                             On("push", "refs/heads/dependabot/npm/x"));
  EXPECT_FALSE(d.triggered);
  EXPECT_NE(d.reason.find("on.push.branches-ignore"), std::string::npos) << d.reason;
}

TEST(TriggerFilterTest, MissingEventSaysWhichTriggersExist) {
  Fixture f;
  TriggerDecision d = Decide(f, kPushFilters, On("release", "refs/tags/v1.0.0"));
  EXPECT_FALSE(d.triggered);
  EXPECT_EQ(d.reason, "the workflow has no \"release\" trigger; it runs on push");
}

TEST(TriggerFilterTest, ReleaseTypes) {
  const char yaml[] = R"(
on:
  release:
    types: [published]
jobs: {a: {runs-on: x, steps: [{run: echo}]}}
)";
  {
    Fixture f;
    EXPECT_TRUE(Decide(f, yaml, On("release", "v1.0.0")).triggered);
  }
  {
    Fixture f;
    f.Workflow(yaml);
    EventOptions options = On("release", "v1.0.0");
    options.event_file_text = R"({"action": "created", "release": {"tag_name": "v1.0.0"}})";
    std::optional<Event> event = BuildEvent(*f.workflow, options, FixedGit(), f.diagnostics);
    ASSERT_TRUE(event);
    TriggerDecision d = CheckTrigger(*f.workflow, *event);
    EXPECT_FALSE(d.triggered);
    EXPECT_EQ(d.reason, "release activity \"created\" is not in on.release.types (published)");
  }
}

TEST(TriggerFilterTest, PathsUseChangedFilesFromThePayload) {
  const char yaml[] = R"(
on:
  push:
    paths: ['src/**', '!src/**/*.md']
jobs: {a: {runs-on: x, steps: [{run: echo}]}}
)";
  auto decide = [&](const char* payload) {
    Fixture f;
    f.Workflow(yaml);
    EventOptions options = On("push", "refs/heads/main");
    if (payload) options.event_file_text = payload;
    std::optional<Event> event = BuildEvent(*f.workflow, options, FixedGit(), f.diagnostics);
    EXPECT_TRUE(event);
    return CheckTrigger(*f.workflow, *event);
  };
  TriggerDecision code = decide(R"({"commits": [{"added": ["src/a.cc"], "modified": []}]})");
  EXPECT_TRUE(code.triggered) << code.reason;
  TriggerDecision docs = decide(R"({"commits": [{"modified": ["src/x/README.md", "docs/y"]}]})");
  EXPECT_FALSE(docs.triggered);
  EXPECT_NE(docs.reason.find("no changed file matches on.push.paths"), std::string::npos);
  TriggerDecision unknown = decide(nullptr);
  EXPECT_TRUE(unknown.triggered);
  EXPECT_NE(unknown.reason.find("not checked"), std::string::npos) << unknown.reason;
}

TEST(TriggerFilterTest, PullRequestFiltersTheBaseBranch) {
  const char yaml[] = R"(
on:
  pull_request:
    branches: [main]
jobs: {a: {runs-on: x, steps: [{run: echo}]}}
)";
  Fixture f;
  TriggerDecision d = Decide(f, yaml, On("pull_request", "refs/heads/feature/x"));
  EXPECT_TRUE(d.triggered) << d.reason;  // base defaults to main
  Fixture g;
  g.Workflow(yaml);
  EventOptions options = On("pull_request");
  options.event_file_text =
      R"({"pull_request": {"base": {"ref": "develop"}, "head": {"ref": "x"}}})";
  std::optional<Event> event = BuildEvent(*g.workflow, options, FixedGit(), g.diagnostics);
  ASSERT_TRUE(event);
  TriggerDecision refused = CheckTrigger(*g.workflow, *event);
  EXPECT_FALSE(refused.triggered);
  EXPECT_NE(refused.reason.find("base branch \"develop\""), std::string::npos) << refused.reason;
}

}  // namespace
}  // namespace slipway::plan
