// Environment gates decided in the database (queue.h): reviewers' approvals and rejections,
// which the reviewers' database roles inserted, and approval timeouts, by the database's
// clock, so that a gate holds with no worker alive. The counting rules are exec's
// (approvals.h), the same as a local run's.
#include <fmt/format.h>

#include "interpreter/backend/pg_internal.h"
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
      tx.exec_params(
          "UPDATE jobs SET state = 'ready', ready_at = clock_timestamp() + make_interval(secs "
          "=> $3), not_before = clock_timestamp() + make_interval(secs => $3) WHERE run_id = $1 "
          "AND key = $2",
          run_id, key, gate.value("wait_timer_s", 0.0));
      tx.exec_params("SELECT pg_notify('slipway_work', $1)", run_id);
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

}  // namespace slipway::backend
