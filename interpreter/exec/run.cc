#include "interpreter/exec/run.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "interpreter/exec/approvals.h"
#include "interpreter/exec/audit.h"
#include "interpreter/exec/clock.h"
#include "interpreter/exec/concurrency.h"
#include "interpreter/exec/console.h"
#include "interpreter/exec/event_stream.h"
#include "interpreter/exec/live_view.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/real_job_runner.h"
#include "interpreter/exec/run_origin.h"
#include "interpreter/exec/container_spec.h"
#include "interpreter/exec/job_containers.h"
#include "interpreter/exec/run_preflight.h"
#include "interpreter/exec/orphans.h"
#include "interpreter/exec/run_store.h"
#include "interpreter/exec/secrets.h"
#include "interpreter/exec/shell.h"
#include "interpreter/exec/signal_watcher.h"
#include "interpreter/model/workflow.h"

namespace slipway::exec {
namespace {

namespace fs = std::filesystem;

/// Prints job progress as it happens.
class ConsoleObserver final : public RunObserver {
 public:
  explicit ConsoleObserver(Console& console) : console_(console) {}
  void JobStarted(const std::string& key) override { console_.Line(key, "started"); }
  void JobWaiting(const std::string& key) override {
    // A gate with reviewers and a wait timer waits twice; the console says so once. (Called
    // from the jobs' worker threads.)
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!waiting_said_.insert(key).second) return;
    }
    console_.Line(key, "waiting at its environment's gate");
  }
  void WriteFailed(const std::string& error) override { console_.Line("", "error: " + error); }
  void JobFinished(const std::string& key, const JobOutcome& outcome) override {
    console_.Line(key, outcome.message.empty()
                           ? std::string(JobResultName(outcome.result))
                           : fmt::format("{}: {}", JobResultName(outcome.result), outcome.message));
  }
  void Interrupted(int signal, int count) override {
    console_.Line("", count == 1
                          ? fmt::format("signal {}: cancelling the run (again to force)", signal)
                          : fmt::format("signal {}: forcing the cancellation", signal));
  }

 private:
  Console& console_;
  std::mutex mutex_;
  std::set<std::string> waiting_said_;
};

/// Feeds the live view on a terminal: jobs appear in the live region instead of as "started"
/// lines, and each finished job prints its result line.
class LiveObserver final : public RunObserver {
 public:
  LiveObserver(LiveView& live, Console& console) : live_(live), console_(console) {}
  void JobStarted(const std::string& key) override { live_.JobStarted(key); }
  void JobWaiting(const std::string& key) override { live_.JobWaiting(key); }
  void JobRunning(const std::string& key) override { live_.JobRunning(key); }
  void StepStarted(const std::string& key, const StepRecord& step) override {
    live_.StepStarted(key, step.name);
  }
  void JobFinished(const std::string& key, const JobOutcome& outcome) override {
    live_.JobFinished(key, outcome);
  }
  void Interrupted(int signal, int count) override {
    console_.Line("", count == 1
                          ? fmt::format("signal {}: cancelling the run (again to force)", signal)
                          : fmt::format("signal {}: forcing the cancellation", signal));
  }
  void WriteFailed(const std::string& error) override { console_.Line("", "error: " + error); }

 private:
  LiveView& live_;
  Console& console_;
};

// "why": the first input that reads like a reason for the deployment.
std::string Reason(const plan::Plan& plan) {
  for (auto it = plan.inputs.begin(); it != plan.inputs.end(); ++it) {
    std::string key = it.key();
    if ((key.find("reason") != std::string::npos || key.find("why") != std::string::npos) &&
        it->is_string()) {
      return it->get<std::string>();
    }
  }
  return "";
}

std::string Duration(const std::string& from, const std::string& to) {
  if (from.empty() || to.empty()) return "";
  auto seconds = [](const std::string& t) {
    // 2026-01-01T12:34:56.789Z → seconds of the day (runs do not span days often; the table
    // is only a summary).
    if (t.size() < 23) return 0.0;
    return std::stod(t.substr(11, 2)) * 3600 + std::stod(t.substr(14, 2)) * 60 +
           std::stod(t.substr(17, 6));
  };
  double d = seconds(to) - seconds(from);
  if (d < 0) d += 86400;
  return fmt::format("{:.1f}s", d);
}

