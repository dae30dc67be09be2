#pragma once
/// The run record: everything a run produces lives under DIR/runs/<id>/ —
///   run.json            the record below, rewritten atomically on every state change; for a
///                       large run (run.json of 64 KiB or more) job changes are appended to
///   run.journal         instead, one line per changed job, and folded into run.json when the
///                       journal grows past it and at the end of the run (run_journal.h)
///   logs/<job>/NN-<step>.log   one log per step (masked)
///   summary.md          the step summaries, appended per step
///   artifacts/          what steps store (backups, reports)
///   tmp/                scripts and step files (GITHUB_OUTPUT ...); removed when the run ends
/// run.json is shaped as issue 5 says: {"id", "workflow", "event", "ref", "actor", "status",
/// "started_at", "finished_at", "inputs", "jobs": {"<job key>": {"status", "result", "outputs",
/// "started_at", "finished_at", "steps": [{"id", "name", "outcome", "conclusion", "outputs",
/// "log"}]}}}, plus "sha", "workflow_sha256", "vars", "environments_file" and "event_file" so
/// that --resume can rebuild the same plan.
/// Every string passes through the Masker before it is written.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "interpreter/base/expected.h"
#include "interpreter/exec/run_states.h"

namespace slipway::plan {
struct Plan;
}

namespace slipway::exec {

class Masker;

/// One step of a job in run.json.
struct StepRecord {
  std::string id;
  std::string name;
  std::optional<StepConclusion> outcome;     // none while running
  std::optional<StepConclusion> conclusion;  // the outcome after continue-on-error
  std::map<std::string, std::string> outputs;
  std::string log;  // path of the step log, relative to the run directory
};

/// One job (or matrix instance) in run.json.
struct JobRecord {
  JobRecordStatus status = JobRecordStatus::kQueued;
  std::optional<JobResult> result;  // none until completed
  std::map<std::string, std::string> outputs;
  std::string started_at;
  std::string finished_at;
  std::vector<StepRecord> steps;
  /// It started while the run was being cancelled (an `if: cancelled()` or `always()` job run
  /// because of the cancellation): --resume runs it again instead of restoring it.
  bool started_after_cancel = false;
};

/// The whole run.json.
struct RunRecord {
  std::string id;
  std::string workflow;  // the workflow file path as given
  std::string workflow_sha256;
  std::string event;
  std::string ref;
  std::string sha;
  std::string actor;
  RunStatus status = RunStatus::kRunning;
  std::string started_at;
  std::string finished_at;
  nlohmann::json inputs = nlohmann::json::object();
  // What else --resume needs to plan the same run again: --var values, the environments file
  // and the event payload file ("" when none was given).
  nlohmann::json vars = nlohmann::json::object();
  std::string environments_file;
  std::string environments_sha256;  // the environments file's bytes when the run started
  std::string event_file;
  /// Reusable workflows: the called files ({"uses", "path", "sha256"}; --resume refuses a run
  /// whose callees changed) and the --workflow-path checkouts.
  nlohmann::json called_workflows = nlohmann::json::array();
  nlohmann::json workflow_paths = nlohmann::json::object();
  std::map<std::string, JobRecord> jobs;
  /// The last run.journal entry folded into this record (0: none); not part of run.json's
  /// contract (RunStore keeps it so that a journal left beside a newer run.json is not replayed).
  uint64_t journal_seq = 0;
};

/// What a job shows as its state: its result's name once it has one, its status's before.
const char* ShownState(const JobRecord& job);
/// A step's conclusion, else its outcome (none while it runs).
std::optional<StepConclusion> ShownResult(const StepRecord& step);

nlohmann::json ToJson(const RunRecord& record);
/// Parses run.json; errors are messages naming the missing/mistyped field.
Expected<RunRecord> RunRecordFromJson(const nlohmann::json& json);
/// One job of run.json's "jobs" (also one run.journal entry's "record").
nlohmann::json ToJson(const JobRecord& job);
/// `where` names the job in messages: `job "build"`.
Expected<JobRecord> JobRecordFromJson(const nlohmann::json& json, const std::string& where);

/// The plan's called workflow files as run.json records them (RunRecord::called_workflows).
nlohmann::json CalledWorkflowsJson(const plan::Plan& plan);

/// The copy of the run's --event-file payload in the run directory (run.json's "event_file").
inline constexpr char kEventFileCopy[] = "event-payload.json";

/// Writes `content` to `path` so that readers see the old or the new file, never a mix:
/// write a temporary file in the same directory, fsync it (unless `durable` is false), rename
/// it over `path`. Without the fsync the replacement is still atomic for readers and for a
/// writer killed at any point, but a power loss may lose it (or, on some file systems, leave
/// an empty file).
Expected<bool> WriteFileAtomically(const std::string& path, const std::string& content,
                                   unsigned mode = 0644, bool durable = true);

/// A fresh run id: UTC time plus random hex, e.g. "20260131-123456-3fa2c1".
std::string GenerateRunId();

/// A run id is a file name: letters, digits, '.', '_' and '-', not starting with '.'.
bool IsValidRunId(const std::string& id);

/// The directory of one run. Holds an exclusive lock on it (flock, released even by kill -9),
/// so a run and a `--resume` of it never write at the same time.
class RunStore {
 public:
  /// Creates DIR/runs/<id>/ (an error when it exists).
  static Expected<RunStore> Create(const std::string& state_dir, const std::string& run_id,
                                   const Masker* masker);
  /// Opens an existing run for --resume and reads its record.
  static Expected<RunStore> Open(const std::string& state_dir, const std::string& run_id,
                                 const Masker* masker, RunRecord* record);
  /// Reads DIR/runs/<id>/run.json without locking (for `approve`, tools, tests).
  static Expected<RunRecord> Load(const std::string& state_dir, const std::string& run_id);

