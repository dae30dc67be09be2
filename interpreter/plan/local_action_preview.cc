#include "interpreter/plan/local_action_preview.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <optional>

#include "interpreter/model/action.h"

namespace slipway::plan {
namespace {

namespace fs = std::filesystem;

/// The preview of one action directory, computed once per plan.
struct ActionPreview {
  std::string note;
  std::string summary;
  std::vector<std::string> details;
};

ActionPreview Describe(const std::string& work_dir, const std::string& uses) {
  ActionPreview preview;
  preview.note = "local action";
  std::string display = model::LocalActionDir(uses);
  fs::path dir = fs::path(work_dir) / display;
  bool has_metadata = model::HasActionFile(dir.string());
  if (!has_metadata) {
    preview.summary = fmt::format(
        "no action.yml in \"{}\" yet; an earlier step must bring it or the run fails here",
        display.empty() ? "." : display);
    return preview;
  }
  SourceManager sources;
  Diagnostics found;
  std::optional<model::Action> action = model::LoadActionDir(sources, dir.string(), display, found);
  if (!action) {
    // validate's local-action rule has reported the problems; the plan only points at them.
    preview.summary = "cannot run: its action metadata has problems (see the errors)";
    return preview;
  }
  preview.note = "composite action";
  std::string name = action->name ? action->name->value : display;
  preview.summary = fmt::format("composite action \"{}\": {} step(s)", name, action->steps.size());
  for (const model::Step& step : action->steps) {
    std::string kind;
    if (step.run) kind = fmt::format("run, {}", step.shell ? step.shell->value : "bash");
    if (step.uses) kind = "uses " + step.uses->value;
    preview.details.push_back(fmt::format("{}. {} ({})", step.index + 1, step.DisplayName(), kind));
  }
  return preview;
}

}  // namespace

void PreviewLocalActions(const std::string& work_dir, Plan& plan) {
  std::map<std::string, ActionPreview> seen;  // each action is read (and warned about) once
  for (PlannedJob& job : plan.jobs) {
    for (PlannedStep& step : job.steps) {
      if (!step.uses || step.uses->rfind("./", 0) != 0 ||
          step.uses->find("${{") != std::string::npos) {
        continue;
      }
      auto it = seen.find(*step.uses);
      if (it == seen.end()) {
        it = seen.emplace(*step.uses, Describe(work_dir, *step.uses)).first;
      }
      step.uses_note = it->second.note;
      step.preview_summary = it->second.summary;
      step.preview_details = it->second.details;
    }
  }
}

}  // namespace slipway::plan
