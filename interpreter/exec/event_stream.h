#pragma once
/// EventStream: the machine-readable record of a run, one JSON object per line (JSON lines), for
/// `slipway run --json` (stdout), `--json-into FILE` (beside the human output) and the run's own
/// `runs/<id>/events.jsonl` (which `slipway logs --follow`, `show` and `report` read).
///
/// The first line is always {"type":"version","schema":1,...}; every later line has "type",
/// "time" (UTC, as in run.json) and "run_id", plus the ids its type needs ("job", "step").
/// schemas/events.schema.json is the contract. Every string passes through the Masker before it
/// is written, like every other byte slipway writes.
///
/// It is a RunObserver that forwards each call to the observer it wraps (the console or the live
/// view), so a run has exactly one observer. Output lines arrive from the Console's tap on the
/// job's worker thread, which also reports the job's waits and steps (RunObserver): a line
/// carries the step its job had open when it was printed, and a line printed between two steps
/// carries none. Thread-safe.
///
/// Gate waits: the job's worker reports only "waiting" and "running". Which wait it is follows
/// from the plan and the order JobExecution waits in — the environment's reviewers, then its
/// wait timer (a wait for the job's concurrency group is not reported). How the reviewers' wait ended comes from the
/// run's audit entries of this attempt (kind "gate": decision "approved" with its reviewers →
/// job_approved, "rejected" with its reviewer → job_rejected; a wait cancelled or timed out has
/// no record of its own: job_finished says how the job ended). They are written before the job
/// runs on or ends; entries of an earlier attempt of a resumed run (before this stream started)
/// are not read.

#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/exec/scheduler.h"

namespace slipway::exec {

class Clock;
class Masker;

/// The schema version of the stream (the "schema" of the version record).
inline constexpr int kEventSchemaVersion = 1;

/// The file name of the stream in a run directory.
inline constexpr char kEventsFile[] = "events.jsonl";

/// The kinds of record, as written in "type".
enum class EventType {
  kVersion,
  kRunStarted,
  kJobQueued,
  kJobStarted,
  kJobWaiting,
  kJobApproved,
  kJobRejected,
  kJobRunning,
  kStepStarted,
  kStepOutput,
  kStepFinished,
  kNotificationSent,
  kJobFinished,
  kInterrupted,
  kRunFinished,
};
const char* EventTypeName(EventType type);

/// What a job waits for ("gate" of a job_waiting record).
enum class WaitKind { kApproval, kWaitTimer };
const char* WaitKindName(WaitKind kind);

class EventStream final : public RunObserver {
 public:
  /// `next` (may be null) receives every observer call after the stream has written it.
  /// `state_dir` is where the audit log is read for who approved a gate.
  EventStream(const Masker& masker, const Clock& clock, RunObserver* next,
              std::string state_dir = "");
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  /// The observer that receives every call after the stream (may be null).
  void SetNext(RunObserver* next) { next_ = next; }
  /// Adds a destination (not owned; must outlive the stream's last write). Each line is flushed
  /// as it is written, so a reader following the file sees whole lines.
  void AddSink(std::FILE* out);
  /// Whether every write so far reached every sink.
  bool ok() const;

  /// The version record, run_started with the job graph, and job_queued per job. A resumed
  /// run appends to its events.jsonl, so each attempt there starts with a version record.
  void RunStarted(const plan::Plan& plan, const std::string& run_id, bool resumed);
  /// A console line of `job` (already masked by the Console); lines without a job are ignored.
  /// A step's output lines take at most max_step_output_bytes() of the stream: past that, one
  /// step_output record says the rest is in the step's log only, and later lines of the step
  /// are left out (the log keeps them: the stream must not hold every byte a second time,
  /// wrapped in a record each).
  void OutputLine(std::string_view job, std::string_view text);
  /// The stream bytes (records, not text) a step's output may take; 4 MiB unless set (half of
  /// what a step's log keeps from its start, StepLogLimits).
  size_t max_step_output_bytes() const { return max_step_output_bytes_; }
  void set_max_step_output_bytes(size_t bytes) { max_step_output_bytes_ = bytes; }
  /// run_finished with the record's status.
  void RunFinished(const RunRecord& record);

  void JobStarted(const std::string& key) override;
  void JobWaiting(const std::string& key) override;
  void JobRunning(const std::string& key) override;
  void StepStarted(const std::string& key, const StepRecord& step) override;
  void StepFinished(const std::string& key, const StepRecord& step) override;
  void JobFinished(const std::string& key, const JobOutcome& outcome) override;
  void Interrupted(int signal, int count) override;

 private:
  struct JobProgress {
    const plan::PlannedJob* planned = nullptr;
    std::vector<WaitKind> waits;  // the waits this job may go through, in order
    size_t next_wait = 0;
    bool waiting = false;
    bool approval_open = false;  // inside the reviewers' wait
    int step_index = -1;         // the latest step (0-based), -1 before the first
    bool step_open = false;      // step_index has started and not finished
    std::string step_id;
    size_t output_bytes = 0;     // stream bytes of the open step's output records
    bool output_cut = false;     // the open step's output passed max_step_output_bytes_
  };

  nlohmann::ordered_json Record(EventType type) const;
  void Write(const nlohmann::ordered_json& record);
  /// Writes one finished line (masked JSON and its newline) to every sink.
  void WriteLine(const std::string& line);
  JobProgress& ProgressLocked(const std::string& key);
  void CloseApprovalLocked(const std::string& key, JobProgress& job);
  /// The last gate decision of `key` in this attempt's audit entries (null when none).
  nlohmann::json GateDecision(const std::string& key) const;

  const Masker& masker_;
  const Clock& clock_;
  RunObserver* next_;
  std::string state_dir_;
  const plan::Plan* plan_ = nullptr;
  std::string run_id_;
  /// The audit log's size when this attempt started: earlier entries are not this attempt's.
  std::streamoff audit_start_ = 0;
  std::vector<std::FILE*> sinks_;
  size_t max_step_output_bytes_ = 4 * 1024 * 1024;
  mutable std::mutex mutex_;
  std::map<std::string, JobProgress> jobs_;
  bool ok_ = true;
};

}  // namespace slipway::exec
