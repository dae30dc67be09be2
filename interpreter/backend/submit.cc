#include "interpreter/backend/submit.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "interpreter/base/ascii.h"
#include "interpreter/exec/scheduler.h"
#include "interpreter/model/load_workflow.h"
#include "interpreter/plan/eval_scope.h"
#include "interpreter/plan/matrix.h"

namespace slipway::backend {
namespace {

using nlohmann::json;

json Pairs(const plan::KeyValues& values) {
  json out = json::array();
  for (const auto& [key, value] : values) out.push_back({key, value});
  return out;
}

plan::KeyValues PairsFrom(const json& values) {
  plan::KeyValues out;
  if (!values.is_array()) return out;
  for (const json& pair : values) {
    if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string()) {
      out.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
    }
  }
  return out;
}

std::string Trim(std::string text) {
  size_t start = text.find_first_not_of(" \t'\"");
  size_t end = text.find_last_not_of(" \t'\"");
  return start == std::string::npos ? "" : text.substr(start, end - start + 1);
}

}  // namespace

std::vector<std::string> LabelsOf(const std::string& runs_on) {
  std::string text = runs_on;
  if (!text.empty() && text.front() == '[') text.erase(0, 1);
  if (!text.empty() && text.back() == ']') text.pop_back();
  std::vector<std::string> labels;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string label = Trim(text.substr(start, comma - start));
    if (!label.empty()) labels.push_back(label);
    start = comma + 1;
  }
  return labels;
}

std::vector<std::string> EvaluateLabels(const std::vector<std::string>& labels,
                                        const plan::Scope& scope) {
  std::vector<std::string> out;
  for (const std::string& label : labels) {
    if (label.find("${{") == std::string::npos) {
      out.push_back(label);
      continue;
    }
    plan::Substitution s = plan::Substitute(label, scope);
    if (!s.resolved || !s.error.empty()) {
      out.push_back(label);
      continue;
    }
    for (std::string& part : LabelsOf(s.text)) out.push_back(std::move(part));
  }
  return out;
}

