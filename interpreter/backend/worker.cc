#include "interpreter/backend/worker.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "interpreter/backend/submit.h"
#include "interpreter/backend/worker_artifacts.h"
#include "interpreter/backend/worker_calls.h"
#include "interpreter/exec/audit.h"
#include "interpreter/exec/clock.h"
#include "interpreter/exec/console.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/real_job_runner.h"
#include "interpreter/exec/run.h"
#include "interpreter/exec/run_store.h"
#include "interpreter/exec/secrets.h"

namespace slipway::backend {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
namespace fs = std::filesystem;

// Plans made on this host, one per run, shared by the slots.
class PlanCache {
 public:
  Expected<std::shared_ptr<PreparedRun>> Get(Queue& queue, const std::string& run_id,
                                             const WorkerOptions& options) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = plans_.find(run_id); it != plans_.end()) return it->second;
    Expected<StoredRun> stored = queue.Stored(run_id);
    if (!stored) return MakeUnexpected(stored.error());
    Expected<std::shared_ptr<PreparedRun>> made =
        PlanAgain(run_id, stored->plan_options, stored->workflow_sha256, *options.catalog,
                  options.scratch_dir);
    if (made) plans_[run_id] = *made;
    return made;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<PreparedRun>> plans_;
};

// Claims for the slots of one worker: the slots asking at the same moment are served by one
// claim of that many jobs (FOR UPDATE SKIP LOCKED LIMIT n), the first to get the lock claiming
// for the others, which take their job from here. Only slots already asking are counted, so
// no job waits here for a slot that is busy or asleep in LISTEN.
class SharedClaims {
 public:
  Expected<std::optional<Claim>> Next(Queue& queue, const WorkerIdentity& identity,
                                      const std::string& only_run) {
    ++asking_;
    std::lock_guard<std::mutex> lock(mutex_);
    --asking_;
    if (!claimed_.empty()) {
      Claim mine = std::move(claimed_.front());
      claimed_.pop_front();
      return std::optional<Claim>(std::move(mine));
    }
    Expected<std::vector<Claim>> claims = queue.ClaimUpTo(identity, 1 + asking_.load(), only_run);
    if (!claims) return MakeUnexpected(claims.error());
    if (claims->empty()) return std::optional<Claim>();
    for (size_t i = 1; i < claims->size(); ++i) claimed_.push_back(std::move((*claims)[i]));
    return std::optional<Claim>(std::move(claims->front()));
  }

 private:
  std::mutex mutex_;
  std::atomic<int> asking_{0};  // slots waiting for the lock
  std::deque<Claim> claimed_;   // claimed for them, each taken by the next slot in
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Steps must not see how to reach the database: a step that could connect could approve.
std::map<std::string, std::string> StepEnvironment(const std::map<std::string, std::string>& env) {
  std::map<std::string, std::string> out = exec::WithoutSlipwaySecrets(env);
  for (auto it = out.begin(); it != out.end();) {
    bool database = it->first == "SLIPWAY_BACKEND" || it->first == "SLIPWAY_AUDIT_KEY" ||
                    it->first.rfind("PG", 0) == 0;
    it = database ? out.erase(it) : std::next(it);
  }
  return out;
}

// "logs/<job>/03-build.log" → "build".
std::string StepLogName(const std::string& path) {
  std::string file = fs::path(path).stem().string();
  size_t dash = file.find('-');
  return dash == std::string::npos ? file : file.substr(dash + 1);
}

// The step logs of a running job (RunStore::StepLogPath names them NN-<id>.log, NN 1-based),
// read again when they grew, masked.
class LogShipper {
 public:
  LogShipper(std::string dir, const exec::Masker& masker)
      : dir_(std::move(dir)), masker_(masker) {}
  std::vector<LiveLog> Changed() {
    std::vector<LiveLog> out;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(dir_, error)) {
      std::string file = entry.path().filename().string();
      int number = std::atoi(file.c_str());
      uintmax_t size = entry.file_size(error);
      if (number < 1 || error) continue;
      uintmax_t& seen = sizes_[file];
      if (size == seen) continue;
      seen = size;
      out.push_back({static_cast<size_t>(number - 1), StepLogName(file),
                     masker_.Mask(ReadFile(entry.path().string()))});
    }
    return out;
  }

