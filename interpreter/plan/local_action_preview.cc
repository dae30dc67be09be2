#include "interpreter/plan/local_action_preview.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>

#include "interpreter/model/action.h"
#include "interpreter/model/load_workflow.h"
#include "interpreter/plan/plan_file.h"

namespace slipway::plan {
namespace {

namespace fs = std::filesystem;

/// The preview of one action directory, computed once per plan.
struct ActionPreview {
  std::string note;
  std::string summary;
  std::vector<std::string> details;
};

/// "files sha256 1a2b3c4d5e6f7a8b": a digest of every file of the action directory (names and
/// bytes), so that the plan — and `run --from-plan`, which insists on the same plan — changes
/// when the action or a script beside it does.
std::string Fingerprint(const fs::path& dir) {
  constexpr size_t kMaxFiles = 1000;
  constexpr uintmax_t kMaxBytes = 16 << 20;
  std::vector<fs::path> files;
  std::error_code error;
  for (fs::recursive_directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_regular_file(error)) files.push_back(it->path());
    if (files.size() > kMaxFiles) return "too many files to fingerprint";
  }
  std::sort(files.begin(), files.end());
  std::string digests;
  uintmax_t total = 0;
  for (const fs::path& file : files) {
    total += fs::file_size(file, error);
    if (total > kMaxBytes) return "too large to fingerprint";
    std::string bytes, read_error;
    if (!model::ReadWholeFile(file.string(), &bytes, &read_error)) return "unreadable files";
    digests += Sha256Hex(fs::relative(file, dir).string() + '\0' + bytes);
  }
  return fmt::format("{} file(s), sha256 {}", files.size(), Sha256Hex(digests).substr(0, 16));
}

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
  std::optional<model::Action> action = model::LoadActionDir(sources, dir.string(), display, found, work_dir);
  if (!action) {
    // validate's local-action rule has reported the problems; the plan only points at them.
    preview.summary = "cannot run: its action metadata has problems (see the errors)";
    return preview;
  }
  preview.note = "composite action";
  std::string name = action->name ? action->name->value : display;
  preview.summary = fmt::format("composite action \"{}\": {} step(s); {}", name,
                                action->steps.size(), Fingerprint(dir));
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
