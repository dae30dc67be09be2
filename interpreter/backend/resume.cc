// `run --resume` on the PostgreSQL backend: the same rules as after a local crash (exec's
// scheduler and run_store: a successful job instance keeps its result and outputs and is not
// run again; anything else — failed, cancelled, skipped, lost — runs again from its first
// step, and a lost one is said). A lost job is never re-run by itself: only this explicit act
// does it. Attempt numbers carry on, so the dead worker's fencing token stays refused.
#include <fmt/format.h>

#include "interpreter/backend/pg_internal.h"
#include "interpreter/backend/queue.h"

namespace slipway::backend {

Expected<ResumeReport> ResumeInTx(pqxx::transaction_base& tx, const std::string& run_id,
                                  AuditBuffer& audit) {
  pqxx::result run = tx.exec_params(
      "SELECT state::text, COALESCE(concurrency_group, ''), has_calls FROM runs WHERE id = $1 "
      "FOR UPDATE",
      run_id);
  if (run.empty()) return MakeUnexpected(fmt::format("no run \"{}\" in the backend", run_id));
  const std::string state = TextField(run[0][0]), group = TextField(run[0][1]);
  if (run[0][2].as<bool>()) {
    // TODO(#13): resume the legs of calls (a calling job's row is claimed twice).
    return MakeUnexpected(fmt::format(
        "run \"{}\" calls reusable workflows, which `run --resume` cannot resume on this "
        "backend yet; run the workflow again",
        run_id));
  }
  if (state == "queued" || state == "running") {
    return MakeUnexpected(fmt::format(
        "run \"{}\" is still {}: resume it once it ended (`slipway wait {}`), or cancel it", run_id,
        state, run_id));
  }
  if (state == "success") {
    return MakeUnexpected(fmt::format("run \"{}\" succeeded: there is nothing to resume", run_id));
  }
  ResumeReport report;
  pqxx::result again = tx.exec_params(
      "SELECT key, state::text, COALESCE(worker, ''), attempt, jsonb_array_length(steps) FROM "
      "jobs WHERE run_id = $1 AND NOT (state = 'completed' AND result = 'success') ORDER BY "
      "position",
      run_id);
  nlohmann::json rerun = nlohmann::json::array();
  for (const pqxx::row& row : again) {
    std::string key = TextField(row[0]);
    rerun.push_back(key);
    if (TextField(row[1]) == "lost") {
      report.notices.push_back(fmt::format(
          "job \"{}\" was lost when worker {} stopped renewing its lease (attempt {}); it runs "
          "again from its first step",
          key, TextField(row[2]), row[3].as<int>()));
    }
  }
  tx.exec_params(
      "UPDATE jobs SET state = 'pending', result = NULL, outputs = '{}', steps = '[]', message = "
      "'', worker = NULL, lease_until = NULL, ready_at = NULL, not_before = NULL, gate_deadline "
      "= NULL, started_at = NULL, finished_at = NULL, upstream_failed = false, cancel_requested "
      "= false, grp = NULL, grouped_at = NULL WHERE run_id = $1 "
      "AND NOT (state = 'completed' AND result = 'success')",
      run_id);
  // Their artifacts go with their results: the new attempt stores its own.
  tx.exec_params(
      "DELETE FROM artifacts a USING jobs j WHERE a.run_id = $1 AND j.run_id = a.run_id AND j.key "
      "= a.job_key AND j.state = 'pending'",
      run_id);
  tx.exec_params(
      "UPDATE runs SET state = 'queued', finished_at = NULL, cancel_requested = false WHERE id = "
      "$1",
      run_id);
  audit.push_back({{"kind", "run-resume"},
                   {"run_id", run_id},
                   {"previous_status", state},
                   {"what", {{"jobs_run_again", rerun}}},
                   {"notices", report.notices}});
  bool start = group.empty();
  if (!start) {
    start = !tx.exec_params(
                   "INSERT INTO concurrency_leases (grp, run_id) VALUES ($1, $2) ON CONFLICT "
                   "(grp) DO NOTHING RETURNING 1",
                   group, run_id)
                 .empty();
  }
  report.state = RunState::kQueued;
  if (start) {
    StartRun(tx, run_id, audit);
    report.state = RunState::kRunning;
    pqxx::result now = tx.exec_params("SELECT state::text FROM runs WHERE id = $1", run_id);
    if (TextField(now[0][0]) != "running") report.state = RunState::kFailure;
  }
  return report;
}

}  // namespace slipway::backend
