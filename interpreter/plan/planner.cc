#include "interpreter/plan/planner.h"

#include <algorithm>
#include <cmath>

#include "interpreter/model/job_graph.h"
#include "interpreter/model/timeout_minutes.h"
#include "interpreter/plan/env_gate.h"
#include "interpreter/plan/eval_scope.h"
#include "interpreter/plan/matrix.h"
#include "interpreter/plan/plan_containers.h"
#include "interpreter/plan/plan_steps.h"
#include "interpreter/plan/planner_state.h"
#include "interpreter/plan/resolve.h"
#include "interpreter/plan/trigger_filter.h"

namespace slipway::plan {

using json = nlohmann::ordered_json;

const char* JobStatusName(JobStatus status) {
  switch (status) {
    case JobStatus::kWillRun:
      return "will-run";
    case JobStatus::kSkipped:
      return "skipped";
    case JobStatus::kBlocked:
      return "blocked";
    case JobStatus::kConditional:
      return "conditional";
  }
  return "will-run";
}

const PlannedJob* Plan::FindJob(std::string_view id) const {
  for (const PlannedJob& job : jobs) {
    if (job.id == id) return &job;
  }
  return nullptr;
}

namespace detail {

const char* ResultName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSuccess:
      return "success";
    case Outcome::kSkipped:
      return "skipped";
    case Outcome::kFailure:
      return "failure";
    case Outcome::kUnknown:
      return "success";
  }
  return "success";
}

