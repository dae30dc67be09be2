// The Queue's reads of a run's state: what `wait`, `show`, workers and the call legs ask.
#include <fmt/format.h>

#include "interpreter/backend/pg_internal.h"
#include "interpreter/backend/queue.h"
#include "interpreter/backend/queue_impl.h"
#include "interpreter/exec/audit.h"

namespace slipway::backend {

using nlohmann::json;

RunState RunStateFromSql(const std::string& text) {
  for (RunState s : {RunState::kQueued, RunState::kRunning, RunState::kSuccess,
                     RunState::kFailure, RunState::kCancelled}) {
    if (text == RunStateName(s)) return s;
  }
  return RunState::kFailure;
}

Expected<bool> Queue::WaitForNotification(std::chrono::milliseconds timeout) {
  return Guard("cannot wait for notifications", [&]() -> Expected<bool> {
    int before = impl_->notified.load();
    impl_->connection.get_notifs();
    if (impl_->notified.load() != before) return true;
    long us = static_cast<long>(timeout.count()) * 1000;
    impl_->connection.await_notification(us / 1000000, us % 1000000);
    return impl_->notified.load() != before;
  });
}

Expected<RunStatusInfo> Queue::Status(const std::string& run_id) {
  return Guard("cannot read the run", [&]() -> Expected<RunStatusInfo> {
    pqxx::nontransaction tx(impl_->connection);
    pqxx::result run = tx.exec_params("SELECT state FROM runs WHERE id = $1", run_id);
    if (run.empty()) return MakeUnexpected(fmt::format("no run \"{}\" in the backend", run_id));
    RunStatusInfo info;
    info.state = RunStateFromSql(TextField(run[0][0]));
    pqxx::result jobs = tx.exec_params(
        "SELECT key, " + std::string(kShownState) +
            " FROM jobs WHERE run_id = $1 ORDER BY position, key",
        run_id);
    for (const pqxx::row& row : jobs) info.jobs[TextField(row[0])] = TextField(row[1]);
    return info;
  });
}

Expected<StoredRun> Queue::Stored(const std::string& run_id) {
  return Guard("cannot read the run", [&]() -> Expected<StoredRun> {
    pqxx::nontransaction tx(impl_->connection);
    pqxx::result run = tx.exec_params(
        "SELECT plan_options::text, workflow_sha256 FROM runs WHERE id = $1", run_id);
    if (run.empty()) return MakeUnexpected(fmt::format("no run \"{}\" in the backend", run_id));
    StoredRun stored{JsonField(run[0][0]), TextField(run[0][1])};
    if (!impl_->audit->has_key()) return stored;
    // The run as its submitter stored it, which holds the audit key (a step that learnt a
    // worker's DSN does not): its run-start entry verifies and names these options and bytes.
    // A run inserted or edited by anyone else is not planned, so none of its jobs runs here.
    pqxx::result start = tx.exec_params(
        "SELECT entry::text, prev, mac FROM audit WHERE entry->>'kind' = 'run-start' AND "
        "entry->>'run_id' = $1 ORDER BY seq LIMIT 1",
        run_id);
    json entry = start.empty() ? json() : JsonField(start[0][0]);
    const json how = entry.is_object() ? entry.value("how", json::object()) : json::object();
    if (start.empty() || !impl_->audit->Verifies(entry, TextField(start[0][1]),
                                                 TextField(start[0][2])) ||
        how.value("plan_options_sha256", "") != exec::Sha256Hex(stored.plan_options.dump()) ||
        how.value("workflow_sha256", "") != stored.workflow_sha256) {
      return MakeUnexpected(fmt::format(
          "run \"{}\" is not as its submitter stored it: its options or workflow digest differ "
          "from its audited run-start entry, or that entry is missing or does not verify with "
          "this audit key; nothing of it runs here",
          run_id));
    }
    return stored;
  });
}

Expected<std::vector<exec::ArtifactFile>> Queue::RunArtifacts(const std::string& run_id) {
  return Guard("cannot read the run's artifacts",
               [&]() -> Expected<std::vector<exec::ArtifactFile>> {
                 pqxx::nontransaction tx(impl_->connection);
                 pqxx::result rows = tx.exec_params(
                     "SELECT a.name, a.content FROM artifacts a LEFT JOIN jobs j ON j.run_id = "
                     "a.run_id AND j.key = a.job_key WHERE a.run_id = $1 AND a.content IS NOT "
                     "NULL ORDER BY j.position, a.job_key, a.name",
                     run_id);
                 std::vector<exec::ArtifactFile> files;
                 for (const pqxx::row& row : rows) {
                   files.push_back({TextField(row[0]), pqxx::binarystring(row[1]).str()});
                 }
                 return files;
               });
}

Expected<std::vector<CallChainRow>> Queue::CallChain(const std::string& run_id,
                                                     const std::string& key) {
  return Guard("cannot read the call", [&]() -> Expected<std::vector<CallChainRow>> {
    pqxx::nontransaction tx(impl_->connection);
    return CallChainInTx(tx, run_id, key);
  });
}

}  // namespace slipway::backend
