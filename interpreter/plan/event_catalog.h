#pragma once
/// Every event GitHub's workflow syntax allows under `on:`, as ONE table (kEventKinds in
/// event_catalog.cc): its activity types and which of them trigger by default, how GITHUB_REF
/// and GITHUB_SHA are chosen, which ref its branch filters look at, and the default payload
/// (github.event) a plan gets without --event-file. BuildEvent (event.h) and CheckTrigger
/// (trigger_filter.h) read the row; nothing else lists events.
/// https://docs.github.com/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows
/// https://docs.github.com/webhooks/webhook-events-and-payloads

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace slipway::model {
struct Trigger;
}
namespace slipway::plan {

struct Event;

/// Where an event's GITHUB_REF points (the docs' "GITHUB_REF" column).
enum class EventRef {
  kCurrent,        // the pushed/dispatched/deployed ref: --ref, the payload's, else git HEAD's
  kDefaultBranch,  // the repository's default branch (issues, schedule, workflow_run, ...)
  kPullMerge,      // refs/pull/<n>/merge (pull_request and its reviews/comments)
  kPullBase,       // the pull request's base branch (pull_request_target)
  kTag,            // a tag (release)
  kMergeQueue,     // refs/heads/gh-readonly-queue/<base>/pr-<n>-<sha> (merge_group)
};

/// Which ref an event's `branches`/`branches-ignore` filters are matched against.
enum class BranchFilter {
  kNone,        // the event takes no branch filters
  kPushed,      // push: the pushed branch (tags: the tag filters)
  kBase,        // pull_request, pull_request_target, merge_group: the base branch
  kHeadBranch,  // workflow_run: the triggering run's head_branch
};

/// One row of the table.
struct EventKind {
  std::string_view name;
  /// Every activity type, space-separated; "" when the event has none.
  std::string_view types;
  /// The types that trigger when `on.<event>.types` is absent; "" = all of them.
  std::string_view default_types;
  /// The activity a plan simulates when neither --action nor the payload says ("" = none).
  std::string_view default_action;
  EventRef ref;
  BranchFilter branches;
  bool paths = false;  // takes paths/paths-ignore filters
  /// Fills what the event's payload carries beyond action/repository/sender, keeping what an
  /// event file already holds; may add `unknown` payload paths (values the plan cannot know).
  /// `trigger` is the workflow's `on.<event>` entry, when it has one.
  void (*fill)(Event& event, nlohmann::ordered_json& payload, const model::Trigger* trigger);
};

/// The row for `name`, or nullptr when GitHub has no such event.
const EventKind* FindEventKind(std::string_view name);

/// Every event name, in the table's (alphabetical) order.
std::vector<std::string> EventNames();

/// The activity types of `kind` (split), and the ones that trigger by default.
std::vector<std::string> ActivityTypes(const EventKind& kind);
std::vector<std::string> DefaultActivityTypes(const EventKind& kind);

}  // namespace slipway::plan
