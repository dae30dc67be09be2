// Every event through the CLI: `plan` and `run` accept the events of GitHub's `on:` beyond
// push/pull_request/release/dispatch, filter them by activity type and by each event's filters,
// and give `github.event` the documented shape (overridable with --event-file); `schedule`
// says which cron entry fires and when (--at). Expectations from GitHub's documentation:
// https://docs.github.com/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows
// https://docs.github.com/webhooks/webhook-events-and-payloads
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/cli_workspace.h"

namespace slipway {
namespace {

using testing::CliResult;

class EventsE2E : public testing::CliWorkspaceTest {
 protected:
  CliResult RunWorkflow(std::vector<std::string> extra) {
    std::vector<std::string> args = {"run",      "wf.yml",          "--state-dir", "state",
                                     "--ref",    "refs/heads/main", "--sha",       "0123abcd",
                                     "--actor",  "alice"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  }
};

TEST_F(EventsE2E, IssueCommentRunsWithThePayloadOfTheEventFile) {
  Write("wf.yml", R"(on:
  issue_comment:
    types: [created]
jobs:
  deploy:
    if: contains(github.event.comment.body, '/deploy')
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.issue.number }} ${{ github.event.action }} ${{ github.event_name }}" > seen.txt
)");
  Write("event.json", R"({"comment": {"body": "please /deploy"}, "issue": {"number": 42}})");
  CliResult r = RunWorkflow({"--event", "issue_comment", "--event-file", "event.json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Read("seen.txt"), "42 created issue_comment\n");

  // An edited comment: not among on.issue_comment.types, so nothing runs (exit 1, said why).
  r = RunWorkflow({"--event", "issue_comment", "--action", "edited", "--event-file", "event.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("issue_comment activity \"edited\" is not in on.issue_comment.types "
                       "(created)"),
            std::string::npos)
      << r.err;
}

TEST_F(EventsE2E, PlanWithoutAnEventFileKeepsTheCommentSymbolic) {
  Write("wf.yml", R"(on: issue_comment
jobs:
  deploy:
    if: contains(github.event.comment.body, '/deploy')
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
)");
  CliResult r = Cli({"plan", "wf.yml", "--event", "issue_comment", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json plan = nlohmann::json::parse(r.out);
  EXPECT_EQ(plan["event"], "issue_comment");
  EXPECT_EQ(plan["action"], "created");
  EXPECT_EQ(plan["ref"], "refs/heads/main");  // issue events run on the default branch
  EXPECT_EQ(plan["jobs"][0]["status"], "conditional");
}

TEST_F(EventsE2E, WorkflowRunSeesTheTriggeringRun) {
  Write("wf.yml", R"(on:
  workflow_run:
    workflows: [Build]
    types: [completed]
    branches: [main]
jobs:
  after:
    if: github.event.workflow_run.conclusion == 'success'
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.workflow_run.name }} on ${{ github.event.workflow_run.head_branch }}" > seen.txt
)");
  CliResult r = RunWorkflow({"--event", "workflow_run"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Read("seen.txt"), "Build on main\n");

  // A failed triggering run: the job's if is false (the run succeeds with the job skipped).
  Write("failed.json", R"({"workflow_run": {"conclusion": "failure"}})");
  std::remove((dir_ / "seen.txt").c_str());
  r = RunWorkflow({"--event", "workflow_run", "--event-file", "failed.json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(Exists("seen.txt"));

  // Another workflow, or another branch: not triggered.
  Write("other.json", R"({"workflow_run": {"name": "Lint", "head_branch": "main"}})");
  r = Cli({"plan", "wf.yml", "--event", "workflow_run", "--event-file", "other.json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("the triggering workflow \"Lint\" is none of on.workflow_run.workflows"),
            std::string::npos)
      << r.out;
  Write("branch.json", R"({"workflow_run": {"head_branch": "dev"}})");
  r = Cli({"plan", "wf.yml", "--event", "workflow_run", "--event-file", "branch.json"});
  EXPECT_NE(r.out.find("head branch \"dev\" matches none of on.workflow_run.branches"),
            std::string::npos)
      << r.out;
}

TEST_F(EventsE2E, PullRequestTargetAndMergeGroupAndRepositoryDispatch) {
  Write("wf.yml", R"(on:
  pull_request_target:
    branches: [main]
  merge_group:
  repository_dispatch:
    types: [deploy]
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.ref }} ${{ github.event.client_payload.version }}"
)");
  CliResult r = Cli({"plan", "wf.yml", "--event", "pull_request_target", "--ref", "feature/x",
                     "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json plan = nlohmann::json::parse(r.out);
  EXPECT_TRUE(plan["triggered"].get<bool>()) << plan["reason"];
  EXPECT_EQ(plan["ref"], "refs/heads/main");  // the base branch, not the pull request's merge ref
  EXPECT_EQ(plan["action"], "opened");

  r = Cli({"plan", "wf.yml", "--event", "pull_request_target", "--action", "closed"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("not triggered"), std::string::npos) << r.out;

  r = Cli({"plan", "wf.yml", "--event", "merge_group", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  plan = nlohmann::json::parse(r.out);
  EXPECT_EQ(plan["ref"].get<std::string>().rfind("refs/heads/gh-readonly-queue/main/", 0), 0u)
      << plan["ref"];

  Write("dispatch.json", R"({"client_payload": {"version": "1.2.3"}})");
  r = Cli({"run", "wf.yml", "--event", "repository_dispatch", "--event-file", "dispatch.json",
           "--state-dir", "state", "--ref", "refs/heads/main", "--sha", "0123abcd"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("refs/heads/main 1.2.3"), std::string::npos) << r.out;
  r = Cli({"plan", "wf.yml", "--event", "repository_dispatch", "--action", "rollback"});
  EXPECT_NE(r.out.find("repository_dispatch activity \"rollback\" is not in "
                       "on.repository_dispatch.types (deploy)"),
            std::string::npos)
      << r.out;
}

TEST_F(EventsE2E, ScheduleSaysWhichCronFiresAndWhen) {
  Write("wf.yml", R"(on:
  schedule:
    - cron: '30 5 * * 1,3'
    - cron: '0 0 1 * *'
jobs:
  nightly:
    runs-on: ubuntu-latest
    steps:
      - run: echo "cron=${{ github.event.schedule }}"
)");
  CliResult r = Cli({"plan", "wf.yml", "--event", "schedule", "--at", "2026-12-02T05:30:00Z",
                     "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json plan = nlohmann::json::parse(r.out);
  EXPECT_TRUE(plan["triggered"].get<bool>());
  EXPECT_EQ(plan["reason"], "cron \"30 5 * * 1,3\" fires at 2026-12-02T05:30:00Z");
  EXPECT_EQ(plan["jobs"][0]["steps"][0]["run"], "echo \"cron=30 5 * * 1,3\"");

  r = Cli({"plan", "wf.yml", "--event", "schedule", "--at", "2026-12-02T06:00:00+00:00"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("no cron entry of on.schedule fires at 2026-12-02T06:00:00Z; the next is "
                       "\"30 5 * * 1,3\" at 2026-12-07T05:30:00Z"),
            std::string::npos)
      << r.out;

  r = Cli({"plan", "wf.yml", "--event", "schedule"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("fires next, at "), std::string::npos) << r.out;

  r = Cli({"plan", "wf.yml", "--event", "schedule", "--at", "tomorrow"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--at \"tomorrow\" is not an RFC 3339 date-time"), std::string::npos)
      << r.err;
}

TEST_F(EventsE2E, AnEventTheWorkflowDoesNotListIsNotRun) {
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: touch ran
)");
  CliResult r = RunWorkflow({"--event", "deployment"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the workflow has no \"deployment\" trigger; it runs on push"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(Exists("ran"));
}

}  // namespace
}  // namespace slipway
