// `slipway worker --backend DSN [--labels L1,L2] [--jobs N] [--once] [--secrets-file F]`:
// claims ready jobs from the PostgreSQL backend and runs them (backend/worker.h). Also
// `slipway run --backend DSN [--submit]` once the plan is made (RunOnBackend).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>

#include "interpreter/backend/pg_audit.h"
#include "interpreter/backend/submit.h"
#include "interpreter/backend/worker.h"
#include "interpreter/cli/backend_cli.h"
#include "interpreter/cli/subcommand.h"
#include "interpreter/exec/container_runtime.h"
#include "interpreter/exec/orphans.h"
#include "interpreter/exec/process.h"
#include "interpreter/exec/run_preflight.h"
#include "interpreter/exec/run_store.h"
#include "interpreter/exec/secrets.h"
#include "interpreter/model/load_workflow.h"
#include "stdlib/registry.h"

namespace slipway::cli {
namespace {

// The one mutable global: set by SIGINT/SIGTERM, read between claims.
std::atomic<bool> g_stop{false};

extern "C" void OnStopSignal(int) { g_stop = true; }

struct WorkerArgs {
  std::string backend;
  std::string labels;
  int jobs = 1;
  bool once = false;
  std::string secrets_file;
  std::string name;
  double lease_s = 15;
  std::string scratch_dir;
};

std::vector<std::string> SplitLabels(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string label = text.substr(start, comma - start);
    label.erase(0, label.find_first_not_of(' '));
    label.erase(label.find_last_not_of(' ') + 1);
    if (!label.empty()) out.push_back(label);
    start = comma + 1;
  }
  return out;
}

std::string DefaultName() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "host") + ":" + std::to_string(getpid());
}

std::string DefaultScratch() {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp && *tmp ? tmp : "/tmp") + "/slipway-worker-" + std::to_string(getpid());
}

// Secrets of this host: the file, then SLIPWAY_SECRET_* variables. "" when fine, else why not.
std::string ReadSecrets(const std::string& file, const std::map<std::string, std::string>& env,
                        std::map<std::string, std::string>* secrets) {
  if (!file.empty()) {
    std::string text, error;
    if (!model::ReadWholeFile(file, &text, &error)) return "cannot read \"" + file + "\": " + error;
    Expected<std::map<std::string, std::string>> parsed = exec::ParseDotenv(text);
    if (!parsed) return file + ":" + parsed.error();
    *secrets = *parsed;
  }
  for (auto& [name, value] : exec::SecretsFromEnvironment(env)) (*secrets)[name] = value;
  return "";
}

// SLIPWAY_ARTIFACT_LIMIT of `environment` (worker_artifacts.h).
Expected<uint64_t> ArtifactLimit(const std::map<std::string, std::string>& environment) {
  auto it = environment.find("SLIPWAY_ARTIFACT_LIMIT");
  return backend::ParseArtifactLimit(it == environment.end() ? "" : it->second);
}

int Worker(const WorkerArgs& args) {
  std::string dsn = BackendDsn("worker", args.backend);
  if (dsn == "!") return kExitUsage;
  if (dsn.empty()) {
    std::cerr << "slipway worker: name the database with --backend postgresql://... (or "
                 "SLIPWAY_BACKEND)\n";
    return kExitUsage;
  }
  if (args.jobs < 1) {
    std::cerr << "slipway worker: --jobs must be at least 1\n";
    return kExitUsage;
  }
  if (args.lease_s < 1) {
    std::cerr << "slipway worker: --lease must be at least 1 second\n";
    return kExitUsage;
  }
  Expected<std::string> key = backend::PgAuditKey(/*create=*/true);
  if (!key) {
    std::cerr << "slipway worker: " << key.error() << "\n";
    return kExitUsage;
  }
  step_api::StepCatalog catalog = stdlib::BuiltinSteps();
  backend::WorkerOptions options;
  options.dsn = dsn;
  options.identity.name = args.name.empty() ? DefaultName() : args.name;
  options.identity.labels = SplitLabels(args.labels);
  options.identity.any_labels = options.identity.labels.empty();
  options.identity.lease = std::chrono::milliseconds(static_cast<int64_t>(args.lease_s * 1000));
  options.slots = static_cast<size_t>(args.jobs);
  options.once = args.once;
  options.environment = exec::CurrentEnvironment();
  if (std::string error = ReadSecrets(args.secrets_file, options.environment, &options.secrets);
      !error.empty()) {
    std::cerr << "slipway worker: " << error << "\n";
    return kExitUsage;
  }
  options.scratch_dir = args.scratch_dir.empty() ? DefaultScratch() : args.scratch_dir;
  Expected<uint64_t> limit = ArtifactLimit(options.environment);
  if (!limit) {
    std::cerr << "slipway worker: " << limit.error() << "\n";
    return kExitUsage;
  }
  options.artifact_limit = *limit;
  options.container_runtime = exec::DetectContainerRuntime(options.environment);
  options.audit_key = *key;
  options.catalog = &catalog;
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  // Every process a job's steps start stays this process's descendant (orphans.h).
  exec::BecomeRunProcess("slipway-worker");
  backend::WorkerReport report = backend::RunWorker(options, [] { return g_stop.load(); });
  if (!report.error.empty()) {
    std::cerr << "slipway worker: " << report.error << "\n";
    return kExitUsage;
  }
  if (g_stop) return kExitCancelled;
  return report.jobs_failed + report.jobs_lost > 0 ? kExitFailed : kExitOk;
}

}  // namespace

