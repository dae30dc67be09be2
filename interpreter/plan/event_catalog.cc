#include "interpreter/plan/event_catalog.h"

#include <cstdlib>
#include <set>

#include "interpreter/model/trigger.h"
#include "interpreter/plan/event.h"

namespace slipway::plan {
namespace {

using json = nlohmann::ordered_json;

// Payload defaults. Each keeps what the event file gave; the shapes follow GitHub's webhook
// payload documentation (the fields workflows commonly read).

void Default(json& object, const char* key, json value) {
  if (!object.contains(key)) object[key] = std::move(value);
}

/// `object[key]` as an object (created when absent; replaced only when it is not an object).
/// The payload is an ordered_json, whose members live in a vector: a reference from here is
/// valid only until the next key is added to `object`.
json& Object(json& object, const char* key) {
  if (!object.contains(key) || !object[key].is_object()) object[key] = json::object();
  return object[key];
}

/// Free text a real event carries and the plan cannot know (a comment's body): given a
/// placeholder for `run`, but kept symbolic in the plan unless the event file gives it.
void UnknownText(Event& event, json& object, const std::string& path, const char* key) {
  if (object.contains(key)) return;
  object[key] = "";
  event.unknown_payload.push_back("github.event." + path + "." + key);
}

json User(const Event& event) { return json{{"login", event.actor}, {"type", "User"}}; }

int64_t NumberOr(const json& object, const char* key, int64_t fallback) {
  auto it = object.find(key);
  if (it != object.end() && it->is_number_integer()) return it->get<int64_t>();
  return fallback;
}

void FillPullRequestObject(Event& event, json& payload) {
  int64_t number = 1;
  const std::string& ref = event.ref;
  if (ref.rfind("refs/pull/", 0) == 0) number = std::atoll(ref.c_str() + 10);
  if (number <= 0) number = NumberOr(payload, "number", 1);
  Default(payload, "number", number);
  json& pr = Object(payload, "pull_request");
  Default(pr, "number", number);
  Default(pr, "state", "open");
  Default(pr, "draft", false);
  Default(pr, "merged", false);
  Default(pr, "user", User(event));
  Default(pr, "labels", json::array());
  Default(pr, "head", json{{"ref", event.head_ref}, {"sha", event.sha}, {"repo", json{{"full_name", event.repository}}}});
  Default(pr, "base", json{{"ref", event.base_ref}, {"repo", json{{"full_name", event.repository}}}});
  Default(pr, "html_url", "https://github.com/" + event.repository + "/pull/" + std::to_string(number));
  UnknownText(event, pr, "pull_request", "title");
  UnknownText(event, pr, "pull_request", "body");
}

void FillPullRequest(Event& event, json& payload, const model::Trigger*) {
  FillPullRequestObject(event, payload);
}

void FillPullRequestReview(Event& event, json& payload, const model::Trigger*) {
  FillPullRequestObject(event, payload);
  json& review = Object(payload, "review");
  Default(review, "id", 1);
  Default(review, "state", "approved");
  Default(review, "user", User(event));
  UnknownText(event, review, "review", "body");
}

void FillComment(Event& event, json& payload) {
  json& comment = Object(payload, "comment");
  Default(comment, "id", 1);
  Default(comment, "user", User(event));
  Default(comment, "author_association", "OWNER");
  UnknownText(event, comment, "comment", "body");
}

void FillPullRequestComment(Event& event, json& payload, const model::Trigger*) {
  FillPullRequestObject(event, payload);
  FillComment(event, payload);
}

void FillIssueObject(Event& event, json& payload) {
  json& issue = Object(payload, "issue");
  Default(issue, "number", 1);
  Default(issue, "state", "open");
  Default(issue, "user", User(event));
  Default(issue, "labels", json::array());
  Default(issue, "html_url", "https://github.com/" + event.repository + "/issues/1");
  UnknownText(event, issue, "issue", "title");
  UnknownText(event, issue, "issue", "body");
}

void FillIssues(Event& event, json& payload, const model::Trigger*) {
  FillIssueObject(event, payload);
}

void FillIssueComment(Event& event, json& payload, const model::Trigger*) {
  FillIssueObject(event, payload);
  FillComment(event, payload);
}

void FillDiscussionObject(Event& event, json& payload) {
  json& discussion = Object(payload, "discussion");
  Default(discussion, "number", 1);
  Default(discussion, "category", json{{"name", "General"}});
  Default(discussion, "user", User(event));
  UnknownText(event, discussion, "discussion", "title");
  UnknownText(event, discussion, "discussion", "body");
}

void FillDiscussion(Event& event, json& payload, const model::Trigger*) {
  FillDiscussionObject(event, payload);
}

void FillDiscussionComment(Event& event, json& payload, const model::Trigger*) {
  FillDiscussionObject(event, payload);
  FillComment(event, payload);
}

void FillPush(Event& event, json& payload, const model::Trigger*) {
  Default(payload, "ref", event.ref);
  Default(payload, "after", event.sha);
  Default(payload, "created", false);
  Default(payload, "deleted", false);
  Default(payload, "forced", false);
  Default(payload, "pusher", json{{"name", event.actor}});
  // Before, the commits and the head commit's details come only with --event-file.
  for (const char* key : {"before", "commits", "compare"}) {
    if (!payload.contains(key)) event.unknown_payload.push_back(std::string("github.event.") + key);
  }
  bool head_given = payload.contains("head_commit") && payload["head_commit"].is_object();
  json& head = Object(payload, "head_commit");
  Default(head, "id", event.sha);
  for (const char* key : {"message", "author", "timestamp"}) {
    if (!head_given || !head.contains(key)) {
      event.unknown_payload.push_back(std::string("github.event.head_commit.") + key);
    }
  }
}

void FillRelease(Event& event, json& payload, const model::Trigger*) {
  Default(payload, "release",
          json{{"tag_name", event.ref_name},
               {"name", event.ref_name},
               {"draft", false},
               {"prerelease", false},
               {"target_commitish", event.sha}});
}

void FillWorkflowDispatch(Event& event, json& payload, const model::Trigger*) {
  Default(payload, "ref", event.ref);
  Default(payload, "inputs", json::object());
}

void FillNothing(Event&, json&, const model::Trigger*) {}

void FillMergeGroup(Event& event, json& payload, const model::Trigger*) {
  json& group = Object(payload, "merge_group");
  Default(group, "head_sha", event.sha);
  Default(group, "head_ref", event.ref);
  Default(group, "base_sha", event.sha);
  Default(group, "base_ref", "refs/heads/" + event.base_ref);
  Default(group, "head_commit", json{{"id", event.sha}, {"tree_id", event.sha}});
}

void FillWorkflowRun(Event& event, json& payload, const model::Trigger* trigger) {
  // The triggering workflow: the first one `workflows:` names, so the default run triggers.
  std::string name = "Build";
  if (trigger && !trigger->workflows.empty()) name = trigger->workflows.front().value;
  json& run = Object(payload, "workflow_run");
  Default(run, "id", 1);
  Default(run, "name", name);
  Default(run, "event", "push");
  Default(run, "status", "completed");
  Default(run, "conclusion", "success");
  Default(run, "head_branch", event.head_ref);
  Default(run, "head_sha", event.sha);
  Default(run, "run_number", 1);
  Default(run, "run_attempt", 1);
  Default(run, "display_title", name);
  Default(run, "html_url", "https://github.com/" + event.repository + "/actions/runs/1");
  Default(run, "head_repository", json{{"full_name", event.repository}});
  if (run["head_branch"].is_string()) event.head_ref = run["head_branch"].get<std::string>();
  // Inserting into the payload may move its members: `run` is not used after this.
  json workflow = json{{"name", run["name"]}, {"path", ".github/workflows/build.yml"}};
  Default(payload, "workflow", std::move(workflow));
}

void FillRepositoryDispatch(Event& event, json& payload, const model::Trigger*) {
  Default(payload, "branch", event.default_branch);
  if (!payload.contains("client_payload")) {
    payload["client_payload"] = json::object();
    event.unknown_payload.push_back("github.event.client_payload");
  }
}

void FillDeploymentObject(Event& event, json& payload) {
  json& deployment = Object(payload, "deployment");
  Default(deployment, "id", 1);
  Default(deployment, "sha", event.sha);
  Default(deployment, "ref", event.ref_name);
  Default(deployment, "task", "deploy");
  Default(deployment, "environment", "production");
  Default(deployment, "payload", json::object());
  Default(deployment, "creator", User(event));
}

void FillDeployment(Event& event, json& payload, const model::Trigger*) {
  FillDeploymentObject(event, payload);
}

void FillDeploymentStatus(Event& event, json& payload, const model::Trigger*) {
  FillDeploymentObject(event, payload);
  json& status = Object(payload, "deployment_status");
  Default(status, "state", "success");
  Default(status, "environment", payload["deployment"].value("environment", "production"));
  Default(status, "target_url", "");
  Default(status, "description", "");
  Default(status, "creator", User(event));
}

void FillCheckRun(Event& event, json& payload, const model::Trigger*) {
  json& run = Object(payload, "check_run");
  Default(run, "id", 1);
  Default(run, "name", "build");
  Default(run, "status", "completed");
  Default(run, "conclusion", "success");
  Default(run, "head_sha", event.sha);
  Default(run, "check_suite", json{{"head_branch", event.ref_name}, {"head_sha", event.sha}});
}

void FillCheckSuite(Event& event, json& payload, const model::Trigger*) {
  json& suite = Object(payload, "check_suite");
  Default(suite, "id", 1);
  Default(suite, "status", "completed");
  Default(suite, "conclusion", "success");
  Default(suite, "head_branch", event.ref_name);
  Default(suite, "head_sha", event.sha);
}

void FillStatus(Event& event, json& payload, const model::Trigger*) {
  Default(payload, "sha", event.sha);
  Default(payload, "state", "success");
  Default(payload, "context", "ci");
  Default(payload, "description", "");
  Default(payload, "target_url", "");
  Default(payload, "branches", json::array({json{{"name", event.ref_name}}}));
}

void FillCreateDelete(Event& event, json& payload, bool create) {
  // The created/deleted ref: a short name, with its type.
  Default(payload, "ref", event.ref_name);
  Default(payload, "ref_type", event.ref_type.empty() ? "branch" : event.ref_type);
  Default(payload, "pusher_type", "user");
  if (create) {
    Default(payload, "master_branch", event.default_branch);
    Default(payload, "description", nullptr);
  }
}

void FillCreate(Event& event, json& payload, const model::Trigger*) {
  FillCreateDelete(event, payload, true);
}

void FillDelete(Event& event, json& payload, const model::Trigger*) {
  FillCreateDelete(event, payload, false);
}

void FillLabel(Event&, json& payload, const model::Trigger*) {
  Default(payload, "label", json{{"id", 1}, {"name", "bug"}, {"color", "d73a4a"}});
}

void FillMilestone(Event&, json& payload, const model::Trigger*) {
  Default(payload, "milestone", json{{"number", 1}, {"title", "v1.0"}, {"state", "open"}});
}

void FillFork(Event& event, json& payload, const model::Trigger*) {
  Default(payload, "forkee",
          json{{"full_name", event.actor + "/" + payload["repository"].value("name", "")},
               {"owner", User(event)}});
}

void FillGollum(Event&, json& payload, const model::Trigger*) {
  Default(payload, "pages", json::array({json{{"page_name", "Home"},
                                             {"title", "Home"},
                                             {"action", "edited"},
                                             {"html_url", ""}}}));
}

void FillPageBuild(Event& event, json& payload, const model::Trigger*) {
  Default(payload, "build",
          json{{"status", "built"}, {"commit", event.sha}, {"error", json{{"message", nullptr}}}});
}

void FillProject(Event&, json& payload, const model::Trigger*) {
  Default(payload, "project", json{{"id", 1}, {"number", 1}, {"name", "Roadmap"}, {"state", "open"}});
}

void FillProjectCard(Event&, json& payload, const model::Trigger*) {
  Default(payload, "project_card", json{{"id", 1}, {"note", ""}, {"column_id", 1}});
}

void FillProjectColumn(Event&, json& payload, const model::Trigger*) {
  Default(payload, "project_column", json{{"id", 1}, {"name", "To do"}});
}

void FillRegistryPackage(Event& event, json& payload, const model::Trigger*) {
  Default(payload, "registry_package",
          json{{"name", payload["repository"].value("name", "package")},
               {"package_type", "CONTAINER"},
               {"package_version",
                json{{"version", event.ref_name}, {"target_commitish", event.sha}}}});
}

void FillBranchProtectionRule(Event& event, json& payload, const model::Trigger*) {
  Default(payload, "rule", json{{"id", 1}, {"name", event.default_branch}});
}

void FillImageVersion(Event&, json& payload, const model::Trigger*) {
  Default(payload, "image_version", json{{"image_definition_name", "image"}, {"version", "1.0.0"}});
}

constexpr std::string_view kPullRequestTypes =
    "assigned unassigned labeled unlabeled opened edited closed reopened synchronize "
    "converted_to_draft locked unlocked enqueued dequeued milestoned demilestoned ready_for_review "
    "review_requested review_request_removed auto_merge_enabled auto_merge_disabled";
constexpr std::string_view kCreatedEditedDeleted = "created edited deleted";

// The one table, alphabetical. Types and defaults: "Events that trigger workflows" (only
// pull_request and pull_request_target trigger on a subset by default).
const EventKind kEventKinds[] = {
    {"branch_protection_rule", kCreatedEditedDeleted, "", "created", EventRef::kDefaultBranch,
     BranchFilter::kNone, false, &FillBranchProtectionRule},
    {"check_run", "created rerequested completed requested_action", "", "completed",
     EventRef::kDefaultBranch, BranchFilter::kNone, false, &FillCheckRun},
    {"check_suite", "completed", "", "completed", EventRef::kDefaultBranch, BranchFilter::kNone,
     false, &FillCheckSuite},
    {"create", "", "", "", EventRef::kCurrent, BranchFilter::kNone, false, &FillCreate},
    {"delete", "", "", "", EventRef::kDefaultBranch, BranchFilter::kNone, false, &FillDelete},
    {"deployment", "", "", "", EventRef::kCurrent, BranchFilter::kNone, false, &FillDeployment},
    {"deployment_status", "", "", "", EventRef::kCurrent, BranchFilter::kNone, false,
     &FillDeploymentStatus},
    {"discussion",
     "created edited deleted transferred pinned unpinned labeled unlabeled locked unlocked "
     "category_changed answered unanswered",
     "", "created", EventRef::kDefaultBranch, BranchFilter::kNone, false, &FillDiscussion},
    {"discussion_comment", kCreatedEditedDeleted, "", "created", EventRef::kDefaultBranch,
     BranchFilter::kNone, false, &FillDiscussionComment},
    {"fork", "", "", "", EventRef::kDefaultBranch, BranchFilter::kNone, false, &FillFork},
    {"gollum", "", "", "", EventRef::kDefaultBranch, BranchFilter::kNone, false, &FillGollum},
    {"image_version", "created ready deleted", "", "ready", EventRef::kDefaultBranch,
     BranchFilter::kNone, false, &FillImageVersion},
    {"issue_comment", kCreatedEditedDeleted, "", "created", EventRef::kDefaultBranch,
     BranchFilter::kNone, false, &FillIssueComment},
    {"issues",
     "opened edited deleted transferred pinned unpinned closed reopened assigned unassigned "
     "labeled unlabeled locked unlocked milestoned demilestoned field_added field_removed typed "
     "untyped",
     "", "opened", EventRef::kDefaultBranch, BranchFilter::kNone, false, &FillIssues},
    {"label", kCreatedEditedDeleted, "", "created", EventRef::kDefaultBranch, BranchFilter::kNone,
     false, &FillLabel},
    {"merge_group", "checks_requested", "", "checks_requested", EventRef::kMergeQueue,
     BranchFilter::kBase, false, &FillMergeGroup},
    {"milestone", "created closed opened edited deleted", "", "created", EventRef::kDefaultBranch,
     BranchFilter::kNone, false, &FillMilestone},
    {"page_build", "", "", "", EventRef::kDefaultBranch, BranchFilter::kNone, false,
     &FillPageBuild},
    {"project", "created closed reopened edited deleted", "", "created", EventRef::kDefaultBranch,
     BranchFilter::kNone, false, &FillProject},
    {"project_card", "created moved converted edited deleted", "", "created",
     EventRef::kDefaultBranch, BranchFilter::kNone, false, &FillProjectCard},
    {"project_column", "created updated moved deleted", "", "created", EventRef::kDefaultBranch,
     BranchFilter::kNone, false, &FillProjectColumn},
    {"public", "", "", "", EventRef::kDefaultBranch, BranchFilter::kNone, false, &FillNothing},
    {"pull_request", kPullRequestTypes, "opened synchronize reopened", "opened",
     EventRef::kPullMerge, BranchFilter::kBase, true, &FillPullRequest},
    {"pull_request_comment", kCreatedEditedDeleted, "", "created", EventRef::kPullMerge,
     BranchFilter::kNone, false, &FillPullRequestComment},
    {"pull_request_review", "submitted edited dismissed", "", "submitted", EventRef::kPullMerge,
     BranchFilter::kNone, false, &FillPullRequestReview},
    {"pull_request_review_comment", kCreatedEditedDeleted, "", "created", EventRef::kPullMerge,
     BranchFilter::kNone, false, &FillPullRequestComment},
    {"pull_request_target", kPullRequestTypes, "opened synchronize reopened", "opened",
     EventRef::kPullBase, BranchFilter::kBase, true, &FillPullRequest},
    {"push", "", "", "", EventRef::kCurrent, BranchFilter::kPushed, true, &FillPush},
    {"registry_package", "published updated", "", "published", EventRef::kCurrent,
     BranchFilter::kNone, false, &FillRegistryPackage},
    {"release", "published unpublished created edited deleted prereleased released", "",
     "published", EventRef::kTag, BranchFilter::kNone, false, &FillRelease},
    // Any type name the sender chooses (`event_type`); the payload's action is that name.
    {"repository_dispatch", "", "", "", EventRef::kDefaultBranch, BranchFilter::kNone, false,
     &FillRepositoryDispatch},
    {"schedule", "", "", "", EventRef::kDefaultBranch, BranchFilter::kNone, false, &FillNothing},
    {"status", "", "", "", EventRef::kDefaultBranch, BranchFilter::kNone, false, &FillStatus},
    {"watch", "started", "", "started", EventRef::kDefaultBranch, BranchFilter::kNone, false,
     &FillNothing},
    {"workflow_call", "", "", "", EventRef::kCurrent, BranchFilter::kNone, false, &FillNothing},
    {"workflow_dispatch", "", "", "", EventRef::kCurrent, BranchFilter::kNone, false,
     &FillWorkflowDispatch},
    {"workflow_run", "requested completed in_progress", "", "completed", EventRef::kDefaultBranch,
     BranchFilter::kHeadBranch, false, &FillWorkflowRun},
};

std::vector<std::string> Split(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t space = text.find(' ', start);
    if (space == std::string_view::npos) space = text.size();
    if (space > start) out.emplace_back(text.substr(start, space - start));
    start = space + 1;
  }
  return out;
}

}  // namespace

const EventKind* FindEventKind(std::string_view name) {
  for (const EventKind& kind : kEventKinds) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}

std::vector<std::string> EventNames() {
  std::vector<std::string> names;
  for (const EventKind& kind : kEventKinds) names.emplace_back(kind.name);
  return names;
}

std::vector<std::string> ActivityTypes(const EventKind& kind) { return Split(kind.types); }

std::vector<std::string> DefaultActivityTypes(const EventKind& kind) {
  return kind.default_types.empty() ? Split(kind.types) : Split(kind.default_types);
}

}  // namespace slipway::plan
