// Local actions (`uses: ./path`): when the action's directory is in the working tree, its
// action.yml must be one slipway can run (a composite action with valid metadata), and the
// step's `with:` must fit its inputs: every required input without a default is given, and
// every key names a declared input.
// https://docs.github.com/en/actions/sharing-automations/creating-actions/metadata-syntax-for-github-actions#inputs
// Paths are relative to the workspace, which is the directory slipway runs in. A path that does
// not exist at all is a warning (actionlint reports it too) when the workflow file itself is in
// that working tree, unless an earlier step of the job checks out another repository or into a
// path, which may create it. A directory without
// action.yml is not reported; `run` fails that step clearly.
#include <fmt/format.h>

#include <cctype>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/model/action.h"
#include "interpreter/base/ascii.h"
#include "interpreter/validate/rule.h"

namespace slipway::validate {
namespace {

namespace fs = std::filesystem;


/// True when the workflow file lies in the working tree (a relative path not leaving it, or an
/// absolute one under the current directory): only then is the working tree its repository, so
/// a missing ./path means something. A file validated from elsewhere is not judged.
bool InWorkingTree(std::string_view path) {
  if (path.empty()) return false;
  if (path[0] != '/') return path.substr(0, 3) != "../" && path != "..";
  std::error_code error;
  std::string cwd = fs::current_path(error).string();
  if (error || cwd.empty()) return false;
  if (cwd.back() != '/') cwd += '/';
  return path.substr(0, cwd.size()) == cwd;
}

/// True when `step` may create files outside the checkout: actions/checkout of another
/// repository or into a path.
bool MayCreateDirectories(const model::Step& step) {
  if (!step.uses) return false;
  std::string name = AsciiLower(step.uses->value.substr(0, step.uses->value.find('@')));
  if (name != "actions/checkout") return false;
  return model::FindIn(step.with, "repository") || model::FindIn(step.with, "path");
}

void CheckLocalStep(const RuleContext& context, const model::Job& job, const model::Step& step) {
  const std::string& uses = step.uses->value;
  std::string display = model::LocalActionDir(uses);
  fs::path dir = display.empty() ? fs::path(".") : fs::path(display);
  bool has_metadata = model::HasActionFile(dir.string());
  if (!has_metadata) {
    std::error_code error;
    if (!InWorkingTree(context.path) || fs::exists(dir, error)) return;
    for (const model::Step& earlier : job.steps) {
      if (&earlier == &step) break;
      if (MayCreateDirectories(earlier)) return;
    }
    context.diagnostics.Warning(
        "local-action", step.uses->where,
        fmt::format("local action \"{}\" does not exist: no directory \"{}\" in the working "
                    "tree (paths are relative to the repository root, where slipway runs)",
                    uses, display));
    return;
  }

  SourceManager sources;
  Diagnostics found;
  std::optional<model::Action> action = model::LoadActionDir(sources, dir.string(), display, found, ".");
  if (!action) {
    found.Sort();
    std::vector<std::string> problems;
    for (const Diagnostic& d : found.items()) {
      if (d.severity != Severity::kError) continue;
      problems.push_back(d.where.file == kNoFile
                             ? d.message
                             : fmt::format("{}:{}:{}: {}", sources.path(d.where.file),
                                           d.where.begin.line, d.where.begin.col, d.message));
    }
    if (problems.empty()) return;
    context.diagnostics.Error(
        "local-action", step.uses->where,
        fmt::format("local action \"{}\" cannot run: {}{}", uses, problems.front(),
                    problems.size() > 1 ? fmt::format(" (and {} more problem(s) in its metadata)",
                                                      problems.size() - 1)
                                        : ""));
    return;
  }

  std::string file = sources.path(action->file);
  std::vector<std::string> declared;
  for (const model::ActionInput& input : action->inputs) declared.push_back(input.id.value);
  for (const auto& [key, value] : step.with) {
    if (action->FindInput(key.value)) continue;
    context.diagnostics.Warning(
        "local-action", key.where,
        fmt::format(
            "input \"{}\" is not defined by local action \"{}\" ({}); {}{}", key.value, uses, file,
            declared.empty() ? std::string("it declares no inputs")
                             : fmt::format("its inputs are \"{}\"", fmt::join(declared, "\", \"")),
            DidYouMean(key.value, declared)));
  }
  for (const model::ActionInput& input : action->inputs) {
    if (!input.required || input.default_value) continue;
    bool given = false;
    for (const auto& [key, value] : step.with)
      given = given || AsciiLower(key.value) == AsciiLower(input.id.value);
    if (given) continue;
    context.diagnostics.Error(
        "local-action", step.uses->where,
        fmt::format("missing required input \"{}\" for local action \"{}\" (declared at {}:{}:{})",
                    input.id.value, uses, file, input.id.where.begin.line,
                    input.id.where.begin.col));
  }
}

}  // namespace

void CheckLocalActions(const RuleContext& context) {
  for (const model::Job& job : context.workflow.jobs) {
    for (const model::Step& step : job.steps) {
      if (!step.uses || step.uses->has_expr || step.uses->value.rfind("./", 0) != 0) continue;
      // Outside the repository: reported by uses-format, and never read.
      if (model::LeavesRepository(step.uses->value)) continue;
      CheckLocalStep(context, job, step);
    }
  }
}

}  // namespace slipway::validate
