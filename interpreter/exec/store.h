#pragma once
/// Store: the one interface to everything a run leaves behind — the run record (status, job
/// states, results and outputs), approvals and rejections, concurrency groups, the audit log,
/// step logs and the artifacts index. Two implementations:
///   - the state directory (backend/local_store.h): a thin adapter over run_store.h,
///     approvals.h, audit.h and concurrency.h, which keep their own file formats;
///   - PostgreSQL (backend/pg_store.h), where workers on many hosts share the same rows.
/// Commands that read or decide on run state (approve, reject, audit verify, wait, the run
/// listing) talk to a Store and so work against either backend. Which one is chosen by
/// `--state-dir DIR` / `--backend postgresql://...` / SLIPWAY_BACKEND (backend/open_store.h).
///
/// Every method returns a checked result: errors are messages, never exceptions.

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "interpreter/base/expected.h"
#include "interpreter/exec/approvals.h"
#include "interpreter/exec/audit.h"
#include "interpreter/exec/run_store.h"

namespace slipway::exec {

enum class StoreKind { kDirectory, kPostgres };

/// A reviewer's answer at an environment gate.
enum class GateVerdict { kApprove, kReject };

/// What a reviewer said. On PostgreSQL the reviewer is the connecting database role (or its
/// mapping in the reviewer_roles table), whatever the client claims; `reviewer` is then only
/// checked against it.
struct ReviewDecision {
  std::string run_id;
  std::string environment;
  std::string reviewer;
  GateVerdict verdict = GateVerdict::kApprove;
  std::string comment;
};

/// What a Store recorded for a decision: who it was attributed to and when (the store's
/// clock: the database's time on PostgreSQL).
struct RecordedDecision {
  std::string reviewer;
  std::string at;
};

/// One entry of a run's artifacts index.
struct ArtifactEntry {
  std::string job_key;
  std::string name;  // relative path inside the run's artifacts
  std::string sha256;
  uint64_t size = 0;
};

/// A step's log as the store holds it: on PostgreSQL as far as it is written while the step
/// runs (workers push it), on the directory once the job recorded the step.
struct StepLogEntry {
  std::string job_key;
  size_t index = 0;  // 0-based
  std::string name;  // the step's id ("step" without one)
  int attempt = 0;   // PostgreSQL: the job's attempt that wrote it
  std::string text;  // masked
};

/// Holding a concurrency group; released when destroyed.
class GroupLease {
 public:
  virtual ~GroupLease() = default;
  /// True once a newer holder asked this one to stop (cancel-in-progress).
  virtual bool CancelRequested() const = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  virtual StoreKind kind() const = 0;
  /// Where it lives, for messages: the state directory, or the DSN without its password.
  virtual std::string Describe() const = 0;

  // The run record.
  virtual Expected<RunRecord> LoadRun(const std::string& run_id) = 0;
  /// Run ids, newest first.
  virtual Expected<std::vector<std::string>> ListRuns() = 0;

  // Approvals.
  /// Records an approval or a rejection for a waiting run's environment.
  virtual Expected<RecordedDecision> RecordDecision(const ReviewDecision& decision) = 0;
  /// The approvals given so far for `environment` (rejections are not approvals).
  virtual Expected<std::vector<Approval>> Approvals(const std::string& run_id,
                                                    const std::string& environment) = 0;

  // The audit log.
  virtual Expected<bool> AppendAudit(nlohmann::json entry) = 0;
  virtual Expected<AuditVerification> VerifyAudit() = 0;

  // Concurrency groups: one holder at a time (see concurrency.h for the semantics).
  virtual Expected<std::unique_ptr<GroupLease>> AcquireGroup(
      const std::string& group, const std::string& run_id, const std::string& job_key,
      bool cancel_in_progress, const std::function<bool()>& interrupted,
      const std::function<void(const std::string&)>& say) = 0;

  // Step logs and artifacts.
  /// The text of step `index` (0-based) of job `job_key`.
  virtual Expected<std::string> StepLog(const std::string& run_id, const std::string& job_key,
                                        size_t index) = 0;
  /// Every step log of the run, in job (file) order then step order.
  virtual Expected<std::vector<StepLogEntry>> StepLogs(const std::string& run_id) = 0;
  virtual Expected<std::vector<ArtifactEntry>> Artifacts(const std::string& run_id) = 0;
};

}  // namespace slipway::exec
