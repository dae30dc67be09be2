// What a job passes before its first step (job_execution.h): its concurrency group, then its
// environment — evaluated now, when the job is about to start, so `environment:
// ${{ matrix.env }}` or `${{ needs.a.outputs.env }}` gets the complete gate of the name it
// evaluates to (branch/tag policy, reviewers, wait timer, approval timeout), exactly as a
// literal name does. The approval logic itself is approvals.h's; the gate's rules env_gate.h's.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "interpreter/exec/approvals.h"
#include "interpreter/exec/audit.h"
#include "interpreter/exec/concurrency.h"
#include "interpreter/exec/console.h"
#include "interpreter/exec/job_execution.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/run_store.h"
#include "interpreter/model/concurrency_group.h"
#include "interpreter/model/environments.h"
#include "interpreter/model/workflow.h"
#include "interpreter/plan/env_gate.h"
#include "interpreter/plan/secret_refs.h"

namespace slipway::exec {
namespace {

using nlohmann::ordered_json;

// "1 approval", "2 approvals".
std::string Count(size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

}  // namespace

ConcurrencyWatch::ConcurrencyWatch(const ConcurrencyLock* lock, JobControl& control,
                                   std::function<void()> on_cancel)
    : stop_(CancelToken::Make()) {
  if (!lock) return;
  thread_ = std::thread([lock, &control, on_cancel = std::move(on_cancel), stop = stop_] {
    while (!stop->WaitFor(std::chrono::milliseconds(200))) {
      if (lock->CancelRequested()) {
        on_cancel();
        control.Cancel();
        return;
      }
    }
  });
}

ConcurrencyWatch::~ConcurrencyWatch() {
  stop_->RequestCancel();
  if (thread_.joinable()) thread_.join();
}

void JobExecution::ReportPhase(JobPhase phase) {
  // Each wait is reported (reviewers, then the wait timer: the event stream records both); the
  // console says "waiting" once per job (ConsoleObserver).
  if (run_.observer && phase == JobPhase::kRunning) run_.observer->JobRunning(job_.key);
  if (run_.observer && phase == JobPhase::kWaitingAtGate) run_.observer->JobWaiting(job_.key);
  run_.events->Push(
      JobStatusUpdate{job_.key, phase, phase == JobPhase::kRunning ? "" : environment_});
}

void JobExecution::ReportStep(size_t index, const StepRecord& record) {
  if (run_.observer) {
    if (record.outcome) {
      run_.observer->StepFinished(job_.key, record);
    } else {
      run_.observer->StepStarted(job_.key, record);
    }
  }
  run_.events->PushQuietly(StepUpdate{job_.key, index, record});
}

std::optional<JobOutcome> JobExecution::TakeConcurrencyGroup(std::optional<ConcurrencyLock>* lock) {
  if (!model_.concurrency.present || run_.request->groups_taken_by_queue) return std::nullopt;
  std::string error;
  ordered_json no_env = ordered_json::object();
  std::string group = EvaluateAt("concurrency.group", model_.concurrency.group, no_env, &error);
  bool cancel_in_progress =
      model_.concurrency.cancel_in_progress &&
      EvaluateAt("concurrency.cancel-in-progress", *model_.concurrency.cancel_in_progress, no_env,
                 &error) == "true";
  if (!error.empty()) return JobOutcome{JobResult::kFailure, {}, {}, error};
  if (std::string problem = model::ConcurrencyGroupProblem(group); !problem.empty()) {
    std::string message = fmt::format("Error when evaluating 'concurrency' for job '{}'. {}",
                                      model_.id.value, problem);
    return JobOutcome{JobResult::kFailure, {}, {}, std::move(message)};
  }
  if (group.empty()) return std::nullopt;
  ReportPhase(JobPhase::kWaitingForGroup);
  Expected<ConcurrencyLock> taken = ConcurrencyLock::Acquire(
      run_.store->state_dir(), group, ConcurrencyHolder{run_.run_id, job_.key}, cancel_in_progress,
      [this] { return job_.control->cancel->is_cancelled(); },
      [this](const std::string& line) { run_.console->Line(job_.key, line); });
  if (!taken) {
    if (job_.control->cancel->is_cancelled()) {
      return JobOutcome{
          JobResult::kCancelled, {}, {}, "cancelled while waiting for its concurrency group"};
    }
    if (taken.error() == ConcurrencyLock::kReplaced) {
      return JobOutcome{JobResult::kCancelled,
                        {},
                        {},
                        fmt::format("cancelled: a newer job of concurrency group \"{}\" is "
                                    "pending",
                                    group)};
    }
    return JobOutcome{JobResult::kFailure, {}, {}, taken.error()};
  }
  lock->emplace(std::move(taken).value());
  group_ = group;
  ReportPhase(JobPhase::kRunning);
  return std::nullopt;
}

Expected<JobExecution::DeployTarget> JobExecution::EvaluateEnvironment() {
  DeployTarget target;
  const model::EnvironmentRef& ref = model_.environment;
  if (!ref.present) return target;
  if (!ref.name.has_expr) {
    // A literal name: the plan has evaluated its gate already.
    if (planned_.environment) target.gate = *planned_.environment;
    return target;
  }
  // As on GitHub: evaluated when the job is about to start, from github, inputs, vars, needs,
  // strategy and matrix (no env, steps or secrets yet).
  std::string error;
  // The url is evaluated when the job ends (EvaluateEnvironmentUrl).
  std::string name = EvaluateAt("environment", ref.name, ordered_json::object(), &error);
  if (!error.empty()) return MakeUnexpected("cannot evaluate the job's environment: " + error);
  if (name.empty()) return target;  // no environment, as on GitHub
  const model::EnvironmentConfig* config =
      run_.request->environments ? run_.request->environments->Find(name) : nullptr;
  if (!config) {
    std::string message =
        run_.request->environments
            ? fmt::format("environment \"{}\" (from \"{}\") is not configured in \"{}\"", name,
                          ref.name.value, run_.request->plan->environments_path)
            : fmt::format(
                  "environment \"{}\" (from \"{}\"): no environments file is in use to say "
                  "what protects it (give --env-config)",
                  name, ref.name.value);
    plan::EnvironmentGate unknown;
    unknown.name = name;
    AuditGate(unknown, {{"kind", "gate"}, {"decision", "refused"}, {"reason", message}});
    return MakeUnexpected(message);
  }
  plan::Event event;
  if (run_.request->event) event = *run_.request->event;
  event.ref = run_.request->plan->ref;
  plan::EnvironmentGate gate = plan::EvaluateGate(*config, *run_.request->environments, event);
  AuditGate(gate, {{"kind", "environment"}, {"from", ref.name.value}});
  run_.console->Line(job_.key, fmt::format("environment \"{}\" (from \"{}\")", name,
                                           ref.name.value));
  target.gate = std::move(gate);
  return target;
}

void JobExecution::EvaluateEnvironmentUrl(JobOutcome* outcome) {
  // As GitHub's runner (JobExtension.cs, after the job's outputs): with every context of the
  // finished job, steps included; a url that carries a secret is not set; an error fails the
  // job.
  const model::EnvironmentRef& ref = model_.environment;
  if (environment_.empty() || !ref.url) return;
  run_.console->Line(job_.key, "Evaluate and set environment url");
  std::string error;
  std::string url = EvaluateAt("environment.url", *ref.url, CurrentEnv(), &error);
  if (!error.empty()) {
    run_.console->Line(job_.key, "error: Failed to evaluate environment url: " + error);
    failed_ = true;
    if (outcome->message.empty()) outcome->message = error;
    return;
  }
  if (run_.masker->Mask(url) != url) {
    run_.console->Line(job_.key, fmt::format("warning: Skip setting environment url as "
                                             "environment '{}' may contain secret.",
                                             environment_));
    return;
  }
  run_.console->Line(job_.key, "Evaluated environment url: " + url);
  plan::EnvironmentGate gate;
  gate.name = environment_;
  AuditGate(gate, {{"kind", "environment-url"}, {"url", url}});
}

void JobExecution::AuditGate(const plan::EnvironmentGate& gate, nlohmann::json entry) {
  if (!run_.audit) return;
  entry["time"] = FormatUtc(run_.clock->WallNow());
  entry["run_id"] = run_.run_id;
  entry["job"] = job_.key;
  entry["environment"] = gate.name;
  Expected<bool> appended = run_.audit->Append(std::move(entry));
  if (!appended) {
    run_.console->Line(job_.key, "error: cannot write the audit log: " + appended.error());
    audit_failed_ = true;
  }
}

std::optional<JobOutcome> JobExecution::PassGate(const plan::EnvironmentGate& gate) {
  auto refuse = [&](JobResult result, std::string message) -> std::optional<JobOutcome> {
    return JobOutcome{result, {}, {}, std::move(message)};
  };
  if (gate.has_ref_policy && !run_.request->ref_verified) {
    std::string message = fmt::format(
        "environment \"{}\" allows only some branches or tags, and this run is not in a git "
        "repository, so ref \"{}\" cannot be verified; run from the repository",
        gate.name, run_.request->plan->ref);
    run_.console->Line(job_.key, message);
    AuditGate(gate, {{"kind", "gate"}, {"decision", "refused"}, {"reason", message}});
    return refuse(JobResult::kFailure, message);
  }
  if (!gate.ref_allowed) {
    std::string message = fmt::format(
        "environment \"{}\" does not allow ref \"{}\": it matches none of "
        "deployment_branches.{} ({})",
        gate.name, run_.request->plan->ref, gate.refused_by, fmt::join(gate.refused_patterns, ", "));
    run_.console->Line(job_.key, message);
    AuditGate(gate, {{"kind", "gate"}, {"decision", "refused"}, {"reason", message}});
    return refuse(JobResult::kFailure, message);
  }
  if (gate.required_reviewers > 0) {
    ReportPhase(JobPhase::kWaitingAtGate);
    ReviewerPolicy policy;
    policy.required = gate.required_reviewers;
    policy.users = gate.eligible_reviewers;
    policy.prevent_self_review = gate.prevent_self_review;
    // A review answers the jobs waiting for the environment when it is given, as on GitHub: a
    // job of the same run that reaches the gate later waits for a review of its own. (Approvals
    // given with --approve on the command line are for the whole run.) On the run's clock, as
    // reviews are stamped (the system's, or a rehearsal's virtual one).
    const std::string waiting_since = FormatUtc(run_.clock->WallNow());
    // Published before the prompt is shown, so `slipway approve` never finds it missing.
    WaitingMark waiting(run_.store->run_dir(),
                        {gate.name, run_.request->plan->actor, policy, waiting_since});
    run_.console->Line(
        job_.key,
        fmt::format("waiting for {} for environment \"{}\" from {}{}; approve with "
                    "`slipway approve {} {} --as NAME`",
                    Count(static_cast<size_t>(gate.required_reviewers), "approval", "approvals"),
                    gate.name, fmt::join(gate.eligible_reviewers, ", "),
                    gate.prevent_self_review ? " (self-review not allowed)" : "", run_.run_id,
                    gate.name));
    if (run_.inbox) {
      run_.console->Line(job_.key, fmt::format("or type here: approve {} NAME", gate.name));
    }
    auto approvals = [&] {
      std::vector<Approval> all;
      for (const auto& [environment, reviewer] : run_.request->approvals) {
        if (environment == gate.name) all.push_back({reviewer, "", "command line"});
      }
      for (Approval& a : ReadApprovals(run_.store->run_dir(), gate.name)) {
        if (a.forged || a.at >= waiting_since) all.push_back(a);
      }
      if (run_.inbox) {
        for (Approval& a : run_.inbox->For(gate.name)) {
          if (a.at >= waiting_since) all.push_back(a);
        }
      }
      return all;
    };
    std::vector<std::string> reported;
    auto on_change = [&](const ApprovalTally& tally) {
      for (size_t k = 0; k < tally.counted.size(); ++k) {
        const std::string& name = tally.counted[k];
        std::string line = "approved by \"" + name + "\"";
        if (std::find(reported.begin(), reported.end(), line) != reported.end()) continue;
        reported.push_back(line);
        run_.console->Line(job_.key, fmt::format("{} ({} of {})", line,
                                                 std::min<size_t>(k + 1, tally.required),
                                                 tally.required));
        AuditGate(gate, {{"kind", "approval"}, {"reviewer", name}, {"counted", true}});
      }
      for (const std::string& refusal : tally.refused) {
        if (std::find(reported.begin(), reported.end(), refusal) != reported.end()) continue;
        reported.push_back(refusal);
        run_.console->Line(job_.key, "approval not counted: " + refusal);
        AuditGate(gate, {{"kind", "approval"}, {"counted", false}, {"reason", refusal}});
      }
    };
    ApprovalTally tally;
    GateDecision decision = WaitForApprovals(
        policy, gate.name, run_.request->plan->actor, approvals, *run_.clock, *job_.control->cancel,
        std::chrono::seconds(gate.approval_timeout_s), run_.approval_poll, on_change, &tally);
    if (decision == GateDecision::kCancelled) {
      AuditGate(gate, {{"kind", "gate"}, {"decision", "cancelled"}});
      return refuse(JobResult::kCancelled, "cancelled while waiting for approval");
    }
    if (decision == GateDecision::kRejected) {
      std::string message = RejectionMessage(gate.name, tally);
      run_.console->Line(job_.key, message);
      AuditGate(gate, {{"kind", "gate"},
                       {"decision", "rejected"},
                       {"reviewer", tally.rejected_by},
                       {"comment", tally.rejection_comment}});
      return refuse(JobResult::kFailure, message);
    }
    if (decision == GateDecision::kTimedOut) {
      std::string message = fmt::format(
          "approval for environment \"{}\" timed out after {} ({} of {})", gate.name,
          plan::FormatDuration(gate.approval_timeout_s), tally.counted.size(),
          Count(static_cast<size_t>(tally.required), "approval", "approvals"));
      run_.console->Line(job_.key, message);
      AuditGate(gate, {{"kind", "gate"}, {"decision", "timed-out"}, {"reason", message}});
      return refuse(JobResult::kFailure, message);
    }
    AuditGate(gate, {{"kind", "gate"}, {"decision", "approved"}, {"reviewers", tally.counted}});
  }
  if (gate.wait_timer_s > 0) {
    ReportPhase(JobPhase::kWaitingAtGate);
    run_.console->Line(job_.key, fmt::format("wait timer of {} for environment \"{}\"",
                                             plan::FormatDuration(gate.wait_timer_s), gate.name));
    if (!run_.clock->SleepFor(std::chrono::seconds(gate.wait_timer_s), *job_.control->cancel)) {
      return refuse(JobResult::kCancelled, "cancelled during the wait timer");
    }
  }
  if (audit_failed_) {
    return refuse(JobResult::kFailure,
                  fmt::format("environment \"{}\": the gate's decision could not be audited",
                              gate.name));
  }
  ReportPhase(JobPhase::kRunning);
  return std::nullopt;
}

}  // namespace slipway::exec

namespace slipway::exec {

// Warns about the secrets this job reads that have no value: those its environment lists
// (with where to give them) and any other it reads. Secrets the job never reads are not
// mentioned, however many the environment lists.
void JobExecution::WarnAboutMissingSecrets(const plan::EnvironmentGate* gate) {
  plan::SecretReads reads = plan::SecretsReadBy(WorkflowOf(*run_.request, planned_), model_);
  auto upper = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
  };
  std::set<std::string> present;
  for (const auto& [key, value] : secrets_.items()) present.insert(upper(key));
  std::set<std::string> warned;
  if (gate) {
    for (const std::string& name : gate->secrets) {
      std::string key = upper(name);
      if (present.contains(key) || (!reads.any && !reads.names.contains(key))) continue;
      warned.insert(key);
      run_.console->Line(job_.key,
                         fmt::format("warning: secret \"{}\" of environment \"{}\" has no value "
                                     "(give {}.{}= or {}= in --secrets-file)",
                                     name, environment_, environment_, name, name));
    }
  }
  for (const std::string& name : reads.names) {
    if (present.contains(name) || warned.contains(name)) continue;
    run_.console->Line(job_.key, fmt::format("warning: secret \"{}\" is read by this job and has "
                                             "no value (give {}= in --secrets-file); it is empty",
                                             name, name));
  }
}

}  // namespace slipway::exec
