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

ActionPreview Describe(SourceManager& sources, const std::string& work_dir, const std::string& uses,
                       Diagnostics& diagnostics) {
  ActionPreview preview;
  preview.note = "local action";
  std::string display = fs::path(uses.substr(2)).lexically_normal().generic_string();
  while (!display.empty() && display.back() == '/') display.pop_back();
  if (display == ".") display.clear();
  fs::path dir = fs::path(work_dir) / display;
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    preview.summary = fmt::format(
        "\"{}\" does not exist yet; it must be created by an earlier "
        "step or the run fails here",
        display.empty() ? "." : display);
    return preview;
  }
  Diagnostics found;
  std::optional<model::Action> action = model::LoadActionDir(sources, dir.string(), display, found);
  if (!action) {
    size_t errors = 0;
    for (const Diagnostic& d : found.items()) {
      if (d.severity != Severity::kError) continue;
      ++errors;
      // The run fails at this step; say so where the problem is, but let the plan go on.
      diagnostics.Warning(d.rule, d.where,
                          d.message + fmt::format(" (the step \"uses: {}\" will fail)", uses));
    }
    preview.summary = fmt::format(
        "cannot run: {} problem(s) in its action metadata (see the "
        "warnings)",
        errors);
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

void PreviewLocalActions(SourceManager& sources, const std::string& work_dir, Plan& plan,
                         Diagnostics& diagnostics) {
  std::map<std::string, ActionPreview> seen;  // each action is read (and warned about) once
  for (PlannedJob& job : plan.jobs) {
    for (PlannedStep& step : job.steps) {
      if (!step.uses || step.uses->rfind("./", 0) != 0 ||
          step.uses->find("${{") != std::string::npos) {
        continue;
      }
      auto it = seen.find(*step.uses);
      if (it == seen.end()) {
        it = seen.emplace(*step.uses, Describe(sources, work_dir, *step.uses, diagnostics)).first;
      }
      step.uses_note = it->second.note;
      step.preview_summary = it->second.summary;
      step.preview_details = it->second.details;
    }
  }
}

}  // namespace slipway::plan