namespace {

std::string RunsOnText(const yaml::Node* node, const Scope& scope) {
  if (!node) return "";
  if (node->is_scalar()) return Substitute(node->value, scope).text;
  std::string out;
  auto add = [&](const std::string& text) {
    if (!out.empty()) out += ", ";
    out += text;
  };
  if (node->is_sequence()) {
    for (const yaml::Node& item : node->items) {
      if (item.is_scalar()) add(Substitute(item.value, scope).text);
    }
  } else if (node->is_mapping()) {
    if (const yaml::Node* group = node->Find("group"); group && group->is_scalar()) {
      add("group " + Substitute(group->value, scope).text);
    }
    if (const yaml::Node* labels = node->Find("labels")) {
      if (labels->is_scalar()) add(Substitute(labels->value, scope).text);
      if (labels->is_sequence()) {
        for (const yaml::Node& item : labels->items) {
          if (item.is_scalar()) add(Substitute(item.value, scope).text);
        }
      }
    }
  }
  return out;
}

std::optional<double> NumberText(const std::optional<model::Str>& text, const Scope& scope) {
  if (!text) return std::nullopt;
  Substitution s = Substitute(text->value, scope);
  if (!s.resolved || s.text.empty()) return std::nullopt;
  char* end = nullptr;
  double value = std::strtod(s.text.c_str(), &end);
  if (!end || *end != '\0' || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

/// A timeout key resolved to whole minutes; nullopt (with an error at the key when the number is
/// out of range) when it does not resolve to a usable number.
std::optional<double> TimeoutMinutes(const std::optional<model::Str>& text, const Scope& scope,
                                     model::TimeoutKey key, Diagnostics& diagnostics) {
  if (!text) return std::nullopt;
  Substitution s = Substitute(text->value, scope);
  if (!s.resolved) return std::nullopt;
  std::optional<double> minutes = model::TimeoutNumber(s.text);
  if (!minutes) return std::nullopt;
  if (std::optional<std::string> problem = model::TimeoutMinutesProblem(key, *minutes, s.text)) {
    diagnostics.Error("timeout-minutes", text->where, *problem);
    return std::nullopt;
  }
  return std::trunc(*minutes);
}

}  // namespace

Condition Planner::EvaluateJobIf(const model::Job& job, const std::vector<uint32_t>& needs,
                                 const std::vector<Outcome>& results, const Scope& scope,
                                 StatusAssumption status) {
  Scope s(&scope);
  json needs_context = json::object();
  for (size_t k = 0; k < needs.size(); ++k) {
    const std::string& id = local_ids_[needs[k]];
    needs_context[id] = json{{"result", ResultName(results[k])}, {"outputs", json::object()}};
    s.MarkUnknown("needs." + id + ".outputs");
  }
  s.Set("needs", std::move(needs_context));
  s.status = status;
  if (!job.if_condition) {
    Condition c;
    c.kind = status.success ? Condition::Kind::kTrue : Condition::Kind::kFalse;
    return c;
  }
  return EvaluateCondition(job.if_condition->value, s);
}

void Planner::DecideStatus(const model::Job& job, const std::vector<uint32_t>& needs,
                           const Scope& scope, PlannedJob& planned, JobState& state) {
  std::vector<Outcome> results;
  bool any_unknown = false, upstream_failed = false, chain_broken = false;
  for (uint32_t need : needs) {
    results.push_back(states_[need].outcome);
    any_unknown = any_unknown || states_[need].outcome == Outcome::kUnknown;
    upstream_failed = upstream_failed || states_[need].upstream_failed ||
                      states_[need].outcome == Outcome::kFailure;
    chain_broken = chain_broken || states_[need].chain_broken ||
                   states_[need].outcome == Outcome::kFailure ||
                   states_[need].outcome == Outcome::kSkipped;
  }
  state.upstream_failed = upstream_failed;
  state.chain_broken = chain_broken;

  // One scenario per way the undecided needs can end: all of them run, or none does.
  std::vector<std::vector<Outcome>> scenarios;
  scenarios.push_back(results);
  if (any_unknown) {
    std::vector<Outcome> skipped = results;
    for (Outcome& o : scenarios[0]) {
      if (o == Outcome::kUnknown) o = Outcome::kSuccess;
    }
    for (Outcome& o : skipped) {
      if (o == Outcome::kUnknown) o = Outcome::kSkipped;
    }
    scenarios.push_back(std::move(skipped));
  }
  std::vector<Condition> decisions;
  for (const std::vector<Outcome>& scenario : scenarios) {
    // success() asks the whole chain: a job behind an always() job that ran after a failure
    // or skip is skipped too, as on GitHub.
    bool all_success = !chain_broken && std::all_of(scenario.begin(), scenario.end(),
                                                    [](Outcome o) { return o == Outcome::kSuccess; });
    decisions.push_back(
        EvaluateJobIf(job, needs, scenario, scope, {all_success, upstream_failed, false}));
  }
  const std::string if_text = job.if_condition ? job.if_condition->value : "";
  for (const Condition& c : decisions) {
    if (c.kind == Condition::Kind::kError) {
      // As on GitHub, the workflow runs and this job fails when it is reached.
      diagnostics_.Warning("expr", job.if_condition->where,
                           "cannot evaluate \"" + if_text + "\": " + c.error +
                               "; the job will fail when it is reached");
      planned.status = JobStatus::kConditional;
      planned.reason = "its if cannot be evaluated: " + c.error;
      state.outcome = Outcome::kUnknown;
      return;
    }
  }
  for (const Condition& c : decisions) {
    if (c.kind == Condition::Kind::kUnknown) {
      planned.status = JobStatus::kConditional;
      planned.reason = UnknownReason(c.unknown);
      state.outcome = Outcome::kUnknown;
      return;
    }
  }
  bool first = decisions[0].kind == Condition::Kind::kTrue;
  if (decisions.size() > 1 && (decisions[1].kind == Condition::Kind::kTrue) != first) {
    for (size_t k = 0; k < needs.size(); ++k) {
      if (results[k] == Outcome::kUnknown) {
        planned.status = JobStatus::kConditional;
        planned.reason = std::string(first ? "runs only if " : "runs only if this job's need ") +
                         Quoted(ids_[needs[k]]) +
                         (first ? " runs" : " is skipped");
        break;
      }
    }
    state.outcome = Outcome::kUnknown;
    return;
  }
  if (first) {
    planned.status = JobStatus::kWillRun;
    state.outcome = Outcome::kSuccess;
    if (upstream_failed) {
      for (size_t k = 0; k < needs.size(); ++k) {
        if (results[k] == Outcome::kFailure || states_[needs[k]].upstream_failed) {
          planned.reason = "runs because " + Quoted(ids_[needs[k]]) +
                           (results[k] == Outcome::kFailure ? " fails (it is blocked)"
                                                            : " is skipped after a failure");
          break;
        }
      }
    }
    return;
  }
  // False on the success path: would it run if an upstream job failed, or on cancellation?
  state.outcome = Outcome::kSkipped;
  const References& refs = decisions[0].references;
  if (job.if_condition && refs.UsesStatusFunction()) {
    // Failure paths: an ancestor fails while the needs end as planned, or one need fails.
    std::vector<Outcome> planned_results = results;
    for (Outcome& o : planned_results) {
      if (o == Outcome::kUnknown) o = Outcome::kSuccess;
    }
    bool runs_on_failure = false;
    if (!needs.empty()) {
      // Undecided counts as "may run": the plan must not hide a failure path.
      auto may_run = [](const Condition& c) {
        return c.kind == Condition::Kind::kTrue || c.kind == Condition::Kind::kUnknown;
      };
      runs_on_failure =
          may_run(EvaluateJobIf(job, needs, planned_results, scope, {false, true, false}));
      for (size_t k = 0; k < needs.size() && !runs_on_failure; ++k) {
        std::vector<Outcome> one_failed = planned_results;
        one_failed[k] = Outcome::kFailure;
        runs_on_failure =
            may_run(EvaluateJobIf(job, needs, one_failed, scope, {false, true, false}));
      }
    }
    if (runs_on_failure) {
      planned.status = JobStatus::kConditional;
      planned.reason = "runs if an upstream job fails";
      state.outcome = Outcome::kUnknown;
      return;
    }
    if (refs.Calls("cancelled") &&
        EvaluateJobIf(job, needs, results, scope, {false, false, true}).kind ==
            Condition::Kind::kTrue) {
      planned.status = JobStatus::kConditional;
      planned.reason = "runs if the run is cancelled";
      state.outcome = Outcome::kUnknown;
      return;
    }
  }
  planned.status = JobStatus::kSkipped;
  if (!refs.UsesStatusFunction()) {
    for (size_t k = 0; k < needs.size(); ++k) {
      if (results[k] == Outcome::kSkipped || results[k] == Outcome::kFailure) {
        planned.reason = "needs " + Quoted(ids_[needs[k]]) + ", which " +
                         (results[k] == Outcome::kSkipped ? "is skipped" : "fails (it is blocked)");
        return;
      }
    }
    for (size_t k = 0; k < needs.size(); ++k) {
      if (states_[needs[k]].chain_broken) {
        planned.reason = "needs " + Quoted(ids_[needs[k]]) +
                         ", which runs only after an earlier job fails or is skipped (success() "
                         "asks the whole chain)";
        return;
      }
    }
  }
  planned.reason = "if " + Quoted(if_text) + " is false";
}

void Planner::ApplyGate(const model::Job& job, const Scope& scope, PlannedJob& planned) {
  if (!job.environment.present) return;
  Substitution name = Substitute(job.environment.name.value, scope);
  EnvironmentGate gate;
  gate.name = name.text;
  if (job.environment.url) gate.url = Substitute(job.environment.url->value, scope).text;
  if (!name.resolved) {
    planned.environment = gate;
    if (planned.status == JobStatus::kWillRun) {
      planned.reason = "its environment " +
                       UnknownReason(name.unknown.empty() ? name.text : name.unknown.front());
    }
    return;
  }
  const model::EnvironmentsConfig* config = request_.environments;
  const model::EnvironmentConfig* env = config ? config->Find(name.text) : nullptr;
  if (config && !env) {
    std::vector<std::string> names = config->Names();
    diagnostics_.Error(
        "env-gate", job.environment.name.where,
        "environment " + Quoted(name.text) + " of job " + Quoted(job.id.value) +
            " is not configured in " +
            (request_.environments_path.empty() ? std::string("the environments file")
                                                : Quoted(request_.environments_path)) +
            DidYouMean(name.text, names));
  }
  if (env) {
    std::optional<std::string> job_url = gate.url;
    gate = EvaluateGate(*env, *config, request_.event);
    if (job_url) gate.url = job_url;  // the job's own url wins, as on GitHub
  }
  planned.environment = gate;
  if (planned.status == JobStatus::kSkipped) return;
  if (!gate.ref_allowed || !gate.approvable) {
    planned.status = JobStatus::kBlocked;
    if (!gate.ref_allowed) {
      planned.reason = Quoted(request_.event.ref) + " may not deploy to " + Quoted(gate.name) +
                       ": " + DescribeGate(gate);
    } else {
      planned.reason = DescribeGate(gate);
    }
    return;
  }
  if (env && planned.status == JobStatus::kWillRun && planned.reason.empty()) {
    planned.reason = DescribeGate(gate);
  }
}

void Planner::CheckRunner(const model::Job& job, const Scope& scope, PlannedJob& planned) {
  if (!request_.runners || !job.runs_on || planned.status == JobStatus::kSkipped) return;
  // Per matrix leg: runs-on: ${{ matrix.os }} is decided by each leg's values.
  std::vector<const json*> legs;
  for (const json& leg : planned.matrix) legs.push_back(&leg);
  if (legs.empty()) legs.push_back(nullptr);
  for (const json* leg : legs) {
    Scope leg_scope(&scope);
    if (leg) leg_scope.Set("matrix", *leg);
    if (!planned.matrix_known) leg_scope.MarkUnknown("matrix");
    RunsOn runs_on = EvaluateRunsOn(*job.runs_on, leg_scope);
    RunnerVerdict verdict = JudgeRunsOn(runs_on, *request_.runners);
    std::string prefix = leg && legs.size() > 1 ? "matrix " + leg->dump() + ": " : "";
    if (verdict.kind == RunnerVerdict::Kind::kUnknown) {
      // Labels are checked before anything runs; a value known only later cannot be.
      planned.runner_refused.push_back(
          "runs-on \"" + runs_on.unknown_text +
          "\" is known only at run time, and slipway checks a job's runner labels before the "
          "run starts; write the labels (or a matrix of them) in the workflow");
    } else if (verdict.kind == RunnerVerdict::Kind::kUnserved) {
      planned.runner_refused.push_back(prefix + verdict.message);
    } else if (verdict.kind == RunnerVerdict::Kind::kMapped) {
      planned.runner_mapped.push_back(prefix + verdict.message);
    }
  }
}

void Planner::PlanJob(const Unit& unit, uint32_t local, const model::JobGraph& graph,
                      Plan& plan) {
  const model::Job& job = unit.workflow->jobs[local];
  const uint32_t index = unit.base + local;
  PlannedJob& planned = plan.jobs[index];
  std::vector<uint32_t> needs;
  for (uint32_t need : graph.needs(local)) needs.push_back(unit.base + need);
  int wave = unit.first_wave;
  for (uint32_t need : needs) wave = std::max(wave, states_[need].done_wave + 1);
  planned.wave = wave;
  states_[index].done_wave = wave;
  if (job.if_condition) planned.if_condition = job.if_condition->value;
  if (job.uses) planned.uses = job.uses->value;
  planned.containers = PlanContainers(job, request_);

  Scope scope(unit.scope);
  json needs_context = json::object();
  for (uint32_t need : needs) {
    const std::string& id = local_ids_[need];
    needs_context[id] =
        json{{"result", ResultName(states_[need].outcome)}, {"outputs", json::object()}};
    scope.MarkUnknown("needs." + id + ".outputs");
    if (states_[need].outcome == Outcome::kUnknown) scope.MarkUnknown("needs." + id + ".result");
  }
  EvaluationContexts job_contexts;
  job_contexts.job_id = job.id.value;
  job_contexts.needs = &needs_context;
  FillScope(scope, job_contexts);

  JobState& state = states_[index];
  const std::optional<Outcome> caller =
      unit.caller ? std::optional<Outcome>(states_[*unit.caller].outcome) : std::nullopt;
  if (!plan.triggered) {
    planned.status = JobStatus::kSkipped;
    planned.reason = "the workflow is not triggered by this event";
    state.outcome = Outcome::kSkipped;
  } else if (caller == Outcome::kSkipped) {
    planned.status = JobStatus::kSkipped;
    planned.reason = "its calling job " + Quoted(ids_[*unit.caller]) + " is skipped";
    state.outcome = Outcome::kSkipped;
  } else {
    DecideStatus(job, needs, scope, planned, state);
    if (caller == Outcome::kUnknown && planned.status == JobStatus::kWillRun) {
      planned.status = JobStatus::kConditional;
      planned.reason = "runs only if its calling job " + Quoted(ids_[*unit.caller]) + " runs";
      state.outcome = Outcome::kUnknown;
    }
  }

  // Environment vars join the vars context for a job that uses the environment.
  Scope job_scope(&scope);
  const model::EnvironmentsConfig* config = request_.environments;
  if (config && job.environment.present) {
    Substitution name = Substitute(job.environment.name.value, scope);
    if (const model::EnvironmentConfig* env = name.resolved ? config->Find(name.text) : nullptr) {
      for (const auto& [key, value] : env->vars) job_scope.Overlay("vars", key.value, value.value);
    }
  }
  // The matrix is not in job_scope yet: an environment named from it is decided per leg, at
  // run time.
  Scope gate_scope(&job_scope);
  if (job.strategy.present) gate_scope.MarkUnknown("matrix");
  ApplyGate(job, gate_scope, planned);
  if (planned.status == JobStatus::kBlocked) state.outcome = Outcome::kFailure;

  // Strategy: the matrix, fail-fast and max-parallel.
  if (job.strategy.present) {
    MatrixExpansion m = ExpandMatrix(job.strategy, job_scope, diagnostics_);
    planned.matrix = std::move(m.instances);
    planned.matrix_known = m.known;
    planned.matrix_expression = m.unknown_expression;
    if (job.strategy.fail_fast) {
      planned.fail_fast = Substitute(job.strategy.fail_fast->value, job_scope).text != "false";
    }
    if (std::optional<double> mp = NumberText(job.strategy.max_parallel, job_scope)) {
      planned.max_parallel = static_cast<int>(*mp);
    }
  }
  CheckRunner(job, job_scope, planned);
  json strategy =
      json{{"fail-fast", planned.fail_fast},
           {"job-index", 0},
           {"job-total", planned.matrix.empty() ? 1 : planned.matrix.size()},
           {"max-parallel", planned.max_parallel
                                ? *planned.max_parallel
                                : static_cast<int>(std::max<size_t>(1, planned.matrix.size()))}};
  job_scope.Set("strategy", std::move(strategy));
  if (planned.matrix.size() == 1) {
    job_scope.Set("matrix", planned.matrix.front());
  } else if (planned.matrix.empty() && planned.matrix_known && !job.strategy.matrix) {
    job_scope.Set("matrix", nullptr);  // no matrix: null, as on GitHub
  } else {
    // Several instances (or unknown ones): matrix values stay symbolic in the shared text.
    job_scope.MarkUnknown("matrix");
    job_scope.MarkUnknown("strategy.job-index");
  }

  planned.name = planned.id;  // a called job: "call/inner"
  if (job.name) {
    Substitution s = Substitute(job.name->value, job_scope);
    planned.name = s.text;
  }
  planned.runs_on = RunsOnText(job.runs_on, job_scope);
  if (job.concurrency.present) {
    Substitution s = Substitute(job.concurrency.group.value, job_scope);
    planned.concurrency_group = Resolved{s.text, s.resolved};
    if (job.concurrency.cancel_in_progress) {
      Substitution cancel = Substitute(job.concurrency.cancel_in_progress->value, job_scope);
      planned.cancel_in_progress = cancel.resolved && cancel.text == "true";
      if (!cancel.resolved) {
        planned.cancel_in_progress_expression = job.concurrency.cancel_in_progress->value;
      }
    }
  }
  // Whole minutes, as GitHub converts it ((Int32) in ConvertToJobTimeout); a value out of that
  // range (0.5 minutes, 1e26) is an error at the key, never a 0-minute or overflowing timeout.
  planned.timeout_minutes =
      TimeoutMinutes(job.timeout_minutes, job_scope, model::TimeoutKey::kJob, diagnostics_);
  planned.cancel_timeout_minutes = TimeoutMinutes(job.cancel_timeout_minutes, job_scope,
                                                  model::TimeoutKey::kJobCancel, diagnostics_);
  if (job.continue_on_error) {
    planned.continue_on_error = Substitute(job.continue_on_error->value, job_scope).text == "true";
  }

  EnvLayer env = *unit.env;
  env.Add(job.env, job_scope, &planned.env);
  Scope env_scope(&job_scope);
  env.Install(env_scope);
  for (const auto& [key, value] : job.outputs) {
    Substitution s = Substitute(value.value, env_scope);
    planned.outputs.emplace_back(key.value, Resolved{s.text, s.resolved});
  }
  planned.steps = PlanSteps(job, env_scope, env, planned.status == JobStatus::kSkipped,
                            request_.catalog, diagnostics_);
  // Last: planning the called jobs appends to plan.jobs (`planned` is not used after it).
  if (job.uses) PlanCall(unit, index, job_scope, plan);
}

}  // namespace detail

Plan BuildPlan(const model::Workflow& workflow, const PlanRequest& request,
               Diagnostics& diagnostics) {
  detail::Planner planner(workflow, request, diagnostics);
  return planner.Build();
}

}  // namespace slipway::plan
