#include "interpreter/backend/worker_calls.h"

#include <fmt/format.h>

#include <algorithm>

#include "interpreter/backend/pg_internal.h"
#include "interpreter/exec/call_leg.h"
#include "interpreter/exec/run.h"
#include "interpreter/exec/secrets.h"
#include "interpreter/plan/eval_scope.h"

namespace slipway::backend {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using Secrets = std::map<std::string, std::string>;

ordered_json Ordered(const json& value) { return ordered_json::parse(value.dump()); }

// What the evaluations of one claim share.
struct CallContext {
  const PreparedRun& run;
  const Secrets& host_secrets;
  std::string run_id;
  exec::RunRequest request;  // plan and models, for exec::ModelJobOf

  CallContext(const PreparedRun& prepared, const Secrets& secrets, std::string id)
      : run(prepared), host_secrets(secrets), run_id(std::move(id)) {
    request.plan = &run.plan;
    request.workflow = &*run.workflow;
    request.workflows = run.workflows.get();
  }
};

// The needs context of a claim with a called job's needs named as in its own file.
ordered_json LocalNeeds(const json& needs, const std::string& caller) {
  ordered_json out = ordered_json::object();
  if (!needs.is_object()) return out;
  for (const auto& [id, value] : needs.items()) out[LocalId(id, caller)] = Ordered(value);
  return out;
}

// The contexts of calling job chain[k] as its call started (its frame's), with its github,
// inputs and vars: what its `with:` and `secrets:` are evaluated in.
void CallerScope(const CallContext& ctx, const std::vector<CallChainRow>& chain, size_t k,
                 const ordered_json& needs, const ordered_json& matrix,
                 const ordered_json& strategy, const ordered_json* inputs, plan::Scope& scope) {
  const std::string outer = k + 1 < chain.size() ? chain[k + 1].key : "";
  plan::EvaluationContexts contexts;
  contexts.github = &ctx.run.plan.github;
  contexts.run_id = ctx.run_id;
  contexts.job_id = LocalId(chain[k].job_id, outer);
  contexts.inputs = inputs;
  contexts.vars = &ctx.run.plan.vars;
  contexts.needs = &needs;
  plan::FillScope(scope, contexts);
  scope.Set("matrix", matrix);
  scope.Set("strategy", strategy);
}

Expected<Secrets> PassedSecrets(const CallContext& ctx, const std::vector<CallChainRow>& chain,
                                size_t k);

// The `secrets` context of calling job chain[k]: the repository's (of this host) for a job of
// the main workflow — a calling job has no environment — else what its own call passed it.
Expected<Secrets> CallerSecrets(const CallContext& ctx, const std::vector<CallChainRow>& chain,
                                size_t k) {
  if (k + 1 >= chain.size()) return exec::SecretsForJob(ctx.host_secrets, "");
  return PassedSecrets(ctx, chain, k + 1);
}

// The inputs context calling job chain[k] sees: the run's, or those of the call it is in.
ordered_json CallerInputs(const CallContext& ctx, const std::vector<CallChainRow>& chain,
                          size_t k) {
  if (k + 1 >= chain.size()) return ctx.run.plan.inputs;
  return Ordered(chain[k + 1].frame.value("inputs", json::object()));
}

// The secrets the started call of chain[k] passes to its jobs.
Expected<Secrets> PassedSecrets(const CallContext& ctx, const std::vector<CallChainRow>& chain,
                                size_t k) {
  const CallChainRow& row = chain[k];
  const plan::PlannedJob* planned = ctx.run.plan.FindJob(row.job_id);
  if (!planned || planned->callee == 0 || !row.frame.is_object()) {
    return MakeUnexpected(fmt::format("the call of \"{}\" has not started", row.key));
  }
  Expected<Secrets> outer = CallerSecrets(ctx, chain, k);
  if (!outer) return outer;
  const ordered_json inputs = CallerInputs(ctx, chain, k);
  plan::Scope scope;
  CallerScope(ctx, chain, k, Ordered(row.frame.value("needs", json::object())),
              Ordered(row.frame.value("matrix", json())),
              Ordered(row.frame.value("strategy", json())), &inputs, scope);
  std::string error;
  Secrets passed =
      exec::CallSecrets(exec::ModelJobOf(ctx.request, *planned), scope, *outer, &error);
  if (!error.empty()) {
    return MakeUnexpected(fmt::format("cannot pass the secrets of \"{}\": {}", row.key, error));
  }
  return passed;
}

const model::Workflow* CalleeOf(const PreparedRun& run, const plan::PlannedJob& job) {
  if (!run.workflows || job.callee >= run.workflows->sources.size()) return nullptr;
  return run.workflows->sources[job.callee].workflow;
}

Completion Failed(std::string message) {
  Completion completion;
  completion.result = exec::JobResult::kFailure;
  completion.message = std::move(message);
  return completion;
}

CallLegStep Start(Queue& queue, const CallContext& ctx, const Claim& claim,
                  const std::vector<CallChainRow>& chain, const plan::PlannedJob& job) {
  CallLegStep step;
  const model::Workflow* callee = CalleeOf(ctx.run, job);
  if (!callee) {
    step.completion =
        Failed(fmt::format("cannot call \"{}\": the workflow \"{}\" calls was not "
                           "loaded",
                           job.uses, job.uses));
    return step;
  }
  const ordered_json needs = LocalNeeds(claim.needs, chain.size() > 1 ? chain[1].key : "");
  const ordered_json matrix = Ordered(claim.matrix);
  const int total = std::max(claim.job_total, 1);
  const ordered_json strategy = {{"fail-fast", job.fail_fast},
                                 {"job-index", std::max(claim.job_index, 0)},
                                 {"job-total", total},
                                 {"max-parallel", job.max_parallel.value_or(total)}};
  Expected<Secrets> secrets = CallerSecrets(ctx, chain, 0);
  if (!secrets) {
    step.completion = Failed(fmt::format("cannot call \"{}\": {}", job.uses, secrets.error()));
    return step;
  }
  const ordered_json inputs = CallerInputs(ctx, chain, 0);
  plan::Scope scope;
  CallerScope(ctx, chain, 0, needs, matrix, strategy, &inputs, scope);
  Expected<exec::CallFrame> frame = exec::StartCallFrame(
      exec::ModelJobOf(ctx.request, job), *callee, scope, ctx.run.plan.vars, *secrets);
  if (!frame) {
    step.completion = Failed(fmt::format("cannot call \"{}\": {}", job.uses, frame.error()));
    return step;
  }
  // The frame holds no secret: each called job's worker maps them from its own host's.
  json stored = {{"inputs", json::parse(frame->inputs.dump())},
                 {"needs", json::parse(needs.dump())},
                 {"matrix", claim.matrix},
                 {"strategy", json::parse(strategy.dump())}};
  Expected<Fence> fence = queue.StartCall(claim, stored);
  if (!fence) {
    step.completion = Failed(fmt::format("cannot call \"{}\": {}", job.uses, fence.error()));
    return step;
  }
  step.kind = *fence == Fence::kHeld ? CallLegStep::Kind::kStarted : CallLegStep::Kind::kLost;
  return step;
}

CallLegStep End(const CallContext& ctx, const Claim& claim, const CallChainRow& row,
                const plan::PlannedJob& job) {
  // The called jobs of this leg, in plan (file) order; their results and outputs are the
  // needs the claim came with.
  std::vector<exec::CalledJobResult> jobs;
  for (const plan::PlannedJob& member : ctx.run.plan.jobs) {
    if (!member.caller || plan::ToInt(*member.caller) != plan::ToInt(job.index) ||
        LocalId(member.id, claim.key) == member.id) {
      continue;
    }
    exec::CalledJobResult& result = jobs.emplace_back();
    result.id = member.id;
    result.local_id = member.local_id;
    const json need =
        claim.needs.is_object() ? claim.needs.value(member.id, json::object()) : json::object();
    result.result = ResultFromSql(need.value("result", "skipped"));
    result.outputs = Ordered(need.value("outputs", json::object()));
  }
  exec::CallFrame frame;
  frame.inputs = Ordered(row.frame.value("inputs", json::object()));
  plan::EvaluationContexts contexts;
  contexts.github = &ctx.run.plan.github;
  contexts.run_id = ctx.run_id;
  contexts.vars = &ctx.run.plan.vars;
  exec::JobOutcome outcome = exec::EndCall(CalleeOf(ctx.run, job), &frame, jobs, contexts);
  CallLegStep step;
  step.completion.result = outcome.result;
  step.completion.outputs = outcome.outputs;
  step.completion.message = outcome.message;
  return step;
}

}  // namespace

