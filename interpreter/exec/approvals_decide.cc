#include "interpreter/exec/approvals_decide.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include "interpreter/exec/audit.h"
#include "interpreter/exec/run_store.h"

namespace slipway::exec {
namespace {

// True while a slipway process holds the run's lock (RunStore keeps it for the whole run).
bool RunProcessAlive(const std::string& run_dir) {
  std::string path = run_dir + "/.lock";
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool alive = flock(fd, LOCK_EX | LOCK_NB) != 0;
  close(fd);  // releases the lock if we took it
  return alive;
}

DecisionResult Refused(std::string message) {
  return {DecisionOutcome::kRefused, std::move(message)};
}

}  // namespace

DecisionResult SubmitDecision(const std::string& state_dir, const std::string& run_id,
                              const std::string& environment, const Approval& decision) {
  const char* verb = decision.rejected ? "reject" : "approve";
  if (decision.reviewer.empty()) return Refused("--as needs a reviewer name");
  Expected<RunRecord> record = RunStore::Load(state_dir, run_id);
  if (!record) return Refused(record.error());
  std::string run_dir = RunDirectory(state_dir, run_id);
  if (record->status != RunStatus::kRunning) {
    return {DecisionOutcome::kNotRunning,
            fmt::format("run \"{}\" is not running (it ended with {}); nothing to {}", run_id,
                        RunStatusName(record->status), verb)};
  }
  if (!RunProcessAlive(run_dir)) {
    return {DecisionOutcome::kNotRunning,
            fmt::format("run \"{}\" is not running (no slipway process holds it; resume it with "
                        "`slipway run --resume {}`); nothing to {}",
                        run_id, run_id, verb)};
  }
  Expected<WaitingGate> gate = ReadWaitingGate(run_dir, environment);
  if (!gate) return Refused(gate.error());
  std::vector<Approval> existing;
  for (Approval& a : ReadApprovals(run_dir, environment)) {
    // Reviews given before this job began to wait answered an earlier job (job_gate.cc).
    if (!a.forged && a.at >= gate->since) existing.push_back(std::move(a));
  }
  std::string why = WhyNotCounted(gate->policy, environment, gate->actor, existing, decision);
  if (!why.empty()) {
    return Refused(
        fmt::format("{} not recorded: {}", decision.rejected ? "rejection" : "approval", why));
  }
  Expected<bool> written = RecordApproval(run_dir, environment, decision);
  if (!written) return Refused(written.error());
  Expected<AuditLog> audit = AuditLog::Open(state_dir, nullptr);
  if (!audit) return Refused("recorded, but the audit log cannot be opened: " + audit.error());
  Expected<bool> appended =
      audit->Append({{"kind", decision.rejected ? "rejection-given" : "approval-given"},
                     {"time", decision.at},
                     {"run_id", run_id},
                     {"environment", environment},
                     {"reviewer", decision.reviewer},
                     {"comment", decision.comment},
                     {"source", decision.source}});
  if (!appended) {
    return Refused("recorded, but the audit log cannot be written: " + appended.error());
  }
  return {DecisionOutcome::kRecorded,
          fmt::format("{} by \"{}\" for environment \"{}\" recorded for run {}",
                      decision.rejected ? "rejection" : "approval", decision.reviewer, environment,
                      run_id)};
}

}  // namespace slipway::exec
