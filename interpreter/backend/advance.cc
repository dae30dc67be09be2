// AdvanceRun: what happens in the database once jobs finish — GitHub's rules for deciding a
// job whose needs have results (scheduler.h states them), applied to the stored rows so that
// any process holding the run row's lock can apply them, with no scheduler process alive.
#include <fmt/format.h>

#include <optional>

#include "interpreter/backend/pg_internal.h"
#include "interpreter/backend/queue.h"
#include "interpreter/plan/resolve.h"

namespace slipway::backend {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

ordered_json Ordered(const json& value) { return ordered_json::parse(value.dump()); }

// A job's result for `needs.<id>.result` over its instances: failure if one failed, else
// cancelled if one was cancelled, skipped if all were skipped, else success.
struct NeedResult {
  bool any_failure = false, any_cancelled = false, all_skipped = true, upstream_failed = false;
  json outputs = json::object();
  const char* Name() const {
    if (any_failure) return "failure";
    if (any_cancelled) return "cancelled";
    if (all_skipped) return "skipped";
    return "success";
  }
};

void Audit(AuditBuffer& audit, json entry) { audit.push_back(std::move(entry)); }


// What every decision of one run needs from its row.
struct RunContext {
  std::string run_id;
  bool running = false;
  bool cancelled = false;
  json github;
  ordered_json inputs, vars;
  std::string group;
};

RunContext LoadRun(pqxx::work& tx, const std::string& run_id) {
  RunContext run;
  run.run_id = run_id;
  pqxx::result row = tx.exec_params(
      "SELECT state, cancel_requested, github::text, inputs::text, vars::text, "
      "COALESCE(concurrency_group, '') FROM runs WHERE id = $1",
      run_id);
  if (row.empty()) return run;
  run.running = TextField(row[0][0]) == "running";
  run.cancelled = row[0][1].as<bool>();
  run.github = JsonField(row[0][2]);
  run.github["run_id"] = run_id;
  run.inputs = Ordered(JsonField(row[0][3]));
  run.vars = Ordered(JsonField(row[0][4]));
  run.group = TextField(row[0][5]);
  return run;
}

// Decides one pending job whose needs all completed: ready, waiting at its gate, or completed
// (skipped, cancelled, failed). Returns true when it completed.
bool Decide(pqxx::work& tx, const RunContext& run, const pqxx::row& row, bool* any_ready) {
  const std::string& run_id = run.run_id;
  const bool cancelled = run.cancelled;
  const json& github = run.github;
  const ordered_json& inputs = run.inputs;
  const ordered_json& vars = run.vars;
  bool completed = false;
  const std::string key = TextField(row[0]);
  const std::string job_id = TextField(row[1]);
  const std::string if_condition = TextField(row[2]);
  const json gate = JsonField(row[3]);
  const std::string needs_json = TextField(row[4]);
  std::map<std::string, NeedResult> needs;
  for (const std::string& need : StringList(json::parse(needs_json))) needs[need];
  pqxx::result need_rows = tx.exec_params(
      "SELECT job_id, result, upstream_failed, outputs::text FROM jobs WHERE run_id = $1 "
      "AND job_id IN (SELECT jsonb_array_elements_text($2::jsonb)) ORDER BY position",
      run_id, needs_json);
  for (const pqxx::row& need : need_rows) {
    NeedResult& n = needs[TextField(need[0])];
    std::string result = TextField(need[1]);
    n.any_failure = n.any_failure || result == "failure";
    n.any_cancelled = n.any_cancelled || result == "cancelled";
    n.all_skipped = n.all_skipped && result == "skipped";
    n.upstream_failed = n.upstream_failed || need[2].as<bool>() || result == "failure";
    json outputs = JsonField(need[3]);
    if (outputs.is_object()) n.outputs.update(outputs);
  }
  bool all_success = true, upstream_failed = false;
  ordered_json needs_context = ordered_json::object();
  for (const auto& [id, n] : needs) {
    all_success = all_success && std::string(n.Name()) == "success";
    upstream_failed = upstream_failed || n.upstream_failed;
    needs_context[id] = {{"result", n.Name()}, {"outputs", Ordered(n.outputs)}};
  }
  plan::Condition condition;
  if (!if_condition.empty() || !all_success || cancelled || upstream_failed) {
    plan::Scope scope;
    json job_github = github;
    job_github["job"] = job_id;
    scope.Set("github", Ordered(job_github));
    scope.Set("inputs", inputs);
    scope.Set("vars", vars);
    scope.Set("needs", needs_context);
    scope.status = {all_success && !cancelled, upstream_failed, cancelled};
    condition =
        plan::EvaluateCondition(if_condition.empty() ? "success()" : if_condition, scope);
  }
  std::string result, message;
  if (condition.kind == plan::Condition::Kind::kError ||
      condition.kind == plan::Condition::Kind::kUnknown) {
    result = "failure";
    message = fmt::format("cannot evaluate \"if: {}\": {}", if_condition,
                          condition.kind == plan::Condition::Kind::kError
                              ? condition.error
                              : "unknown value " + condition.unknown);
  } else if (condition.kind == plan::Condition::Kind::kFalse) {
    result = cancelled ? "cancelled" : "skipped";
    message = cancelled ? "the run was cancelled" : "its if is false";
  }
  if (!result.empty()) {
    tx.exec_params(
        "UPDATE jobs SET state = 'completed', result = $3::slipway_job_result, message = $4, "
        "upstream_failed = $5, finished_at = clock_timestamp() WHERE run_id = $1 AND key = $2 "
        "AND state = 'pending'",
        run_id, key, result, message, upstream_failed);
    completed = true;
  } else if (gate.is_object() && gate.value("required", 0) > 0) {
    tx.exec_params(
        "UPDATE jobs SET state = 'waiting', upstream_failed = $3, gate_deadline = "
        "clock_timestamp() + make_interval(secs => $4) WHERE run_id = $1 AND key = $2 AND state = "
        "'pending'",
        run_id, key, upstream_failed, gate.value("approval_timeout_s", 48.0 * 3600));
  } else {
    double timer = gate.is_object() ? gate.value("wait_timer_s", 0.0) : 0.0;
    tx.exec_params(
        "UPDATE jobs SET state = 'ready', upstream_failed = $3, ready_at = clock_timestamp() "
        "+ make_interval(secs => $4), not_before = clock_timestamp() + make_interval(secs "
        "=> $4) WHERE run_id = $1 AND key = $2 AND state = 'pending'",
        run_id, key, upstream_failed, timer);
    *any_ready = true;
  }
  return completed;
}

constexpr char kCandidateColumns[] =
    "p.key, p.job_id, p.if_condition, p.gate::text, array_to_json(p.needs)::text";

// Ends the run when nothing is left to do (lost jobs leave their dependants pending).
int MaybeEndRun(pqxx::work& tx, const RunContext& run, AuditBuffer& audit);

}  // namespace

