// AdvanceRun: what happens in the database once jobs finish — GitHub's rules for deciding a
// job whose needs have results (scheduler.h states them), applied to the stored rows so that
// any process can apply them, with no scheduler process alive. Decisions are made in batches:
// one query reads the needs of every candidate, one UPDATE applies every decision.
#include <fmt/format.h>

#include <optional>

#include "interpreter/backend/pg_internal.h"
#include "interpreter/backend/queue.h"
#include "interpreter/plan/eval_scope.h"
#include "interpreter/plan/resolve.h"

namespace slipway::backend {

const char kCandidateColumns[] =
    "p.key, p.job_id, p.if_condition, p.gate::text, array_to_json(p.needs)::text, "
    "COALESCE(p.max_parallel, 0), COALESCE(p.grp_template, ''), p.grp_cancel, p.matrix::text, "
    "COALESCE(p.matrix_definition, ''), p.position";

Candidate CandidateFromRow(const pqxx::row& row, int first) {
  Candidate c;
  c.key = TextField(row[first]);
  c.job_id = TextField(row[first + 1]);
  c.if_condition = TextField(row[first + 2]);
  c.gate = JsonField(row[first + 3]);
  c.needs_json = TextField(row[first + 4]);
  c.max_parallel = row[first + 5].as<int>();
  c.group_template = TextField(row[first + 6]);
  c.group_cancel = row[first + 7].as<bool>();
  c.matrix = JsonField(row[first + 8]);
  c.matrix_definition = TextField(row[first + 9]);
  c.position = row[first + 10].as<int>();
  return c;
}

const char* DecidedSql(Decided state) {
  switch (state) {
    case Decided::kReady: return "ready";
    case Decided::kWaiting: return "waiting";
    case Decided::kCompleted: return "completed";
    case Decided::kThrottled: return "throttled";
    case Decided::kGrouped: return "grouped";
  }
  return "completed";
}

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

// One instance of a needed job, as read for deciding its dependants.
struct NeedRow {
  bool completed = false;
  std::string result;
  bool upstream_failed = false;
  json outputs;
};
using NeedRows = std::map<std::string, std::vector<NeedRow>>;  // job_id → its instances

void Audit(AuditBuffer& audit, json entry) { audit.push_back(std::move(entry)); }

RunContext LoadRun(pqxx::transaction_base& tx, const std::string& run_id) {
  RunContext run;
  run.run_id = run_id;
  pqxx::result row = tx.exec_params(
      "SELECT state, cancel_requested, github::text, inputs::text, vars::text, "
      "COALESCE(concurrency_group, ''), has_calls FROM runs WHERE id = $1",
      run_id);
  if (row.empty()) return run;
  run.running = TextField(row[0][0]) == "running";
  run.cancelled = row[0][1].as<bool>();
  run.github = Ordered(JsonField(row[0][2]));
  run.inputs = Ordered(JsonField(row[0][3]));
  run.vars = Ordered(JsonField(row[0][4]));
  run.group = TextField(row[0][5]);
  run.has_calls = row[0][6].as<bool>();
  return run;
}

// The instances of every job the candidates need, in one query (a fresh snapshot: call it
// after the candidates are locked).
NeedRows LoadNeeds(pqxx::transaction_base& tx, const std::string& run_id,
                   const std::vector<Candidate>& candidates) {
  json ids = json::array();
  for (const Candidate& c : candidates) {
    for (const std::string& need : StringList(json::parse(c.needs_json))) ids.push_back(need);
  }
  NeedRows rows;
  if (ids.empty()) return rows;
  pqxx::result found = tx.exec_params(
      "SELECT job_id, state = 'completed', COALESCE(result::text, ''), upstream_failed, "
      "outputs::text FROM jobs WHERE run_id = $1 AND job_id IN (SELECT "
      "jsonb_array_elements_text($2::jsonb)) ORDER BY position",
      run_id, ids.dump());
  for (const pqxx::row& row : found) {
    rows[TextField(row[0])].push_back(
        NeedRow{row[1].as<bool>(), TextField(row[2]), row[3].as<bool>(), JsonField(row[4])});
  }
  return rows;
}

// True when every instance of every job `c` needs has completed.
bool Decidable(const Candidate& c, const NeedRows& rows) {
  for (const std::string& need : StringList(json::parse(c.needs_json))) {
    auto it = rows.find(need);
    if (it == rows.end()) continue;
    for (const NeedRow& row : it->second) {
      if (!row.completed) return false;
    }
  }
  return true;
}

// A calling job whose called jobs all ended is ready for a worker to end its call; a called
// job whose calling job ended without starting the call does not run (as exec's scheduler
// decides it: skipped, or cancelled with the run, saying why).
std::optional<Decision> DecideCall(const RunContext& run, const Candidate& c,
                                   const CallInfo& call) {
  Decision d;
  d.key = c.key;
  d.job_id = c.job_id;
  d.position = c.position;
  if (call.ending) {
    d.state = Decided::kReady;
    d.upstream_failed = call.upstream_failed;
    return d;
  }
  if (call.caller.empty() || !call.caller_ended) return std::nullopt;
  d.state = Decided::kCompleted;
  d.result = run.cancelled ? "cancelled" : "skipped";
  d.message =
      call.caller_result == "failure"
          ? fmt::format("its calling job \"{}\" failed", call.caller)
          : fmt::format("its calling job \"{}\" {}", call.caller_job_id,
                        call.caller_result == "cancelled" ? "was cancelled" : "was skipped");
  return d;
}

Decision Decide(const RunContext& run, const Candidate& c, const NeedRows& rows,
                const CallInfo* call) {
  if (call) {
    if (std::optional<Decision> d = DecideCall(run, c, *call)) return *std::move(d);
  }
  // A called job sees its needs, github.job and inputs as in its own file.
  const std::string caller = call ? call->caller : "";
  std::map<std::string, NeedResult> needs;
  for (const std::string& need : StringList(json::parse(c.needs_json))) {
    NeedResult& n = needs[need];
    auto it = rows.find(need);
    if (it == rows.end()) continue;
    for (const NeedRow& row : it->second) {
      n.any_failure = n.any_failure || row.result == "failure";
      n.any_cancelled = n.any_cancelled || row.result == "cancelled";
      n.all_skipped = n.all_skipped && row.result == "skipped";
      n.upstream_failed = n.upstream_failed || row.upstream_failed || row.result == "failure";
      if (row.outputs.is_object()) n.outputs.update(row.outputs);
    }
  }
  bool all_success = true, upstream_failed = false;
  ordered_json needs_context = ordered_json::object();
  for (const auto& [id, n] : needs) {
    all_success = all_success && std::string(n.Name()) == "success";
    upstream_failed = upstream_failed || n.upstream_failed;
    needs_context[LocalId(id, caller)] = {{"result", n.Name()}, {"outputs", Ordered(n.outputs)}};
  }
  plan::Condition condition;
  if (!c.if_condition.empty() || !all_success || run.cancelled || upstream_failed) {
    // The contexts of a job-level `if:`, through the one scope builder, as exec's scheduler
    // gives them (Scheduler::FillJobScope).
    plan::EvaluationContexts contexts = run.JobContexts(LocalId(c.job_id, caller), &needs_context);
    if (!caller.empty()) contexts.inputs = &call->inputs;
    contexts.status = {all_success && !run.cancelled, upstream_failed, run.cancelled};
    plan::Scope scope;
    plan::FillScope(scope, contexts);
    condition =
        plan::EvaluateCondition(c.if_condition.empty() ? "success()" : c.if_condition, scope);
  }
  Decision d;
  d.key = c.key;
  d.job_id = c.job_id;
  d.max_parallel = c.max_parallel;
  d.upstream_failed = upstream_failed;
  d.group_template = c.group_template;
  d.group_cancel = c.group_cancel;
  if (!c.matrix.is_null()) d.matrix = Ordered(c.matrix);
  d.matrix_definition = c.matrix_definition;
  d.position = c.position;
  if (!caller.empty()) {
    d.local_id = LocalId(c.job_id, caller);
    d.call_inputs = call->inputs;
  }
  if (!c.group_template.empty() || !c.matrix_definition.empty()) d.needs = needs_context;
  if (condition.kind == plan::Condition::Kind::kError ||
      condition.kind == plan::Condition::Kind::kUnknown) {
    d.Fail(fmt::format("cannot evaluate \"if: {}\": {}", c.if_condition,
                       condition.kind == plan::Condition::Kind::kError
                           ? condition.error
                           : "unknown value " + condition.unknown));
  } else if (condition.kind == plan::Condition::Kind::kFalse) {
    d.state = Decided::kCompleted;
    d.result = run.cancelled ? "cancelled" : "skipped";
    d.message = run.cancelled ? "the run was cancelled" : "its if is false";
  } else if (c.gate.is_object() && c.gate.value("required", 0) > 0) {
    d.state = Decided::kWaiting;
    d.timeout_s = c.gate.value("approval_timeout_s", 48.0 * 3600);
  } else {
    d.state = Decided::kReady;
    d.delay_s = c.gate.is_object() ? c.gate.value("wait_timer_s", 0.0) : 0.0;
  }
  return d;
}

// Of the instances of a job with max-parallel N becoming ready, only as many as leave at most N
// ready or running; the others are throttled until one of them completes.
void Throttle(pqxx::transaction_base& tx, const std::string& run_id,
              std::vector<Decision>& decisions) {
  std::map<std::string, int> room;  // job id → instances that may still become ready
  for (Decision& d : decisions) {
    if (d.state != Decided::kReady || d.max_parallel <= 0) continue;
    auto it = room.find(d.job_id);
    if (it == room.end()) {
      pqxx::result busy = tx.exec_params(
          "SELECT count(*) FROM jobs WHERE run_id = $1 AND job_id = $2 AND state IN ('ready', "
          "'running')",
          run_id, d.job_id);
      it = room.emplace(d.job_id, d.max_parallel - busy[0][0].as<int>()).first;
    }
    if (it->second > 0) {
      --it->second;
    } else {
      d.state = Decided::kThrottled;
    }
  }
}

// Applies decisions in one statement; notifies the workers when a job became ready. A matrix
// known only at run time is expanded first (each leg then has its own group), the groups are
// evaluated before max-parallel throttles (a throttled leg keeps its group's name for later)
// and taken after (a throttled leg takes none).
void Apply(pqxx::transaction_base& tx, const RunContext& run, std::vector<Decision>& decisions,
           AuditBuffer& audit) {
  if (decisions.empty()) return;
  const std::string& run_id = run.run_id;
  ExpandRunTimeMatrices(tx, run, decisions);
  EvaluateGroups(tx, run, decisions);
  Throttle(tx, run_id, decisions);
  TakeGroups(tx, run_id, decisions, audit);
  json rows = json::array();
  bool any_ready = false;
  for (const Decision& d : decisions) {
    rows.push_back({{"key", d.key},
                    {"state", DecidedSql(d.state)},
                    {"result", d.result},
                    {"message", d.message},
                    {"uf", d.upstream_failed},
                    {"delay", d.delay_s},
                    {"timeout", d.timeout_s},
                    {"grp", d.group},
                    {"gc", d.group_cancel}});
    any_ready = any_ready || d.state == Decided::kReady;
  }
  tx.exec_params(
      "UPDATE jobs j SET state = d.state::slipway_job_state, result = NULLIF(d.result, "
      "'')::slipway_job_result, message = d.message, upstream_failed = d.uf, finished_at = CASE "
      "WHEN d.state = 'completed' THEN clock_timestamp() END, ready_at = CASE WHEN d.state = "
      "'ready' THEN clock_timestamp() + make_interval(secs => d.delay) END, not_before = CASE "
      "WHEN d.state = 'ready' THEN clock_timestamp() + make_interval(secs => d.delay) END, "
      "gate_deadline = CASE WHEN d.state = 'waiting' THEN clock_timestamp() + "
      "make_interval(secs => d.timeout) END, grp = NULLIF(d.grp, ''), grp_cancel = d.gc, "
      "grouped_at = CASE WHEN d.state = 'grouped' THEN clock_timestamp() END FROM "
      "jsonb_to_recordset($2::jsonb) AS d(key text, state text, result text, message text, uf "
      "boolean, delay float8, timeout float8, grp text, gc boolean) WHERE j.run_id = $1 AND j.key "
      "= d.key AND j.state = 'pending'",
      run_id, rows.dump());
  if (any_ready) tx.exec_params("SELECT pg_notify('slipway_work', $1)", run_id);
}

// Ends the run when nothing is left to do (lost jobs leave their dependants pending).
int MaybeEndRun(pqxx::transaction_base& tx, const RunContext& run, AuditBuffer& audit);

}  // namespace

