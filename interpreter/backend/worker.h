#pragma once
/// `slipway worker`: claims ready jobs from the PostgreSQL backend and runs them for real with
/// exec's RunJob — the same job execution as a local run — then stores the outcome. Each of
/// the `--jobs N` slots has its own database connection; while a job runs, its slot renews the
/// lease every third of the lease time. A lost lease stops the job at once (nothing it does
/// afterwards can be written: the fencing token refuses it); a cancelled run cancels it.
/// Secrets come from this host only (secrets file, SLIPWAY_SECRET_* variables) and never reach
/// the database; steps get no database credentials in their environment. A job's containers
/// run in this host's container runtime, if it has one.

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>

#include "interpreter/backend/queue.h"
#include "interpreter/backend/worker_artifacts.h"
#include "interpreter/exec/container_runtime.h"

namespace slipway::step_api {
class StepCatalog;
}

namespace slipway::backend {

struct WorkerOptions {
  std::string dsn;
  WorkerIdentity identity;
  size_t slots = 1;  // --jobs N
  /// --once: run one job (waiting for it as long as it takes), then exit.
  bool once = false;
  /// Serve only this run, and stop when it ends (`slipway run --backend` without --submit).
  std::string only_run;
  std::map<std::string, std::string> secrets;
  std::map<std::string, std::string> environment;  // this process's
  std::string scratch_dir;                         // per-job logs and temporary files
  std::string audit_key;
  const step_api::StepCatalog* catalog = nullptr;
  std::FILE* out = stdout;
  std::chrono::milliseconds poll{1000};  // polling besides LISTEN/NOTIFY
  std::chrono::milliseconds log_interval{250};  // live step logs pushed this often
  /// The most one artifact of a job may store in the database (SLIPWAY_ARTIFACT_LIMIT); a job
  /// whose artifact is larger fails, naming it (worker_artifacts.h).
  uint64_t artifact_limit = kDefaultArtifactLimit;
  /// This host's container runtime (exec/container_runtime.h): jobs with `container:` or
  /// `services:` run in it as in a local run; with none this worker does not claim them (its
  /// identity says so), and they wait for a worker whose host has one.
  std::optional<exec::ContainerRuntime> container_runtime;
};

struct WorkerReport {
  size_t jobs_run = 0;
  size_t jobs_failed = 0;  // finished with a result other than success/skipped
  size_t jobs_lost = 0;    // the lease was lost while running
  std::string error;       // set when the worker could not work at all
  /// With only_run: how that run ended.
  RunState run_state = RunState::kRunning;
};

/// Runs until `once` is satisfied, `only_run` ended, or `stop()` turns true (checked between
/// claims; may be empty).
WorkerReport RunWorker(const WorkerOptions& options, const std::function<bool()>& stop);

}  // namespace slipway::backend