  RunStore(RunStore&& other) noexcept;
  RunStore& operator=(RunStore&& other) noexcept;
  RunStore(const RunStore&) = delete;
  RunStore& operator=(const RunStore&) = delete;
  ~RunStore();

  /// Masks and atomically rewrites run.json; `durable`: fsynced too (WriteFileAtomically).
  /// Any run.journal is then emptied: run.json holds everything.
  Expected<bool> Save(const RunRecord& record, bool durable = true) const;
  /// Records the jobs `changed` (keys; one no longer in `record` was removed): a small run.json
  /// is rewritten whole (Save), a large one gets one run.journal line per job, so that a run of
  /// n jobs writes O(n) bytes in all, not O(n²); the journal is folded into run.json (Save) when
  /// it grows larger than run.json. `durable`: flushed to the disk before returning.
  Expected<bool> SaveJobs(const RunRecord& record, const std::set<std::string>& changed,
                          bool durable = true) const;
  /// Appends (masked) text to the run's summary.md.
  Expected<bool> AppendSummary(const std::string& markdown) const;
  /// The first failed Save or AppendSummary's message ("" when all succeeded): a run whose
  /// record could not be written fails loudly at its end.
  std::string write_error() const;

  const std::string& state_dir() const { return state_dir_; }
  const std::string& run_dir() const { return run_dir_; }
  std::string artifacts_dir() const { return run_dir_ + "/artifacts"; }
  std::string temp_dir() const { return run_dir_ + "/tmp"; }
  std::string summary_path() const { return run_dir_ + "/summary.md"; }
  std::string approvals_dir() const { return run_dir_ + "/approvals"; }
  /// Where step process groups are recorded while they run (ProcessOptions::record_dir).
  std::string processes_dir() const { return run_dir_ + "/processes"; }
  /// For a resumed run: what Open found the dead run left — process groups it stopped (before
  /// anything runs again) and jobs interrupted mid-way, each with its partial step log. The
  /// caller prints them.
  const std::vector<std::string>& resume_notices() const { return resume_notices_; }
  /// The log path of step `index` (0-based) of job `job_key`, relative to run_dir(), in the
  /// directory CreateStepLogDir makes.
  std::string StepLogPath(const std::string& job_key, size_t index,
                          const std::string& step_id) const;
  /// Creates the directory of job `job_key`'s step logs (once, before its first step).
  Expected<bool> CreateStepLogDir(const std::string& job_key) const;

 private:
  RunStore() = default;
  std::string state_dir_;
  std::string run_dir_;
  Expected<bool> Remember(Expected<bool> written) const;
  struct Failures;
  struct Journal;
  const Masker* masker_ = nullptr;
  int lock_fd_ = -1;
  std::shared_ptr<Failures> failures_;
  std::shared_ptr<Journal> journal_;
  std::vector<std::string> resume_notices_;
};

/// Removes what killed runs left in DIR/runs/<id>/tmp (step scripts, env and output files that
/// may hold secrets) for every run no slipway process holds. Called whenever a command opens
/// the state directory; returns the run ids cleaned.
std::vector<std::string> RemoveLeftovers(const std::string& state_dir);

/// The directory of run `run_id`: DIR/runs/<id>.
std::string RunDirectory(const std::string& state_dir, const std::string& run_id);

/// A name usable as one path component (job keys like "build (linux, 18)").
std::string SafeFileName(const std::string& name);

/// The JSON value with every string (and key) passed through `masker`.
nlohmann::json MaskJson(const nlohmann::json& value, const Masker& masker);
/// Masks `value` where it is: nothing to do (no copy) while the run has no secret to mask.
void MaskJsonInPlace(nlohmann::json* value, const Masker* masker);

}  // namespace slipway::exec
