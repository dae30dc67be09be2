// PgStore: exec::Store over the PostgreSQL backend's tables (schema.cc).
#include <fmt/format.h>

#include <thread>

#include "interpreter/backend/pg_audit.h"
#include "interpreter/base/ascii.h"
#include "interpreter/backend/pg_internal.h"
#include "interpreter/backend/schema.h"
#include "interpreter/backend/stores.h"

namespace slipway::backend {
namespace {

using nlohmann::json;

constexpr char kUtc[] = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'";

std::string Utc(const std::string& column) {
  return fmt::format("COALESCE(to_char({} AT TIME ZONE 'UTC', {}), '')", column, kUtc);
}

template <class F>
auto Guard(const std::string& what, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    return MakeUnexpected(fmt::format("{}: {}", what, e.what()));
  }
}

// A job row's state in run.json's words.
exec::JobRecordStatus JobStatusOf(const std::string& state) {
  if (state == "pending" || state == "ready" || state == "throttled" || state == "grouped") {
    return exec::JobRecordStatus::kQueued;
  }
  // waiting, running, completed, lost (the schema's enum allows nothing else)
  return exec::ParseJobStatus(state).value_or(exec::JobRecordStatus::kQueued);
}

// A session-level advisory lock: released by the server when this connection ends, so a
// killed holder frees the group at once.
class PgLease final : public exec::GroupLease {
 public:
  explicit PgLease(std::unique_ptr<pqxx::connection> connection)
      : connection_(std::move(connection)) {}
  bool CancelRequested() const override { return false; }

 private:
  std::unique_ptr<pqxx::connection> connection_;
};

class PgStore final : public exec::Store {
 public:
  PgStore(std::string dsn, std::string key) : dsn_(std::move(dsn)), key_(std::move(key)) {}
  exec::StoreKind kind() const override { return exec::StoreKind::kPostgres; }
  std::string Describe() const override { return RedactDsn(dsn_); }

  Expected<exec::RunRecord> LoadRun(const std::string& run_id) override {
    return Guard("cannot read the run", [&]() -> Expected<exec::RunRecord> {
      pqxx::connection connection(dsn_);
      pqxx::work tx(connection);
      pqxx::result run = tx.exec_params(
          "SELECT workflow, workflow_sha256, event, ref, sha, actor, state::text, " +
              Utc("COALESCE(started_at, created_at)") + ", " + Utc("finished_at") +
              ", inputs::text, vars::text, environments_file FROM runs WHERE id = $1",
          run_id);
      if (run.empty()) {
        return MakeUnexpected(fmt::format("no run \"{}\" in {}", run_id, RedactDsn(dsn_)));
      }
      exec::RunRecord record;
      record.id = run_id;
      record.workflow = TextField(run[0][0]);
      record.workflow_sha256 = TextField(run[0][1]);
      record.event = TextField(run[0][2]);
      record.ref = TextField(run[0][3]);
      record.sha = TextField(run[0][4]);
      record.actor = TextField(run[0][5]);
      record.status = exec::ParseRunStatus(TextField(run[0][6])).value_or(exec::RunStatus::kQueued);
      record.started_at = TextField(run[0][7]);
      record.finished_at = TextField(run[0][8]);
      record.inputs = JsonField(run[0][9]);
      record.vars = JsonField(run[0][10]);
      record.environments_file = TextField(run[0][11]);
      pqxx::result jobs = tx.exec_params(
          "SELECT key, CASE WHEN result IS NULL AND call_frame IS NOT NULL AND state <> 'lost' "
          "THEN 'running' ELSE state::text END, COALESCE(result::text, ''), outputs::text, " +
              Utc("started_at") + ", " + Utc("finished_at") +
              ", steps::text FROM jobs WHERE run_id = $1 ORDER BY position",
          run_id);
      for (const pqxx::row& row : jobs) {
        exec::JobRecord job;
        job.status = JobStatusOf(TextField(row[1]));
        job.result = exec::ParseJobResult(TextField(row[2]));
        json outputs = JsonField(row[3]);
        for (auto it = outputs.begin(); outputs.is_object() && it != outputs.end(); ++it) {
          if (it->is_string()) job.outputs[it.key()] = it->get<std::string>();
        }
        job.started_at = TextField(row[4]);
        job.finished_at = TextField(row[5]);
        json steps = JsonField(row[6]);
        for (const json& s : steps.is_array() ? steps : json::array()) {
          exec::StepRecord step;
          step.id = s.value("id", "");
          step.name = s.value("name", "");
          step.outcome = exec::ParseStepConclusion(s.value("outcome", ""));
          step.conclusion = exec::ParseStepConclusion(s.value("conclusion", ""));
          step.log = s.value("log", "");
          if (s.contains("outputs") && s["outputs"].is_object()) {
            for (auto it = s["outputs"].begin(); it != s["outputs"].end(); ++it) {
              if (it->is_string()) step.outputs[it.key()] = it->get<std::string>();
            }
          }
          job.steps.push_back(std::move(step));
        }
        record.jobs[TextField(row[0])] = std::move(job);
      }
      return record;
    });
  }

