// The plan's units (planner_state.h): the main workflow, then, for each job that calls a
// reusable workflow, the called workflow's jobs once per leg of the calling job's matrix,
// appended to the plan with ids "call/inner" (workflow_call.h).
#include <algorithm>

#include "interpreter/model/concurrency_group.h"
#include "interpreter/plan/eval_scope.h"
#include "interpreter/plan/git_info.h"
#include "interpreter/plan/planner_state.h"
#include "interpreter/plan/trigger_filter.h"

namespace slipway::plan::detail {

using json = nlohmann::ordered_json;

namespace {
std::string Quoted(const std::string& text) { return "\"" + text + "\""; }
}  // namespace

Plan Planner::Build() {
  Plan plan;
  const Event& event = request_.event;
  plan.workflow_path = request_.workflow_path;
  // Without `name:`, GitHub names a workflow by its file's path in the repository.
  const std::string in_repository = PathInRepository(request_.workflow_path);
  plan.workflow_name = workflow_.name ? workflow_.name->value : in_repository;
  plan.workflow_sha256 = request_.workflow_sha256;
  plan.environments_path = request_.environments_path;
  plan.environments_sha256 = request_.environments_sha256;
  plan.event = event.name;
  plan.action = event.action;
  plan.action = event.action;
  plan.ref = event.ref;
  plan.sha = event.sha;
  plan.actor = event.actor;
  plan.repository = event.repository;
  plan.inputs = request_.inputs;
  plan.vars = request_.vars;
  plan.github = GithubContext(event, plan.workflow_name, in_repository);
  if (request_.workflows) {
    for (size_t i = 1; i < request_.workflows->sources.size(); ++i) {
      const WorkflowSource& source = request_.workflows->sources[i];
      plan.called_files.push_back({source.uses, source.path, source.sha256});
    }
  }

  TriggerDecision trigger = CheckTrigger(workflow_, event);
  plan.triggered = trigger.triggered;
  plan.reason = trigger.reason;

  EvaluationContexts root;
  root.github = &plan.github;
  root.inputs = &request_.inputs;
  root.vars = &request_.vars;
  FillScope(root_, root);
  MarkRunTimeOnly(root_);
  for (const std::string& path : event.unknown_payload) root_.MarkUnknown(path);
  EnvLayer& workflow_env = envs_.emplace_back();
  workflow_env.Add(workflow_.env, root_, nullptr);
  Scope& workflow_scope = *scopes_.emplace_back(std::make_unique<Scope>(&root_));
  workflow_env.Install(workflow_scope);

  if (workflow_.run_name) {
    Substitution s = Substitute(workflow_.run_name->value, workflow_scope);
    plan.run_name = Resolved{s.text, s.resolved};
  }
  if (workflow_.concurrency.present) {
    Substitution s = Substitute(workflow_.concurrency.group.value, workflow_scope);
    plan.concurrency_group = Resolved{s.text, s.resolved};
    // A literal group is validate's to report; one from an expression fails the run when GitHub
    // evaluates it.
    if (std::string problem = model::ConcurrencyGroupProblem(s.text);
        s.resolved && workflow_.concurrency.group.has_expr && !problem.empty()) {
      diagnostics_.Error("concurrency", workflow_.concurrency.group.where,
                         "Error when evaluating 'concurrency'. " + problem);
    }
    if (workflow_.concurrency.cancel_in_progress) {
      plan.cancel_in_progress =
          Substitute(workflow_.concurrency.cancel_in_progress->value, workflow_scope).text ==
          "true";
    }
  }

  Unit main;
  main.workflow = &workflow_;
  main.scope = &workflow_scope;
  main.env = &workflow_env;
  PlanUnit(main, plan);
  int waves = 0;
  for (const PlannedJob& job : plan.jobs) waves = std::max(waves, job.wave);
  plan.waves.resize(waves);
  for (const PlannedJob& job : plan.jobs) {
    if (job.wave > 0) plan.waves[job.wave - 1].push_back(job.index);
  }
  return plan;
}

void Planner::PlanUnit(Unit unit, Plan& plan) {
  // The same graph, and the same reports of its problems, as `validate` (model/job_graph.h);
  // a called file's problems were reported when it was validated.
  const model::JobGraph graph(*unit.workflow);
  if (!unit.caller) graph.Report(diagnostics_);
  const uint32_t n = static_cast<uint32_t>(unit.workflow->jobs.size());
  unit.base = static_cast<uint32_t>(plan.jobs.size());
  plan.jobs.resize(unit.base + n);
  states_.resize(plan.jobs.size());
  ids_.resize(plan.jobs.size());
  local_ids_.resize(plan.jobs.size());
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t index = unit.base + i;
    PlannedJob& job = plan.jobs[index];
    job.index = JobIndex{index};
    job.local_id = unit.workflow->jobs[i].id.value;
    job.id = unit.prefix + job.local_id;
    job.source = unit.source;
    job.model_index = i;
    if (unit.caller) job.caller = JobIndex{*unit.caller};
    job.caller_leg = unit.leg;
    for (uint32_t need : graph.needs(i)) job.needs.push_back(JobIndex{unit.base + need});
    ids_[index] = job.id;
    local_ids_[index] = job.local_id;
  }
  for (uint32_t i : graph.order()) PlanJob(unit, i, graph, plan);
  for (uint32_t i = 0; i < n; ++i) {
    if (!graph.is_blocked(i)) continue;
    PlannedJob& job = plan.jobs[unit.base + i];
    job.name = job.id;
    job.status = JobStatus::kSkipped;
    job.reason = "its needs form a cycle";
  }
}

