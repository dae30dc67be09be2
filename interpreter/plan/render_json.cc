#include "interpreter/plan/render.h"

namespace slipway::plan {
namespace {

using json = nlohmann::ordered_json;

json ResolvedMap(const std::vector<std::pair<std::string, Resolved>>& items) {
  json out = json::object();
  for (const auto& [key, value] : items) out[key] = value.text;
  return out;
}

/// Keys whose values still hold `${{ }}` known only at run time.
json UnresolvedKeys(const std::vector<std::pair<std::string, Resolved>>& items) {
  json out = json::array();
  for (const auto& [key, value] : items) {
    if (!value.resolved) out.push_back(key);
  }
  return out;
}

json GateToJson(const EnvironmentGate& gate) {
  json env = {
      {"name", gate.name},
      {"url", gate.url ? json(*gate.url) : json(nullptr)},
      {"reviewers",
       {{"required", gate.required_reviewers},
        {"users", gate.reviewer_users},
        {"teams", gate.reviewer_teams},
        {"prevent_self_review", gate.prevent_self_review},
        {"eligible", gate.eligible_reviewers},
        {"actor_can_approve", gate.actor_can_approve},
        {"approvable", gate.approvable}}},
      {"wait_timer_s", gate.wait_timer_s},
      {"ref_allowed", gate.ref_allowed},
      {"configured", gate.configured},
      {"approval_timeout_s", gate.approval_timeout_s},
  };
  if (!gate.ref_allowed) {
    env["refused_by"] = gate.refused_by;
    env["refused_patterns"] = gate.refused_patterns;
  }
  json vars = json::object();
  for (const auto& [key, value] : gate.vars) vars[key] = value;
  env["vars"] = std::move(vars);
  env["secrets"] = gate.secrets;
  return env;
}

json StepToJson(const PlannedStep& step) {
  json out = {
      {"id", step.id.empty() ? json(nullptr) : json(step.id)},
      {"name", step.name},
      {"if", step.if_condition.empty() ? json(nullptr) : json(step.if_condition)},
      {"status", JobStatusName(step.status)},
  };
  if (!step.reason.empty()) out["reason"] = step.reason;
  if (step.run) {
    out["run"] = step.run->text;
    out["run_resolved"] = step.run->resolved;
  }
  if (step.uses) {
    out["uses"] = *step.uses;
    out["with"] = ResolvedMap(step.with);
    json unresolved = UnresolvedKeys(step.with);
    if (!unresolved.empty()) out["with_unresolved"] = std::move(unresolved);
    if (!step.builtin.empty()) out["builtin"] = step.builtin;
    if (!step.preview_summary.empty() || !step.preview_details.empty()) {
      out["preview"] = {{"summary", step.preview_summary}, {"details", step.preview_details}};
    }
    if (!step.uses_note.empty()) out["uses_kind"] = step.uses_note;
    if (step.uses_note == "action" || step.uses_note == "container action") {
      out["local_equivalent"] =
          step.local_equivalent.empty() ? json(nullptr) : json(step.local_equivalent);
    }
  }
  if (!step.env.empty()) out["env"] = ResolvedMap(step.env);
  if (!step.shell.empty()) out["shell"] = step.shell;
  if (!step.working_directory.empty()) out["working_directory"] = step.working_directory;
  if (step.continue_on_error) out["continue_on_error"] = true;
  if (step.timeout_minutes) out["timeout_minutes"] = *step.timeout_minutes;
  return out;
}

json JobToJson(const Plan& plan, const PlannedJob& job) {
  json needs = json::array();
  for (JobIndex need : job.needs) needs.push_back(plan.jobs[ToInt(need)].id);
  json out = {
      {"id", job.id},
      {"name", job.name},
      {"needs", std::move(needs)},
      {"wave", job.wave},
      {"status", JobStatusName(job.status)},
      {"reason", job.reason},
      {"environment", job.environment ? GateToJson(*job.environment) : json(nullptr)},
      {"matrix", job.matrix},
      {"steps", json::array()},
      {"index", ToInt(job.index)},
      {"if", job.if_condition.empty() ? json(nullptr) : json(job.if_condition)},
      {"runs_on", job.runs_on},
  };
  for (const PlannedStep& step : job.steps) out["steps"].push_back(StepToJson(step));
  if (!job.runner_mapped.empty() || !job.runner_refused.empty()) {
    out["runner"] = {{"mapped", job.runner_mapped}, {"refused", job.runner_refused}};
  }
  if (!job.matrix_known) {
    out["matrix_known"] = false;
    out["matrix_expression"] = job.matrix_expression;
  }
  if (!job.matrix.empty() || !job.matrix_known) {
    out["fail_fast"] = job.fail_fast;
    out["max_parallel"] = job.max_parallel ? json(*job.max_parallel) : json(nullptr);
  }
  if (job.concurrency_group) {
    out["concurrency"] = {{"group", job.concurrency_group->text},
                          {"resolved", job.concurrency_group->resolved},
                          {"cancel_in_progress", job.cancel_in_progress}};
  }
  if (job.timeout_minutes) out["timeout_minutes"] = *job.timeout_minutes;
  if (job.cancel_timeout_minutes) out["cancel_timeout_minutes"] = *job.cancel_timeout_minutes;
  if (job.continue_on_error) out["continue_on_error"] = true;
  if (!job.outputs.empty()) out["outputs"] = ResolvedMap(job.outputs);
  if (!job.env.empty()) out["env"] = ResolvedMap(job.env);
  if (!job.uses.empty()) out["uses"] = job.uses;
  if (job.callee != 0) {
    json calls = json::array();
    for (const PlannedJob& other : plan.jobs) {
      if (other.caller && *other.caller == job.index) calls.push_back(other.id);
    }
    out["calls"] = std::move(calls);
  }
  if (job.caller) {
    out["called_by"] = plan.jobs[ToInt(*job.caller)].id;
    if (job.source > 0 && job.source <= plan.called_files.size()) {
      out["file"] = plan.called_files[job.source - 1].path;
    }
  }
  if (job.containers) {
    json services = json::object();
    for (const auto& [id, image] : job.containers->services) services[id] = image;
    out["containers"] = {{"image", job.containers->image},
                         {"services", services},
                         {"runtime", job.containers->runtime.empty()
                                         ? json(nullptr)
                                         : json(job.containers->runtime)}};
    if (!job.containers->note.empty()) out["containers"]["note"] = job.containers->note;
  }
  return out;
}

}  // namespace

nlohmann::ordered_json PlanToJson(const Plan& plan) {
  json out = {
      {"workflow", plan.workflow_path},
      {"event", plan.event},
      {"ref", plan.ref},
      {"triggered", plan.triggered},
      {"reason", plan.reason},
      {"inputs", plan.inputs},
      {"jobs", json::array()},
      {"plan_version", 1},
      {"workflow_name", plan.workflow_name},
      {"workflow_sha256", plan.workflow_sha256},
      {"environments_file",
       plan.environments_path.empty() ? json(nullptr) : json(plan.environments_path)},
      {"environments_sha256",
       plan.environments_sha256.empty() ? json(nullptr) : json(plan.environments_sha256)},
      {"action", plan.action.empty() ? json(nullptr) : json(plan.action)},
      {"sha", plan.sha},
      {"actor", plan.actor},
      {"repository", plan.repository},
      {"vars", plan.vars},
  };
  if (plan.run_name) out["run_name"] = plan.run_name->text;
  if (plan.concurrency_group) {
    out["concurrency"] = {{"group", plan.concurrency_group->text},
                          {"resolved", plan.concurrency_group->resolved},
                          {"cancel_in_progress", plan.cancel_in_progress}};
  }
  json waves = json::array();
  for (const std::vector<JobIndex>& wave : plan.waves) {
    json ids = json::array();
    for (JobIndex job : wave) ids.push_back(plan.jobs[ToInt(job)].id);
    waves.push_back(std::move(ids));
  }
  out["waves"] = std::move(waves);
  if (!plan.called_files.empty()) {
    // Digested: `run --from-plan` refuses a called workflow changed since the review.
    json called = json::array();
    for (const CalledFile& file : plan.called_files) {
      called.push_back({{"uses", file.uses}, {"path", file.path}, {"sha256", file.sha256}});
    }
    out["called_workflows"] = std::move(called);
  }
  if (!plan.workflow_paths.empty()) {
    json paths = json::object();
    for (const auto& [repository, dir] : plan.workflow_paths) paths[repository] = dir;
    out["workflow_paths"] = std::move(paths);
  }
  for (const PlannedJob& job : plan.jobs) out["jobs"].push_back(JobToJson(plan, job));
  out["github"] = plan.github;
  return out;
}

std::string RenderJson(const Plan& plan) {
  return PlanToJson(plan).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) +
         "\n";
}

}  // namespace slipway::plan