Expected<RunSpec> RunSpecFromPlan(const plan::Plan& plan, const model::Workflow* workflow,
                                  const plan::PlanOptions& options, const std::string& run_id,
                                  const std::string& event_payload,
                                  const plan::WorkflowSet* workflows) {
  RunSpec run;
  run.id = run_id;
  run.workflow = plan.workflow_path;
  run.workflow_sha256 = plan.workflow_sha256;
  run.event = plan.event;
  run.ref = plan.ref;
  run.sha = plan.sha;
  run.actor = plan.actor;
  run.inputs = json::parse(plan.inputs.dump());
  run.vars = json::parse(plan.vars.dump());
  run.github = json::parse(plan.github.dump());
  run.environments_file = plan.environments_path;
  run.plan_options = {{"workflow", plan.workflow_path},
                      {"event", plan.event},
                      {"ref", plan.ref},
                      {"sha", plan.sha},
                      {"actor", plan.actor},
                      {"inputs", Pairs(options.inputs)},
                      {"vars", Pairs(options.vars)},
                      {"env_config", plan.environments_path},
                      {"event_payload", event_payload},
                      {"workflow_paths", plan.workflow_paths}};
  // The files the run's calls read, digested: a worker whose copy differs refuses the run.
  json called = json::array();
  for (const plan::CalledFile& file : plan.called_files) {
    called.push_back({{"uses", file.uses}, {"sha256", file.sha256}});
  }
  if (!called.empty()) run.plan_options["called_files"] = called;
  if (plan.concurrency_group) {
    if (!plan.concurrency_group->resolved) {
      return MakeUnexpected(fmt::format("the concurrency group \"{}\" is only known at run time",
                                        plan.concurrency_group->text));
    }
    // Group names are case-insensitive on GitHub: stored folded, so every host compares alike.
    run.concurrency_group = AsciiLower(plan.concurrency_group->text);
    run.cancel_in_progress = plan.cancel_in_progress;
  }
  int position = 0;
  for (const plan::PlannedJob& job : plan.jobs) {
    JobSpec spec;
    if (!job.matrix_known) {
      // The file the job is in: the main workflow, or a called one.
      const model::Workflow* file = job.source == 0 ? workflow : nullptr;
      if (job.source != 0 && workflows && job.source < workflows->sources.size()) {
        file = workflows->sources[job.source].workflow;
      }
      const model::Job* model_job =
          file && job.model_index < file->jobs.size() ? &file->jobs[job.model_index] : nullptr;
      std::optional<plan::MatrixDefinition> definition =
          model_job ? plan::DefineMatrix(model_job->strategy) : std::nullopt;
      if (!definition) {
        return MakeUnexpected(fmt::format(
            "job \"{}\": the matrix known only at run time ({}) cannot be stored", job.id,
            job.matrix_expression));
      }
      spec.matrix_definition = plan::MatrixDefinitionToJson(*definition).dump();
    }
    if (job.concurrency_group) {
      spec.concurrency_group = job.concurrency_group->text;
      spec.cancel_in_progress = job.cancel_in_progress;
      spec.cancel_in_progress_expression = job.cancel_in_progress_expression;
    }
    spec.job_id = job.id;
    for (plan::JobIndex need : job.needs) spec.needs.push_back(plan.jobs[plan::ToInt(need)].id);
    if (job.caller) {
      // A called job waits for its call leg to start (calls.cc).
      const plan::PlannedJob& caller = plan.jobs[plan::ToInt(*job.caller)];
      spec.caller = caller.matrix.empty() || job.caller_leg >= caller.matrix.size()
                        ? caller.id
                        : exec::Scheduler::InstanceKey(caller.id, caller.matrix[job.caller_leg]);
      spec.needs.push_back(caller.id);
    }
    spec.if_condition = job.if_condition;
    spec.labels = LabelsOf(job.runs_on);
    if (job.environment) {
      spec.environment = job.environment->name;
      const plan::EnvironmentGate& gate = *job.environment;
      if (gate.required_reviewers > 0 || gate.wait_timer_s > 0) {
        spec.gate = {{"required", gate.required_reviewers},
                     {"users", gate.eligible_reviewers},
                     {"prevent_self_review", gate.prevent_self_review},
                     {"wait_timer_s", gate.wait_timer_s},
                     {"approval_timeout_s", gate.approval_timeout_s}};
      }
    }
    spec.max_parallel = job.max_parallel.value_or(0);
    spec.fail_fast = job.fail_fast;
    spec.needs_container = job.containers.has_value();
    if (job.matrix.empty()) {
      spec.key = job.id;
      spec.position = position;
      position += spec.matrix_definition.empty() ? 1 : kLegPositions;
      if (spec.matrix_definition.empty()) {
        spec.max_parallel = 0;
        spec.fail_fast = false;
      }
      run.jobs.push_back(spec);
      continue;
    }
    const bool labels_per_leg =
        std::any_of(spec.labels.begin(), spec.labels.end(),
                    [](const std::string& label) { return label.find("${{") != std::string::npos; });
    for (const nlohmann::ordered_json& combo : job.matrix) {
      JobSpec instance = spec;
      if (labels_per_leg) {
        plan::EvaluationContexts contexts;
        contexts.github = &plan.github;
        contexts.job_id = job.id;
        contexts.inputs = &plan.inputs;
        contexts.vars = &plan.vars;
        contexts.matrix = &combo;
        plan::Scope scope;
        plan::FillScope(scope, contexts);
        instance.labels = EvaluateLabels(spec.labels, scope);
      }
      instance.key = exec::Scheduler::InstanceKey(job.id, combo);
      instance.matrix = json::parse(combo.dump());
      instance.position = position++;
      run.jobs.push_back(std::move(instance));
    }
  }
  return run;
}

