// LocalStore: exec::Store over the state directory, wrapping run_store.h, approvals.h, audit.h
// and concurrency.h as they are (their files and formats stay what they were).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "interpreter/backend/stores.h"
#include "interpreter/base/fd_io.h"
#include "interpreter/exec/approvals_decide.h"
#include "interpreter/exec/artifacts_index.h"
#include "interpreter/exec/clock.h"
#include "interpreter/exec/concurrency.h"

namespace slipway::backend {
namespace {

namespace fs = std::filesystem;

/// A step's log (any size, a regular file only: a FIFO or device there is no log).
std::string ReadFile(const std::string& path, bool* ok) {
  std::string text, error;
  *ok = ReadStateLog(path, &text, &error);
  return text;
}

class LocalLease final : public exec::GroupLease {
 public:
  explicit LocalLease(exec::ConcurrencyLock lock) : lock_(std::move(lock)) {}
  bool CancelRequested() const override { return lock_.CancelRequested(); }

 private:
  exec::ConcurrencyLock lock_;
};

class LocalStore final : public exec::Store {
 public:
  explicit LocalStore(std::string dir) : dir_(std::move(dir)) {}
  exec::StoreKind kind() const override { return exec::StoreKind::kDirectory; }
  std::string Describe() const override { return dir_; }

  Expected<exec::RunRecord> LoadRun(const std::string& run_id) override {
    return exec::RunStore::Load(dir_, run_id);
  }

  Expected<std::vector<std::string>> ListRuns() override {
    std::vector<std::string> ids;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(dir_ + "/runs", error)) {
      std::string id = entry.path().filename().string();
      if (exec::IsValidRunId(id) && fs::exists(entry.path() / "run.json")) ids.push_back(id);
    }
    if (error && error != std::errc::no_such_file_or_directory) {
      return MakeUnexpected(fmt::format("cannot list \"{}/runs\": {}", dir_, error.message()));
    }
    // Run ids start with their UTC start time: newest first is reverse order.
    std::sort(ids.rbegin(), ids.rend());
    return ids;
  }

  Expected<exec::RecordedDecision> RecordDecision(const exec::ReviewDecision& d) override {
    bool reject = d.verdict == exec::GateVerdict::kReject;
    exec::Approval decision{d.reviewer, exec::FormatUtc(std::chrono::system_clock::now()),
                            reject ? "slipway reject" : "slipway approve"};
    decision.comment = d.comment;
    decision.rejected = reject;
    exec::DecisionResult result = exec::SubmitDecision(dir_, d.run_id, d.environment, decision);
    if (result.outcome != exec::DecisionOutcome::kRecorded) return MakeUnexpected(result.message);
    return exec::RecordedDecision{decision.reviewer, decision.at};
  }

  Expected<std::vector<exec::Approval>> Approvals(const std::string& run_id,
                                                  const std::string& environment) override {
    return exec::ReadApprovals(exec::RunDirectory(dir_, run_id), environment);
  }

  Expected<bool> AppendAudit(nlohmann::json entry) override {
    Expected<exec::AuditLog> log = exec::AuditLog::Open(dir_, nullptr);
    if (!log) return MakeUnexpected(log.error());
    return log->Append(std::move(entry));
  }

  Expected<exec::AuditVerification> VerifyAudit() override { return exec::VerifyAudit(dir_); }

  Expected<std::unique_ptr<exec::GroupLease>> AcquireGroup(
      const std::string& group, const std::string& run_id, const std::string& job_key,
      bool cancel_in_progress, const std::function<bool()>& interrupted,
      const std::function<void(const std::string&)>& say) override {
    Expected<exec::ConcurrencyLock> lock = exec::ConcurrencyLock::Acquire(
        dir_, group, exec::ConcurrencyHolder{run_id, job_key}, cancel_in_progress, interrupted,
        say);
    if (!lock) return MakeUnexpected(lock.error());
    return std::unique_ptr<exec::GroupLease>(new LocalLease(std::move(lock).value()));
  }

  Expected<std::string> StepLog(const std::string& run_id, const std::string& job_key,
                                size_t index) override {
    Expected<exec::RunRecord> record = LoadRun(run_id);
    if (!record) return MakeUnexpected(record.error());
    auto job = record->jobs.find(job_key);
    if (job == record->jobs.end() || index >= job->second.steps.size() ||
        job->second.steps[index].log.empty()) {
      return MakeUnexpected(
          fmt::format("run \"{}\" has no log for step {} of job \"{}\"", run_id, index + 1, job_key));
    }
    bool ok = false;
    std::string path = exec::RunDirectory(dir_, run_id) + "/" + job->second.steps[index].log;
    std::string text = ReadFile(path, &ok);
    if (!ok) return MakeUnexpected(fmt::format("cannot read \"{}\"", path));
    return text;
  }

  Expected<std::vector<exec::StepLogEntry>> StepLogs(const std::string& run_id) override {
    Expected<exec::RunRecord> record = LoadRun(run_id);
    if (!record) return MakeUnexpected(record.error());
    std::vector<exec::StepLogEntry> out;
    for (const auto& [key, job] : record->jobs) {
      for (size_t i = 0; i < job.steps.size(); ++i) {
        if (job.steps[i].log.empty()) continue;
        bool ok = false;
        std::string text =
            ReadFile(exec::RunDirectory(dir_, run_id) + "/" + job.steps[i].log, &ok);
        if (!ok) continue;  // a log not written yet
        out.push_back({key, i, job.steps[i].id.empty() ? "step" : job.steps[i].id, 1, text});
      }
    }
    return out;
  }

  Expected<std::vector<exec::ArtifactEntry>> Artifacts(const std::string& run_id) override {
    return exec::ListArtifacts(exec::RunDirectory(dir_, run_id) + "/artifacts");
  }

 private:
  std::string dir_;
};

}  // namespace

std::unique_ptr<exec::Store> OpenLocalStore(const std::string& state_dir) {
  return std::make_unique<LocalStore>(state_dir);
}

bool IsPostgresDsn(const std::string& text) {
  return text.rfind("postgresql://", 0) == 0 || text.rfind("postgres://", 0) == 0;
}

std::string RedactDsn(const std::string& dsn) {
  // postgresql://user:secret@host/db → postgresql://user:***@host/db
  size_t scheme = dsn.find("://");
  size_t at = dsn.find('@', scheme == std::string::npos ? 0 : scheme);
  if (scheme == std::string::npos || at == std::string::npos) return dsn;
  size_t colon = dsn.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return dsn;
  return dsn.substr(0, colon + 1) + "***" + dsn.substr(at);
}

Expected<std::unique_ptr<exec::Store>> OpenStore(const std::string& location,
                                                  const std::string& audit_key) {
  if (IsPostgresDsn(location)) return OpenPgStore(location, audit_key);
  return OpenLocalStore(location);
}

}  // namespace slipway::backend