  Expected<std::vector<std::string>> ListRuns() override {
    return Guard("cannot list runs", [&]() -> Expected<std::vector<std::string>> {
      pqxx::connection connection(dsn_);
      pqxx::nontransaction tx(connection);
      std::vector<std::string> ids;
      for (const pqxx::row& row : tx.exec("SELECT id FROM runs ORDER BY created_at DESC, id")) {
        ids.push_back(TextField(row[0]));
      }
      return ids;
    });
  }

  Expected<exec::RecordedDecision> RecordDecision(const exec::ReviewDecision& d) override {
    return Guard("cannot record the decision", [&]() -> Expected<exec::RecordedDecision> {
      pqxx::connection connection(dsn_);
      pqxx::work tx(connection);
      pqxx::result who = tx.exec(
          "SELECT COALESCE((SELECT reviewer FROM reviewer_roles WHERE role = session_user), "
          "session_user), session_user");
      std::string reviewer = TextField(who[0][0]);
      if (!d.reviewer.empty() && d.reviewer != reviewer) {
        return MakeUnexpected(fmt::format(
            "on this backend the reviewer is the database role: connected as \"{}\" (reviewer "
            "\"{}\"), not \"{}\"",
            TextField(who[0][1]), reviewer, d.reviewer));
      }
      pqxx::result run =
          tx.exec_params("SELECT state::text FROM runs WHERE id = $1", d.run_id);
      if (run.empty()) {
        return MakeUnexpected(fmt::format("no run \"{}\" in {}", d.run_id, RedactDsn(dsn_)));
      }
      std::string state = TextField(run[0][0]);
      if (state != "running" && state != "queued") {
        return MakeUnexpected(fmt::format(
            "run \"{}\" is not running (it ended with {}); nothing to decide", d.run_id, state));
      }
      pqxx::result row = tx.exec_params(
          "INSERT INTO approvals (run_id, environment, role, reviewer, verdict, comment) VALUES "
          "($1, $2, session_user, '', $3::slipway_verdict, $4) RETURNING reviewer, " +
              Utc("at"),
          d.run_id, d.environment,
          d.verdict == exec::GateVerdict::kApprove ? "approve" : "reject", d.comment);
      tx.commit();
      return exec::RecordedDecision{TextField(row[0][0]), TextField(row[0][1])};
    });
  }

  Expected<std::vector<exec::Approval>> Approvals(const std::string& run_id,
                                                  const std::string& environment) override {
    return Guard("cannot read approvals", [&]() -> Expected<std::vector<exec::Approval>> {
      pqxx::connection connection(dsn_);
      pqxx::nontransaction tx(connection);
      std::vector<exec::Approval> out;
      for (const pqxx::row& row : tx.exec_params(
               "SELECT reviewer, " + Utc("at") +
                   ", role FROM approvals WHERE run_id = $1 AND environment = $2 AND verdict = "
                   "'approve' ORDER BY at",
               run_id, environment)) {
        out.push_back({TextField(row[0]), TextField(row[1]), "database role " + TextField(row[2])});
      }
      return out;
    });
  }

  Expected<bool> AppendAudit(json entry) override {
    return AppendPgAudit(dsn_, key_, std::move(entry));
  }
  Expected<exec::AuditVerification> VerifyAudit() override { return VerifyPgAudit(dsn_, key_); }