Expected<bool> OptionsFromStored(const json& stored, const std::string& run_id,
                                 const std::string& scratch_dir, plan::PlanOptions* options) {
  plan::PlanOptions given = *options;
  options->workflow_path = stored.value("workflow", "");
  options->event_name = stored.value("event", "");
  options->ref = stored.value("ref", "");
  options->sha = stored.value("sha", "");
  options->actor = stored.value("actor", "");
  options->inputs = PairsFrom(stored.value("inputs", json::array()));
  options->vars = PairsFrom(stored.value("vars", json::array()));
  options->env_config.reset();
  if (std::string env = stored.value("env_config", ""); !env.empty()) options->env_config = env;
  options->workflow_paths.clear();
  if (auto paths = stored.find("workflow_paths"); paths != stored.end() && paths->is_object()) {
    for (auto it = paths->begin(); it != paths->end(); ++it) {
      if (it->is_string()) options->workflow_paths[it.key()] = it->get<std::string>();
    }
  }
  // A flag given beside --resume must agree with what the run started with.
  auto differs = [&](const char* flag, bool given_flag, bool same) -> Expected<bool> {
    if (given_flag && !same) {
      return MakeUnexpected(fmt::format("{} conflicts with run \"{}\", which keeps what it "
                                        "started with",
                                        flag, run_id));
    }
    return true;
  };
  for (Expected<bool> check :
       {differs("the workflow", !given.workflow_path.empty(),
                given.workflow_path == options->workflow_path),
        differs("--event", !given.event_name.empty(), given.event_name == options->event_name),
        differs("--ref", given.ref.has_value(), given.ref == options->ref),
        differs("--sha", given.sha.has_value(), given.sha == options->sha),
        differs("--actor", given.actor.has_value(), given.actor == options->actor),
        differs("--input", !given.inputs.empty(), given.inputs == options->inputs),
        differs("--var", !given.vars.empty(), given.vars == options->vars),
        differs("--env-config", given.env_config.has_value(),
                given.env_config == options->env_config),
        differs("--event-file", given.event_file.has_value(), false)}) {
    if (!check) return check;
  }
  options->event_file.reset();
  std::string payload = stored.value("event_payload", "");
  if (!payload.empty()) {
    std::error_code ignored;
    std::filesystem::create_directories(scratch_dir, ignored);
    std::string path = scratch_dir + "/" + run_id + "-event.json";
    std::ofstream out(path);
    out << payload;
    if (!out) return MakeUnexpected("cannot write \"" + path + "\"");
    options->event_file = path;
  }
  return true;
}

Expected<std::shared_ptr<PreparedRun>> PlanAgain(const std::string& run_id,
                                                 const json& stored,
                                                 const std::string& workflow_sha256,
                                                 const step_api::StepCatalog& catalog,
                                                 const std::string& scratch_dir) {
  auto prepared = std::make_shared<PreparedRun>();
  prepared->skip_unknown_actions = stored.value("skip_unknown_actions", false);
  plan::PlanOptions options;
  Expected<bool> taken = OptionsFromStored(stored, run_id, scratch_dir, &options);
  if (!taken) return MakeUnexpected(taken.error());
  options.check_runner_labels = false;  // the worker claimed the job by its own --labels
  prepared->event_path = options.event_file.value_or("");
  Diagnostics diagnostics;
  std::optional<plan::Plan> made;
  plan::PlanInputs loaded;
  plan::PlanStatus status = plan::MakePlan(prepared->sources, options, plan::ReadGitInfo("."),
                                           catalog, diagnostics, &made, &loaded);
  if (status != plan::PlanStatus::kOk || !made) {
    std::string first;
    for (const Diagnostic& d : diagnostics.items()) {
      first = d.message;
      break;
    }
    return MakeUnexpected(fmt::format("cannot plan run \"{}\" again on this host from \"{}\": {}",
                                      run_id, options.workflow_path, first));
  }
  if (made->workflow_sha256 != workflow_sha256) {
    return MakeUnexpected(fmt::format(
        "\"{}\" on this host differs from the file run \"{}\" was submitted with (sha256 {} here, "
        "{} submitted); check out the same commit",
        options.workflow_path, run_id, made->workflow_sha256.substr(0, 12),
        workflow_sha256.substr(0, 12)));
  }
  for (const json& file : stored.value("called_files", json::array())) {
    const std::string uses = file.value("uses", ""), sha256 = file.value("sha256", "");
    auto here = std::find_if(made->called_files.begin(), made->called_files.end(),
                             [&](const plan::CalledFile& f) { return f.uses == uses; });
    if (here == made->called_files.end() || here->sha256 != sha256) {
      return MakeUnexpected(
          fmt::format("the workflow \"{}\" calls differs on this host from the file run \"{}\" was "
                      "submitted with; check out the same commit",
                      uses, run_id));
    }
  }
  prepared->plan = std::move(*made);
  if (!loaded.workflow || !loaded.workflows) {
    return MakeUnexpected(fmt::format("cannot load \"{}\"", options.workflow_path));
  }
  prepared->workflow = std::move(loaded.workflow);
  prepared->workflows = std::move(loaded.workflows);
  prepared->workflows->sources[0].workflow = &*prepared->workflow;  // moved
  return prepared;
}

}  // namespace slipway::backend