// The run's scratch directory: $TMPDIR/slipway-<run id>-XXXXXX, 0700 (mkdtemp), outside the
// state directory, so nothing a step is handed (RUNNER_TEMP, its script, its step files, the
// event payload) leads into the run record, the approvals or the audit log.
Expected<std::string> MakeScratchDir(const std::map<std::string, std::string>& environment,
                                     const std::string& run_id) {
  std::string base = "/tmp";
  if (auto it = environment.find("TMPDIR"); it != environment.end() && !it->second.empty()) {
    base = it->second;
  }
  std::error_code error;
  std::string absolute = fs::absolute(base, error).string();
  if (!error) base = absolute;
  std::string pattern = base + "/slipway-" + SafeFileName(run_id) + "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data())) {
    return MakeUnexpected(
        fmt::format("cannot create a scratch directory in \"{}\": {}", base, std::strerror(errno)));
  }
  return std::string(buffer.data());
}

// RUNNER_TOOL_CACHE: a cache that outlives runs, outside the state directory:
// $XDG_CACHE_HOME/slipway/tool-cache (~/.cache/...), else the run's scratch directory.
std::string ToolCacheDir(const std::map<std::string, std::string>& environment,
                         const std::string& scratch) {
  std::string cache;
  if (auto it = environment.find("XDG_CACHE_HOME"); it != environment.end() && !it->second.empty()) {
    cache = it->second;
  } else if (auto home = environment.find("HOME"); home != environment.end() && !home->second.empty()) {
    cache = home->second + "/.cache";
  }
  if (!cache.empty() && fs::path(cache).is_absolute()) {
    std::string dir = cache + "/slipway/tool-cache";
    std::error_code error;
    fs::create_directories(dir, error);
    if (!error) return dir;
  }
  return scratch + "/tool-cache";
}

Expected<bool> WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return MakeUnexpected(fmt::format("cannot write \"{}\"", path));
  return true;
}

// summary.md: the run's table, then what the steps appended. The table ends with an HTML comment
// naming the run (invisible when rendered), so a resumed run replaces its previous attempt's
// table, and a summary another run appended (a nested `slipway run`) is left alone.
Expected<bool> PrependSummaryTable(const std::string& path, const std::string& run_id,
                                   const std::string& table) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream steps;
  steps << in.rdbuf();
  std::string appended = steps.str();
  const std::string end = fmt::format("\n<!-- slipway run {}: steps' summaries follow -->\n", run_id);
  if (size_t at = appended.find(end); at != std::string::npos) {
    appended = appended.substr(at + end.size());
  }
  return WriteFileAtomically(path, table + end + appended, 0644, false);
}

}  // namespace