Expected<bool> BackendResumeOptions(const std::string& dsn, const std::string& run_id,
                                    plan::PlanOptions* options) {
  Expected<std::unique_ptr<backend::Queue>> queue = backend::Queue::Connect(dsn, "");
  if (!queue) return MakeUnexpected(queue.error());
  Expected<backend::StoredRun> stored = (*queue)->Stored(run_id);
  if (!stored) return MakeUnexpected(stored.error());
  return backend::OptionsFromStored(stored->plan_options, run_id, DefaultScratch(), options);
}

int RunOnBackend(const std::string& dsn, bool submit, const exec::RunRequest& request,
                 const plan::PlanOptions& options) {
  if (!request.only_jobs.empty()) {
    std::cerr << "slipway run: --job cannot be used with --backend yet\n";
    return kExitUsage;
  }
  // What `run` refuses before anything starts is refused at submit too (a call whose matrix
  // is known only at run time, a group held for a whole call).
  if (request.workflow) {
    std::vector<std::string> refused =
        exec::UnsupportedConstructs(*request.plan, *request.workflow, request.workflows);
    for (const std::string& message : refused) std::cerr << "slipway run: " << message << "\n";
    if (!refused.empty()) return kExitUsage;
  }
  Expected<uint64_t> limit = ArtifactLimit(request.environment);
  if (!limit) {
    std::cerr << "slipway run: " << limit.error() << "\n";
    return kExitUsage;
  }
  if (!request.approvals.empty()) {
    std::cerr << "slipway run: --approve cannot be used with --backend: approvals there come "
                 "from `slipway approve` as a database role\n";
    return kExitUsage;
  }
  std::string payload;
  if (!request.event_file.empty()) {
    std::string error;
    if (!model::ReadWholeFile(request.event_file, &payload, &error)) {
      std::cerr << "slipway run: cannot read \"" << request.event_file << "\": " << error << "\n";
      return kExitUsage;
    }
  }
  Expected<std::string> key = backend::PgAuditKey(/*create=*/true);
  if (!key) {
    std::cerr << "slipway run: " << key.error() << "\n";
    return kExitUsage;
  }
  std::string run_id = request.run_id.empty() ? exec::GenerateRunId() : request.run_id;
  Expected<std::unique_ptr<backend::Queue>> queue = backend::Queue::Connect(dsn, *key);
  if (!queue) {
    std::cerr << "slipway run: " << queue.error() << "\n";
    return kExitUsage;
  }
  Expected<backend::RunState> state = backend::RunState::kRunning;
  if (request.resume) {
    // The plan made here from the stored options must be of the same workflow bytes.
    Expected<backend::StoredRun> stored = (*queue)->Stored(run_id);
    if (!stored) {
      std::cerr << "slipway run: " << stored.error() << "\n";
      return kExitUsage;
    }
    if (stored->workflow_sha256 != request.plan->workflow_sha256) {
      std::cerr << "slipway run: \"" << request.plan->workflow_path << "\" changed since run \""
                << run_id << "\" started; resume it from the same commit\n";
      return kExitUsage;
    }
    Expected<backend::ResumeReport> resumed = (*queue)->Resume(run_id);
    if (!resumed) {
      std::cerr << "slipway run: " << resumed.error() << "\n";
      return kExitUsage;
    }
    for (const std::string& notice : resumed->notices) {
      std::fprintf(request.out, "%s\n", notice.c_str());
    }
    state = resumed->state;
  } else {
    Expected<backend::RunSpec> spec =
        backend::RunSpecFromPlan(*request.plan, request.workflow, options, run_id, payload,
                                 request.workflows);
    if (!spec) {
      std::cerr << "slipway run: " << spec.error() << "\n";
      return kExitUsage;
    }
    spec->plan_options["skip_unknown_actions"] = request.skip_unknown_actions;
    state = (*queue)->Submit(*spec);
  }
  if (!state) {
    std::cerr << "slipway run: " << state.error() << "\n";
    return kExitUsage;
  }
  if (submit) {
    std::cout << run_id << "\n";
    return kExitOk;
  }
  std::fprintf(request.out, "run %s (%s)\n", run_id.c_str(), backend::RunStateName(*state));
  backend::WorkerOptions worker;
  worker.dsn = dsn;
  worker.identity.name = DefaultName();
  worker.identity.any_labels = true;
  worker.slots = request.jobs == 0 ? 2 : request.jobs;
  worker.only_run = run_id;
  worker.secrets = request.secrets;
  worker.environment = request.environment;
  worker.scratch_dir = DefaultScratch();
  worker.artifact_limit = *limit;
  worker.container_runtime = exec::DetectContainerRuntime(request.environment);
  if (!worker.container_runtime) {
    // This process does not claim them (WorkerIdentity::has_container_runtime): say so, rather
    // than seem to hang.
    for (const plan::PlannedJob& job : request.plan->jobs) {
      if (!job.containers || job.status == plan::JobStatus::kSkipped) continue;
      std::fprintf(request.out,
                   "job \"%s\" needs a container runtime (podman or docker), which this host "
                   "lacks: it waits for a worker whose host has one\n",
                   job.id.c_str());
    }
  }
  worker.audit_key = *key;
  worker.catalog = request.catalog;
  worker.out = request.out;
  worker.poll = std::chrono::milliseconds(500);
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  backend::WorkerReport report = backend::RunWorker(worker, [] { return g_stop.load(); });
  if (!report.error.empty()) {
    std::cerr << "slipway run: " << report.error << "\n";
    return kExitUsage;
  }
  if (g_stop) {
    if (Expected<bool> cancelled = (*queue)->Cancel(run_id); !cancelled) {
      std::cerr << "slipway run: " << cancelled.error() << "\n";
    }
    return kExitCancelled;
  }
  std::fprintf(request.out, "run %s: %s\n", run_id.c_str(),
               backend::RunStateName(report.run_state));
  switch (report.run_state) {
    case backend::RunState::kSuccess:
      return kExitOk;
    case backend::RunState::kCancelled:
      return kExitCancelled;
    default:
      return kExitFailed;
  }
}

std::function<int()> SetupWorker(CLI::App& command) {
  auto args = std::make_shared<WorkerArgs>();
  command.add_option("--backend", args->backend, "postgresql://... (default: $SLIPWAY_BACKEND)");
  command.add_option("--labels", args->labels,
                     "labels this worker serves, L1,L2 (a job needs all its runs-on labels "
                     "here); default: every job");
  command.add_option("--jobs", args->jobs, "jobs run at once (default: 1)");
  command.add_flag("--once", args->once, "run one job, then exit with its result");
  command.add_option("--secrets-file", args->secrets_file,
                     "this host's secrets in dotenv format (never sent to the database)");
  command.add_option("--name", args->name, "the worker's name (default: host:pid)");
  command.add_option("--lease", args->lease_s,
                     "lease in seconds, renewed every third of it (default: 15)");
  command.add_option("--scratch-dir", args->scratch_dir,
                     "where job logs and temporary files live while a job runs");
  return [args]() -> int { return Worker(*args); };
}

}  // namespace slipway::cli
