#include "interpreter/plan/trigger_filter.h"

#include <algorithm>

#include "interpreter/plan/event_catalog.h"
#include "interpreter/plan/glob.h"

namespace slipway::plan {
namespace {

std::vector<std::string> Values(const std::vector<model::Str>& list) {
  std::vector<std::string> out;
  out.reserve(list.size());
  for (const model::Str& s : list) out.push_back(s.value);
  return out;
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

/// Applies a positive list (`branches`) or an ignore list (`branches-ignore`)
/// to `value`. Returns "" when the value passes, else the reason.
std::string ApplyRefFilter(const std::string& event, const char* kind, const std::string& value,
                           bool positive_present, const std::vector<model::Str>& positive,
                           bool ignore_present, const std::vector<model::Str>& ignore) {
  std::string subject = std::string(kind) + " \"" + value + "\"";
  std::string key = std::string(kind) == "branch" ? "branches" : "tags";
  if (positive_present) {
    PatternList list(Values(positive));
    std::string matched;
    if (!list.Includes(value, &matched)) {
      if (!matched.empty()) {
        return subject + " is excluded by \"" + matched + "\" in on." + event + "." + key + " (" +
               list.Describe() + ")";
      }
      return subject + " matches none of on." + event + "." + key + " (" + list.Describe() + ")";
    }
  }
  if (ignore_present) {
    PatternList list(Values(ignore));
    std::string matched;
    if (list.Includes(value, &matched)) {
      return subject + " matches \"" + matched + "\" in on." + event + "." + key + "-ignore";
    }
  }
  return "";
}

std::string CheckPaths(const std::string& event_name, const model::Trigger& t, const Event& event,
                       std::string* note) {
  if (!t.has_paths && !t.has_paths_ignore) return "";
  if (!event.changed_files) {
    *note = "paths filters of on." + event_name +
            " not checked: the changed files are unknown (give them with "
            "--event-file)";
    return "";
  }
  const std::vector<std::string>& files = *event.changed_files;
  if (t.has_paths) {
    PatternList list(Values(t.paths));
    bool any = std::any_of(files.begin(), files.end(),
                           [&](const std::string& f) { return list.Includes(f); });
    if (!any) {
      return "no changed file matches on." + event_name + ".paths (" + list.Describe() + ")";
    }
  }
  if (t.has_paths_ignore) {
    PatternList list(Values(t.paths_ignore));
    bool all = !files.empty() && std::all_of(files.begin(), files.end(), [&](const std::string& f) {
      return list.Includes(f);
    });
    if (all) {
      return "every changed file matches on." + event_name + ".paths-ignore (" + list.Describe() +
             ")";
    }
  }
  return "";
}


/// Activity types: on.<event>.types, else the types the event triggers on by default.
std::string CheckTypes(const EventKind& kind, const model::Trigger& t, const Event& event) {
  std::vector<std::string> types = Values(t.types);
  const bool listed = !types.empty();
  if (!listed) types = DefaultActivityTypes(kind);
  if (types.empty() || std::find(types.begin(), types.end(), event.action) != types.end()) {
    return "";
  }
  if (listed) {
    return event.name + " activity \"" + event.action + "\" is not in on." + event.name +
           ".types (" + Joined(types) + ")";
  }
  return event.name + " activity \"" + event.action + "\" is not one of the types on." +
         event.name + " triggers on by default (" + Joined(types) + "); list it in on." +
         event.name + ".types";
}

std::string CheckPush(const model::Trigger& t, const Event& event, std::string* note) {
  const std::string& name = event.name;
  bool branch_filters = t.has_branches || t.has_branches_ignore;
  bool tag_filters = t.has_tags || t.has_tags_ignore;
  if (event.ref_type == "tag") {
    if (branch_filters && !tag_filters) {
      return "tag \"" + event.ref_name + "\" is not pushed to a branch, and on.push " +
             "filters only branches (tag pushes need on.push.tags)";
    }
    // GitHub does not evaluate path filters for tag pushes.
    return ApplyRefFilter(name, "tag", event.ref_name, t.has_tags, t.tags, t.has_tags_ignore,
                          t.tags_ignore);
  }
  if (tag_filters && !branch_filters) {
    return "branch \"" + event.ref_name + "\" is not a tag, and on.push filters only " +
           "tags (branch pushes need on.push.branches)";
  }
  std::string reason = ApplyRefFilter(name, "branch", event.ref_name, t.has_branches, t.branches,
                                      t.has_branches_ignore, t.branches_ignore);
  if (!reason.empty()) return reason;
  return CheckPaths(name, t, event, note);
}

/// workflow_run: the triggering workflow must be one `workflows:` names (patterns allowed).
std::string CheckWorkflows(const model::Trigger& t, const Event& event) {
  if (t.workflows.empty()) return "";
  std::string triggering;
  if (const auto run = event.payload.find("workflow_run");
      run != event.payload.end() && run->is_object()) {
    triggering = run->value("name", "");
  }
  PatternList list(Values(t.workflows));
  if (list.Includes(triggering)) return "";
  return "the triggering workflow \"" + triggering + "\" is none of on.workflow_run.workflows (" +
         list.Describe() + ")";
}

}  // namespace

TriggerDecision CheckTrigger(const model::Workflow& workflow, const Event& event) {
  TriggerDecision d;
  d.trigger = workflow.FindTrigger(event.name);
  if (!d.trigger) {
    std::vector<std::string> listed;
    for (const model::Trigger& t : workflow.on) listed.push_back(t.event.value);
    d.reason =
        "the workflow has no \"" + event.name + "\" trigger" +
        (listed.empty() ? std::string(" (it has no triggers)") : "; it runs on " + Joined(listed));
    return d;
  }
  if (!event.not_triggered.empty()) {
    d.reason = event.not_triggered;
    return d;
  }
  const model::Trigger& t = *d.trigger;
  const std::string& name = event.name;
  const EventKind* kind = FindEventKind(name);
  if (!kind) {
    d.reason = "unknown event \"" + name + "\"";
    return d;
  }
  d.reason = CheckTypes(*kind, t, event);
  if (!d.reason.empty()) return d;

  std::string note;
  switch (kind->branches) {
    case BranchFilter::kPushed:
      d.reason = CheckPush(t, event, &note);
      break;
    case BranchFilter::kBase:
      // Branch filters of pull_request, pull_request_target and merge_group: the base branch.
      d.reason = ApplyRefFilter(name, "branch", event.base_ref, t.has_branches, t.branches,
                                t.has_branches_ignore, t.branches_ignore);
      if (!d.reason.empty()) {
        d.reason = "base " + d.reason;
      } else if (kind->paths) {
        d.reason = CheckPaths(name, t, event, &note);
      }
      break;
    case BranchFilter::kHeadBranch:
      d.reason = CheckWorkflows(t, event);
      if (d.reason.empty()) {
        d.reason = ApplyRefFilter(name, "branch", event.head_ref, t.has_branches, t.branches,
                                  t.has_branches_ignore, t.branches_ignore);
        if (!d.reason.empty()) d.reason = "the triggering run's head " + d.reason;
      }
      break;
    case BranchFilter::kNone:
      break;
  }
  if (!d.reason.empty()) return d;
  if (name == "image_version" && t.node && t.node->is_mapping() &&
      (t.node->Find("names") || t.node->Find("versions"))) {
    note = "on.image_version names/versions filters not checked: slipway has no image to "
           "match them against (the event is simulated as if they matched)";
  }
  d.reason = note;
  if (!event.note.empty()) d.reason = d.reason.empty() ? event.note : event.note + "; " + d.reason;
  d.triggered = true;
  return d;
}

}  // namespace slipway::plan