 private:
  std::string dir_;
  const exec::Masker& masker_;
  std::map<std::string, uintmax_t> sizes_;
};

struct Slot {
  const WorkerOptions& options;
  PlanCache& plans;
  SharedClaims& claims;
  Queue& queue;
  std::mutex& report_mutex;
  WorkerReport& report;

  void Say(const std::string& line) {
    std::lock_guard<std::mutex> lock(report_mutex);
    std::fprintf(options.out, "%s\n", line.c_str());
    std::fflush(options.out);
  }

  // Runs the claimed job and stores its outcome; false when the lease was lost.
  // `next` (may be null): the jobs to claim along with the completion.
  bool Execute(const Claim& claim, NextClaims* next) {
    Say(fmt::format("worker {}: run {} job \"{}\" (attempt {}, claimed {:.1f} ms after ready)",
                    claim.worker, claim.run_id, claim.key, claim.attempt, claim.latency_ms));
    Completion completion;
    Expected<std::shared_ptr<PreparedRun>> prepared = plans.Get(queue, claim.run_id, options);
    bool lost = false;
    const plan::PlannedJob* planned = prepared ? (*prepared)->plan.FindJob(claim.job_id) : nullptr;
    if (!prepared) {
      completion.result = exec::JobResult::kFailure;
      completion.message = prepared.error();
    } else if (planned && planned->callee != 0) {
      // A leg of a calling job: its first claim starts the call, its second ends it.
      CallLegStep step = RunCallLeg(queue, claim, **prepared, *planned, options.secrets);
      if (step.kind == CallLegStep::Kind::kStarted) {
        Say(fmt::format("run {} job \"{}\": call started", claim.run_id, claim.key));
        return true;
      }
      lost = step.kind == CallLegStep::Kind::kLost;
      completion = std::move(step.completion);
    } else {
      completion = RunClaimed(claim, **prepared, &lost);
    }
    if (lost) {
      Say(fmt::format("run {} job \"{}\": the lease was lost; the outcome is not stored",
                      claim.run_id, claim.key));
      return false;
    }
    Expected<Fence> fence = queue.Complete(claim, completion, next);
    if (!fence || *fence == Fence::kLost) {
      Say(fmt::format("run {} job \"{}\": the outcome was refused: {}", claim.run_id, claim.key,
                      fence ? "the lease had expired" : fence.error()));
      return false;
    }
    Say(fmt::format("run {} job \"{}\": {}{}", claim.run_id, claim.key,
                    exec::JobResultName(completion.result),
                    completion.message.empty() ? "" : ": " + completion.message));
    std::lock_guard<std::mutex> lock(report_mutex);
    ++report.jobs_run;
    if (completion.result == exec::JobResult::kFailure ||
        completion.result == exec::JobResult::kCancelled) {
      ++report.jobs_failed;
    }
    return true;
  }

