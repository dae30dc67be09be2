#include "interpreter/plan/event.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "interpreter/base/json_nesting.h"
#include "interpreter/plan/event_catalog.h"
#include "interpreter/plan/event_schedule.h"

namespace slipway::plan {
namespace {

using json = nlohmann::ordered_json;

const char kZeroSha[] = "0000000000000000000000000000000000000000";

/// A string at `path` of `object` (e.g. {"release", "tag_name"}), or "".
std::string StringAt(const json& object, std::initializer_list<const char*> path) {
  const json* node = &object;
  for (const char* key : path) {
    if (!node->is_object()) return "";
    auto it = node->find(key);
    if (it == node->end()) return "";
    node = &*it;
  }
  if (node->is_string()) return node->get<std::string>();
  if (node->is_number_integer()) return std::to_string(node->get<int64_t>());
  return "";
}

/// A ref as given on the command line: full refs stay; short names become a tag
/// for release events and a branch otherwise.
std::string NormalizeRef(const std::string& ref, bool tag) {
  if (ref.rfind("refs/", 0) == 0) return ref;
  return (tag ? "refs/tags/" : "refs/heads/") + ref;
}

void CollectChangedFiles(Event& event) {
  const json& commits = event.payload.contains("commits") ? event.payload["commits"] : json();
  if (!commits.is_array()) return;
  std::set<std::string> files;
  for (const json& commit : commits) {
    if (!commit.is_object()) continue;
    for (const char* kind : {"added", "modified", "removed"}) {
      auto it = commit.find(kind);
      if (it == commit.end() || !it->is_array()) continue;
      for (const json& file : *it) {
        if (file.is_string()) files.insert(file.get<std::string>());
      }
    }
  }
  event.changed_files = std::vector<std::string>(files.begin(), files.end());
}

/// The activity type: --action, else the payload's, else the event's default (for
/// repository_dispatch, whose types are the sender's own names: the first of on.*.types, else
/// "dispatch"). An --action the event does not have is an error.
bool ChooseAction(const EventKind& kind, const model::Trigger* trigger,
                  const EventOptions& options, Event& event, Diagnostics& diagnostics) {
  const bool free_types = kind.name == "repository_dispatch";
  std::vector<std::string> types = ActivityTypes(kind);
  std::string payload_action = StringAt(event.payload, {"action"});
  if (options.action) {
    if (types.empty() && !free_types) {
      diagnostics.Error("event", {},
                        "--action \"" + *options.action + "\": the " + event.name +
                            " event has no activity types");
      return false;
    }
    if (!free_types && std::find(types.begin(), types.end(), *options.action) == types.end()) {
      diagnostics.Error("event", {},
                        "--action \"" + *options.action + "\" is not an activity type of the " +
                            event.name + " event; expected one of " +
                            fmt::format("{}", fmt::join(types, ", ")) +
                            DidYouMean(*options.action, types));
      return false;
    }
    if (!payload_action.empty() && payload_action != *options.action) {
      diagnostics.Error("event", {},
                        "--action \"" + *options.action + "\" conflicts with the event file's "
                        "action \"" + payload_action + "\"");
      return false;
    }
    event.action = *options.action;
  } else if (!payload_action.empty()) {
    event.action = payload_action;
  } else if (free_types) {
    event.action = trigger && !trigger->types.empty() ? trigger->types.front().value : "dispatch";
  } else {
    event.action = std::string(kind.default_action);
  }
  return true;
}

}  // namespace

void SplitRef(Event& event) {
  const std::string& ref = event.ref;
  if (ref.rfind("refs/heads/", 0) == 0) {
    event.ref_name = ref.substr(11);
    event.ref_type = "branch";
  } else if (ref.rfind("refs/tags/", 0) == 0) {
    event.ref_name = ref.substr(10);
    event.ref_type = "tag";
  } else if (ref.rfind("refs/pull/", 0) == 0) {
    event.ref_name = ref.substr(10);
    event.ref_type = "";
  } else {
    event.ref_name = ref;
    event.ref_type = "";
  }
}

std::optional<Event> BuildEvent(const model::Workflow& workflow, const EventOptions& options,
                                const GitInfo& git, Diagnostics& diagnostics) {
  Event event;
  event.name = options.event_name;
  if (event.name.empty()) {
    if (workflow.on.empty()) {
      diagnostics.Error("event", SourceRange{workflow.file, {}, 0},
                        "the workflow has no triggers (\"on:\"), so no event "
                        "can be simulated; "
                        "pass --event");
      return std::nullopt;
    }
    event.name = workflow.on.front().event.value;
  }
  const EventKind* kind = FindEventKind(event.name);
  if (!kind) {
    std::vector<std::string> names = EventNames();
    std::string hint = DidYouMean(event.name, names);
    diagnostics.Error("event", {},
                      "unknown event \"" + event.name + "\"" +
                          (hint.empty() ? "; GitHub's events are " +
                                              fmt::format("{}", fmt::join(names, ", "))
                                        : hint));
    return std::nullopt;
  }
  if (options.at && event.name != "schedule") {
    diagnostics.Error("event", {},
                      "--at picks the moment of a schedule event; the " + event.name +
                          " event has no time to choose");
    return std::nullopt;
  }

  if (options.event_file_text) {
    // A payload is outside input (repository_dispatch's client_payload is whatever the sender
    // wrote): its depth is bounded before anything walks it.
    if (std::string deep = JsonNestingError(*options.event_file_text); !deep.empty()) {
      diagnostics.Error("event", {}, "event file \"" + options.event_file_path + "\" " + deep);
      return std::nullopt;
    }
    json payload = json::parse(*options.event_file_text, nullptr,
                               /*allow_exceptions=*/false);
    if (payload.is_discarded() || !payload.is_object()) {
      diagnostics.Error("event", {},
                        "event file \"" + options.event_file_path +
                            (payload.is_discarded() ? "\" is not JSON (the event payload)"
                                                    : "\" is not a JSON object (the event payload)"));
      return std::nullopt;
    }
    event.payload = std::move(payload);
  }
  const json& p = event.payload;
  const model::Trigger* trigger = workflow.FindTrigger(event.name);
  event.default_branch = StringAt(p, {"repository", "default_branch"});
  if (event.default_branch.empty()) event.default_branch = git.default_branch;
  if (event.default_branch.empty()) event.default_branch = "main";

  // The repository: payload, then the origin remote, then a local placeholder.
  event.repository = StringAt(p, {"repository", "full_name"});
  if (event.repository.empty()) event.repository = git.repository;
  if (event.repository.empty()) event.repository = "local/repository";

  event.actor = options.actor.value_or("");
  if (event.actor.empty()) event.actor = StringAt(p, {"sender", "login"});
  if (event.actor.empty()) event.actor = git.actor;
  if (event.actor.empty()) {
    const char* user = std::getenv("USER");
    event.actor = user && *user ? user : "unknown";
  }

  if (!ChooseAction(*kind, trigger, options, event, diagnostics)) return std::nullopt;
  std::string current_ref = git.ref.empty() ? "refs/heads/" + event.default_branch : git.ref;
  std::string current_branch =
      current_ref.rfind("refs/heads/", 0) == 0 ? current_ref.substr(11) : current_ref;
  std::string payload_sha;

  switch (kind->ref) {
    case EventRef::kTag: {
      std::string tag = StringAt(p, {"release", "tag_name"});
      if (options.ref) {
        event.ref = NormalizeRef(*options.ref, /*tag=*/true);
      } else if (!tag.empty()) {
        event.ref = "refs/tags/" + tag;
      } else if (!git.tag.empty()) {
        event.ref = "refs/tags/" + git.tag;
      } else {
        diagnostics.Error("event", {},
                          "a " + event.name +
                              " event needs a tag: pass --ref refs/tags/<tag> (HEAD has no tag)");
        return std::nullopt;
      }
      if (event.ref.rfind("refs/tags/", 0) != 0) {
        diagnostics.Error("event", {},
                          "a " + event.name + " event's ref must be a tag (refs/tags/...), not \"" +
                              event.ref + "\"");
        return std::nullopt;
      }
      payload_sha = StringAt(p, {"release", "target_commitish"});
      break;
    }
    case EventRef::kPullMerge:
    case EventRef::kPullBase: {
      std::string number = StringAt(p, {"number"});
      if (number.empty()) number = StringAt(p, {"pull_request", "number"});
      if (number.empty()) number = "1";
      // github.head_ref / base_ref are the pull request's source and target branches: the
      // payload's pull_request.head.ref and base.ref (docs, "Contexts reference > github
      // context"), whatever ref the run is on.
      event.head_ref = StringAt(p, {"pull_request", "head", "ref"});
      event.base_ref = StringAt(p, {"pull_request", "base", "ref"});
      std::string pull_ref;
      if (options.ref) {
        // --ref names the pull request's head branch (or its refs/pull/ ref) when the payload
        // names none; pull_request_target still runs on the base branch (GITHUB_REF "PR base
        // branch", docs "Events that trigger workflows").
        std::string ref = NormalizeRef(*options.ref, false);
        if (ref.rfind("refs/pull/", 0) == 0) {
          pull_ref = ref;
        } else if (event.head_ref.empty()) {
          event.head_ref = ref.rfind("refs/heads/", 0) == 0 ? ref.substr(11) : ref;
        }
      }
      if (event.head_ref.empty()) event.head_ref = current_branch;
      if (event.base_ref.empty()) event.base_ref = event.default_branch;
      if (pull_ref.empty()) pull_ref = "refs/pull/" + number + "/merge";
      if (kind->ref == EventRef::kPullMerge) {
        event.ref = pull_ref;
        payload_sha = StringAt(p, {"pull_request", "head", "sha"});
      } else {
        // pull_request_target runs in the context of the base branch, on its last commit.
        event.ref = "refs/heads/" + event.base_ref;
      }
      break;
    }
    case EventRef::kMergeQueue: {
      event.base_ref = StringAt(p, {"merge_group", "base_ref"});
      if (event.base_ref.rfind("refs/heads/", 0) == 0) event.base_ref = event.base_ref.substr(11);
      if (event.base_ref.empty()) event.base_ref = event.default_branch;
      payload_sha = StringAt(p, {"merge_group", "head_sha"});
      std::string head = StringAt(p, {"merge_group", "head_ref"});
      if (options.ref) {
        event.ref = NormalizeRef(*options.ref, false);
      } else if (!head.empty()) {
        event.ref = NormalizeRef(head, false);
      }
      break;  // the queue ref needs the sha: set below
    }
    case EventRef::kDefaultBranch:
    case EventRef::kCurrent: {
      std::string payload_ref = event.name == "push" || event.name == "workflow_dispatch" ||
                                        event.name == "workflow_call"
                                    ? StringAt(p, {"ref"})
                                    : "";
      if (event.name == "deployment" || event.name == "deployment_status") {
        payload_ref = StringAt(p, {"deployment", "ref"});
      }
      if (event.name == "create" && !StringAt(p, {"ref"}).empty()) {
        payload_ref = (StringAt(p, {"ref_type"}) == "tag" ? "refs/tags/" : "refs/heads/") +
                      StringAt(p, {"ref"});
      }
      if (options.ref) {
        event.ref = NormalizeRef(*options.ref, false);
      } else if (!payload_ref.empty()) {
        event.ref = NormalizeRef(payload_ref, false);
      } else if (kind->ref == EventRef::kDefaultBranch) {
        event.ref = "refs/heads/" + event.default_branch;
      } else {
        event.ref = current_ref;
      }
      if (event.name == "push") payload_sha = StringAt(p, {"after"});
      // GITHUB_SHA of a deployment run is "Commit to be deployed" (docs, "Events that trigger
      // workflows").
      if (event.name == "deployment" || event.name == "deployment_status") {
        payload_sha = StringAt(p, {"deployment", "sha"});
      }
      if (event.name == "workflow_run") {
        event.head_ref = StringAt(p, {"workflow_run", "head_branch"});
        if (event.head_ref.empty()) event.head_ref = current_branch;
      }
      break;
    }
  }

  event.sha = options.sha.value_or("");
  if (event.sha.empty()) event.sha = payload_sha;
  if (event.sha.empty()) event.sha = git.sha;
  if (event.sha.empty()) event.sha = kZeroSha;
  if (kind->ref == EventRef::kMergeQueue && event.ref.empty()) {
    event.ref = "refs/heads/gh-readonly-queue/" + event.base_ref + "/pr-1-" + event.sha;
  }
  SplitRef(event);

  // Fill the payload GitHub would send, keeping whatever an event file already holds.
  json& payload = event.payload;
  auto set_default = [](json& object, const char* key, json value) {
    if (!object.contains(key)) object[key] = std::move(value);
  };
  size_t slash = event.repository.find('/');
  std::string owner =
      slash == std::string::npos ? event.repository : event.repository.substr(0, slash);
  std::string name =
      slash == std::string::npos ? event.repository : event.repository.substr(slash + 1);
  set_default(payload, "repository",
              json{{"full_name", event.repository},
                   {"name", name},
                   {"owner", json{{"login", owner}}},
                   {"default_branch", event.default_branch}});
  set_default(payload, "sender", json{{"login", event.actor}});
  if (!event.action.empty()) set_default(payload, "action", event.action);
  kind->fill(event, payload, trigger);
  if (event.name == "push") CollectChangedFiles(event);
  if (event.name == "schedule") ChooseSchedule(trigger, options.at, event);
  return event;
}

void AddDispatchInputs(const nlohmann::ordered_json& inputs, Event& event) {
  json as_strings = json::object();
  for (auto it = inputs.begin(); it != inputs.end(); ++it) {
    if (it->is_string()) {
      as_strings[it.key()] = *it;
    } else if (it->is_boolean()) {
      as_strings[it.key()] = it->get<bool>() ? "true" : "false";
    } else {
      as_strings[it.key()] = it->dump();
    }
  }
  event.payload["inputs"] = std::move(as_strings);
}

nlohmann::ordered_json GithubContext(const Event& event, const std::string& workflow_name,
                                     const std::string& workflow_path) {
  size_t slash = event.repository.find('/');
  std::string owner =
      slash == std::string::npos ? event.repository : event.repository.substr(0, slash);
  json payload = event.payload;
  // The workflow_dispatch webhook names the workflow file by its path in the repository.
  if (event.name == "workflow_dispatch" && payload.is_object() && !payload.contains("workflow")) {
    payload["workflow"] = workflow_path;
  }
  json github = {
      {"event_name", event.name},
      {"event", payload},
      {"ref", event.ref},
      {"ref_name", event.ref_name},
      {"ref_type", event.ref_type},
      {"ref_protected", false},
      {"sha", event.sha},
      {"actor", event.actor},
      {"triggering_actor", event.actor},
      {"repository", event.repository},
      {"repository_owner", owner},
      {"server_url", "https://github.com"},
      {"api_url", "https://api.github.com"},
      {"graphql_url", "https://api.github.com/graphql"},
      {"workflow", workflow_name},
      {"workflow_ref", event.repository + "/" + workflow_path + "@" + event.ref},
      {"workflow_sha", event.sha},
      {"base_ref", event.base_ref},
      {"head_ref", event.head_ref},
      {"retention_days", "90"},
  };
  return github;
}

}  // namespace slipway::plan