CallLegStep RunCallLeg(Queue& queue, const Claim& claim, const PreparedRun& run,
                       const plan::PlannedJob& job, const Secrets& secrets) {
  CallContext ctx(run, secrets, claim.run_id);
  Expected<std::vector<CallChainRow>> chain = queue.CallChain(claim.run_id, claim.key);
  if (!chain || chain->empty()) {
    CallLegStep step;
    step.completion =
        Failed(chain ? fmt::format("no job \"{}\" in the backend", claim.key) : chain.error());
    return step;
  }
  if ((*chain)[0].frame.is_object()) return End(ctx, claim, (*chain)[0], job);
  return Start(queue, ctx, claim, *chain, job);
}

Expected<CalledJobContext> ReadCalledJobContext(Queue& queue, const Claim& claim,
                                                const PreparedRun& run, const Secrets& secrets) {
  CallContext ctx(run, secrets, claim.run_id);
  Expected<std::vector<CallChainRow>> chain = queue.CallChain(claim.run_id, claim.key);
  if (!chain) return MakeUnexpected(chain.error());
  if (chain->size() < 2) {
    return MakeUnexpected(fmt::format("job \"{}\" is not in a call in the backend", claim.key));
  }
  Expected<Secrets> passed = PassedSecrets(ctx, *chain, 1);
  if (!passed) return MakeUnexpected(passed.error());
  auto frame = std::make_shared<exec::CallFrame>();
  frame->inputs = Ordered((*chain)[1].frame.value("inputs", json::object()));
  frame->secrets = std::move(passed).value();
  CalledJobContext context;
  context.frame = std::move(frame);
  context.needs = LocalNeeds(claim.needs, (*chain)[1].key);
  return context;
}

}  // namespace slipway::backend
