#pragma once
/// Helpers shared by the backend's .cc files (never included by other modules): libpqxx is an
/// implementation detail of interpreter/backend, and no exception leaves it.

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "interpreter/base/expected.h"
#include "interpreter/exec/job_runner.h"

namespace slipway::backend {

/// A jsonb column (or NULL → null).
inline nlohmann::json JsonField(const pqxx::field& field) {
  if (field.is_null()) return nullptr;
  return nlohmann::json::parse(field.c_str(), nullptr, /*allow_exceptions=*/false);
}

/// A text column (NULL → "").
inline std::string TextField(const pqxx::field& field) {
  return field.is_null() ? std::string() : std::string(field.c_str());
}

/// The strings of a JSON array (others ignored).
inline std::vector<std::string> StringList(const nlohmann::json& array) {
  std::vector<std::string> out;
  if (!array.is_array()) return out;
  for (const auto& item : array) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

/// The SQL enum spelling of a job result, and back.
const char* ResultSql(exec::JobResult result);
exec::JobResult ResultFromSql(const std::string& text);

/// Appends an audit entry inside `tx`: serialised by an advisory lock, numbered from
/// audit_seq, MAC'd over the previous entry's MAC and the entry itself (which carries the
/// database's time and role), as audit.h does for the file. `key` empty: an error.
Expected<bool> AppendAuditInTx(pqxx::work& tx, const std::string& key, nlohmann::json entry);

/// Audit entries a transaction writes, appended at its very end (FlushAudit) so that the
/// audit table's lock is always the last one a transaction takes: no lock-order deadlocks.
using AuditBuffer = std::vector<nlohmann::json>;

/// Appends the buffered entries (none when `key` is empty: an unaudited queue, for benches).
void FlushAudit(pqxx::work& tx, const std::string& key, AuditBuffer& buffer);

/// Decides what follows once jobs of `run_id` finished: dependants whose needs are all
/// completed become ready / waiting / skipped (cascading), and when nothing is left to run the
/// run ends (its concurrency group passes to the next queued run). The caller holds the run
/// row's lock (SELECT ... FOR UPDATE) in `tx`. Returns how many jobs changed.
int AdvanceRun(pqxx::work& tx, const std::string& run_id, AuditBuffer& audit);

/// The same after job `job_id` completed, looking only at its dependants (locked, so that two
/// needs completing at once cannot both miss the moment their dependant is decidable), then
/// at the run's end under the run row's lock, taken last.
int AdvanceAfterCompletion(pqxx::work& tx, const std::string& run_id, const std::string& job_id,
                           AuditBuffer& audit);

/// Gives `group` to the oldest queued run in it (if any) and starts that run's root jobs.
void StartNextInGroup(pqxx::work& tx, const std::string& group, AuditBuffer& audit);

/// Starts a run that holds its group: its root jobs are decided.
void StartRun(pqxx::work& tx, const std::string& run_id, AuditBuffer& audit);

}  // namespace slipway::backend