int AdvanceRun(pqxx::work& tx, const std::string& run_id, AuditBuffer& audit) {
  RunContext run = LoadRun(tx, run_id);
  if (!run.running) return 0;
  int changed = 0;
  bool any_ready = false;
  while (true) {
    // Pending jobs whose needs all completed (a lost need keeps them pending).
    pqxx::result candidates = tx.exec_params(
        std::string("SELECT ") + kCandidateColumns +
            " FROM jobs p WHERE p.run_id = $1 AND p.state = 'pending' AND NOT EXISTS ("
            "  SELECT 1 FROM jobs n WHERE n.run_id = p.run_id AND n.job_id = ANY(p.needs) "
            "  AND n.state <> 'completed') ORDER BY p.position",
        run_id);
    if (candidates.empty()) break;
    for (const pqxx::row& row : candidates) {
      Decide(tx, run, row, &any_ready);
      ++changed;
    }
  }
  if (any_ready) tx.exec_params("SELECT pg_notify('slipway_work', $1)", run_id);
  return changed + MaybeEndRun(tx, run, audit);
}

int AdvanceAfterCompletion(pqxx::work& tx, const std::string& run_id, const std::string& job_id,
                           AuditBuffer& audit) {
  std::optional<RunContext> run;  // read when a dependant is to be decided
  int changed = 0;
  bool any_ready = false;
  std::vector<std::string> finished = {job_id};
  while (!finished.empty()) {
    std::string done = finished.back();
    finished.pop_back();
    // Locking the dependants serialises the completions of their needs: the second one to
    // get here sees the first one's result.
    pqxx::result dependants = tx.exec_params(
        std::string("SELECT ") + kCandidateColumns +
            " FROM jobs p WHERE p.run_id = $1 AND p.state = 'pending' AND $2 = ANY(p.needs) "
            "ORDER BY p.position FOR UPDATE",
        run_id, done);
    for (const pqxx::row& row : dependants) {
      pqxx::result open = tx.exec_params(
          "SELECT EXISTS (SELECT 1 FROM jobs n WHERE n.run_id = $1 AND n.job_id IN (SELECT "
          "jsonb_array_elements_text($2::jsonb)) AND n.state <> 'completed')",
          run_id, TextField(row[4]));
      if (open[0][0].as<bool>()) continue;
      if (!run) run = LoadRun(tx, run_id);
      if (!run->running) return changed;
      if (Decide(tx, *run, row, &any_ready)) finished.push_back(TextField(row[1]));
      ++changed;
    }
  }
  if (any_ready) tx.exec_params("SELECT pg_notify('slipway_work', $1)", run_id);
  // Last, so the run row is locked only for the end of the transaction.
  pqxx::result locked = tx.exec_params(
      "SELECT COALESCE(concurrency_group, '') FROM runs WHERE id = $1 FOR UPDATE", run_id);
  if (!run) {
    run.emplace();
    run->run_id = run_id;
    run->group = locked.empty() ? "" : TextField(locked[0][0]);
  }
  return changed + MaybeEndRun(tx, *run, audit);
}

