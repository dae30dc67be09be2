#include "interpreter/cli/cli_common.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <map>

#include "interpreter/exec/container_runtime.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/process.h"
#include "interpreter/exec/secrets.h"
#include "interpreter/validate/render.h"

namespace slipway::cli {

void AddEventFlags(CLI::App& command, EventFlags& flags) {
  command.add_option("--event", flags.event,
                     "any event GitHub's `on:` allows: push, pull_request, issue_comment, "
                     "workflow_run, schedule, ... (default: the workflow's first trigger)");
  command.add_option("--action", flags.action,
                     "the activity type, e.g. closed for pull_request (default: the event "
                     "file's, else the event's usual one)");
  command.add_option("--at", flags.at,
                     "schedule: the moment, RFC 3339 UTC (default: now; the next cron to fire)");
  command.add_option("--ref", flags.ref, "the ref, e.g. refs/tags/v1.2.0 (default: git HEAD)");
  command.add_option("--sha", flags.sha, "the commit (default: git HEAD)");
  command.add_option("--actor", flags.actor, "who triggers the run (default: git user.name)");
  command.add_option("--input", flags.inputs, "a workflow_dispatch input, KEY=VALUE");
  command.add_option("--var", flags.vars, "a configuration variable (vars context), KEY=VALUE");
  command.add_option("--event-file", flags.event_file, "the full event payload (JSON)");
  command.add_option("--env-config", flags.env_config,
                     "environments file (default: .slipway/environments.yml if present)");
  command.add_option("--workflow-path", flags.workflow_paths,
                     "a local checkout for reusable workflows called from another repository, "
                     "OWNER/REPO=DIR");
  command.add_flag("--no-containers", flags.no_containers,
                   "with no container runtime, run the steps of jobs with container:/services: "
                   "on the host (loudly) instead of refusing them");
}

bool ParseWorkflowPaths(std::string_view command, const std::vector<std::string>& items,
                        std::map<std::string, std::string>* out) {
  for (const std::string& item : items) {
    std::pair<std::string, std::string> kv;
    const bool split = plan::SplitKeyValue(item, &kv);
    const size_t slash = kv.first.find('/');
    if (!split || kv.second.empty() || slash == std::string::npos || slash == 0 ||
        slash + 1 == kv.first.size() || kv.first.find('/', slash + 1) != std::string::npos) {
      std::cerr << "slipway " << command << ": --workflow-path \"" << item
                << "\" is not of the form OWNER/REPO=DIR\n";
      return false;
    }
    std::error_code error;
    if (!std::filesystem::is_directory(kv.second, error)) {
      std::cerr << "slipway " << command << ": --workflow-path " << kv.first << ": \""
                << kv.second << "\" is not a directory\n";
      return false;
    }
    (*out)[kv.first] = kv.second;
  }
  return true;
}

void PrintDiagnostics(std::string_view command, const SourceManager& sources,
                      Diagnostics& diagnostics) {
  diagnostics.Sort();
  std::map<FileId, validate::FileResult> by_file;
  for (const Diagnostic& d : diagnostics.items()) {
    if (d.where.file == kNoFile) {
      std::cerr << "slipway " << command << ": " << SeverityName(d.severity) << ": " << d.message
                << " [" << d.rule << "]\n";
      continue;
    }
    validate::FileResult& result = by_file[d.where.file];
    result.path = sources.path(d.where.file);
    result.diagnostics.push_back(d);
  }
  std::vector<validate::FileResult> files;
  for (auto& [file, result] : by_file) files.push_back(std::move(result));
  if (!files.empty()) std::cerr << validate::RenderText(sources, files);
}

namespace {

bool ParsePairs(std::string_view command, const std::vector<std::string>& items, const char* flag,
                plan::KeyValues* out) {
  for (const std::string& item : items) {
    std::pair<std::string, std::string> kv;
    if (!plan::SplitKeyValue(item, &kv)) {
      std::cerr << "slipway " << command << ": " << flag << " \"" << item
                << "\" is not of the form KEY=VALUE\n";
      return false;
    }
    out->push_back(std::move(kv));
  }
  return true;
}

}  // namespace

bool ToPlanOptions(std::string_view command, const std::string& workflow, const EventFlags& flags,
                   plan::PlanOptions* options) {
  options->workflow_path = workflow;
  options->event_name = flags.event;
  if (!flags.ref.empty()) options->ref = flags.ref;
  if (!flags.sha.empty()) options->sha = flags.sha;
  if (!flags.actor.empty()) options->actor = flags.actor;
  if (!flags.action.empty()) options->action = flags.action;
  if (!flags.at.empty()) options->at = flags.at;
  if (!flags.event_file.empty()) options->event_file = flags.event_file;
  if (!flags.env_config.empty()) options->env_config = flags.env_config;
  options->no_containers = flags.no_containers;
  if (std::optional<exec::ContainerRuntime> runtime = exec::DetectContainerRuntime(
          exec::CurrentEnvironment(), &options->container_runtime_missing)) {
    options->container_runtime = runtime->Describe();
  }
  return ParsePairs(command, flags.inputs, "--input", &options->inputs) &&
         ParsePairs(command, flags.vars, "--var", &options->vars) &&
         ParseWorkflowPaths(command, flags.workflow_paths, &options->workflow_paths);
}

void HintGitignore(const std::string& state_dir, bool existed) {
  std::error_code error;
  if (existed || !std::filesystem::is_directory(state_dir, error)) return;
  // `git check-ignore -q PATH`: 0 ignored, 1 not ignored, 128 not in a work tree (or no git).
  exec::ProcessOptions options;
  options.argv = {"git", "check-ignore", "-q", state_dir};
  options.env = exec::CurrentEnvironment();
  options.timeout = std::chrono::milliseconds(5000);
  exec::ProcessResult result = exec::RunProcess(options, nullptr, nullptr);
  if (result.end != exec::ProcessEnd::kExited || result.exit_code != 1) return;
  std::string entry = std::filesystem::path(state_dir).lexically_normal().string();
  if (entry.empty() || entry.back() != '/') entry += "/";
  std::cerr << "hint: slipway created \"" << entry
            << "\" (run records, logs, audit key); it is not ignored by git. Add it to "
               ".gitignore:\n  echo '"
            << entry << "' >> .gitignore\n";
}

void AddReaderSecrets(exec::Masker& masker) {
  for (const auto& [name, value] : exec::SecretsFromEnvironment(exec::CurrentEnvironment())) {
    masker.Add(value);
  }
}

}  // namespace slipway::cli
