#include "interpreter/plan/plan_file.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <cctype>
#include <filesystem>
#include <set>
#include <tuple>

#include "interpreter/base/ascii.h"
#include "interpreter/model/cron.h"
#include "interpreter/model/load_workflow.h"
#include "interpreter/plan/env_gate.h"
#include "interpreter/plan/local_action_preview.h"
#include "interpreter/plan/planner.h"
#include "interpreter/plan/runner_labels.h"
#include "interpreter/plan/setup_preview.h"
#include "interpreter/validate/schema_pass.h"
#include "interpreter/validate/validate.h"
#include "interpreter/yaml/loader.h"
#include "schemas/embedded.h"

namespace slipway::plan {

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::optional<model::EnvironmentsConfig> LoadEnvironmentsFile(SourceManager& sources,
                                                              const std::string& path,
                                                              Diagnostics& diagnostics) {
  std::string text, error;
  if (!model::ReadWholeFile(path, &text, &error)) {
    FileId file = sources.Add(path, "");
    diagnostics.Error("io", SourceRange{file, {}, 0}, "cannot read environments file: " + error);
    return std::nullopt;
  }
  FileId file = sources.Add(path, std::move(text));
  std::optional<yaml::Node> root = yaml::LoadYaml(sources, file, diagnostics);
  if (!root) return std::nullopt;
  validate::CheckAgainstSchema(*root, schemas::Embedded("environments"), diagnostics);
  return model::BuildEnvironments(std::make_shared<const yaml::Node>(std::move(*root)), file,
                                  diagnostics);
}

std::optional<model::RunnersConfig> LoadRunnersFile(SourceManager& sources, const std::string& path,
                                                    Diagnostics& diagnostics) {
  std::string text, error;
  if (!model::ReadWholeFile(path, &text, &error)) {
    FileId file = sources.Add(path, "");
    diagnostics.Error("io", SourceRange{file, {}, 0}, "cannot read runners file: " + error);
    return std::nullopt;
  }
  FileId file = sources.Add(path, std::move(text));
  std::optional<yaml::Node> root = yaml::LoadYaml(sources, file, diagnostics);
  if (!root) return std::nullopt;
  validate::CheckAgainstSchema(*root, schemas::Embedded("runners"), diagnostics);
  return model::BuildRunners(std::make_shared<const yaml::Node>(std::move(*root)), file,
                             diagnostics);
}

namespace {

/// Jobs that may run here but whose runs-on this machine does not serve: one error each, at
/// the job's runs-on (rule "runs-on"). True when there is any.
bool RefuseUnservedRunners(const Plan& plan, const model::Workflow& workflow,
                           Diagnostics& diagnostics) {
  bool refused = false;
  for (const PlannedJob& job : plan.jobs) {
    if (job.status == JobStatus::kSkipped) continue;
    const model::Job* model_job = workflow.FindJob(job.id);
    SourceRange where = model_job && model_job->runs_on ? model_job->runs_on->where
                                                        : SourceRange{workflow.file, {}, 0};
    for (const std::string& why : job.runner_refused) {
      diagnostics.Error("runs-on", where, "job \"" + job.id + "\" cannot run here: " + why);
      refused = true;
    }
  }
  return refused;
}

/// `jobs.<id>.snapshot` makes a custom runner image on GitHub; nothing here can: said, never
/// silently dropped (rule "snapshot", a warning: the job itself runs as written).
void WarnSnapshots(const Plan& plan, const model::Workflow& workflow, Diagnostics& diagnostics) {
  for (const PlannedJob& job : plan.jobs) {
    if (job.status == JobStatus::kSkipped) continue;
    const model::Job* model_job = workflow.FindJob(job.id);
    const yaml::Node* key = model_job && model_job->node ? model_job->node->FindKey("snapshot")
                                                         : nullptr;
    if (!key) continue;
    diagnostics.Warning("snapshot", key->where,
                        "job \"" + job.id +
                            "\" asks for a snapshot (a custom runner image); slipway makes no "
                            "image: the job runs, and no snapshot is taken");
  }
}

bool HasRule(const Diagnostics& diagnostics, std::string_view rule) {
  for (const Diagnostic& d : diagnostics.items()) {
    if (d.severity == Severity::kError && d.rule == rule) return true;
  }
  return false;
}

/// Drops repeats: validation and planning both see some problems (an unknown need, a matrix
/// over the limit) and report them the same way; the user sees each once.
void DropRepeats(Diagnostics& diagnostics) {
  std::set<std::tuple<FileId, uint32_t, uint32_t, std::string, std::string>> seen;
  diagnostics.RemoveIf([&](const Diagnostic& d) {
    return !seen.emplace(d.where.file, d.where.begin.line, d.where.begin.col, d.rule, d.message)
                .second;
  });
}

/// Where local calls (`./.github/workflows/x.yml`) are read from: the root of the workflow's
/// repository, as GitHub resolves them (relative to the current directory, so plans do not
/// depend on where the checkout lives); `work_dir` when there is none. It may run git: looked up
/// only for a workflow that calls something.
std::string CallsRoot(const PlanOptions& options) {
  std::string root = RepositoryRoot(options.workflow_path);
  if (root.empty()) return options.work_dir;
  std::error_code error;
  std::filesystem::path relative =
      std::filesystem::relative(root, std::filesystem::current_path(error), error);
  if (error || relative.empty()) return root;
  return relative == "." ? std::string(".") : relative.string();
}

}  // namespace

bool IsValidVariableName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  std::string prefix(name.substr(0, 7));
  for (char& c : prefix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return prefix != "GITHUB_";
}

PlanStatus MakePlan(SourceManager& sources, const PlanOptions& options, const GitInfo& git,
                    const step_api::StepCatalog& catalog, Diagnostics& diagnostics,
                    std::optional<Plan>* plan) {
  return MakePlan(sources, options, git, catalog, diagnostics, plan,
                  static_cast<PlanInputs*>(nullptr));
}

PlanStatus MakePlan(SourceManager& sources, const PlanOptions& options, const GitInfo& git,
                    const step_api::StepCatalog& catalog, Diagnostics& diagnostics,
                    std::optional<Plan>* plan, std::optional<model::Workflow>* planned) {
  PlanInputs inputs;
  PlanStatus status = MakePlan(sources, options, git, catalog, diagnostics, plan, &inputs);
  if (planned) *planned = std::move(inputs.workflow);
  return status;
}

PlanStatus MakePlan(SourceManager& sources, const PlanOptions& options, const GitInfo& git,
                    const step_api::StepCatalog& catalog, Diagnostics& diagnostics,
                    std::optional<Plan>* plan, PlanInputs* loaded) {
  Diagnostics usage;  // exit-2 problems: reported alone
  Diagnostics files;  // problems in the workflow or environments file

  std::optional<model::Workflow> workflow;
  std::optional<std::string> calls_root;
  {
    std::string text, error;
    if (!model::ReadWholeFile(options.workflow_path, &text, &error)) {
      FileId file = sources.Add(options.workflow_path, "");
      files.Error("io", SourceRange{file, {}, 0}, "cannot read file: " + error);
    } else {
      FileId file = sources.Add(options.workflow_path, std::move(text));
      validate::ValidateOptions validate_options;
      // Called workflows are read from the repository's root, looked up at the first call.
      validate_options.read_callee = [&options, &calls_root](std::string_view uses) {
        if (!calls_root) calls_root = CallsRoot(options);
        return validate::LocalCalleeReader(*calls_root, options.workflow_paths)(uses);
      };
      workflow = validate::ValidateText(sources, file, catalog, files, validate_options);
    }
  }
  if (!workflow) {
    bool unreadable = HasRule(files, "io");
    diagnostics.Append(files);
    return unreadable ? PlanStatus::kUsageError : PlanStatus::kInvalid;
  }

  // The workflows its jobs call, validated like it; a refused call is an error at its `uses:`.
  auto workflows = std::make_shared<WorkflowSet>(
      LoadCalledWorkflows(sources, *workflow, options.workflow_path,
                          calls_root.value_or(options.work_dir), options.workflow_paths,
                          catalog, files));

  std::optional<model::EnvironmentsConfig> environments;
  std::string env_path;
  std::string env_looked_at;
  if (options.env_config) {
    env_path = *options.env_config;
    // Another file than the repository's own replaces its protection rules for this run: said
    // at every plan and run (and the run-start audit entry names the file used).
    std::string own = DefaultEnvironmentsFile(options.workflow_path, &env_looked_at);
    std::error_code error;
    if (!own.empty() && !std::filesystem::equivalent(own, env_path, error)) {
      files.Warning("environments", {},
                    fmt::format("--env-config \"{}\" replaces the repository's environments "
                                "file \"{}\": its protection rules do not apply",
                                env_path, own));
    }
  } else {
    env_path = DefaultEnvironmentsFile(options.workflow_path, &env_looked_at);
  }
  if (!env_path.empty()) {
    Diagnostics env_diagnostics;
    environments = LoadEnvironmentsFile(sources, env_path, env_diagnostics);
    if (HasRule(env_diagnostics, "io")) {
      usage.Append(env_diagnostics);
    } else {
      files.Append(env_diagnostics);
    }
  }

  EventOptions event_options;
  event_options.event_name = options.event_name;
  event_options.ref = options.ref;
  event_options.sha = options.sha;
  event_options.actor = options.actor;
  event_options.action = options.action;
  if (options.at) {
    event_options.at = model::ParseRfc3339(*options.at);
    if (!event_options.at) {
      usage.Error("event", {},
                  "--at \"" + *options.at +
                      "\" is not an RFC 3339 date-time (e.g. 2026-12-07T03:00:00Z)");
    }
  }
  if (options.event_file) {
    std::string text, error;
    event_options.event_file_path = *options.event_file;
    if (!model::ReadWholeFile(*options.event_file, &text, &error)) {
      usage.Error("io", {}, "cannot read event file \"" + *options.event_file + "\": " + error);
    } else {
      event_options.event_file_text = std::move(text);
    }
  }
  std::optional<Event> event;
  std::string environments_drift;  // EnvironmentsFileDrift, for PlanInputs
  if (!usage.has_errors()) event = BuildEvent(*workflow, event_options, git, usage);
  // What the run claims of its origin and what is true of the checkout: said at every plan and
  // run when they differ.
  if (event && git.in_repository()) {
    if (options.actor && !git.actor.empty() && !SameIgnoringCase(*options.actor, git.actor)) {
      files.Warning("actor", {},
                    fmt::format("--actor \"{}\" is not the git user \"{}\": reviews and "
                                "prevent_self_review are checked against \"{}\"",
                                *options.actor, git.actor, *options.actor));
    }
    if (git.uncommitted_changes && event->sha == git.sha) {
      files.Warning("commit", {},
                    fmt::format("the working tree has uncommitted changes to tracked files: the "
                                "run claims commit {} but runs the files as they are",
                                git.sha.substr(0, 12)));
    }
    if (!git.untracked_files.empty() && event->sha == git.sha) {
      std::string named;
      for (size_t i = 0; i < git.untracked_files.size() && i < 3; ++i) {
        named += (i ? ", " : "") + git.untracked_files[i];
      }
      if (git.untracked_files.size() > 3) {
        named += fmt::format(" and {} more", git.untracked_files.size() - 3);
      }
      files.Warning("commit", {},
                    fmt::format("the working tree has files git does not track ({}): commit {} "
                                "does not hold them, but the run can use them as they are",
                                named, git.sha.substr(0, 12)));
    }
    if (!options.env_config) environments_drift = EnvironmentsFileDrift(git, env_path, event->ref);
    if (!environments_drift.empty()) {
      files.Warning("environments", {}, environments_drift + " (`slipway run` refuses it)");
    }
  }

  // The labels this machine serves: .slipway/runners.yml at the repository root, else defaults.
  std::optional<model::RunnersConfig> runners_file;
  std::string runners_path, runners_looked_at;
  std::optional<ServedLabels> served;
  if (options.check_runner_labels) {
    runners_path = DefaultSlipwayFile(options.workflow_path, "runners.yml", &runners_looked_at);
    if (!runners_path.empty()) {
      Diagnostics runner_diagnostics;
      runners_file = LoadRunnersFile(sources, runners_path, runner_diagnostics);
      if (HasRule(runner_diagnostics, "io")) {
        usage.Append(runner_diagnostics);
      } else {
        files.Append(runner_diagnostics);
      }
    }
    served = MakeServedLabels(runners_file ? &*runners_file : nullptr, runners_path,
                              runners_looked_at);
  }

  nlohmann::ordered_json inputs = nlohmann::ordered_json::object();
  if (event) {
    const model::Trigger* trigger = nullptr;
    if (event->name == "workflow_dispatch" || event->name == "workflow_call") {
      trigger = workflow->FindTrigger(event->name);
    }
    inputs = ResolveInputs(trigger, event->name, options.inputs,
                           environments ? &*environments : nullptr, usage);
    if (event->name == "workflow_dispatch") AddDispatchInputs(inputs, *event);
  }
  nlohmann::ordered_json vars = nlohmann::ordered_json::object();
  for (const auto& [key, value] : options.vars) {
    if (!IsValidVariableName(key)) {
      usage.Error("var", {},
                  "invalid variable name \"" + key +
                      "\" in --var: names contain only letters, digits and \"_\", and start "
                      "with neither a digit nor \"GITHUB_\"");
      continue;
    }
    vars[key] = value;
  }

  if (usage.has_errors()) {
    diagnostics.Append(usage);
    return PlanStatus::kUsageError;
  }

  PlanRequest request;
  request.event = std::move(*event);
  request.inputs = std::move(inputs);
  request.vars = std::move(vars);
  request.environments = environments ? &*environments : nullptr;
  request.catalog = &catalog;
  request.runners = served ? &*served : nullptr;
  request.workflows = workflows.get();
  request.workflow_path = options.workflow_path;
  request.container_runtime = options.container_runtime;
  request.container_runtime_missing = options.container_runtime_missing;
  request.no_containers = options.no_containers;
  request.workflow_sha256 = Sha256Hex(sources.text(workflow->file));
  if (environments) {
    request.environments_path = env_path;
    request.environments_sha256 = Sha256Hex(sources.text(environments->file));
  }
  *plan = BuildPlan(*workflow, request, files);
  (*plan)->workflow_paths = options.workflow_paths;
  if (!environments && env_path.empty()) {
    if (std::optional<std::string> refusal = RefuseUnconfiguredGates(**plan, env_looked_at)) {
      diagnostics.Error("env-gate", {}, *refusal);
      return PlanStatus::kUsageError;
    }
  }
  if (options.refuse_unserved_runners && !files.has_errors() &&
      RefuseUnservedRunners(**plan, *workflow, diagnostics)) {
    return PlanStatus::kUsageError;
  }
  WarnSnapshots(**plan, *workflow, files);
  PreviewLocalActions(options.work_dir, **plan);
  if (options.probe_tools) PreviewSetupTools(options.work_dir.c_str(), **plan);
  DropRepeats(files);
  diagnostics.Append(files);
  const bool has_errors = files.has_errors();
  if (loaded) {
    loaded->event = request.event;
    loaded->workflow = std::move(workflow);
    workflows->sources[0].workflow = &*loaded->workflow;  // moved
    loaded->workflows = std::move(workflows);
    loaded->environments = std::move(environments);
    loaded->environments_drift = std::move(environments_drift);
  }
  return has_errors ? PlanStatus::kInvalid : PlanStatus::kOk;
}

}  // namespace slipway::plan
