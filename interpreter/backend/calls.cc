// Reusable-workflow calls (`jobs.<id>.uses`) on the PostgreSQL backend, the database's side
// (schema version 6). A run's rows hold the calling jobs' legs and the called jobs, as a local
// run's plan does (plan/workflow_call.h). A called job needs its calling job until the call
// starts; a calling job's leg is claimed like any job, and the worker that claims it starts
// the call (StartCallInTx: its frame stored, the row pending again with its called jobs as its
// needs, which become decidable). Once they all ended, the row is ready again and the worker
// that claims it ends the call with its result and outputs (worker_calls.cc). A called job
// whose calling job ended without starting the call does not run (advance.cc's DecideCall).
#include <fmt/format.h>

#include "interpreter/backend/pg_internal.h"

namespace slipway::backend {

using nlohmann::json;

std::string LocalId(const std::string& id, const std::string& caller) {
  if (caller.empty() || id.size() <= caller.size() + 1 ||
      id.compare(0, caller.size(), caller) != 0 || id[caller.size()] != '/') {
    return id;
  }
  return id.substr(caller.size() + 1);
}

std::map<std::string, CallInfo> LoadCalls(pqxx::transaction_base& tx, const std::string& run_id,
                                          const std::vector<Candidate>& candidates) {
  json keys = json::array();
  for (const Candidate& c : candidates) keys.push_back(c.key);
  std::map<std::string, CallInfo> out;
  if (keys.empty()) return out;
  pqxx::result rows = tx.exec_params(
      "SELECT p.key, p.call_frame IS NOT NULL, p.upstream_failed, COALESCE(p.caller, ''), "
      "COALESCE(c.job_id, ''), COALESCE(c.state = 'completed', false), "
      "COALESCE(c.result::text, ''), COALESCE(c.call_frame->'inputs', '{}')::text FROM jobs p "
      "LEFT JOIN jobs c ON c.run_id = p.run_id AND c.key = p.caller WHERE p.run_id = $1 AND "
      "p.key IN (SELECT jsonb_array_elements_text($2::jsonb)) AND (p.caller IS NOT NULL OR "
      "p.call_frame IS NOT NULL)",
      run_id, keys.dump());
  for (const pqxx::row& row : rows) {
    CallInfo& info = out[TextField(row[0])];
    info.ending = row[1].as<bool>();
    info.upstream_failed = row[2].as<bool>();
    info.caller = TextField(row[3]);
    info.caller_job_id = TextField(row[4]);
    info.caller_ended = row[5].as<bool>();
    info.caller_result = TextField(row[6]);
    info.inputs = nlohmann::ordered_json::parse(TextField(row[7]), nullptr, false);
    if (!info.inputs.is_object()) info.inputs = nlohmann::ordered_json::object();
  }
  return out;
}

bool StartCallInTx(pqxx::transaction_base& tx, const Claim& claim, const json& frame,
                   AuditBuffer& audit) {
  // AdvanceRun's contract: the run row is locked.
  tx.exec_params("SELECT 1 FROM runs WHERE id = $1 FOR UPDATE", claim.run_id);
  pqxx::result started = tx.exec_params(
      "UPDATE jobs j SET state = 'pending', call_frame = $5::jsonb, worker = NULL, lease_until "
      "= NULL, needs_before_call = j.needs, needs = ARRAY(SELECT DISTINCT m.job_id FROM jobs m "
      "WHERE m.run_id = $1 AND m.caller = $2) WHERE j.run_id = $1 AND j.key = $2 AND j.attempt = $3 AND j.worker = $4 "
      "AND j.state = 'running' AND j.lease_until >= clock_timestamp() RETURNING j.job_id, "
      "j.cancel_requested",
      claim.run_id, claim.key, claim.attempt, claim.worker, frame.dump());
  if (started.empty()) return false;
  // Its called jobs no longer wait for it (the other legs' jobs still do).
  tx.exec_params(
      "UPDATE jobs SET needs = array_remove(needs, $3) WHERE run_id = $1 AND caller = $2",
      claim.run_id, claim.key, TextField(started[0][0]));
  audit.push_back({{"kind", "call-start"},
                   {"run_id", claim.run_id},
                   {"job", claim.key},
                   {"worker", claim.worker},
                   {"inputs", frame.value("inputs", json::object())}});
  if (started[0][1].as<bool>()) {
    // Asked to stop (fail-fast of a sibling leg) while its call was starting: its called jobs
    // do not run, and AdvanceRun below decides the leg, whose called jobs all ended.
    tx.exec_params("UPDATE jobs SET cancel_requested = false WHERE run_id = $1 AND key = $2",
                   claim.run_id, claim.key);
    CancelCallsInTx(tx, claim.run_id, {claim.key},
                    fmt::format("cancelled: \"{}\" was asked to stop as its call started",
                                claim.key),
                    audit);
  }
  AdvanceRun(tx, claim.run_id, audit);
  return true;
}

std::vector<std::string> CancelCallsInTx(pqxx::transaction_base& tx, const std::string& run_id,
                                         const std::vector<std::string>& legs,
                                         const std::string& why, AuditBuffer& audit) {
  if (legs.empty()) return {};
  // Every job inside these calls, nested ones included.
  const std::string inside =
      "WITH RECURSIVE d (key, depth) AS (SELECT key, 0 FROM jobs WHERE run_id = $1 AND caller IN "
      "(SELECT jsonb_array_elements_text($2::jsonb)) UNION ALL SELECT j.key, d.depth + 1 FROM "
      "jobs j JOIN d ON j.run_id = $1 AND j.caller = d.key WHERE d.depth < 16) ";
  const std::string keys = json(legs).dump();
  pqxx::result cancelled = tx.exec_params(
      inside +
          "UPDATE jobs SET state = 'completed', result = 'cancelled', message = $3, finished_at "
          "= clock_timestamp() WHERE run_id = $1 AND key IN (SELECT key FROM d) AND state IN "
          "('pending', 'ready', 'waiting', 'throttled', 'grouped') AND call_frame IS NULL "
          "RETURNING key",
      run_id, keys, why);
  pqxx::result told = tx.exec_params(
      inside +
          "UPDATE jobs SET cancel_requested = true WHERE run_id = $1 AND key IN (SELECT key FROM "
          "d) AND state = 'running' RETURNING key",
      run_id, keys);
  pqxx::result nested = tx.exec_params(
      inside +
          "SELECT key FROM jobs WHERE run_id = $1 AND key IN (SELECT key FROM d) AND state = "
          "'pending' AND call_frame IS NOT NULL ORDER BY position",
      run_id, keys);
  if (!cancelled.empty()) PassGroups(tx, run_id);  // a cancelled called job may have held one
  std::vector<std::string> to_decide = legs;
  for (const pqxx::row& row : nested) to_decide.push_back(TextField(row[0]));
  json jobs = json::array();
  for (const pqxx::result* rows : {&cancelled, &told}) {
    for (const pqxx::row& row : *rows) jobs.push_back(TextField(row[0]));
  }
  audit.push_back({{"kind", "call-cancel"},
                   {"run_id", run_id},
                   {"calls", legs},
                   {"jobs", jobs},
                   {"message", why}});
  return to_decide;
}

std::vector<CallChainRow> CallChainInTx(pqxx::transaction_base& tx, const std::string& run_id,
                                        const std::string& key) {
  pqxx::result rows = tx.exec_params(
      "WITH RECURSIVE chain (key, job_id, caller, frame, depth) AS (SELECT key, job_id, caller, "
      "call_frame, 0 FROM jobs WHERE run_id = $1 AND key = $2 UNION ALL SELECT j.key, j.job_id, "
      "j.caller, j.call_frame, c.depth + 1 FROM jobs j JOIN chain c ON j.run_id = $1 AND j.key "
      "= c.caller WHERE c.depth < 16) SELECT key, job_id, frame::text FROM chain ORDER BY depth",
      run_id, key);
  std::vector<CallChainRow> out;
  for (const pqxx::row& row : rows) {
    out.push_back({TextField(row[0]), TextField(row[1]), JsonField(row[2])});
  }
  return out;
}

}  // namespace slipway::backend