int AdvanceRun(pqxx::transaction_base& tx, const std::string& run_id, AuditBuffer& audit) {
  RunContext run = LoadRun(tx, run_id);
  if (!run.running) return 0;
  int changed = 0;
  while (true) {
    // Pending jobs whose needs all completed (a lost need keeps them pending).
    pqxx::result found = tx.exec_params(
        std::string("SELECT ") + kCandidateColumns +
            " FROM jobs p WHERE p.run_id = $1 AND p.state = 'pending' AND NOT EXISTS ("
            "  SELECT 1 FROM jobs n WHERE n.run_id = p.run_id AND n.job_id = ANY(p.needs) "
            "  AND n.state <> 'completed') ORDER BY p.position",
        run_id);
    if (found.empty()) break;
    std::vector<Candidate> candidates;
    for (const pqxx::row& row : found) candidates.push_back(CandidateFromRow(row, 0));
    NeedRows needs = LoadNeeds(tx, run_id, candidates);
    std::map<std::string, CallInfo> calls;
    if (run.has_calls) calls = LoadCalls(tx, run_id, candidates);
    std::vector<Decision> decisions;
    for (const Candidate& c : candidates) {
      auto call = calls.find(c.key);
      decisions.push_back(Decide(run, c, needs, call == calls.end() ? nullptr : &call->second));
    }
    Apply(tx, run, decisions, audit);
    changed += static_cast<int>(decisions.size());
  }
  return changed + MaybeEndRun(tx, run, audit);
}

