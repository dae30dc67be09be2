// `run --resume` on the PostgreSQL backend: the same rules as after a local crash (exec's
// scheduler and run_store: a successful job instance keeps its result and outputs and is not
// run again; anything else — failed, cancelled, skipped, lost — runs again from its first
// step, and a lost one is said). A lost job is never re-run by itself: only this explicit act
// does it. Attempt numbers carry on, so the dead worker's fencing token stays refused. A run
// with reusable-workflow calls resumes by the same rules (kRunsAgain).
#include <fmt/format.h>

#include "interpreter/backend/pg_internal.h"
#include "interpreter/backend/queue.h"

namespace slipway::backend {
namespace {

// The jobs (rows aliased j) that run again: all but the successful ones, and every calling
// leg, as exec's scheduler never restores a calling job itself — its call starts again, its
// called jobs that succeeded keep their results, and its result and outputs are made from
// theirs again.
constexpr char kRunsAgain[] =
    "(NOT (j.state = 'completed' AND j.result = 'success') OR j.key IN (SELECT m.caller FROM "
    "jobs m WHERE m.run_id = j.run_id AND m.caller IS NOT NULL))";

}  // namespace

Expected<ResumeReport> ResumeInTx(pqxx::transaction_base& tx, const std::string& run_id,
                                  AuditBuffer& audit) {
  pqxx::result run = tx.exec_params(
      "SELECT state::text, COALESCE(concurrency_group, '') FROM runs WHERE id = $1 FOR UPDATE",
      run_id);
  if (run.empty()) return MakeUnexpected(fmt::format("no run \"{}\" in the backend", run_id));
  const std::string state = TextField(run[0][0]), group = TextField(run[0][1]);
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
      "SELECT key, state::text, COALESCE(worker, ''), attempt FROM jobs j WHERE run_id = $1 "
      "AND " + std::string(kRunsAgain) + " ORDER BY position",
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
      "UPDATE jobs j SET state = 'pending', result = NULL, outputs = '{}', steps = '[]', message "
      "= '', worker = NULL, lease_until = NULL, ready_at = NULL, not_before = NULL, "
      "gate_deadline = NULL, started_at = NULL, finished_at = NULL, upstream_failed = false, "
      "cancel_requested = false, grp = NULL, grouped_at = NULL, needs = COALESCE("
      "needs_before_call, needs), needs_before_call = NULL, call_frame = NULL WHERE run_id = $1 "
      "AND " + std::string(kRunsAgain),
      run_id);
  // A called job that runs again waits for its call to start again (calls.cc), as when the
  // run was submitted.
  tx.exec_params(
      "UPDATE jobs j SET needs = j.needs || c.job_id FROM jobs c WHERE j.run_id = $1 AND "
      "j.state = 'pending' AND c.run_id = j.run_id AND c.key = j.caller AND NOT c.job_id = "
      "ANY(j.needs)",
      run_id);
  // Their artifacts go with their results: the new attempt stores its own.
  tx.exec_params("SELECT slipway_clear_artifacts($1)", run_id);
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
