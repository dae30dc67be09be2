// `slipway validate PATH... [--format text|json|sarif|github] [--strict] [--portable]`
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include "interpreter/cli/cli_common.h"
#include "interpreter/cli/subcommand.h"
#include "interpreter/model/load_workflow.h"
#include "interpreter/plan/env_gate.h"
#include "interpreter/validate/render.h"
#include "interpreter/validate/validate.h"
#include "stdlib/registry.h"

namespace slipway::cli {
namespace {

struct ValidateArgs {
  std::vector<std::string> paths;
  std::string format = "text";
  bool strict = false;
  bool portable = false;
  std::vector<std::string> workflow_paths;  // --workflow-path owner/repo=DIR
};

bool IsWorkflowFile(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  if (ext != ".yml" && ext != ".yaml") return false;
  // Rehearsal scenarios (*.test.yml) beside workflows are `slipway test`'s files, not workflows.
  return path.stem().extension() != ".test";
}

/// True for a directory a walk skips: slipway's state directory (.slipway: environments.yml,
/// runners.yml, run records; none is a workflow) and git's.
bool IsSkippedDirectory(const std::filesystem::directory_entry& entry) {
  std::error_code error;
  if (!entry.is_directory(error)) return false;
  const std::string name = entry.path().filename().string();
  return name == ".slipway" || name == ".git";
}

/// Expands directories (recursively, *.yml and *.yaml but not *.test.yml, sorted, skipping
/// .slipway and .git below them); files are taken as given.
/// Returns false, after saying why, when a path does not exist.
bool CollectFiles(const std::vector<std::string>& paths, std::vector<std::string>* files) {
  namespace fs = std::filesystem;
  for (const std::string& path : paths) {
    std::error_code error;
    fs::file_status status = fs::status(path, error);
    if (error || !fs::exists(status)) {
      std::cerr << "slipway validate: no such file or directory: \"" << path << "\"\n";
      return false;
    }
    if (!fs::is_directory(status)) {
      files->push_back(path);
      continue;
    }
    std::vector<std::string> found;
    for (fs::recursive_directory_iterator it(path, error), end; !error && it != end;
         it.increment(error)) {
      if (IsSkippedDirectory(*it)) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(error) && IsWorkflowFile(it->path())) {
        found.push_back(it->path().string());
      }
    }
    if (found.empty()) {
      std::cerr << "slipway validate: note: no workflow files (*.yml, *.yaml) in \"" << path
                << "\"\n";
    }
    std::sort(found.begin(), found.end());
    files->insert(files->end(), found.begin(), found.end());
  }
  return true;
}

int Run(const ValidateArgs& args) {
  validate::Format format;
  if (!validate::ParseFormat(args.format, &format)) {
    std::cerr << "slipway validate: unknown format \"" << args.format
              << "\"; expected text, json, sarif or github\n";
    return kExitUsage;
  }
  std::map<std::string, std::string> workflow_paths;
  if (!ParseWorkflowPaths("validate", args.workflow_paths, &workflow_paths)) {
    return kExitUsage;
  }
  std::vector<std::string> paths;
  if (!CollectFiles(args.paths, &paths)) return kExitUsage;

  // Read every file first (SourceManager is not thread-safe for adding), then validate them in
  // parallel; results land in per-file slots, so the output order is the input order.
  SourceManager sources;
  std::vector<FileId> ids(paths.size(), kNoFile);
  std::vector<Diagnostics> results(paths.size());
  bool unreadable = false;
  for (size_t i = 0; i < paths.size(); ++i) {
    std::string text, error;
    if (!model::ReadWholeFile(paths[i], &text, &error)) {
      FileId file = sources.Add(paths[i], "");
      results[i].Error("io", SourceRange{file, {}, 0}, "cannot read file: " + error);
      unreadable = true;
      continue;
    }
    ids[i] = sources.Add(paths[i], std::move(text));
  }
  step_api::StepCatalog catalog = stdlib::BuiltinSteps();
  validate::ValidateOptions options;
  options.portable = args.portable;
  // Local reusable-workflow calls are read from the repository root, where slipway runs.
  options.read_callee = validate::LocalCalleeReader(".", workflow_paths);
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < paths.size(); i = next++) {
      if (ids[i] == kNoFile) continue;
      std::optional<model::Workflow> workflow =
          validate::ValidateText(sources, ids[i], catalog, results[i], options);
      if (workflow) plan::WarnUnconfiguredEnvironments(*workflow, paths[i], results[i]);
    }
  };
  size_t thread_count =
      std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), paths.size());
  if (paths.empty()) thread_count = 0;
  std::vector<std::thread> threads;
  for (size_t t = 1; t < thread_count; ++t) threads.emplace_back(worker);
  worker();
  for (std::thread& thread : threads) thread.join();

  std::vector<validate::FileResult> files;
  bool failed = false;
  for (size_t i = 0; i < paths.size(); ++i) {
    results[i].Sort();
    for (const Diagnostic& d : results[i].items()) {
      if (d.severity == Severity::kError || args.strict) failed = true;
    }
    files.push_back({paths[i], results[i].items()});
  }
  std::cout << validate::Render(format, sources, files);
  if (unreadable) return kExitUsage;
  return failed ? kExitFailed : kExitOk;
}

}  // namespace

std::function<int()> SetupValidate(CLI::App& command) {
  auto args = std::make_shared<ValidateArgs>();
  command.add_option("paths", args->paths, "workflow files or directories (*.yml, *.yaml)")
      ->required();
  command.add_option("--format", args->format, "text | json | sarif | github");
  command.add_flag("--strict", args->strict, "exit 1 on warnings too");
  command.add_flag("--portable", args->portable,
                   "the files are meant for GitHub too: flag slipway's extensions");
  command.add_option("--workflow-path", args->workflow_paths,
                     "a local checkout for reusable workflows called from another repository, "
                     "OWNER/REPO=DIR");
  return [args] { return Run(*args); };
}

}  // namespace slipway::cli
