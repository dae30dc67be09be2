// Every event of `on:`: activity types and their defaults, each event's filters, the ref it runs
// on and the payload's shape. Expectations come from GitHub's documentation:
// https://docs.github.com/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows
// https://docs.github.com/webhooks/webhook-events-and-payloads
#include <algorithm>

#include "interpreter/model/cron.h"
#include "interpreter/plan/event_catalog.h"
#include "interpreter/plan/trigger_filter.h"
#include "tests/unit/plan/plan_test_util.h"

namespace slipway::plan {
namespace {

using testing::FixedGit;
using testing::Fixture;
using testing::On;

struct Built {
  std::optional<Event> event;
  TriggerDecision decision;
};

Built Make(Fixture& f, const std::string& on, const EventOptions& options) {
  f.Workflow("on:\n" + on + "\njobs:\n  a: {runs-on: ubuntu-latest, steps: [{run: echo}]}\n");
  Built b;
  b.event = BuildEvent(*f.workflow, options, FixedGit(), f.diagnostics);
  if (b.event) b.decision = CheckTrigger(*f.workflow, *b.event);
  return b;
}

EventOptions WithAction(const std::string& event, const std::string& action) {
  EventOptions options = On(event);
  options.action = action;
  return options;
}

EventOptions WithPayload(const std::string& event, const std::string& json) {
  EventOptions options = On(event);
  options.event_file_text = json;
  options.event_file_path = "event.json";
  return options;
}

// Every event name GitHub's workflow syntax allows (the workflow schema's list): each can be
// planned, and triggers a workflow that lists it without filters.
TEST(EventsTest, EveryEventIsAccepted) {
  const char* kEvents[] = {
      "branch_protection_rule", "check_run", "check_suite", "create", "delete", "deployment",
      "deployment_status", "discussion", "discussion_comment", "fork", "gollum", "image_version",
      "issue_comment", "issues", "label", "merge_group", "milestone", "page_build", "project",
      "project_card", "project_column", "public", "pull_request", "pull_request_comment",
      "pull_request_review", "pull_request_review_comment", "pull_request_target", "push",
      "registry_package", "release", "repository_dispatch", "schedule", "status", "watch",
      "workflow_call", "workflow_dispatch", "workflow_run"};
  EXPECT_EQ(EventNames().size(), std::size(kEvents));
  for (const char* name : kEvents) {
    Fixture f;
    std::string on = std::string("  ") + name + (std::string(name) == "schedule"
                                                     ? ":\n    - cron: '0 3 * * *'"
                                                     : ":");
    EventOptions options = On(name);
    if (std::string(name) == "release") options.ref = "v1.0.0";
    Built b = Make(f, on, options);
    ASSERT_TRUE(b.event.has_value()) << name << ": " << f.Messages();
    EXPECT_TRUE(b.decision.triggered) << name << ": " << b.decision.reason;
    EXPECT_EQ(b.event->payload["repository"]["full_name"], "example/app") << name;
    EXPECT_EQ(b.event->payload["sender"]["login"], "octocat") << name;
  }
}

// "GITHUB_REF: default branch" events run on the default branch, whatever HEAD is.
TEST(EventsTest, RefsFollowTheDocumentedTable) {
  struct Case {
    const char* event;
    const char* ref;
  };
  const Case cases[] = {
      {"issues", "refs/heads/main"},          {"issue_comment", "refs/heads/main"},
      {"workflow_run", "refs/heads/main"},    {"repository_dispatch", "refs/heads/main"},
      {"schedule", "refs/heads/main"},        {"pull_request_target", "refs/heads/main"},
      {"pull_request", "refs/pull/1/merge"},  {"pull_request_review", "refs/pull/1/merge"},
  };
  for (const Case& c : cases) {
    Fixture f;
    GitInfo git = FixedGit();
    git.ref = "refs/heads/feature/x";
    std::string on = std::string("  ") + c.event +
                     (std::string(c.event) == "schedule" ? ":\n    - cron: '0 3 * * *'" : ":");
    f.Workflow("on:\n" + on + "\njobs:\n  a: {runs-on: ubuntu-latest, steps: [{run: echo}]}\n");
    std::optional<Event> event = BuildEvent(*f.workflow, On(c.event), git, f.diagnostics);
    ASSERT_TRUE(event) << c.event << ": " << f.Messages();
    EXPECT_EQ(event->ref, c.ref) << c.event;
  }
}

TEST(EventsTest, PullRequestTargetDefaultTypesAndBaseBranch) {
  Fixture f;
  Built b = Make(f, "  pull_request_target:\n    branches: [main]", On("pull_request_target"));
  ASSERT_TRUE(b.event);
  EXPECT_TRUE(b.decision.triggered) << b.decision.reason;
  EXPECT_EQ(b.event->action, "opened");
  EXPECT_EQ(b.event->payload["pull_request"]["base"]["ref"], "main");

  Fixture g;
  Built closed =
      Make(g, "  pull_request_target:", WithAction("pull_request_target", "closed"));
  ASSERT_TRUE(closed.event);
  EXPECT_FALSE(closed.decision.triggered);
  EXPECT_EQ(closed.decision.reason,
            "pull_request_target activity \"closed\" is not one of the types "
            "on.pull_request_target triggers on by default (opened, synchronize, reopened); list "
            "it in on.pull_request_target.types");

  Fixture h;
  Built listed = Make(h, "  pull_request_target:\n    types: [closed]",
                      WithAction("pull_request_target", "closed"));
  EXPECT_TRUE(listed.decision.triggered) << listed.decision.reason;

  Fixture k;
  Built other_base = Make(k, "  pull_request_target:\n    branches: [release/*]",
                          On("pull_request_target"));
  EXPECT_FALSE(other_base.decision.triggered);
  EXPECT_NE(other_base.decision.reason.find("base branch \"main\" matches none of "
                                            "on.pull_request_target.branches"),
            std::string::npos)
      << other_base.decision.reason;
}

TEST(EventsTest, WorkflowRunFiltersOnWorkflowsAndHeadBranch) {
  const std::string on = "  workflow_run:\n    workflows: [Build]\n    types: [completed]";
  Fixture f;
  Built b = Make(f, on, On("workflow_run"));
  ASSERT_TRUE(b.event);
  EXPECT_TRUE(b.decision.triggered) << b.decision.reason;
  const auto& run = b.event->payload["workflow_run"];
  EXPECT_EQ(run["name"], "Build");
  EXPECT_EQ(run["conclusion"], "success");
  EXPECT_EQ(run["head_branch"], "main");
  EXPECT_EQ(run["head_sha"], FixedGit().sha);
  EXPECT_EQ(b.event->payload["action"], "completed");

  Fixture g;
  Built other = Make(g, on, WithPayload("workflow_run", R"({"workflow_run": {"name": "Lint"}})"));
  EXPECT_FALSE(other.decision.triggered);
  EXPECT_EQ(other.decision.reason,
            "the triggering workflow \"Lint\" is none of on.workflow_run.workflows (Build)");

  Fixture h;
  Built branch = Make(h, on + "\n    branches: ['releases/**']",
                      WithPayload("workflow_run", R"({"workflow_run": {"head_branch": "dev"}})"));
  EXPECT_FALSE(branch.decision.triggered);
  EXPECT_NE(branch.decision.reason.find("head branch \"dev\" matches none of "
                                        "on.workflow_run.branches"),
            std::string::npos)
      << branch.decision.reason;

  Fixture k;
  Built requested = Make(k, on, WithAction("workflow_run", "requested"));
  EXPECT_FALSE(requested.decision.triggered);
}

TEST(EventsTest, IssueCommentPayloadAndTypes) {
  Fixture f;
  Built b = Make(f, "  issue_comment:\n    types: [created]", On("issue_comment"));
  ASSERT_TRUE(b.event);
  EXPECT_TRUE(b.decision.triggered);
  EXPECT_EQ(b.event->payload["action"], "created");
  EXPECT_EQ(b.event->payload["issue"]["number"], 1);
  EXPECT_TRUE(b.event->payload["comment"].contains("body"));
  // A comment's text is not known without an event file: kept symbolic in the plan.
  EXPECT_NE(std::find(b.event->unknown_payload.begin(), b.event->unknown_payload.end(),
                      "github.event.comment.body"),
            b.event->unknown_payload.end());

  Fixture g;
  Built given = Make(g, "  issue_comment:",
                     WithPayload("issue_comment", R"({"comment": {"body": "/deploy"}})"));
  ASSERT_TRUE(given.event);
  EXPECT_EQ(given.event->payload["comment"]["body"], "/deploy");
  EXPECT_EQ(std::find(given.event->unknown_payload.begin(), given.event->unknown_payload.end(),
                      "github.event.comment.body"),
            given.event->unknown_payload.end());

  Fixture h;
  Built edited = Make(h, "  issue_comment:\n    types: [created]",
                      WithAction("issue_comment", "edited"));
  EXPECT_FALSE(edited.decision.triggered);
  EXPECT_EQ(edited.decision.reason,
            "issue_comment activity \"edited\" is not in on.issue_comment.types (created)");
}

TEST(EventsTest, RepositoryDispatchTypesAreTheEventType) {
  Fixture f;
  Built b = Make(f, "  repository_dispatch:\n    types: [deploy]", On("repository_dispatch"));
  ASSERT_TRUE(b.event);
  EXPECT_TRUE(b.decision.triggered);
  EXPECT_EQ(b.event->payload["action"], "deploy");
  EXPECT_TRUE(b.event->payload["client_payload"].is_object());

  Fixture g;
  Built other = Make(g, "  repository_dispatch:\n    types: [deploy]",
                     WithAction("repository_dispatch", "rollback"));
  EXPECT_FALSE(other.decision.triggered);
}

TEST(EventsTest, MergeGroupRunsOnTheQueueRef) {
  Fixture f;
  Built b = Make(f, "  merge_group:\n    branches: [main]", On("merge_group"));
  ASSERT_TRUE(b.event);
  EXPECT_TRUE(b.decision.triggered) << b.decision.reason;
  EXPECT_EQ(b.event->ref.rfind("refs/heads/gh-readonly-queue/main/pr-1-", 0), 0u) << b.event->ref;
  EXPECT_EQ(b.event->payload["merge_group"]["head_sha"], FixedGit().sha);
  EXPECT_EQ(b.event->payload["merge_group"]["base_ref"], "refs/heads/main");
  EXPECT_EQ(b.event->payload["action"], "checks_requested");

  Fixture g;
  Built other = Make(g, "  merge_group:\n    branches: [release]", On("merge_group"));
  EXPECT_FALSE(other.decision.triggered);
}

TEST(EventsTest, ScheduleChoosesTheCronThatFires) {
  const std::string on = "  schedule:\n    - cron: '30 5 * * 1,3'\n    - cron: '0 0 1 * *'";
  Fixture f;
  EventOptions at = On("schedule");
  at.at = *model::ParseRfc3339("2026-12-02T05:30:00Z");  // a Wednesday
  Built b = Make(f, on, at);
  ASSERT_TRUE(b.event);
  EXPECT_TRUE(b.decision.triggered) << b.decision.reason;
  EXPECT_EQ(b.event->payload["schedule"], "30 5 * * 1,3");
  EXPECT_EQ(b.decision.reason, "cron \"30 5 * * 1,3\" fires at 2026-12-02T05:30:00Z");

  Fixture g;
  at.at = *model::ParseRfc3339("2027-01-01T00:00:00Z");
  Built first = Make(g, on, at);
  EXPECT_TRUE(first.decision.triggered);
  EXPECT_EQ(first.event->payload["schedule"], "0 0 1 * *");

  Fixture h;
  at.at = *model::ParseRfc3339("2026-12-02T06:00:00Z");
  Built none = Make(h, on, at);
  EXPECT_FALSE(none.decision.triggered);
  EXPECT_EQ(none.decision.reason,
            "no cron entry of on.schedule fires at 2026-12-02T06:00:00Z; the next is "
            "\"30 5 * * 1,3\" at 2026-12-07T05:30:00Z");

  // Without --at: the entry that fires next from now.
  Fixture k;
  Built now = Make(k, on, On("schedule"));
  EXPECT_TRUE(now.decision.triggered);
  EXPECT_NE(now.decision.reason.find("fires next, at "), std::string::npos) << now.decision.reason;
}

TEST(EventsTest, FlagErrors) {
  Fixture f;
  f.Workflow("on: [push, pull_request, schedule]\njobs: {a: {runs-on: x, steps: [{run: a}]}}\n");
  EXPECT_FALSE(BuildEvent(*f.workflow, WithAction("push", "opened"), FixedGit(), f.diagnostics));
  EXPECT_FALSE(
      BuildEvent(*f.workflow, WithAction("pull_request", "opend"), FixedGit(), f.diagnostics));
  EventOptions at = On("push");
  at.at = 0;
  EXPECT_FALSE(BuildEvent(*f.workflow, at, FixedGit(), f.diagnostics));
  EXPECT_EQ(f.Messages(),
            "--action \"opened\": the push event has no activity types [event]\n"
            "--action \"opend\" is not an activity type of the pull_request event; expected one "
            "of assigned, unassigned, labeled, unlabeled, opened, edited, closed, reopened, "
            "synchronize, converted_to_draft, locked, unlocked, enqueued, dequeued, milestoned, "
            "demilestoned, ready_for_review, review_requested, review_request_removed, "
            "auto_merge_enabled, auto_merge_disabled; did you mean \"opened\"? [event]\n"
            "--at picks the moment of a schedule event; the push event has no time to choose "
            "[event]\n");
}

}  // namespace
}  // namespace slipway::plan