int AdvanceAfterCompletion(pqxx::transaction_base& tx, const std::string& run_id,
                           std::vector<Candidate> dependants, AuditBuffer& audit) {
  std::optional<RunContext> run;  // read when a dependant is to be decided
  int changed = 0;
  while (!dependants.empty()) {
    NeedRows needs = LoadNeeds(tx, run_id, dependants);
    std::vector<Decision> decisions;
    std::map<std::string, CallInfo> calls;
    bool calls_loaded = false;
    for (const Candidate& c : dependants) {
      if (!Decidable(c, needs)) continue;
      if (!run) run = LoadRun(tx, run_id);
      if (!run->running) return changed;
      if (run->has_calls && !calls_loaded) {
        calls = LoadCalls(tx, run_id, dependants);
        calls_loaded = true;
      }
      auto call = calls.find(c.key);
      decisions.push_back(Decide(*run, c, needs, call == calls.end() ? nullptr : &call->second));
    }
    if (!decisions.empty()) Apply(tx, *run, decisions, audit);
    changed += static_cast<int>(decisions.size());
    // Jobs completed by a decision (skipped, failed) decide their own dependants in turn.
    json finished = json::array();
    for (const Decision& d : decisions) {
      if (d.state == Decided::kCompleted) finished.push_back(d.job_id);
    }
    dependants.clear();
    if (finished.empty()) break;
    pqxx::result next = tx.exec_params(
        std::string("SELECT ") + kCandidateColumns +
            " FROM jobs p WHERE p.run_id = $1 AND p.state = 'pending' AND p.needs && ARRAY(SELECT "
            "jsonb_array_elements_text($2::jsonb)) ORDER BY p.position FOR UPDATE",
        run_id, finished.dump());
    for (const pqxx::row& row : next) dependants.push_back(CandidateFromRow(row, 0));
  }
  return changed;
}