  Completion RunClaimed(const Claim& claim, const PreparedRun& prepared, bool* lost) {
    Completion completion;
    const plan::PlannedJob* found = prepared.plan.FindJob(claim.job_id);
    if (!found) {
      completion.result = exec::JobResult::kFailure;
      completion.message = fmt::format("no job \"{}\" in the plan made here", claim.job_id);
      return completion;
    }
    // The database has passed the environment's reviewers and wait timer already; the
    // reviewers are counted again here, under this host's own environments file, so that a
    // job row changed by a connection other than slipway's cannot skip them.
    plan::PlannedJob job = *found;
    if (job.environment && job.environment->required_reviewers > 0) {
      exec::ReviewerPolicy policy;
      policy.required = job.environment->required_reviewers;
      policy.users = job.environment->eligible_reviewers;
      policy.prevent_self_review = job.environment->prevent_self_review;
      Expected<std::string> refusal = queue.GateRefusal(claim, job.environment->name, policy);
      if (!refusal || !refusal->empty()) {
        completion.result = exec::JobResult::kFailure;
        completion.message = refusal ? *refusal : refusal.error();
        return completion;
      }
    }
    if (job.environment) {
      job.environment->required_reviewers = 0;
      job.environment->wait_timer_s = 0;
    }
    exec::Masker masker;
    for (const auto& [name, value] : options.secrets) masker.Add(value);
    // A job of a called workflow: its call's inputs, the secrets the call passes (mapped on
    // this host) and its needs under the ids of its own file.
    std::optional<CalledJobContext> called;
    if (job.caller) {
      Expected<CalledJobContext> context =
          ReadCalledJobContext(queue, claim, prepared, options.secrets);
      if (!context) {
        completion.result = exec::JobResult::kFailure;
        completion.message = context.error();
        return completion;
      }
      for (const auto& [name, value] : context->frame->secrets) masker.Add(value);
      called = std::move(context).value();
    }
    std::string state_dir = fmt::format("{}/{}/{}-{}", options.scratch_dir,
                                        exec::SafeFileName(claim.run_id),
                                        exec::SafeFileName(claim.key), claim.attempt);
    Expected<exec::RunStore> store = exec::RunStore::Create(state_dir, claim.run_id, &masker);
    if (!store) {
      completion.result = exec::JobResult::kFailure;
      completion.message = store.error();
      return completion;
    }
    // The artifacts other jobs stored (on any host), for a job that downloads some.
    Expected<std::map<std::string, std::string>> fetched = std::map<std::string, std::string>();
    if (DownloadsArtifacts(job, fs::current_path().string())) {
      fetched = FetchArtifacts(queue, claim.run_id, store->artifacts_dir());
    }
    if (!fetched) {
      completion.result = exec::JobResult::kFailure;
      completion.message = fetched.error();
      return completion;
    }
    exec::RealClock clock;
    bool github_actions = false;
    if (auto it = options.environment.find("GITHUB_ACTIONS"); it != options.environment.end()) {
      github_actions = it->second == "true";
    }
    exec::Console console(masker, clock, options.out, github_actions);
    exec::RunEventQueue events;
    const plan::Plan& plan = prepared.plan;
    exec::RunRequest request;
    request.plan = &plan;
    request.workflow = &*prepared.workflow;
    request.workflows = prepared.workflows.get();
    request.catalog = options.catalog;
    request.secrets = options.secrets;
    request.skip_unknown_actions = prepared.skip_unknown_actions;
    request.state_dir = state_dir;
    request.run_id = claim.run_id;
    request.groups_taken_by_queue = true;  // the queue gave the job its group before the claim
    exec::RunEnvironment env;
    env.request = &request;
    env.masker = &masker;
    env.store = &*store;
    env.clock = &clock;
    env.console = &console;
    env.events = &events;
    env.run_id = claim.run_id;
    env.workspace = fs::current_path().string();
    request.workspace = env.workspace;
    env.scratch_dir = fmt::format("{}/{}/{}-{}-scratch", options.scratch_dir,
                                  exec::SafeFileName(claim.run_id), exec::SafeFileName(claim.key),
                                  claim.attempt);
    std::error_code mkdir_error;
    fs::create_directories(env.scratch_dir, mkdir_error);
    if (mkdir_error) {
      completion.result = exec::JobResult::kFailure;
      completion.message = fmt::format("cannot create {}: {}", env.scratch_dir, mkdir_error.message());
      return completion;
    }
    fs::permissions(env.scratch_dir, fs::perms::owner_all, mkdir_error);
    env.base_env = StepEnvironment(options.environment);
    env.container_runtime = options.container_runtime;
    env.github = plan.github;
    env.github["run_id"] = claim.run_id;
    env.github["run_number"] = "1";
    env.github["run_attempt"] = std::to_string(claim.attempt);
    env.github["workspace"] = env.workspace;
    // The event payload, as GITHUB_EVENT_PATH (exec/run.cc writes it so): steps and the job
    // container (/github/workflow/event.json) read it.
    {
      const std::string event_path = env.scratch_dir + "/event.json";
      const ordered_json event =
          plan.github.contains("event") ? plan.github["event"] : ordered_json::object();
      std::ofstream out(event_path, std::ios::binary | std::ios::trunc);
      out << masker.Mask(event.dump(2)) << "\n";
      out.close();
      if (!out) {
        completion.result = exec::JobResult::kFailure;
        completion.message = fmt::format("cannot write \"{}\"", event_path);
        return completion;
      }
      env.github["event_path"] = event_path;
    }
    env.runner = {{"os", "Linux"},
                  {"arch", "X64"},
                  {"name", claim.worker},
                  {"tool_cache", options.scratch_dir + "/tool-cache"},
                  {"environment", "self-hosted"}};

    exec::JobAssignment assignment;
    assignment.key = claim.key;
    assignment.index = job.index;
    assignment.job = &job;
    assignment.matrix = claim.matrix.is_null() ? ordered_json() : ordered_json::parse(claim.matrix.dump());
    // The instance's place as the queue stored it (a matrix known only at run time is not in
    // this host's plan).
    size_t ordinal = static_cast<size_t>(std::max(claim.job_index, 0));
    size_t total = static_cast<size_t>(std::max(claim.job_total, 1));
    assignment.strategy = {{"fail-fast", job.fail_fast},
                           {"job-index", ordinal},
                           {"job-total", total},
                           {"max-parallel", job.max_parallel.value_or(static_cast<int>(total))}};
    assignment.needs = ordered_json::parse(claim.needs.dump());
    if (called) {
      assignment.needs = called->needs;
      assignment.call = called->frame;
    }
    assignment.control = std::make_shared<exec::JobControl>();

    exec::JobOutcome outcome;
    std::thread runner([&] {
      outcome = exec::RunJob(env, assignment);
      events.Push(exec::JobFinished{claim.key, {}});
    });
    const auto beat = std::max(options.identity.lease / 3, std::chrono::milliseconds(10));
    auto next_beat = std::chrono::steady_clock::now() + beat;
    auto next_logs = std::chrono::steady_clock::now() + options.log_interval;
    LogShipper logs{store->run_dir() + "/logs/" + exec::SafeFileName(claim.key), masker};
    while (true) {
      std::optional<exec::RunEvent> event = events.WaitUntil(std::min(next_beat, next_logs));
      if (event && std::holds_alternative<exec::JobFinished>(*event)) break;
      if (std::chrono::steady_clock::now() >= next_logs) {
        next_logs = std::chrono::steady_clock::now() + options.log_interval;
        // Live logs: best effort (the completion stores them all); a refused push means the
        // lease is gone, which the heartbeat finds.
        std::vector<LiveLog> changed = logs.Changed();
        if (!changed.empty() && !*lost) {
          if (Expected<Fence> pushed = queue.PushLogs(claim, changed); !pushed) {
            Say(fmt::format("run {} job \"{}\": {}", claim.run_id, claim.key, pushed.error()));
          }
        }
      }
      if (std::chrono::steady_clock::now() < next_beat) continue;
      next_beat = std::chrono::steady_clock::now() + beat;
      if (*lost) continue;
      Expected<Fence> fence = queue.Heartbeat(claim, options.identity.lease);
      if (!fence || *fence == Fence::kLost) {
        // Whatever the job does from now on cannot be stored: stop it at once.
        *lost = true;
        assignment.control->Force();
      } else if (*fence == Fence::kCancelRequested) {
        assignment.control->Cancel();
      }
    }
    runner.join();

    completion.result = outcome.result;
    completion.message = masker.Mask(outcome.message);
    for (const auto& [name, value] : outcome.outputs) {
      completion.outputs[name] = masker.Mask(value);
    }
    for (size_t i = 0; i < outcome.steps.size(); ++i) {
      exec::StepRecord step = outcome.steps[i];
      step.name = masker.Mask(step.name);
      for (auto& [name, value] : step.outputs) value = masker.Mask(value);
      if (!step.log.empty()) {
        completion.logs.push_back(
            {i, StepLogName(step.log), masker.Mask(ReadFile(store->run_dir() + "/" + step.log))});
      }
      completion.steps.push_back(std::move(step));
    }
    // The artifacts outlive this scratch state directory in the database (those fetched for
    // the job, unchanged, are another job's).
    Expected<std::vector<exec::ArtifactFile>> artifacts =
        exec::ReadArtifacts(store->artifacts_dir());
    if (artifacts) {
      for (exec::ArtifactFile& file : *artifacts) {
        auto it = fetched->find(file.name);
        if (it != fetched->end() && it->second == exec::Sha256Hex(file.content)) continue;
        completion.artifacts.push_back(std::move(file));
      }
      if (std::optional<std::string> over =
              ArtifactOverLimit(completion.artifacts, options.artifact_limit)) {
        completion.result = exec::JobResult::kFailure;
        completion.message = "cannot store the job's artifacts: " + *over;
        completion.artifacts.clear();
      }
    } else {
      completion.result = exec::JobResult::kFailure;
      completion.message = "cannot store the job's artifacts: " + artifacts.error();
    }
    std::error_code ignored;
    fs::remove_all(state_dir, ignored);
    return completion;
  }