void Planner::PlanCall(const Unit& unit, uint32_t index, const Scope& job_scope, Plan& plan) {
  const model::Job& job = unit.workflow->jobs[plan.jobs[index].model_index];
  const WorkflowSource* callee =
      request_.workflows ? request_.workflows->CalleeOf(unit.source, plan.jobs[index].model_index)
                         : nullptr;
  if (!callee) return;  // refused when the files were loaded, or planned without them
  const uint32_t source = static_cast<uint32_t>(callee - request_.workflows->sources.data());
  plan.jobs[index].callee = source;
  if (!plan.jobs[index].matrix_known) {
    // Its legs are known only at run time, so are its called jobs: `run` refuses it.
    if (plan.jobs[index].status == JobStatus::kWillRun) {
      plan.jobs[index].reason =
          "its matrix is known only at run time, so the jobs of the workflow it calls are not "
          "planned";
    }
    return;
  }
  const model::Trigger* call = callee->workflow->FindTrigger("workflow_call");
  const std::vector<json> legs =
      plan.jobs[index].matrix.empty() ? std::vector<json>{json()} : plan.jobs[index].matrix;
  const std::string caller_id = plan.jobs[index].id;
  const int first_wave = plan.jobs[index].wave;
  std::vector<std::pair<uint32_t, uint32_t>> members;  // [base, end) of each leg
  for (size_t leg = 0; leg < legs.size(); ++leg) {
    Scope leg_scope(&job_scope);
    if (!legs[leg].is_null()) {
      leg_scope.Set("matrix", legs[leg]);
      leg_scope.Overlay("strategy", "job-index", static_cast<int>(leg));
    }
    CallInputs inputs = EvaluateCallInputs(job, call, leg_scope, root_);
    if (!inputs.error.empty()) {
      diagnostics_.Error("reusable-call", job.uses->where,
                         "job " + Quoted(caller_id) + " calls " + Quoted(job.uses->value) + ": " +
                             inputs.error);
    }
    // The called workflow sees the caller's github and vars, its own inputs and env, and only
    // the secrets passed to it (known at run time).
    Scope& callee_root = *scopes_.emplace_back(std::make_unique<Scope>(&root_));
    callee_root.Set("inputs", inputs.inputs);
    for (const std::string& name : inputs.unknown) callee_root.MarkUnknown("inputs." + name);
    EnvLayer& env = envs_.emplace_back();
    env.Add(callee->workflow->env, callee_root, nullptr);
    Scope& callee_scope = *scopes_.emplace_back(std::make_unique<Scope>(&callee_root));
    env.Install(callee_scope);

    Unit child;
    child.workflow = callee->workflow;
    child.source = source;
    child.prefix = CalledJobId(InstanceKey(caller_id, legs[leg]), "");
    child.caller = index;
    child.leg = leg;
    child.first_wave = first_wave;
    child.scope = &callee_scope;
    child.env = &env;
    child.level = unit.level + 1;
    const uint32_t base = static_cast<uint32_t>(plan.jobs.size());
    PlanUnit(child, plan);
    members.emplace_back(base, base + static_cast<uint32_t>(callee->workflow->jobs.size()));
  }
  // The calling job ends when its called jobs have: its result is theirs (a blocked one fails
  // it), and its dependants wait for the last of them.
  JobState& state = states_[index];
  for (const auto& [begin, end] : members) {
    for (uint32_t member = begin; member < end; ++member) {
      state.done_wave = std::max(state.done_wave, states_[member].done_wave);
      if (states_[member].outcome != Outcome::kFailure || state.outcome == Outcome::kSkipped ||
          state.outcome == Outcome::kFailure) {
        continue;
      }
      state.outcome = Outcome::kFailure;
      if (plan.jobs[index].status == JobStatus::kWillRun) {
        plan.jobs[index].status = JobStatus::kBlocked;
        plan.jobs[index].reason = "its called job " + Quoted(ids_[member]) + " is blocked";
      }
    }
  }
}

}  // namespace slipway::plan::detail
