#include "interpreter/backend/queue.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <unistd.h>

#include "interpreter/backend/pg_internal.h"
#include "interpreter/backend/queue_impl.h"
#include "interpreter/backend/schema.h"
#include "interpreter/exec/approvals.h"
#include "interpreter/exec/audit.h"

namespace slipway::backend {
namespace {

using nlohmann::json;

double Seconds(std::chrono::milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }

json JobRows(const RunSpec& run) {
  // A matrix instance's place among its job's instances, "index/total" (strategy.job-index and
  // job-total), in submission order.
  std::map<std::string, int> total;
  std::map<std::string, std::string> leg;
  for (const JobSpec& job : run.jobs) {
    if (!job.matrix.is_null()) ++total[job.job_id];
  }
  std::map<std::string, int> seen;
  for (const JobSpec& job : run.jobs) {
    if (job.matrix.is_null()) continue;
    leg[job.key] = fmt::format("{}/{}", seen[job.job_id]++, total[job.job_id]);
  }
  json rows = json::array();
  for (const JobSpec& job : run.jobs) {
    rows.push_back({{"key", job.key},
                    {"job_id", job.job_id},
                    {"position", job.position},
                    {"needs", job.needs},
                    {"if_condition", job.if_condition},
                    {"labels", job.labels},
                    {"matrix", job.matrix},
                    {"environment", job.environment.empty() ? json() : json(job.environment)},
                    {"gate", job.gate},
                    {"max_parallel", job.max_parallel},
                    {"fail_fast", job.fail_fast},
                    {"grp_template", job.concurrency_group},
                    {"grp_cancel", job.cancel_in_progress},
                    {"grp_cancel_template", job.cancel_in_progress_expression},
                    {"matrix_definition", job.matrix_definition},
                    {"leg", job.matrix.is_null() ? json() : json(leg[job.key])},
                    {"caller", job.caller},
                    {"needs_container", job.needs_container}});
  }
  return rows;
}

json StepsToJson(const std::vector<exec::StepRecord>& steps) {
  json out = json::array();
  for (const exec::StepRecord& step : steps) {
    out.push_back({{"id", step.id},
                   {"name", step.name},
                   {"outcome", step.outcome ? exec::StepConclusionName(*step.outcome) : ""},
                   {"conclusion",
                    step.conclusion ? exec::StepConclusionName(*step.conclusion) : ""},
                   {"outputs", step.outputs},
                   {"log", step.log}});
  }
  return out;
}

// The needs context of a claimed job from slipway_claim's [[job_id, result, outputs], ...]:
// a job's result over its instances, as advance.cc aggregates it, and their outputs merged.
json NeedsContext(const json& instances) {
  json needs = json::object();
  std::map<std::string, std::vector<std::string>> results;
  if (!instances.is_array()) return needs;
  for (const json& need : instances) {
    if (!need.is_array() || need.size() != 3 || !need[0].is_string()) continue;
    std::string id = need[0].get<std::string>();
    results[id].push_back(need[1].is_string() ? need[1].get<std::string>() : "");
    json& entry = needs[id];
    if (!entry.contains("outputs")) entry["outputs"] = json::object();
    if (need[2].is_object()) entry["outputs"].update(need[2]);
  }
  for (const auto& [id, list] : results) {
    auto any = [&](const char* r) { return std::find(list.begin(), list.end(), r) != list.end(); };
    bool all_skipped =
        std::all_of(list.begin(), list.end(), [](const std::string& r) { return r == "skipped"; });
    needs[id]["result"] = any("failure")     ? "failure"
                          : any("cancelled") ? "cancelled"
                          : all_skipped      ? "skipped"
                                             : "success";
  }
  return needs;
}

// A claim from slipway_claim's columns, starting at `first`.
Claim ClaimFromRow(const pqxx::row& row, int first, const std::string& worker) {
  Claim claim;
  claim.run_id = TextField(row[first]);
  claim.key = TextField(row[first + 1]);
  claim.job_id = TextField(row[first + 2]);
  claim.attempt = row[first + 3].as<int>();
  claim.matrix = JsonField(row[first + 4]);
  claim.latency_ms = row[first + 5].as<double>();
  claim.worker = worker;
  claim.needs = NeedsContext(JsonField(row[first + 6]));
  if (!row[first + 7].is_null()) {
    std::string leg = TextField(row[first + 7]);  // "index/total"
    size_t slash = leg.find('/');
    if (slash != std::string::npos) {
      claim.job_index = std::atoi(leg.c_str());
      claim.job_total = std::atoi(leg.c_str() + slash + 1);
    }
  }
  return claim;
}

void Audit(AuditBuffer& audit, json entry) { audit.push_back(std::move(entry)); }

// Asks run `run_id` to stop, inside `tx` (which holds its row lock).
void CancelInTx(pqxx::transaction_base& tx, const std::string& run_id, AuditBuffer& audit) {
  tx.exec_params("UPDATE runs SET cancel_requested = true WHERE id = $1", run_id);
  tx.exec_params(
      "UPDATE jobs SET state = 'completed', result = 'cancelled', message = 'the run was "
      "cancelled', finished_at = clock_timestamp() WHERE run_id = $1 AND state IN ('waiting', "
      "'ready', 'throttled', 'grouped')",
      run_id);
  pqxx::result queued =
      tx.exec_params("SELECT 1 FROM runs WHERE id = $1 AND state = 'queued'", run_id);
  if (!queued.empty()) {
    tx.exec_params(
        "UPDATE jobs SET state = 'completed', result = 'cancelled', message = 'the run was "
        "cancelled before it started', finished_at = clock_timestamp() WHERE run_id = $1 AND "
        "state = 'pending'",
        run_id);
    tx.exec_params(
        "UPDATE runs SET state = 'cancelled', finished_at = clock_timestamp() WHERE id = $1",
        run_id);
    Audit(audit, {{"kind", "run-end"}, {"run_id", run_id}, {"status", "cancelled"}});
    tx.exec_params("SELECT pg_notify('slipway_runs', $1)", run_id);
    return;
  }
  PassGroups(tx, run_id);
  AdvanceRun(tx, run_id, audit);
}

}  // namespace

const char* RunStateName(RunState state) {
  switch (state) {
    case RunState::kQueued: return "queued";
    case RunState::kRunning: return "running";
    case RunState::kSuccess: return "success";
    case RunState::kFailure: return "failure";
    case RunState::kCancelled: return "cancelled";
  }
  return "failure";
}

bool IsFinal(RunState state) { return state != RunState::kQueued && state != RunState::kRunning; }

Queue::Queue(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Queue::~Queue() = default;
const std::string& Queue::role() const { return impl_->role; }

Expected<std::unique_ptr<Queue>> Queue::Connect(const std::string& dsn,
                                                const std::string& audit_key) {
  return Guard("cannot connect to the backend", [&]() -> Expected<std::unique_ptr<Queue>> {
    auto impl = std::make_unique<Impl>(dsn);
    {
      pqxx::nontransaction tx(impl->connection);
      pqxx::result exists =
          tx.exec("SELECT to_regclass('slipway_migrations') IS NOT NULL, session_user");
      int found = 0;
      if (exists[0][0].as<bool>()) {
        found = tx.exec("SELECT COALESCE(MAX(version), 0) FROM slipway_migrations")[0][0].as<int>();
      }
      if (found != LatestSchemaVersion()) {
        return MakeUnexpected(fmt::format(
            "the database schema is at version {}, this slipway needs {}: run `slipway backend "
            "init --backend ...` first",
            found, LatestSchemaVersion()));
      }
      impl->role = TextField(exists[0][1]);
    }
    impl->audit = std::make_unique<AuditWriter>(
        audit_key, fmt::format("{} pid {}", impl->role, static_cast<long>(getpid())));
    for (const char* channel : {"slipway_work", "slipway_runs"}) {
      impl->receivers.push_back(
          std::make_unique<Wakeup>(impl->connection, channel, &impl->notified));
    }
    return std::unique_ptr<Queue>(new Queue(std::move(impl)));
  });
}

Expected<RunState> Queue::Submit(const RunSpec& run) {
  return Guard("cannot submit the run", [&]() -> Expected<RunState> {
    pqxx::work tx(impl_->connection);
    AuditBuffer audit;
    tx.exec_params(
        "INSERT INTO runs (id, workflow, workflow_sha256, event, ref, sha, actor, state, inputs, "
        "vars, github, plan_options, environments_file, concurrency_group, cancel_in_progress) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8::jsonb, $9::jsonb, $10::jsonb, "
        "$11::jsonb, $12, NULLIF($13, ''), $14)",
        run.id, run.workflow, run.workflow_sha256, run.event, run.ref, run.sha, run.actor,
        run.inputs.dump(), run.vars.dump(), run.github.dump(), run.plan_options.dump(),
        run.environments_file, run.concurrency_group, run.cancel_in_progress);
    tx.exec_params(
        "INSERT INTO jobs (run_id, key, job_id, position, needs, if_condition, labels, matrix, "
        "environment, gate, state, max_parallel, fail_fast, grp_template, grp_cancel, "
        "matrix_definition, leg, grp_cancel_template, caller, needs_container) SELECT $1, "
        "r.key, r.job_id, r.position, "
        "ARRAY(SELECT jsonb_array_elements_text(r.needs)), r.if_condition, "
        "ARRAY(SELECT jsonb_array_elements_text(r.labels)), NULLIF(r.matrix, 'null'::jsonb), "
        "r.environment, NULLIF(r.gate, 'null'::jsonb), 'pending', NULLIF(r.max_parallel, 0), "
        "r.fail_fast, NULLIF(r.grp_template, ''), r.grp_cancel, NULLIF(r.matrix_definition, ''), "
        "r.leg, NULLIF(r.grp_cancel_template, ''), NULLIF(r.caller, ''), r.needs_container "
        "FROM jsonb_to_recordset($2::jsonb) AS r(key text, job_id text, position integer, needs "
        "jsonb, if_condition text, labels jsonb, matrix jsonb, environment text, gate jsonb, "
        "max_parallel integer, fail_fast boolean, grp_template text, grp_cancel boolean, "
        "matrix_definition text, leg text, grp_cancel_template text, caller text, "
        "needs_container boolean)",
        run.id, JobRows(run).dump());
    if (std::any_of(run.jobs.begin(), run.jobs.end(),
                    [](const JobSpec& job) { return !job.caller.empty(); })) {
      tx.exec_params("UPDATE runs SET has_calls = true WHERE id = $1", run.id);
    }
    json job_ids = json::array();
    for (const JobSpec& job : run.jobs) job_ids.push_back(job.key);
    Audit(audit,
          {{"kind", "run-start"},
           {"run_id", run.id},
           {"who", {{"actor", run.actor}}},
           {"what", {{"jobs", job_ids}}},
           {"where", {{"inputs", run.inputs}}},
           {"how",
            {{"event", run.event},
             {"ref", run.ref},
             {"commit", run.sha},
             {"workflow", run.workflow},
             {"workflow_sha256", run.workflow_sha256},
             // What every worker plans the run from (Queue::Stored checks it against this).
             {"plan_options_sha256", exec::Sha256Hex(run.plan_options.dump())}}}});
    RunState state = RunState::kRunning;
    if (run.concurrency_group.empty()) {
      StartRun(tx, run.id, audit);
    } else {
      // GitHub: a newer run replaces an older pending one in the group.
      pqxx::result pending = tx.exec_params(
          "SELECT id FROM runs WHERE concurrency_group = $1 AND state = 'queued' AND id <> $2 "
          "FOR UPDATE",
          run.concurrency_group, run.id);
      for (const pqxx::row& row : pending) CancelInTx(tx, TextField(row[0]), audit);
      pqxx::result got = tx.exec_params(
          "INSERT INTO concurrency_leases (grp, run_id) VALUES ($1, $2) ON CONFLICT (grp) DO "
          "NOTHING RETURNING run_id",
          run.concurrency_group, run.id);
      if (!got.empty()) {
        StartRun(tx, run.id, audit);
      } else {
        state = RunState::kQueued;
        if (run.cancel_in_progress) {
          pqxx::result holder = tx.exec_params(
              "SELECT r.id FROM concurrency_leases l JOIN runs r ON r.id = l.run_id WHERE l.grp "
              "= $1 FOR UPDATE OF r",
              run.concurrency_group);
          if (!holder.empty()) CancelInTx(tx, TextField(holder[0][0]), audit);
        }
      }
    }
    pqxx::result now = tx.exec_params("SELECT state FROM runs WHERE id = $1", run.id);
    state = RunStateFromSql(TextField(now[0][0]));
    impl_->audit->Commit(tx, audit);
    return state;
  });
}

Expected<std::optional<Claim>> Queue::ClaimNext(const WorkerIdentity& worker,
                                                const std::string& only_run) {
  Expected<std::vector<Claim>> claims = ClaimUpTo(worker, 1, only_run);
  if (!claims) return MakeUnexpected(claims.error());
  if (claims->empty()) return std::optional<Claim>();
  return std::optional<Claim>(std::move(claims->front()));
}

Expected<std::vector<Claim>> Queue::ClaimUpTo(const WorkerIdentity& worker, int limit,
                                              const std::string& only_run) {
  return Guard("cannot claim a job", [&]() -> Expected<std::vector<Claim>> {
    // One statement, so one implicit transaction: the claims are atomic without BEGIN/COMMIT
    // round trips, and each job's needs come with it.
    pqxx::nontransaction tx(impl_->connection);
    pqxx::result rows = tx.exec_params(
        "SELECT * FROM slipway_claim($1, $2, $3::jsonb, $4, $5, $6, $7)", worker.name,
        worker.any_labels, json(worker.labels).dump(), only_run, Seconds(worker.lease),
        std::max(limit, 1), worker.has_container_runtime);
    std::vector<Claim> claims;
    for (const pqxx::row& row : rows) claims.push_back(ClaimFromRow(row, 0, worker.name));
    return claims;
  });
}

Expected<Fence> Queue::Heartbeat(const Claim& claim, std::chrono::milliseconds lease) {
  return Guard("cannot renew the lease", [&]() -> Expected<Fence> {
    pqxx::nontransaction tx(impl_->connection);  // one statement: its own transaction
    pqxx::result row = tx.exec_params(
        "UPDATE jobs j SET lease_until = clock_timestamp() + make_interval(secs => $5) FROM runs "
        "r WHERE j.run_id = $1 AND j.key = $2 AND j.attempt = $3 AND j.worker = $4 AND j.state = "
        "'running' AND j.lease_until >= clock_timestamp() AND r.id = j.run_id RETURNING "
        "r.cancel_requested OR j.cancel_requested",
        claim.run_id, claim.key, claim.attempt, claim.worker, Seconds(lease));
    if (row.empty()) return Fence::kLost;
    return row[0][0].as<bool>() ? Fence::kCancelRequested : Fence::kHeld;
  });
}

Expected<Fence> Queue::PushLogs(const Claim& claim, const std::vector<LiveLog>& logs) {
  return Guard("cannot store the step logs", [&]() -> Expected<Fence> {
    json rows = json::array();
    for (const LiveLog& log : logs) {
      rows.push_back({{"i", log.index}, {"n", log.name}, {"t", log.text}});
    }
    pqxx::nontransaction tx(impl_->connection);
    pqxx::result held = tx.exec_params(
        "WITH held AS (SELECT 1 FROM jobs WHERE run_id = $1 AND key = $2 AND attempt = $3 AND "
        "worker = $4 AND state = 'running' AND lease_until >= clock_timestamp()), written AS "
        "(INSERT INTO step_logs (run_id, job_key, step_index, attempt, text, name) SELECT $1, $2, "
        "r.i, $3, r.t, r.n FROM jsonb_to_recordset($5::jsonb) AS r(i integer, n text, t text) "
        "WHERE EXISTS (SELECT 1 FROM held) ON CONFLICT (run_id, job_key, step_index) DO UPDATE "
        "SET text = EXCLUDED.text, attempt = EXCLUDED.attempt, name = EXCLUDED.name, updated_at "
        "= clock_timestamp() RETURNING 1) SELECT count(*) FROM held",
        claim.run_id, claim.key, claim.attempt, claim.worker, rows.dump());
    return held[0][0].as<int64_t>() > 0 ? Fence::kHeld : Fence::kLost;
  });
}

Expected<Fence> Queue::Complete(const Claim& claim, const Completion& completion,
                                NextClaims* next) {
  return Guard("cannot complete the job", [&]() -> Expected<Fence> {
    std::optional<bool> drained = CompleteInTx(claim, completion, next);
    if (!drained) return Fence::kLost;
    if (*drained) EndRun(claim.run_id);
    return Fence::kHeld;
  });
}

std::optional<bool> Queue::CompleteInTx(const Claim& claim, const Completion& completion,
                                        NextClaims* next) {
  RawTransaction tx(impl_->connection);
  AuditBuffer audit;
  json logs = json::array();
  for (const LiveLog& log : completion.logs) {
    logs.push_back({{"i", log.index}, {"n", log.name}, {"t", log.text}});
  }
  // One round trip with the BEGIN: the result (fenced by the attempt and the lease), the
  // step logs, and the pending dependants, locked.
  pqxx::result done = tx.Begin(fmt::format(
      "SELECT * FROM slipway_complete({}, {}, {}, {}, {}, {}::jsonb, {}::jsonb, {}, {}::jsonb)",
      tx.Quote(claim.run_id), tx.Quote(claim.key), claim.attempt, tx.Quote(claim.worker),
      tx.Quote(ResultSql(completion.result)), tx.Quote(json(completion.outputs).dump()),
      tx.Quote(StepsToJson(completion.steps).dump()), tx.Quote(completion.message),
      tx.Quote(logs.dump())));
  if (done.empty()) return std::nullopt;  // rolled back: nothing written
  for (const exec::ArtifactFile& file : completion.artifacts) {
    // Fenced by the completion above: only the transaction that completed the job stores.
    tx.tx().exec_params("SELECT slipway_store_artifact($1, $2, $3, $4, $5, $6, $7)",
                        claim.run_id, claim.key, claim.attempt, claim.worker, file.name,
                        exec::Sha256Hex(file.content),
                        pqxx::binarystring(file.content.data(), file.content.size()));
  }
  std::vector<Candidate> dependants;
  for (const pqxx::row& row : done) {
    if (!row[3].is_null()) dependants.push_back(CandidateFromRow(row, 3));
  }
  const std::vector<std::string> legs =
      ApplyStrategy(tx.tx(), claim.run_id, claim.job_id, claim.key, completion.result,
                    done[0][1].as<int>(), done[0][2].as<bool>(), audit);
  if (!legs.empty()) {
    // Calling legs whose calls fail-fast cancelled: decided with the dependants, locked alike.
    pqxx::result rows = tx.tx().exec_params(
        std::string("SELECT ") + kCandidateColumns +
            " FROM jobs p WHERE p.run_id = $1 AND p.state = 'pending' AND p.key IN (SELECT "
            "jsonb_array_elements_text($2::jsonb)) ORDER BY p.position FOR UPDATE",
        claim.run_id, json(legs).dump());
    for (const pqxx::row& row : rows) dependants.push_back(CandidateFromRow(row, 0));
  }
  Audit(audit, {{"kind", "job-result"},
                {"run_id", claim.run_id},
                {"job", claim.key},
                {"result", ResultSql(completion.result)},
                {"attempt", claim.attempt},
                {"worker", claim.worker},
                {"message", completion.message}});
  AdvanceAfterCompletion(tx.tx(), claim.run_id, std::move(dependants), audit);
  // One round trip with the COMMIT: the audit entries, then (after the commit, so that of two
  // last jobs completing at once, one sees both done) whether the run has anything left to do,
  // and the worker's next claims, in their own implicit transaction.
  std::string after = fmt::format("SELECT slipway_run_drained({})", tx.Quote(claim.run_id));
  if (next) {
    after = fmt::format(
        "SELECT d.drained, c.* FROM slipway_run_drained({}) AS d(drained) LEFT JOIN LATERAL "
        "slipway_claim({}, {}, {}::jsonb, {}, {}, {}, {}) AS c ON true",
        tx.Quote(claim.run_id), tx.Quote(next->worker->name),
        next->worker->any_labels ? "true" : "false", tx.Quote(json(next->worker->labels).dump()),
        tx.Quote(next->only_run), Seconds(next->worker->lease), std::max(next->limit, 1),
        next->worker->has_container_runtime ? "true" : "false");
  }
  pqxx::result left = impl_->audit->Commit(tx, audit, TextField(done[0][0]), after);
  if (next) {
    for (const pqxx::row& row : left) {
      if (!row[1].is_null()) next->claimed.push_back(ClaimFromRow(row, 1, next->worker->name));
    }
  }
  return left[0][0].as<bool>();
}

void Queue::EndRun(const std::string& run_id) {
  pqxx::work tx(impl_->connection);
  AuditBuffer audit;
  tx.exec_params("SELECT 1 FROM runs WHERE id = $1 FOR UPDATE", run_id);
  EndRunIfDone(tx, run_id, audit);
  impl_->audit->Commit(tx, audit);
}

Expected<int> Queue::Sweep() {
  return Guard("cannot sweep the queue", [&]() -> Expected<int> {
    std::vector<std::string> runs;
    {
      pqxx::nontransaction tx(impl_->connection);
      pqxx::result rows = tx.exec(
          "SELECT DISTINCT run_id FROM jobs WHERE (state = 'running' AND lease_until < "
          "clock_timestamp()) OR state = 'waiting'");
      for (const pqxx::row& row : rows) runs.push_back(TextField(row[0]));
    }
    int changed = 0;
    for (const std::string& run_id : runs) {
      pqxx::work tx(impl_->connection);
      AuditBuffer audit;
      tx.exec_params("SELECT 1 FROM runs WHERE id = $1 FOR UPDATE", run_id);
      pqxx::result lost = tx.exec_params(
          "UPDATE jobs SET state = 'lost', finished_at = clock_timestamp(), message = "
          "format('lost: worker %s stopped renewing its lease (attempt %s); it is not run again "
          "by itself', worker, attempt) WHERE run_id = $1 AND state = 'running' AND lease_until "
          "< clock_timestamp() RETURNING key, worker, attempt",
          run_id);
      for (const pqxx::row& row : lost) {
        Audit(audit,
              {{"kind", "job-lost"}, {"run_id", run_id}, {"job", TextField(row[0])},
               {"worker", TextField(row[1])}, {"attempt", row[2].as<int>()}});
      }
      changed += CancelRequestedBeforeStart(tx, run_id, audit);
      DecideGates(tx, run_id, audit);
      PassGroups(tx, run_id);  // of the jobs lost, cancelled or refused at their gate just now
      changed += static_cast<int>(lost.size()) + AdvanceRun(tx, run_id, audit);
      impl_->audit->Commit(tx, audit);
    }
    return changed;
  });
}

Expected<ResumeReport> Queue::Resume(const std::string& run_id) {
  return Guard("cannot resume the run", [&]() -> Expected<ResumeReport> {
    pqxx::work tx(impl_->connection);
    AuditBuffer audit;
    Expected<ResumeReport> report = ResumeInTx(tx, run_id, audit);
    if (!report) return report;
    impl_->audit->Commit(tx, audit);
    return report;
  });
}

Expected<Fence> Queue::StartCall(const Claim& claim, const nlohmann::json& frame) {
  return Guard("cannot start the call", [&]() -> Expected<Fence> {
    pqxx::work tx(impl_->connection);
    AuditBuffer audit;
    if (!StartCallInTx(tx, claim, frame, audit)) return Fence::kLost;
    impl_->audit->Commit(tx, audit);
    return Fence::kHeld;
  });
}

Expected<bool> Queue::Cancel(const std::string& run_id) {
  return Guard("cannot cancel the run", [&]() -> Expected<bool> {
    pqxx::work tx(impl_->connection);
    AuditBuffer audit;
    pqxx::result run =
        tx.exec_params("SELECT state FROM runs WHERE id = $1 FOR UPDATE", run_id);
    if (run.empty()) return MakeUnexpected(fmt::format("no run \"{}\" in the backend", run_id));
    CancelInTx(tx, run_id, audit);
    impl_->audit->Commit(tx, audit);
    return true;
  });
}

}  // namespace slipway::backend