RunResult ExecuteRun(const RunRequest& request) {
  RunResult result;
  const plan::Plan& plan = *request.plan;
  RealClock real_clock;
  Clock& clock = request.clock ? *request.clock : real_clock;

  // What `run` cannot do as GitHub does it is refused before anything starts (exit 2).
  // Jobs with `container:`/`services:` need a runtime (a rehearsal starts none).
  std::string runtime_missing;
  std::optional<ContainerRuntime> runtime =
      request.overrides ? std::nullopt
                        : DetectContainerRuntime(request.environment, &runtime_missing);
  if (request.workflow) {
    std::vector<std::string> refused =
        UnsupportedConstructs(plan, *request.workflow, request.workflows);
    if (!runtime && !request.overrides) {
      for (std::string& message : ContainerRefusals(plan, *request.workflow, runtime_missing,
                                                    request.no_containers)) {
        refused.push_back(std::move(message));
      }
    }
    if (!refused.empty()) {
      result.error = fmt::format("{}", fmt::join(refused, "\n"));
      return result;
    }
  }

  Masker masker;
  for (const auto& [name, value] : request.secrets) masker.Add(value);

  RunRecord record;
  std::vector<std::string> audit_notices;
  Expected<RunStore> store = MakeUnexpected(std::string());
  if (request.resume) {
    store = RunStore::Open(request.state_dir, request.run_id, &masker, &record);
    if (Expected<bool> same = store ? CheckResume(&record, plan, request.state_dir,
                                                  &audit_notices)
                                    : true;
        !same) {
      result.error = same.error();
      return result;
    }
  } else {
    result.run_id = request.run_id.empty() ? GenerateRunId() : request.run_id;
    store = RunStore::Create(request.state_dir, result.run_id, &masker);
  }
  if (!store) {
    result.error = store.error();
    return result;
  }
  if (request.resume) result.run_id = request.run_id;

  bool github_actions = false;
  if (auto it = request.environment.find("GITHUB_ACTIONS"); it != request.environment.end()) {
    github_actions = it->second == "true";
  }
  Console console(masker, clock, request.out, github_actions);
  console.Raw(fmt::format("run {}", result.run_id));
  for (const std::string& notice : store->resume_notices()) console.Line("", notice);
  for (const std::string& notice : audit_notices) console.Line("", notice);
  if (request.resume) {
    for (const std::string& notice :
         RemoveRecordedContainers(ContainerRecordDir(*store), request.environment)) {
      console.Line("", notice);
    }
  }

  Expected<AuditLog> audit = AuditLog::Open(request.state_dir, &masker);
  if (!audit) {
    // The run record exists: this run started and failed (exit 1), loudly.
    result.status = RunStatus::kFailure;
    result.write_error = audit.error();
    std::fprintf(stderr, "slipway run: %s\n", result.write_error.c_str());
    return result;
  }

  // Every path handed to a step is absolute (a step may change its working directory).
  std::string workspace = request.workspace.empty()
                              ? fs::current_path().string()
                              : fs::absolute(request.workspace).lexically_normal().string();
  while (workspace.size() > 1 && workspace.back() == '/') workspace.pop_back();
  // The event stream: the run's events.jsonl, and --json / --json-into (event_stream.h).
  EventStream stream(masker, clock, nullptr, request.state_dir);
  std::unique_ptr<std::FILE, decltype(&std::fclose)> events_file(
      std::fopen((store->run_dir() + "/" + kEventsFile).c_str(), "ab"), &std::fclose);
  stream.AddSink(events_file.get());
  stream.AddSink(request.json_out);
  stream.RunStarted(plan, result.run_id, request.resume);
  console.SetTap([&stream](std::string_view job, std::string_view text) {
    stream.OutputLine(job, text);
  });

  record.id = result.run_id;
  record.workflow = plan.workflow_path;
  record.workflow_sha256 = plan.workflow_sha256;
  record.event = plan.event;
  record.ref = plan.ref;
  record.sha = plan.sha;
  record.actor = plan.actor;
  record.status = RunStatus::kRunning;
  record.finished_at.clear();
  if (record.started_at.empty()) record.started_at = FormatUtc(clock.WallNow());
  record.inputs = nlohmann::json::parse(plan.inputs.dump());
  record.vars = nlohmann::json::parse(plan.vars.dump());
  record.environments_file = plan.environments_path;
  record.environments_sha256 = plan.environments_sha256;
  record.called_workflows = CalledWorkflowsJson(plan);
  record.workflow_paths = nlohmann::json::object();
  for (const auto& [repository, dir] : plan.workflow_paths) record.workflow_paths[repository] = dir;
  const bool chosen_by_flags =
      plan.github.contains("event") && plan.github["event"].is_object() &&
      (plan.github["event"].contains("action") || plan.github["event"].contains("schedule"));
  if ((!request.event_file.empty() || chosen_by_flags) && !request.resume) {
    // A copy, so that --resume replays the payload this run started with (with no event file:
    // the payload made for it, when --action or --at chose part of it).
    std::stringstream payload;
    if (!request.event_file.empty()) {
      std::ifstream in(request.event_file, std::ios::binary);
      payload << in.rdbuf();
    } else {
      payload << plan.github["event"].dump(2);
    }
    Expected<bool> copied =
        WriteText(store->run_dir() + "/" + kEventFileCopy, masker.Mask(payload.str()));
    if (!copied) {
      result.error = copied.error();
      return result;
    }
    record.event_file = kEventFileCopy;
  }
  if (Expected<bool> saved = store->Save(record); !saved) {
    result.error = "cannot write the run record: " + saved.error();
    return result;
  }

  std::vector<std::string> environments;
  for (const plan::PlannedJob& job : plan.jobs) {
    // An environment known only at run time is audited by name when its job starts.
    if (job.environment && job.environment->name.find("${{") == std::string::npos) {
      environments.push_back(job.environment->name);
    }
  }
  std::vector<std::string> job_ids;
  for (const plan::PlannedJob& job : plan.jobs) job_ids.push_back(job.id);
  nlohmann::json inputs = record.inputs;
  Expected<bool> started = audit->Append({{"kind", request.resume ? "run-resume" : "run-start"},
                       {"time", record.started_at},
                       {"run_id", result.run_id},
                       {"who", {{"actor", plan.actor}}},
                       {"why", Reason(plan)},
                       {"what", {{"jobs", job_ids}}},
                       {"where", {{"environments", environments}, {"inputs", inputs}}},
                       {"how",
                        {{"event", plan.event},
                         {"ref", plan.ref},
                         {"commit", plan.sha},
                         {"workflow", plan.workflow_path},
                         {"workflow_sha256", plan.workflow_sha256},
                         {"environments_file", plan.environments_path},
                         {"environments_sha256", plan.environments_sha256}}}});
  if (started && request.no_containers && !runtime) {
    std::vector<std::string> on_host = JobsWithContainers(plan, request.workflow);
    if (!on_host.empty()) {
      std::string warning = fmt::format(
          "--no-containers: no container runtime ({}); the `container:`/`services:` of job(s) "
          "{} are NOT started and their steps run on the host",
          runtime_missing, fmt::join(on_host, ", "));
      console.Line("", "warning: " + warning);
      started = audit->Append({{"kind", "containers-on-host"},
                               {"time", record.started_at},
                               {"run_id", result.run_id},
                               {"who", {{"actor", plan.actor}}},
                               {"why", "--no-containers"},
                               {"what", {{"jobs", on_host}, {"warning", warning}}}});
    }
  }
  if (!started) {
    // The run record exists: this run started and failed (exit 1), loudly.
    result.status = RunStatus::kFailure;
    result.write_error = "cannot write the audit log: " + started.error();
    std::fprintf(stderr, "slipway run: %s\n", result.write_error.c_str());
    return result;
  }

  // Jobs that run here only because .slipway/runners.yml maps their labels: said loudly, in the
  // log and the audit (plan/runner_labels.h).
  for (const plan::PlannedJob& job : plan.jobs) {
    for (const std::string& note : job.runner_mapped) {
      console.Line(job.id, "WARNING: " + note);
      Expected<bool> noted = audit->Append({{"kind", "runner-mapped"},
                                            {"time", FormatUtc(clock.WallNow())},
                                            {"run_id", result.run_id},
                                            {"job", job.id},
                                            {"runs_on", job.runs_on},
                                            {"why", note}});
      if (!noted) {
        result.status = RunStatus::kFailure;
        result.write_error = "cannot write the audit log: " + noted.error();
        std::fprintf(stderr, "slipway run: %s\n", result.write_error.c_str());
        return result;
      }
    }
  }

  Expected<std::string> scratch = MakeScratchDir(request.environment, result.run_id);
  if (!scratch) {
    result.error = scratch.error();
    return result;
  }
  // The event payload, as GITHUB_EVENT_PATH.
  std::string event_path = *scratch + "/event.json";
  {
    nlohmann::ordered_json event =
        plan.github.contains("event") ? plan.github["event"] : nlohmann::ordered_json::object();
    Expected<bool> written = WriteText(event_path, masker.Mask(event.dump(2)) + "\n");
    if (!written) {
      std::error_code ignored;
      fs::remove_all(*scratch, ignored);
      result.error = written.error();
      return result;
    }
  }

  RunEventQueue events;
  RunEnvironment run;
  run.request = &request;
  run.masker = &masker;
  run.store = &*store;
  run.audit = &*audit;
  run.clock = &clock;
  run.console = &console;
  run.events = &events;
  run.observer = &stream;
  run.run_id = result.run_id;
  run.workspace = workspace;
  run.scratch_dir = *scratch;
  run.base_env = WithoutSlipwaySecrets(request.environment);
  run.github = plan.github;
  run.github["run_id"] = result.run_id;
  run.github["run_number"] = "1";
  run.github["run_attempt"] = request.resume ? "2" : "1";
  run.github["workspace"] = workspace;
  run.github["event_path"] = event_path;
  run.approval_poll = request.approval_poll;
  run.container_runtime = runtime;
  if (auto it = request.environment.find("RUNNER_DEBUG"); it != request.environment.end()) {
    run.debug = it->second == "1";
  }
  run.runner = {{"os", "Linux"},
                {"arch", RunnerArch()},
                {"name", "slipway"},
                {"tool_cache", ToolCacheDir(request.environment, *scratch)},
                {"environment", "self-hosted"}};
  if (run.debug) run.runner["debug"] = "1";

  // On a terminal: every line from here on goes above the live region.
  std::unique_ptr<LiveView> live;
  if (request.live_view) {
    LiveViewOptions options = LiveViewOptionsFor(request.environment);
    options.interactive = request.interactive;
    live = std::make_unique<LiveView>(masker, clock, request.out, options);
    console.AttachLiveView(live.get());
    live->StartTicker();
  }

  size_t jobs = request.jobs;
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
  RunStatus status = RunStatus::kCancelled;
  {
    // Before any worker thread exists, so every thread inherits the blocked mask.
    SignalWatcher signals([&events](int signal, int count) {
      events.Push(Interrupted{signal, count});
    });
    // On a terminal, approvals can also be typed while a gate waits.
    if (request.interactive) {
      run.inbox = std::make_shared<ApprovalInbox>();
      // The thread owns only the shared inbox (it may outlive this function, blocked in fgets
      // until the process exits), so it uses no clock or console of the run.
      std::thread([inbox = run.inbox]() {
        char buffer[1024];
        while (std::fgets(buffer, sizeof buffer, stdin)) {
          std::string error;
          if (!inbox->AddLine(buffer, FormatUtc(std::chrono::system_clock::now()), &error) &&
              !error.empty()) {
            std::fprintf(stderr, "%s\n", error.c_str());
          }
        }
      }).detach();
    }
    std::optional<ConcurrencyLock> group_lock;
    bool cancelled_while_waiting = false;
    if (plan.concurrency_group && !plan.concurrency_group->text.empty()) {
      // Only signals can arrive before the workers exist.
      bool interrupted_flag = false;
      auto interrupted = [&events, &interrupted_flag] {
        interrupted_flag = interrupted_flag || events.TryPop().has_value();
        return interrupted_flag;
      };
      Expected<ConcurrencyLock> lock = ConcurrencyLock::Acquire(
          request.state_dir, plan.concurrency_group->text, ConcurrencyHolder{result.run_id, ""},
          plan.cancel_in_progress, interrupted,
          [&console](const std::string& line) { console.Line("", line); });
      if (lock) {
        group_lock.emplace(std::move(lock).value());
      } else if (interrupted_flag || lock.error() == ConcurrencyLock::kReplaced) {
        cancelled_while_waiting = true;
      } else {
        result.error = lock.error();
        return result;
      }
    }
    if (cancelled_while_waiting) {
      JobRecord cancelled_job;
      cancelled_job.status = JobRecordStatus::kCompleted;
      cancelled_job.result = JobResult::kCancelled;
      for (auto& [key, job] : record.jobs) {
        if (job.status != JobRecordStatus::kCompleted) job = cancelled_job;
      }
      for (const plan::PlannedJob& job : plan.jobs) {
        JobRecord& rec = record.jobs[job.id];
        if (!rec.result) rec = cancelled_job;
      }
      record.status = RunStatus::kCancelled;
      record.finished_at = FormatUtc(clock.WallNow());
      if (Expected<bool> saved = store->Save(record); !saved) {
        result.write_error = "cannot write the run record: " + saved.error();
      }
    } else {
      RealJobRunner runner(run, jobs);
      ConsoleObserver console_observer(console);
      std::optional<LiveObserver> live_observer;
      if (live) live_observer.emplace(*live, console);
      RunObserver* observer =
          live_observer ? static_cast<RunObserver*>(&*live_observer) : &console_observer;
      stream.SetNext(observer);
      Scheduler scheduler(plan, runner, events, clock, record, &*store, &*audit, &stream,
                          &request);
      status = scheduler.Run();
      if (result.write_error.empty()) result.write_error = scheduler.write_error();
    }
  }
  result.status = status;
  // Nothing a step started outlives the run, whatever it did to escape its job's clean-up.
  for (const std::string& orphan : StopOrphans()) {
    console.Line("", "Terminate orphan process: " + orphan);
  }
  if (live) {
    // The workers are gone: print what is pending, erase the region, then the summary.
    live->Stop();
    console.AttachLiveView(nullptr);
  }

  Expected<bool> ended = audit->Append({{"kind", "run-end"},
                                       {"time", record.finished_at},
                                       {"run_id", result.run_id},
                                       {"status", RunStatusName(record.status)}});
  if (!ended && result.write_error.empty()) {
    result.write_error = "cannot write the audit log: " + ended.error();
  }
  if (!result.write_error.empty() && result.status == RunStatus::kSuccess) {
    result.status = RunStatus::kFailure;
  }

  DropReleasedRecords(store->processes_dir());
  console.SetTap(nullptr);
  stream.RunFinished(record);
  if (!stream.ok()) console.Line("", "warning: the event stream could not be written completely");

  // A record or audit that could not be written fails the run, loudly (never a false success
  // that a later `audit verify` contradicts).
  for (const std::string& failed : {store->write_error(), audit->write_error()}) {
    if (failed.empty()) continue;
    std::fprintf(stderr, "slipway run: %s\n", failed.c_str());
    result.status = RunStatus::kFailure;
    if (result.write_error.empty()) result.write_error = failed;
  }
  if (!result.write_error.empty() && store->write_error().empty() &&
      audit->write_error().empty()) {
    std::fprintf(stderr, "slipway run: %s\n", result.write_error.c_str());
  }

  // The summary table (on the console, and at the top of summary.md).
  std::string table = fmt::format("\n{:<40} {:<10} {}\n", "JOB", "RESULT", "DURATION");
  std::string markdown = fmt::format("## {}: {}\n\n| Job | Result | Duration |\n|---|---|---|\n",
                                     plan.workflow_name, RunStatusName(record.status));
  for (const plan::PlannedJob& job : plan.jobs) {
    for (const auto& [key, rec] : record.jobs) {
      // "id" or "id (a, 1)"; not "id (a, 1)/inner", a job of the workflow it calls.
      if (key != job.id && (key.rfind(job.id + " (", 0) != 0 ||
                            key.find(")/", job.id.size()) != std::string::npos)) {
        continue;
      }
      const char* job_result = ShownState(rec);
      std::string duration = Duration(rec.started_at, rec.finished_at);
      table += fmt::format("{:<40} {:<10} {}\n", key, job_result, duration);
      markdown += fmt::format("| {} | {} | {} |\n", key, job_result, duration);
    }
  }
  table += fmt::format("run {}: {}", result.run_id, RunStatusName(record.status));
  console.Raw(table);
  Expected<bool> summary_written =
      PrependSummaryTable(store->summary_path(), result.run_id, masker.Mask(markdown));
  if (!summary_written) console.Line("", "warning: " + summary_written.error());

  if (github_actions) {
    if (auto it = request.environment.find("GITHUB_STEP_SUMMARY");
        it != request.environment.end() && !it->second.empty()) {
      std::ifstream summary(store->summary_path());
      std::ofstream out(it->second, std::ios::app);
      out << summary.rdbuf();
    }
  }
  std::error_code ignored;
  fs::remove_all(*scratch, ignored);
  fs::remove_all(store->temp_dir(), ignored);
  return result;
}

}  // namespace slipway::exec