namespace {

int MaybeEndRun(pqxx::work& tx, const RunContext& run, AuditBuffer& audit) {
  const std::string& run_id = run.run_id;
  const std::string& group = run.group;
  pqxx::result busy = tx.exec_params(
      "SELECT EXISTS (SELECT 1 FROM jobs WHERE run_id = $1 AND state IN ('waiting', 'ready', "
      "'running')), state = 'running', cancel_requested FROM runs WHERE id = $1",
      run_id);
  if (busy.empty() || !busy[0][1].as<bool>()) return 0;  // ended by someone else already
  const bool cancelled = busy[0][2].as<bool>();
  if (busy[0][0].as<bool>()) return 0;
  pqxx::result left = tx.exec_params(
      "SELECT 0, count(*) FILTER (WHERE state = 'lost'), count(*) FILTER (WHERE result = "
      "'failure'), string_agg(key, ', ' ORDER BY position) FILTER (WHERE state = 'lost') "
      "FROM jobs WHERE run_id = $1",
      run_id);
  const char* state = "success";
  std::string reason;
  if (left[0][1].as<int64_t>() > 0) {
    state = "failure";
    reason = fmt::format("lost (its worker stopped renewing the lease): {}", TextField(left[0][3]));
  } else if (cancelled) {
    state = "cancelled";
  } else if (left[0][2].as<int64_t>() > 0) {
    state = "failure";
  }
  tx.exec_params(
      "UPDATE runs SET state = $2::slipway_run_state, finished_at = clock_timestamp() WHERE id = $1",
      run_id, state);
  Audit(audit, {{"kind", "run-end"}, {"run_id", run_id}, {"status", state},
                        {"reason", reason}});
  tx.exec_params("SELECT pg_notify('slipway_runs', $1)", run_id);
  if (!group.empty()) {
    tx.exec_params("DELETE FROM concurrency_leases WHERE grp = $1 AND run_id = $2", group,
                   run_id);
    StartNextInGroup(tx, group, audit);
  }
  return 1;
}

}  // namespace



const char* ResultSql(exec::JobResult result) { return exec::JobResultName(result); }

exec::JobResult ResultFromSql(const std::string& text) {
  if (text == "success") return exec::JobResult::kSuccess;
  if (text == "cancelled") return exec::JobResult::kCancelled;
  if (text == "skipped") return exec::JobResult::kSkipped;
  return exec::JobResult::kFailure;
}


void StartRun(pqxx::work& tx, const std::string& run_id, AuditBuffer& audit) {
  tx.exec_params(
      "UPDATE runs SET state = 'running', started_at = clock_timestamp() WHERE id = $1", run_id);
  AdvanceRun(tx, run_id, audit);
}

void StartNextInGroup(pqxx::work& tx, const std::string& group, AuditBuffer& audit) {
  pqxx::result next = tx.exec_params(
      "SELECT id FROM runs WHERE concurrency_group = $1 AND state = 'queued' "
      "ORDER BY created_at, id LIMIT 1 FOR UPDATE",
      group);
  if (next.empty()) return;
  std::string run_id = TextField(next[0][0]);
  tx.exec_params("INSERT INTO concurrency_leases (grp, run_id) VALUES ($1, $2)", group, run_id);
  StartRun(tx, run_id, audit);
}

}  // namespace slipway::backend