  Expected<std::unique_ptr<exec::GroupLease>> AcquireGroup(
      const std::string& group, const std::string& run_id, const std::string& job_key,
      bool cancel_in_progress, const std::function<bool()>& interrupted,
      const std::function<void(const std::string&)>& say) override {
    if (cancel_in_progress) {
      return MakeUnexpected(std::string(
          "cancel-in-progress for a group taken outside a submitted run is not supported on "
          "this backend"));
    }
    return Guard("cannot take the concurrency group",
                 [&]() -> Expected<std::unique_ptr<exec::GroupLease>> {
                   auto connection = std::make_unique<pqxx::connection>(dsn_);
                   // Case-insensitive names, as on GitHub (and exec/concurrency.cc).
                   std::string key =
                       job_key.empty() ? AsciiLower(group) : "job\n" + AsciiLower(group);
                   bool announced = false;
                   while (true) {
                     pqxx::nontransaction tx(*connection);
                     if (tx.exec_params("SELECT pg_try_advisory_lock(hashtext($1))", key)[0][0]
                             .as<bool>()) {
                       break;
                     }
                     if (!announced) {
                       say(fmt::format("concurrency group \"{}\": waiting (run {})", group,
                                       run_id));
                       announced = true;
                     }
                     if (interrupted()) return MakeUnexpected(std::string("cancelled"));
                     std::this_thread::sleep_for(std::chrono::milliseconds(200));
                   }
                   return std::unique_ptr<exec::GroupLease>(new PgLease(std::move(connection)));
                 });
  }

  Expected<std::string> StepLog(const std::string& run_id, const std::string& job_key,
                                size_t index) override {
    return Guard("cannot read the log", [&]() -> Expected<std::string> {
      pqxx::connection connection(dsn_);
      pqxx::nontransaction tx(connection);
      pqxx::result row = tx.exec_params(
          "SELECT text FROM step_logs WHERE run_id = $1 AND job_key = $2 AND step_index = $3",
          run_id, job_key, static_cast<int>(index));
      if (row.empty()) {
        return MakeUnexpected(fmt::format("run \"{}\" has no log for step {} of job \"{}\"",
                                          run_id, index + 1, job_key));
      }
      return TextField(row[0][0]);
    });
  }

  Expected<std::vector<exec::StepLogEntry>> StepLogs(const std::string& run_id) override {
    return Guard("cannot read the logs", [&]() -> Expected<std::vector<exec::StepLogEntry>> {
      pqxx::connection connection(dsn_);
      pqxx::nontransaction tx(connection);
      std::vector<exec::StepLogEntry> out;
      for (const pqxx::row& row : tx.exec_params(
               "SELECT l.job_key, l.step_index, l.name, l.attempt, l.text FROM step_logs l LEFT "
               "JOIN jobs j ON j.run_id = l.run_id AND j.key = l.job_key WHERE l.run_id = $1 "
               "ORDER BY j.position, l.job_key, l.step_index",
               run_id)) {
        out.push_back({TextField(row[0]), row[1].as<size_t>(), TextField(row[2]),
                       row[3].as<int>(), TextField(row[4])});
      }
      return out;
    });
  }

  Expected<std::vector<exec::ArtifactEntry>> Artifacts(const std::string& run_id) override {
    return Guard("cannot read artifacts", [&]() -> Expected<std::vector<exec::ArtifactEntry>> {
      pqxx::connection connection(dsn_);
      pqxx::nontransaction tx(connection);
      std::vector<exec::ArtifactEntry> out;
      for (const pqxx::row& row : tx.exec_params(
               "SELECT job_key, name, sha256, size FROM artifacts WHERE run_id = $1 ORDER BY "
               "name",
               run_id)) {
        out.push_back({TextField(row[0]), TextField(row[1]), TextField(row[2]),
                       row[3].as<uint64_t>()});
      }
      return out;
    });
  }

 private:
  std::string dsn_;
  std::string key_;
};

}  // namespace

Expected<std::unique_ptr<exec::Store>> OpenPgStore(const std::string& dsn,
                                                    const std::string& audit_key) {
  Expected<int> version = SchemaVersion(dsn);
  if (!version) {
    return MakeUnexpected(fmt::format("cannot connect to {}: {}", RedactDsn(dsn), version.error()));
  }
  if (*version != LatestSchemaVersion()) {
    return MakeUnexpected(fmt::format(
        "the database schema is at version {}, this slipway needs {}: run `slipway backend init "
        "--backend ...` first",
        *version, LatestSchemaVersion()));
  }
  return std::unique_ptr<exec::Store>(new PgStore(dsn, audit_key));
}

}  // namespace slipway::backend
