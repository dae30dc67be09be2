// A matrix job's strategy enforced by the PostgreSQL queue once one of its instances completed
// (GitHub: "fail-fast: GitHub will cancel all in-progress and queued jobs in the matrix if any
// job in the matrix fails"; "max-parallel: the maximum number of jobs that can run
// simultaneously when using a matrix job strategy").
#include <fmt/format.h>

#include "interpreter/backend/pg_internal.h"

namespace slipway::backend {

std::vector<std::string> ApplyStrategy(pqxx::transaction_base& tx, const std::string& run_id,
                                       const std::string& job_id, const std::string& key,
                                       exec::JobResult result, int max_parallel, bool fail_fast,
                                       AuditBuffer& audit) {
  if (fail_fast && result == exec::JobResult::kFailure) {
    std::string why = fmt::format("cancelled: \"{}\" failed (fail-fast)", key);
    // A leg whose call started is not ended here: its call is cancelled (its called jobs),
    // and the leg ends with their results, as exec's scheduler ends it (CancelCall).
    pqxx::result cancelled = tx.exec_params(
        "UPDATE jobs SET state = 'completed', result = 'cancelled', message = $3, finished_at = "
        "clock_timestamp() WHERE run_id = $1 AND job_id = $2 AND state IN ('pending', 'ready', "
        "'waiting', 'throttled', 'grouped') AND call_frame IS NULL RETURNING key",
        run_id, job_id, why);
    pqxx::result told = tx.exec_params(
        "UPDATE jobs SET cancel_requested = true WHERE run_id = $1 AND job_id = $2 AND state = "
        "'running' RETURNING key",
        run_id, job_id);
    pqxx::result calling = tx.exec_params(
        "SELECT key FROM jobs WHERE run_id = $1 AND job_id = $2 AND key <> $3 AND state = "
        "'pending' AND call_frame IS NOT NULL ORDER BY position",
        run_id, job_id, key);
    std::vector<std::string> legs;
    for (const pqxx::row& row : calling) legs.push_back(TextField(row[0]));
    std::vector<std::string> to_decide = CancelCallsInTx(tx, run_id, legs, why, audit);
    if (!cancelled.empty()) PassGroups(tx, run_id);  // a cancelled leg may have held one
    if (!cancelled.empty() || !told.empty() || !legs.empty()) {
      audit.push_back(
          {{"kind", "fail-fast"},
           {"run_id", run_id},
           {"job", key},
           {"cancelled", static_cast<int>(cancelled.size() + told.size() + legs.size())}});
    }
    return to_decide;
  }
  if (max_parallel <= 0) return {};
  pqxx::result next = tx.exec_params(
      "SELECT key, COALESCE(grp, ''), grp_cancel FROM jobs WHERE run_id = $1 AND job_id = $2 AND "
      "state = 'throttled' ORDER BY position LIMIT 1 FOR UPDATE SKIP LOCKED",
      run_id, job_id);
  if (next.empty()) return {};
  const std::string next_key = TextField(next[0][0]), group = TextField(next[0][1]);
  // A throttled instance with a job-level group takes it now, or waits for it.
  const bool starts =
      group.empty() || EnterGroup(tx, run_id, next_key, group, next[0][2].as<bool>(), audit);
  tx.exec_params(
      "UPDATE jobs SET state = $3::slipway_job_state, ready_at = CASE WHEN $4 THEN "
      "clock_timestamp() END, not_before = CASE WHEN $4 THEN clock_timestamp() END, grouped_at = "
      "CASE WHEN $4 THEN NULL ELSE clock_timestamp() END WHERE run_id = $1 AND key = $2",
      run_id, next_key, DecidedSql(starts ? Decided::kReady : Decided::kGrouped), starts);
  if (starts) tx.exec_params("SELECT pg_notify('slipway_work', $1)", run_id);
  return {};
}

}  // namespace slipway::backend