int EndRunIfDone(pqxx::transaction_base& tx, const std::string& run_id, AuditBuffer& audit) {
  RunContext run = LoadRun(tx, run_id);
  if (!run.running) return 0;
  return MaybeEndRun(tx, run, audit);
}

namespace {
int MaybeEndRun(pqxx::transaction_base& tx, const RunContext& run, AuditBuffer& audit) {
  const std::string& run_id = run.run_id;
  const std::string& group = run.group;
  pqxx::result busy = tx.exec_params(
      "SELECT EXISTS (SELECT 1 FROM jobs WHERE run_id = $1 AND state IN ('waiting', 'ready', "
      "'throttled', 'grouped', 'running')), state = 'running', cancel_requested FROM runs WHERE "
      "id = $1",
      run_id);
  if (busy.empty() || !busy[0][1].as<bool>()) return 0;  // ended by someone else already
  const bool cancelled = busy[0][2].as<bool>();
  if (busy[0][0].as<bool>()) return 0;
  pqxx::result left = tx.exec_params(
      "SELECT count(*) FILTER (WHERE result = 'cancelled'), count(*) FILTER (WHERE state = "
      "'lost'), count(*) FILTER (WHERE result = 'failure'), string_agg(key, ', ' ORDER BY "
      "position) FILTER (WHERE state = 'lost') FROM jobs WHERE run_id = $1",
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
  } else if (left[0][0].as<int64_t>() > 0) {
    // As a local run ends: a job cancelled (by a newer job of its concurrency group, say)
    // makes the run cancelled.
    state = "cancelled";
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

void StartRun(pqxx::transaction_base& tx, const std::string& run_id, AuditBuffer& audit) {
  tx.exec_params(
      "UPDATE runs SET state = 'running', started_at = clock_timestamp() WHERE id = $1", run_id);
  AdvanceRun(tx, run_id, audit);
}

void StartNextInGroup(pqxx::transaction_base& tx, const std::string& group, AuditBuffer& audit) {
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
