#include "interpreter/plan/trigger_filter.h"

#include <algorithm>

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
  const model::Trigger& t = *d.trigger;
  const std::string& name = event.name;

  if (name == "push") {
    bool branch_filters = t.has_branches || t.has_branches_ignore;
    bool tag_filters = t.has_tags || t.has_tags_ignore;
    if (event.ref_type == "tag") {
      if (branch_filters && !tag_filters) {
        d.reason = "tag \"" + event.ref_name + "\" is not pushed to a branch, and on.push " +
                   "filters only branches (tag pushes need on.push.tags)";
        return d;
      }
      d.reason = ApplyRefFilter(name, "tag", event.ref_name, t.has_tags, t.tags, t.has_tags_ignore,
                                t.tags_ignore);
      if (!d.reason.empty()) return d;
      // GitHub does not evaluate path filters for tag pushes.
    } else {
      if (tag_filters && !branch_filters) {
        d.reason = "branch \"" + event.ref_name + "\" is not a tag, and on.push filters only " +
                   "tags (branch pushes need on.push.branches)";
        return d;
      }
      d.reason = ApplyRefFilter(name, "branch", event.ref_name, t.has_branches, t.branches,
                                t.has_branches_ignore, t.branches_ignore);
      if (!d.reason.empty()) return d;
      std::string note;
      d.reason = CheckPaths(name, t, event, &note);
      if (!d.reason.empty()) return d;
      d.reason = note;
    }
    d.triggered = true;
    return d;
  }

  if (name == "pull_request") {
    std::vector<std::string> types = Values(t.types);
    if (types.empty()) types = {"opened", "synchronize", "reopened"};
    if (std::find(types.begin(), types.end(), event.action) == types.end()) {
      d.reason = "pull_request activity \"" + event.action +
                 "\" is not in on.pull_request.types (" + Joined(types) + ")";
      return d;
    }
    // Branch filters of pull_request apply to the base branch.
    d.reason = ApplyRefFilter(name, "branch", event.base_ref, t.has_branches, t.branches,
                              t.has_branches_ignore, t.branches_ignore);
    if (!d.reason.empty()) {
      d.reason = "base " + d.reason;
      return d;
    }
    std::string note;
    d.reason = CheckPaths(name, t, event, &note);
    if (!d.reason.empty()) return d;
    d.reason = note;
    d.triggered = true;
    return d;
  }

  if (name == "release") {
    std::vector<std::string> types = Values(t.types);
    // Without types, every release activity triggers the workflow.
    if (!types.empty() && std::find(types.begin(), types.end(), event.action) == types.end()) {
      d.reason = "release activity \"" + event.action + "\" is not in on.release.types (" +
                 Joined(types) + ")";
      return d;
    }
    d.triggered = true;
    return d;
  }

  d.triggered = true;  // workflow_dispatch, workflow_call, schedule: no filters
  return d;
}

}  // namespace slipway::plan
