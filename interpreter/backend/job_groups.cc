// Job-level `concurrency:` groups on the PostgreSQL backend, with exec/concurrency.h's
// semantics (one holder per group at a time; a newcomer waits its turn, or with
// cancel-in-progress asks the holder to stop; names compared ignoring case; job-level groups
// apart from workflow-level ones), held in lease rows that every host shares. A job takes its
// group when it is decided (its needs met, its `if:` true), before its environment's gate, as
// a local job does before its first step; one that must wait is 'grouped' and holds no worker.
// The group passes on when its holder ends, whatever ends it (a completion, the sweep, a
// cancellation, fail-fast), in the same transaction: slipway_pass_groups (schema version 4)
// hands it to the job that has waited longest.
#include <fmt/format.h>

#include <map>

#include "interpreter/backend/pg_internal.h"
#include "interpreter/base/ascii.h"
#include "interpreter/model/concurrency_group.h"
#include "interpreter/plan/eval_scope.h"

namespace slipway::backend {
namespace {

using nlohmann::ordered_json;

// The strategy context of decision `d` (its instance's place among its job's rows).
ordered_json StrategyOf(pqxx::transaction_base& tx, const std::string& run_id,
                        const Decision& d) {
  pqxx::result row = tx.exec_params(
      "SELECT count(*) FILTER (WHERE position < $3), count(*), COALESCE(bool_or(fail_fast), "
      "false) FROM jobs WHERE run_id = $1 AND job_id = $2",
      run_id, d.job_id, d.position);
  int64_t total = std::max<int64_t>(row[0][1].as<int64_t>(), 1);
  return {{"fail-fast", d.matrix.is_null() ? true : row[0][2].as<bool>()},
          {"job-index", row[0][0].as<int64_t>()},
          {"job-total", total},
          {"max-parallel", d.max_parallel > 0 ? d.max_parallel : total}};
}

// The `cancel-in-progress` expressions known only at run time of the decisions that may take a
// group (grp_cancel_template), by key; one query, and only when such a decision is there.
std::map<std::string, std::string> CancelTemplates(pqxx::transaction_base& tx,
                                                   const std::string& run_id,
                                                   const std::vector<Decision>& decisions) {
  nlohmann::json keys = nlohmann::json::array();
  for (const Decision& d : decisions) {
    if (!d.group_template.empty() && d.MayStart()) keys.push_back(d.key);
  }
  std::map<std::string, std::string> out;
  if (keys.empty()) return out;
  pqxx::result rows = tx.exec_params(
      "SELECT key, grp_cancel_template FROM jobs WHERE run_id = $1 AND key IN (SELECT "
      "jsonb_array_elements_text($2::jsonb)) AND grp_cancel_template IS NOT NULL",
      run_id, keys.dump());
  for (const pqxx::row& row : rows) out[TextField(row[0])] = TextField(row[1]);
  return out;
}

std::string ReplacedMessage(const std::string& group) {
  // exec/job_gate.cc's words for a pending job that a newer one replaced.
  return fmt::format("cancelled: a newer job of concurrency group \"{}\" is pending", group);
}

}  // namespace

void EvaluateGroups(pqxx::transaction_base& tx, const RunContext& run,
                    std::vector<Decision>& decisions) {
  const std::map<std::string, std::string> cancel_templates =
      CancelTemplates(tx, run.run_id, decisions);
  for (Decision& d : decisions) {
    if (d.group_template.empty() || !d.MayStart()) continue;
    ordered_json strategy;
    plan::EvaluationContexts contexts = d.Contexts(run);
    contexts.matrix = &d.matrix;  // null without a matrix, as on GitHub
    if (d.group_template.find("strategy") != std::string::npos) {
      strategy = StrategyOf(tx, run.run_id, d);
      contexts.strategy = &strategy;
    }
    plan::Scope scope;
    plan::FillScope(scope, contexts);
    plan::Substitution group = plan::Substitute(d.group_template, scope);
    if (!group.error.empty() || !group.resolved) {
      d.Fail(fmt::format("cannot evaluate the job's concurrency group \"{}\": {}",
                         d.group_template,
                         !group.error.empty()
                             ? group.error
                             : "it reads " + group.unknown.front() +
                                   ", which a job's concurrency group cannot read"));
      continue;
    }
    if (std::string problem = model::ConcurrencyGroupProblem(group.text); !problem.empty()) {
      d.Fail(
          fmt::format("Error when evaluating 'concurrency' for job '{}'. {}", d.job_id, problem));
      continue;
    }
    // An empty name is no group, as on GitHub.
    d.group = AsciiLower(group.text);
    // As a local job does (exec/job_gate.cc): cancel-in-progress is evaluated when the job is
    // about to start, in the same contexts as its group.
    if (auto it = cancel_templates.find(d.key); it != cancel_templates.end()) {
      plan::Substitution cancel = plan::Substitute(it->second, scope);
      if (!cancel.error.empty() || !cancel.resolved) {
        d.Fail(fmt::format("cannot evaluate the job's concurrency cancel-in-progress \"{}\": {}",
                           it->second,
                           !cancel.error.empty() ? cancel.error
                                                 : "it reads " + cancel.unknown.front() +
                                                       ", which a job's concurrency cannot read"));
        continue;
      }
      d.group_cancel = cancel.text == "true";
    }
  }
}

void TakeGroups(pqxx::transaction_base& tx, const std::string& run_id,
                std::vector<Decision>& decisions, AuditBuffer& audit) {
  // GitHub keeps one pending job per group: of this batch's jobs that must wait for the same
  // group, the later replaces the earlier (EnterGroup replaces those already waiting).
  std::map<std::string, Decision*> pending;  // group → this batch's job waiting for it
  for (Decision& d : decisions) {
    if (d.group.empty() || !d.MayStart()) continue;
    if (EnterGroup(tx, run_id, d.key, d.group, d.group_cancel, audit)) continue;
    d.state = Decided::kGrouped;
    Decision*& older = pending[d.group];
    if (older) {
      older->state = Decided::kCompleted;
      older->result = "cancelled";
      older->message = ReplacedMessage(older->group);
      older->group.clear();
      audit.push_back({{"kind", "job-cancelled"},
                       {"run_id", run_id},
                       {"job", older->key},
                       {"message", older->message}});
    }
    older = &d;
  }
}

bool EnterGroup(pqxx::transaction_base& tx, const std::string& run_id, const std::string& key,
                const std::string& group, bool cancel_in_progress, AuditBuffer& audit) {
  while (true) {
    pqxx::result taken = tx.exec_params(
        "INSERT INTO job_group_leases (grp, run_id, job_key) VALUES ($1, $2, $3) ON CONFLICT "
        "(grp) DO NOTHING RETURNING 1",
        group, run_id, key);
    if (!taken.empty()) return true;
    if (cancel_in_progress) {
      // Told at its next heartbeat when it runs. One that has not started is cancelled by the
      // next sweep (which advances its run, whichever run that is); a ready one is parked as
      // waiting meanwhile, so that it is never claimed (claims stay free of the check).
      pqxx::result asked = tx.exec_params(
          "UPDATE jobs j SET cancel_requested = true, message = $2, state = CASE WHEN j.state = "
          "'ready' THEN 'waiting' ELSE j.state END FROM job_group_leases l WHERE l.grp = $1 AND "
          "j.run_id = l.run_id AND j.key = l.job_key AND j.state IN ('waiting', 'ready', "
          "'running') AND NOT j.cancel_requested RETURNING j.run_id, j.key",
          group,
          fmt::format("a newer job took concurrency group \"{}\" (cancel-in-progress)", group));
      for (const pqxx::row& row : asked) {
        audit.push_back({{"kind", "concurrency-cancel"},
                         {"run_id", TextField(row[0])},
                         {"job", TextField(row[1])},
                         {"group", group},
                         {"by", {{"run_id", run_id}, {"job", key}}}});
      }
    }
    // The lease row stays locked until this transaction ends, so a holder ending meanwhile
    // (slipway_pass_groups deletes the row) sees this job waiting and passes the group to it.
    pqxx::result held = tx.exec_params(
        "SELECT 1 FROM job_group_leases WHERE grp = $1 FOR KEY SHARE", group);
    if (!held.empty()) {
      // This job is the group's pending one now: an older pending job is cancelled, as on
      // GitHub. It is parked as waiting, asked to stop, until the next sweep cancels it and
      // advances its run (whichever run that is), as a cancel-in-progress holder that has not
      // started is.
      pqxx::result replaced = tx.exec_params(
          "UPDATE jobs SET cancel_requested = true, message = $3, state = 'waiting', grp = NULL, "
          "grouped_at = NULL WHERE grp = $1 AND state = 'grouped' AND NOT (run_id = $2 AND key "
          "= $4) RETURNING run_id, key",
          group, run_id, ReplacedMessage(group), key);
      for (const pqxx::row& row : replaced) {
        audit.push_back({{"kind", "concurrency-replaced"},
                         {"run_id", TextField(row[0])},
                         {"job", TextField(row[1])},
                         {"group", group},
                         {"by", {{"run_id", run_id}, {"job", key}}}});
      }
      return false;
    }
    // The holder ended between the two statements: the group is free; try again.
  }
}

void PassGroups(pqxx::transaction_base& tx, const std::string& run_id) {
  tx.exec_params("SELECT slipway_pass_groups($1)", run_id);
}

int CancelRequestedBeforeStart(pqxx::transaction_base& tx, const std::string& run_id,
                               AuditBuffer& audit) {
  pqxx::result cancelled = tx.exec_params(
      "UPDATE jobs SET state = 'completed', result = 'cancelled', message = CASE WHEN message = "
      "'' THEN 'cancelled before it started' ELSE message END, finished_at = clock_timestamp() "
      "WHERE run_id = $1 AND cancel_requested AND state = 'waiting' RETURNING key, "
      "message",
      run_id);
  for (const pqxx::row& row : cancelled) {
    audit.push_back({{"kind", "job-cancelled"},
                     {"run_id", run_id},
                     {"job", TextField(row[0])},
                     {"message", TextField(row[1])}});
  }
  return static_cast<int>(cancelled.size());
}

}  // namespace slipway::backend
