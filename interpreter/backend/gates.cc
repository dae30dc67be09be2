// Environment gates decided in the database (queue.h): reviewers' approvals and rejections,
// which the reviewers' database roles inserted, and approval timeouts, by the database's
// clock, so that a gate holds with no worker alive. The counting rules are exec's
// (approvals.h), the same as a local run's.
#include <fmt/format.h>

#include "interpreter/backend/pg_internal.h"
#include "interpreter/backend/queue_impl.h"
#include "interpreter/exec/approvals.h"

namespace slipway::backend {
namespace {

using nlohmann::json;

void Audit(AuditBuffer& audit, json entry) { audit.push_back(std::move(entry)); }

}  // namespace

void DecideGates(pqxx::transaction_base& tx, const std::string& run_id, AuditBuffer& audit) {
  pqxx::result waiting = tx.exec_params(
      "SELECT j.key, j.environment, j.gate::text, r.actor, j.gate_deadline < clock_timestamp(), "
      // When the job began to wait: its deadline less the approval timeout it was given.
      "j.gate_deadline - make_interval(secs => COALESCE((j.gate->>'approval_timeout_s')::float8, "
      "172800)) FROM jobs j JOIN runs r ON r.id = j.run_id WHERE j.run_id = $1 AND j.state = 'waiting' "
      "AND NOT j.cancel_requested",  // parked for the sweep to cancel (job_groups.cc)
      run_id);
  for (const pqxx::row& row : waiting) {
    std::string key = TextField(row[0]), environment = TextField(row[1]);
    json gate = JsonField(row[2]);
    if (!gate.is_object()) continue;  // no reviewers: never waiting for them
    std::string actor = TextField(row[3]);
    exec::ReviewerPolicy policy;
    policy.required = gate.value("required", 1);
    policy.users = StringList(gate.value("users", json::array()));
    policy.prevent_self_review = gate.value("prevent_self_review", false);
    std::vector<exec::Approval> approvals;
    pqxx::result given = tx.exec_params(
        "SELECT reviewer, verdict, comment, to_char(at AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), role FROM approvals WHERE run_id = $1 AND "
        // A review answers the jobs waiting when it is given (as a local run's gate): a later
        // job of the run at the same environment waits for reviews of its own.
        "environment = $2 AND at >= $3::timestamptz ORDER BY at",
        run_id, environment, TextField(row[5]));
    for (const pqxx::row& g : given) {
      exec::Approval approval{TextField(g[0]), TextField(g[3]), "database role " + TextField(g[4])};
      approval.comment = TextField(g[2]);
      approval.rejected = TextField(g[1]) == "reject";
      approvals.push_back(std::move(approval));
    }
    exec::ApprovalTally tally = exec::CountApprovals(policy, environment, actor, approvals);
    std::string failure;
    const std::string& rejected_by = tally.rejected_by;
    const std::string& rejection = tally.rejection_comment;
    if (!rejected_by.empty()) {
      failure = fmt::format("\"{}\" rejected the deployment to \"{}\"{}", rejected_by,
                            environment, rejection.empty() ? "" : ": " + rejection);
      Audit(audit, {{"kind", "gate"}, {"run_id", run_id}, {"job", key},
                            {"environment", environment}, {"decision", "rejected"},
                            {"reviewer", rejected_by}, {"reason", rejection}});
    } else if (tally.satisfied) {
      // The database counts them again (schema version 9): a worker's role cannot open a gate
      // that lacks its approvals. (Both count by exec/approvals.h's rules; should they ever
      // differ, the job keeps waiting, and times out, rather than start.)
      pqxx::result opened = tx.exec_params("SELECT slipway_open_gate($1, $2)", run_id, key);
      if (!opened[0][0].as<bool>()) continue;
      Audit(audit, {{"kind", "gate"}, {"run_id", run_id}, {"job", key},
                            {"environment", environment}, {"decision", "approved"},
                            {"reviewers", tally.counted}, {"refused", tally.refused}});
      continue;
    } else if (row[4].as<bool>()) {
      failure = fmt::format("approval for environment \"{}\" timed out ({} of {} approvals)",
                            environment, tally.counted.size(), tally.required);
      Audit(audit, {{"kind", "gate"}, {"run_id", run_id}, {"job", key},
                            {"environment", environment}, {"decision", "timed-out"}});
    } else {
      continue;
    }
    tx.exec_params(
        "UPDATE jobs SET state = 'completed', result = 'failure', message = $3, finished_at = "
        "clock_timestamp() WHERE run_id = $1 AND key = $2",
        run_id, key, failure);
  }
}

Expected<std::string> Queue::GateRefusal(const Claim& claim, const std::string& environment,
                                         const exec::ReviewerPolicy& policy) {
  return Guard("cannot check the job's gate", [&]() -> Expected<std::string> {
    pqxx::nontransaction tx(impl_->connection);
    pqxx::result job = tx.exec_params(
        "SELECT r.actor, to_char((j.gate_deadline - make_interval(secs => COALESCE((j.gate->>"
        "'approval_timeout_s')::float8, 172800))) AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM jobs j JOIN runs r ON r.id = j.run_id "
        "WHERE j.run_id = $1 AND j.key = $2",
        claim.run_id, claim.key);
    if (job.empty() || job[0][1].is_null()) {
      return fmt::format(
          "environment \"{}\" requires reviewers, and job \"{}\" never waited for them: its "
          "row was changed outside slipway; not run",
          environment, claim.key);
    }
    std::vector<exec::Approval> approvals;
    pqxx::result given = tx.exec_params(
        "SELECT reviewer, verdict, comment, role FROM approvals WHERE run_id = $1 AND "
        "environment = $2 AND at >= $3::timestamptz ORDER BY at",
        claim.run_id, environment, TextField(job[0][1]));
    for (const pqxx::row& g : given) {
      exec::Approval approval{TextField(g[0]), "", "database role " + TextField(g[3])};
      approval.comment = TextField(g[2]);
      approval.rejected = TextField(g[1]) == "reject";
      approvals.push_back(std::move(approval));
    }
    exec::ApprovalTally tally =
        exec::CountApprovals(policy, environment, TextField(job[0][0]), approvals);
    if (tally.satisfied) return std::string();
    if (!tally.rejected_by.empty()) {
      return fmt::format("\"{}\" rejected the deployment to \"{}\"; not run", tally.rejected_by,
                         environment);
    }
    return fmt::format(
        "environment \"{}\" requires {} approval(s) and job \"{}\" has {} since it began to "
        "wait; its row was changed outside slipway; not run",
        environment, tally.required, claim.key, tally.counted.size());
  });
}

}  // namespace slipway::backend
