#pragma once
/// The event a plan is made for: its name, ref, commit, actor, repository and
/// payload, built from flags, an optional payload file and the local git
/// checkout, and the `github` context GitHub would populate for it.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "interpreter/base/diagnostic.h"
#include "interpreter/model/workflow.h"
#include "interpreter/plan/git_info.h"

namespace slipway::plan {

/// What the command line asked for. Absent fields come from the payload, then from git.
struct EventOptions {
  std::string event_name;  // "" → the workflow's first trigger
  std::optional<std::string> ref, sha, actor;
  /// --action: the activity type (pull_request "closed", issue_comment "edited", a
  /// repository_dispatch event type); absent: the payload's, else the event's default.
  std::optional<std::string> action;
  /// --at (seconds since the epoch, UTC): the moment a schedule event is simulated at; absent:
  /// now, and the cron entry that fires next is chosen.
  std::optional<int64_t> at;
  /// Contents of --event-file (already read) and its path, for messages.
  std::optional<std::string> event_file_text;
  std::string event_file_path;
};

/// One event, fully determined. `payload` is `github.event`.
struct Event {
  std::string name;      // "push", "release", ...
  std::string action;    // release: "published"; pull_request: "opened"; else ""
  std::string ref;       // refs/heads/main, refs/tags/v1.2.0, refs/pull/1/merge
  std::string ref_name;  // main, v1.2.0, 1/merge
  std::string ref_type;  // "branch" | "tag" | "" (pull requests)
  std::string sha;
  std::string actor;
  std::string repository;          // owner/name
  std::string base_ref, head_ref;  // pull_request only (branch names)
  std::string default_branch;
  /// Changed files, when the payload lists them (push:
  /// commits[].added/modified/removed).
  std::optional<std::vector<std::string>> changed_files;
  nlohmann::ordered_json payload = nlohmann::ordered_json::object();
  /// Payload fields a real event carries that the plan cannot know without
  /// --event-file (e.g. push's "before" and "commits"), as context paths
  /// ("github.event.before"): expressions reading them stay symbolic.
  std::vector<std::string> unknown_payload;
  /// A note for the plan about how the event was chosen (schedule: which cron entry fires
  /// when); "" when none.
  std::string note;
  /// Non-empty: the event as simulated cannot trigger the workflow, and why (schedule --at a
  /// moment no cron entry fires at). CheckTrigger reports it.
  std::string not_triggered;
};

/// Sets `event.ref_name` and `event.ref_type` from `event.ref`: refs/heads/x → ("x", "branch");
/// refs/tags/v1 → ("v1", "tag"); refs/pull/1/merge → ("1/merge", "").
void SplitRef(Event& event);

/// Builds the event for any event GitHub's workflow syntax allows (plan/event_catalog.h).
/// Errors (rule "event"): an unknown --event, an --action the event does not have, --at for
/// another event than schedule, a workflow without triggers, an --event-file that is not a
/// JSON object, a release without a tag. Returns nullopt when there are errors.
std::optional<Event> BuildEvent(const model::Workflow& workflow, const EventOptions& options,
                                const GitInfo& git, Diagnostics& diagnostics);

/// Puts `inputs` into the payload as GitHub does for workflow_dispatch:
/// github.event.inputs holds every input as a string ("true", "3").
void AddDispatchInputs(const nlohmann::ordered_json& inputs, Event& event);

/// The `github` context for `event`. `workflow_name` is the workflow's name (or
/// its path). run_id, run_number and run_attempt are only known when a run
/// starts, so they are absent.
nlohmann::ordered_json GithubContext(const Event& event, const std::string& workflow_name,
                                     const std::string& workflow_path);

}  // namespace slipway::plan
