#include "interpreter/plan/event.h"

#include <cstdlib>
#include <set>

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

/// refs/heads/x → ("x", "branch"); refs/tags/v1 → ("v1", "tag");
/// refs/pull/1/merge → "1/merge".
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

}  // namespace

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
  std::vector<std::string> supported(std::begin(kSupportedEvents), std::end(kSupportedEvents));
  bool known = false;
  for (const std::string& name : supported) known = known || name == event.name;
  if (!known) {
    diagnostics.Error("event", {},
                      "unsupported event \"" + event.name +
                          "\"; expected one of push, "
                          "pull_request, release, workflow_dispatch, "
                          "workflow_call, schedule" +
                          DidYouMean(event.name, supported));
    return std::nullopt;
  }

  if (options.event_file_text) {
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

  event.action = StringAt(p, {"action"});
  std::string current_ref = git.ref.empty() ? "refs/heads/" + event.default_branch : git.ref;
  std::string payload_sha;

  if (event.name == "release") {
    if (event.action.empty()) event.action = "published";
    std::string tag = StringAt(p, {"release", "tag_name"});
    if (options.ref) {
      event.ref = NormalizeRef(*options.ref, /*tag=*/true);
    } else if (!tag.empty()) {
      event.ref = "refs/tags/" + tag;
    } else if (!git.tag.empty()) {
      event.ref = "refs/tags/" + git.tag;
    } else {
      diagnostics.Error("event", {},
                        "a release event needs a tag: pass --ref "
                        "refs/tags/<tag> (HEAD has no "
                        "tag)");
      return std::nullopt;
    }
    if (event.ref.rfind("refs/tags/", 0) != 0) {
      diagnostics.Error(
          "event", {},
          "a release event's ref must be a tag (refs/tags/...), not \"" + event.ref + "\"");
      return std::nullopt;
    }
    payload_sha = StringAt(p, {"release", "target_commitish"});
  } else if (event.name == "pull_request") {
    if (event.action.empty()) event.action = "opened";
    std::string number = StringAt(p, {"number"});
    if (number.empty()) number = StringAt(p, {"pull_request", "number"});
    if (number.empty()) number = "1";
    event.head_ref = StringAt(p, {"pull_request", "head", "ref"});
    event.base_ref = StringAt(p, {"pull_request", "base", "ref"});
    if (options.ref) {
      std::string ref = NormalizeRef(*options.ref, false);
      if (ref.rfind("refs/pull/", 0) == 0) {
        event.ref = ref;
      } else {
        event.head_ref = ref.rfind("refs/heads/", 0) == 0 ? ref.substr(11) : ref;
      }
    }
    if (event.head_ref.empty()) {
      event.head_ref =
          current_ref.rfind("refs/heads/", 0) == 0 ? current_ref.substr(11) : current_ref;
    }
    if (event.base_ref.empty()) event.base_ref = event.default_branch;
    if (event.ref.empty()) event.ref = "refs/pull/" + number + "/merge";
    payload_sha = StringAt(p, {"pull_request", "head", "sha"});
  } else {
    std::string payload_ref = StringAt(p, {"ref"});
    if (options.ref) {
      event.ref = NormalizeRef(*options.ref, false);
    } else if (!payload_ref.empty()) {
      event.ref = NormalizeRef(payload_ref, false);
    } else if (event.name == "schedule") {
      event.ref = "refs/heads/" + event.default_branch;  // schedules run on the default branch
    } else {
      event.ref = current_ref;
    }
    payload_sha = StringAt(p, {"after"});
  }
  SplitRef(event);

  event.sha = options.sha.value_or("");
  if (event.sha.empty()) event.sha = payload_sha;
  if (event.sha.empty()) event.sha = git.sha;
  if (event.sha.empty()) event.sha = kZeroSha;

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
  if (event.name == "push") {
    set_default(payload, "ref", event.ref);
    set_default(payload, "after", event.sha);
    set_default(payload, "created", false);
    set_default(payload, "deleted", false);
    set_default(payload, "forced", false);
    set_default(payload, "pusher", json{{"name", event.actor}});
    set_default(payload, "head_commit", json{{"id", event.sha}});
    CollectChangedFiles(event);
    for (const char* field : {"before", "commits", "compare", "head_commit.message",
                              "head_commit.author", "head_commit.timestamp"}) {
      std::string path = field;
      std::string top = path.substr(0, path.find('.'));
      bool given = options.event_file_text && p.contains(top) &&
                   (top == path || p[top].contains(path.substr(top.size() + 1)));
      if (!given) event.unknown_payload.push_back("github.event." + path);
    }
  } else if (event.name == "release") {
    set_default(payload, "action", event.action);
    set_default(payload, "release",
                json{{"tag_name", event.ref_name},
                     {"name", event.ref_name},
                     {"draft", false},
                     {"prerelease", false},
                     {"target_commitish", event.sha}});
  } else if (event.name == "pull_request") {
    set_default(payload, "action", event.action);
    std::string number = event.ref.substr(10, event.ref.find('/', 10) - 10);
    set_default(payload, "number", std::atoll(number.c_str()));
    set_default(payload, "pull_request",
                json{{"number", std::atoll(number.c_str())},
                     {"head", json{{"ref", event.head_ref}, {"sha", event.sha}}},
                     {"base", json{{"ref", event.base_ref}}}});
  } else if (event.name == "workflow_dispatch") {
    set_default(payload, "ref", event.ref);
    set_default(payload, "inputs", json::object());
  } else if (event.name == "schedule") {
    const model::Trigger* trigger = workflow.FindTrigger("schedule");
    if (trigger && !trigger->crons.empty())
      set_default(payload, "schedule", trigger->crons[0].value);
  }
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
  json github = {
      {"event_name", event.name},
      {"event", event.payload},
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
      {"base_ref", event.base_ref},
      {"head_ref", event.head_ref},
      {"retention_days", "90"},
  };
  return github;
}

}  // namespace slipway::plan