  void Loop(const std::function<bool()>& stop) {
    auto next_sweep = std::chrono::steady_clock::now();
    // Claimed along with the last completion: this slot's to run, before it may stop.
    std::vector<Claim> mine;
    while (!mine.empty() || !stop || !stop()) {
      if (std::chrono::steady_clock::now() >= next_sweep) {
        if (Expected<int> swept = queue.Sweep(); !swept) {
          Fail(swept.error());
          return;
        }
        next_sweep = std::chrono::steady_clock::now() + options.poll;
      }
      Expected<std::optional<Claim>> claim = std::optional<Claim>();
      if (!mine.empty()) {
        claim = std::optional<Claim>(std::move(mine.front()));
        mine.erase(mine.begin());
      } else {
        claim = claims.Next(queue, options.identity, options.only_run);
      }
      if (!claim) return Fail(claim.error());
      if (!*claim) {
        // Nothing to claim: has the run this worker serves ended? (An ended run has no ready
        // job, so asking only now misses nothing.)
        if (!options.only_run.empty()) {
          Expected<RunStatusInfo> status = queue.Status(options.only_run);
          if (!status) return Fail(status.error());
          if (IsFinal(status->state)) {
            std::lock_guard<std::mutex> lock(report_mutex);
            report.run_state = status->state;
            return;
          }
        }
        if (Expected<bool> woke = queue.WaitForNotification(options.poll); !woke) {
          return Fail(woke.error());
        }
        continue;
      }
      // The next job is claimed with this one's completion (one round trip less), unless this
      // slot stops after it.
      NextClaims next{&options.identity, 1, options.only_run, {}};
      const bool more = !options.once && (!stop || !stop());
      if (!Execute(**claim, more ? &next : nullptr)) {
        std::lock_guard<std::mutex> lock(report_mutex);
        ++report.jobs_lost;
      }
      for (Claim& claimed : next.claimed) mine.push_back(std::move(claimed));
      if (options.once) return;
    }
  }

