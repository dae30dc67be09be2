#include "interpreter/plan/event.h"

#include "tests/unit/plan/plan_test_util.h"

namespace slipway::plan {
namespace {

using testing::FixedGit;
using testing::Fixture;
using testing::On;

TEST(EventTest, RepositoryFromRemoteUrl) {
  EXPECT_EQ(RepositoryFromRemoteUrl("https://github.com/octo/app.git"), "octo/app");
  EXPECT_EQ(RepositoryFromRemoteUrl("git@github.com:octo/app.git"), "octo/app");
  EXPECT_EQ(RepositoryFromRemoteUrl("ssh://git@github.com/octo/app"), "octo/app");
  EXPECT_EQ(RepositoryFromRemoteUrl("https://gitlab.example.com/group/sub/app.git"), "sub/app");
  EXPECT_EQ(RepositoryFromRemoteUrl("/local/path"), "");
  EXPECT_EQ(RepositoryFromRemoteUrl(""), "");
}

TEST(EventTest, ReadGitInfoOutsideARepositoryIsEmpty) {
  GitInfo git = ReadGitInfo("/");
  EXPECT_EQ(git.sha, "");
  EXPECT_EQ(git.ref, "");
}

TEST(EventTest, DefaultsComeFromGitAndTheFirstTrigger) {
  Fixture f;
  f.Workflow(
      "on: [workflow_dispatch, push]\njobs: {a: {runs-on: x, steps: "
      "[{run: a}]}}\n");
  std::optional<Event> event = BuildEvent(*f.workflow, {}, FixedGit(), f.diagnostics);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->name, "workflow_dispatch");
  EXPECT_EQ(event->ref, "refs/heads/main");
  EXPECT_EQ(event->sha, FixedGit().sha);
  EXPECT_EQ(event->actor, "octocat");
  nlohmann::ordered_json github = GithubContext(*event, "Deploy", ".github/workflows/d.yml");
  EXPECT_EQ(github["repository"], "example/app");
  EXPECT_EQ(github["repository_owner"], "example");
  EXPECT_EQ(github["ref_name"], "main");
  EXPECT_EQ(github["ref_type"], "branch");
  EXPECT_EQ(github["event_name"], "workflow_dispatch");
  EXPECT_EQ(github["server_url"], "https://github.com");
  EXPECT_FALSE(github.contains("run_id"));  // known only when a run starts
}

TEST(EventTest, TagsReleasesAndPullRequests) {
  Fixture f;
  f.Workflow(
      "on: [push, release, pull_request]\njobs: {a: {runs-on: x, steps: "
      "[{run: a}]}}\n");
  std::optional<Event> tag =
      BuildEvent(*f.workflow, On("push", "refs/tags/v1.2.0"), FixedGit(), f.diagnostics);
  ASSERT_TRUE(tag);
  EXPECT_EQ(tag->ref_type, "tag");
  EXPECT_EQ(tag->ref_name, "v1.2.0");
  std::optional<Event> release =
      BuildEvent(*f.workflow, On("release", "v2.0.0"), FixedGit(), f.diagnostics);
  ASSERT_TRUE(release);
  EXPECT_EQ(release->ref, "refs/tags/v2.0.0");
  EXPECT_EQ(release->action, "published");
  EXPECT_EQ(release->payload["release"]["tag_name"], "v2.0.0");
  std::optional<Event> pr =
      BuildEvent(*f.workflow, On("pull_request", "feature/x"), FixedGit(), f.diagnostics);
  ASSERT_TRUE(pr);
  EXPECT_EQ(pr->ref, "refs/pull/1/merge");
  EXPECT_EQ(pr->head_ref, "feature/x");
  EXPECT_EQ(pr->base_ref, "main");
  EXPECT_FALSE(f.diagnostics.has_errors()) << f.Messages();
}

// github.head_ref / base_ref are the payload's pull_request.head.ref / base.ref (docs, "Contexts
// reference > github context"); --ref names the head branch only when the payload names none,
// and pull_request_target runs on the base branch (GITHUB_REF "PR base branch").
TEST(EventTest, PullRequestRefsComeFromThePayload) {
  Fixture f;
  f.Workflow(
      "on: [pull_request, pull_request_target]\njobs: {a: {runs-on: x, steps: [{run: a}]}}\n");
  const std::string payload =
      R"({"pull_request": {"number": 7, "head": {"ref": "feature/x"}, "base": {"ref": "main"}}})";
  EventOptions target = On("pull_request_target", "refs/heads/main");
  target.event_file_text = payload;
  std::optional<Event> event = BuildEvent(*f.workflow, target, FixedGit(), f.diagnostics);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->head_ref, "feature/x");
  EXPECT_EQ(event->base_ref, "main");
  EXPECT_EQ(event->ref, "refs/heads/main");
  EventOptions pr = On("pull_request", "refs/heads/other");
  pr.event_file_text = payload;
  event = BuildEvent(*f.workflow, pr, FixedGit(), f.diagnostics);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->head_ref, "feature/x");
  EXPECT_EQ(event->ref, "refs/pull/7/merge");
  EXPECT_FALSE(f.diagnostics.has_errors()) << f.Messages();
}

TEST(EventTest, Errors) {
  Fixture f;
  f.Workflow("on: [push, release]\njobs: {a: {runs-on: x, steps: [{run: a}]}}\n");
  EXPECT_FALSE(BuildEvent(*f.workflow, On("pushh"), FixedGit(), f.diagnostics));
  EXPECT_FALSE(BuildEvent(*f.workflow, On("release"), FixedGit(), f.diagnostics));
  EventOptions bad = On("push");
  bad.event_file_text = "[1, 2";
  bad.event_file_path = "event.json";
  EXPECT_FALSE(BuildEvent(*f.workflow, bad, FixedGit(), f.diagnostics));
  EXPECT_EQ(f.Messages(),
            "unknown event \"pushh\"; did you mean \"push\"? [event]\n"
            "a release event needs a tag: pass --ref "
            "refs/tags/<tag> (HEAD has no tag) [event]\n"
            "event file \"event.json\" is not JSON (the "
            "event payload) [event]\n");
  // JSON, but not an object: said as such.
  Fixture g;
  g.Workflow("on: push\njobs: {a: {runs-on: x, steps: [{run: a}]}}\n");
  bad.event_file_text = "[1, 2]";
  EXPECT_FALSE(BuildEvent(*g.workflow, bad, FixedGit(), g.diagnostics));
  EXPECT_EQ(g.Messages(),
            "event file \"event.json\" is not a JSON object (the event payload) [event]\n");
}

TEST(EventTest, EventFileFieldsAndFlagsOverride) {
  Fixture f;
  f.Workflow("on: push\njobs: {a: {runs-on: x, steps: [{run: a}]}}\n");
  EventOptions options = On("push");
  options.event_file_text =
      R"({"ref": "refs/heads/dev", "after": "abc", "sender": {"login": "mona"},
          "repository": {"full_name": "o/r"}})";
  options.actor = "hubot";
  std::optional<Event> event = BuildEvent(*f.workflow, options, FixedGit(), f.diagnostics);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->ref, "refs/heads/dev");
  EXPECT_EQ(event->sha, "abc");
  EXPECT_EQ(event->actor, "hubot");
  EXPECT_EQ(event->repository, "o/r");
}

}  // namespace
}  // namespace slipway::plan