  void Fail(const std::string& error) {
    std::lock_guard<std::mutex> lock(report_mutex);
    if (report.error.empty()) report.error = error;
  }
};

}  // namespace

WorkerReport RunWorker(const WorkerOptions& options, const std::function<bool()>& stop) {
  WorkerReport report;
  std::mutex report_mutex;
  PlanCache plans;
  SharedClaims claims;
  size_t slots = options.once ? 1 : std::max<size_t>(options.slots, 1);
  std::vector<std::unique_ptr<Queue>> queues;
  for (size_t i = 0; i < slots; ++i) {
    Expected<std::unique_ptr<Queue>> queue = Queue::Connect(options.dsn, options.audit_key);
    if (!queue) {
      report.error = queue.error();
      return report;
    }
    queues.push_back(std::move(queue).value());
  }
  std::vector<std::thread> threads;
  for (size_t i = 0; i < slots; ++i) {
    threads.emplace_back([&, i] {
      WorkerOptions mine = options;
      if (slots > 1) mine.identity.name += fmt::format("/{}", i + 1);
      mine.identity.has_container_runtime = options.container_runtime.has_value();
      Slot slot{mine, plans, claims, *queues[i], report_mutex, report};
      slot.Loop(stop);
    });
  }
  for (std::thread& t : threads) t.join();
  return report;
}

}  // namespace slipway::backend
