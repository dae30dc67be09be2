#pragma once
/// Helpers shared by the backend's .cc files (never included by other modules): libpqxx is an
/// implementation detail of interpreter/backend, and no exception leaves it.

#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "interpreter/backend/queue.h"
#include "interpreter/base/expected.h"
#include "interpreter/exec/job_runner.h"
#include "interpreter/plan/eval_scope.h"

namespace slipway::backend {

/// A jsonb column (or NULL → null).
inline nlohmann::json JsonField(const pqxx::field& field) {
  if (field.is_null()) return nullptr;
  return nlohmann::json::parse(field.c_str(), nullptr, /*allow_exceptions=*/false);
}

/// A text column (NULL → "").
inline std::string TextField(const pqxx::field& field) {
  return field.is_null() ? std::string() : std::string(field.c_str());
}

/// The strings of a JSON array (others ignored).
inline std::vector<std::string> StringList(const nlohmann::json& array) {
  std::vector<std::string> out;
  if (!array.is_array()) return out;
  for (const auto& item : array) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

/// A jobs row's state as `wait` and `show` say it: its result once it has one; "running" for a
/// calling leg whose call started (pending or ready again while its called jobs run, or until
/// a worker ends it), as a local run records it; else the row's state.
inline constexpr char kShownState[] =
    "CASE WHEN result IS NOT NULL THEN result::text WHEN call_frame IS NOT NULL AND state <> "
    "'lost' THEN 'running' ELSE state::text END";

/// The SQL enum spelling of a job result, and back.
const char* ResultSql(exec::JobResult result);
exec::JobResult ResultFromSql(const std::string& text);

/// Audit entries a transaction writes, appended at its very end by an AuditWriter.
using AuditBuffer = std::vector<nlohmann::json>;

/// A transaction for the hot paths whose BEGIN travels with its first statement and whose
/// COMMIT with its last ones: each is one string of several statements (simple query
/// protocol), so one round trip instead of two or three. It runs on a pqxx::nontransaction,
/// which sends nothing of its own; statements in between go through tx(). Rolled back when it
/// ends uncommitted (an exception, a fenced-out write).
class RawTransaction {
 public:
  explicit RawTransaction(pqxx::connection_base& connection) : tx_(connection) {}
  ~RawTransaction();
  RawTransaction(const RawTransaction&) = delete;
  RawTransaction& operator=(const RawTransaction&) = delete;
  /// Sends "BEGIN; <sql>" and returns the result of `sql`.
  pqxx::result Begin(const std::string& sql);
  /// Sends "<before>; COMMIT; <after>" (`before` may be empty; `after` runs in its own
  /// implicit transaction, with a snapshot taken after the commit) and returns the result of
  /// `after`.
  pqxx::result Commit(const std::string& before, const std::string& after);
  pqxx::transaction_base& tx() { return tx_; }
  /// A string literal, escaped for this connection.
  std::string Quote(const std::string& text) { return tx_.quote(text); }

 private:
  pqxx::nontransaction tx_;
  bool open_ = false;
};

/// One connection's audit chain (pg_audit.h): appends a transaction's entries and commits it.
/// Not thread-safe: one per connection, as the connection itself.
class AuditWriter {
 public:
  /// `key` empty: entries are dropped (an unaudited queue, for benches).
  AuditWriter(std::string key, std::string writer)
      : key_(std::move(key)), writer_(std::move(writer)) {}
  /// Appends `buffer` (emptied) inside `tx` and commits `tx`; the chain's head moves only once
  /// the commit succeeded. `db_time` is the database's time for the entries (read when empty).
  /// A failed audit write throws: the transaction is not committed, nothing is done unaudited.
  void Commit(pqxx::work& tx, AuditBuffer& buffer, const std::string& db_time = "");
  /// The same for a RawTransaction, the append and the COMMIT in one round trip with `after`
  /// (see RawTransaction::Commit), whose result it returns.
  pqxx::result Commit(RawTransaction& tx, AuditBuffer& buffer, const std::string& db_time,
                      const std::string& after);
  /// Whether entries are written (and can be checked): the queue has the audit key.
  bool has_key() const { return !key_.empty(); }
  /// Whether `mac` is the MAC of `entry` after `prev` under this writer's key.
  bool Verifies(const nlohmann::json& entry, const std::string& prev,
                const std::string& mac) const;

 private:
  struct Head {
    int64_t chain = 0;  // 0: no chain opened yet
    int64_t seq = 0;
    std::string mac;
    std::string role;
  };
  void Open(pqxx::transaction_base& tx, Head& head);
  /// The statement appending `buffer` (emptied) after `next` (moved to the new head), or ""
  /// when there is nothing to write.
  std::string Seal(pqxx::transaction_base& tx, AuditBuffer& buffer, const std::string& db_time,
                   Head& next);
  std::string key_, writer_;
  Head head_;
};

/// The database's time as audit entries and run records write it.
constexpr char kUtcFormat[] = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'";

/// Decides what follows once jobs of `run_id` finished: dependants whose needs are all
/// completed become ready / waiting / skipped (cascading), and when nothing is left to run the
/// run ends (its concurrency group passes to the next queued run). The caller holds the run
/// row's lock (SELECT ... FOR UPDATE) in `tx`. Returns how many jobs changed.
int AdvanceRun(pqxx::transaction_base& tx, const std::string& run_id, AuditBuffer& audit);

/// A pending job to decide, as read from a jobs row aliased `p` (kCandidateColumns).
struct Candidate {
  std::string key, job_id, if_condition;
  nlohmann::json gate;
  std::string needs_json;  // a JSON array of job ids
  int max_parallel = 0;
  std::string group_template;  // job-level `concurrency.group` as planned; "" without one
  bool group_cancel = false;   // its cancel-in-progress
  nlohmann::json matrix;       // this instance's combination; null without a matrix
  /// A matrix known only at run time (plan::MatrixDefinitionToJson, as text so that its keys
  /// keep their order): this row is the job's placeholder until it is expanded. "" otherwise.
  std::string matrix_definition;
  int position = 0;
};
extern const char kCandidateColumns[];
Candidate CandidateFromRow(const pqxx::row& row, int first_column);

/// What every decision of one run needs from its row.
struct RunContext {
  std::string run_id;
  bool running = false;
  bool cancelled = false;
  nlohmann::ordered_json github;  // as stored; github.run_id and github.job are overlaid per job
  nlohmann::ordered_json inputs, vars;
  std::string group;
  bool has_calls = false;  // jobs of called workflows are among its rows (calls.cc)

  /// The contexts a job-level expression of job `job_id` sees (github, inputs, vars and the
  /// given needs context), for plan::FillScope; the caller adds matrix, strategy, status.
  plan::EvaluationContexts JobContexts(const std::string& job_id,
                                       const nlohmann::ordered_json* needs) const {
    plan::EvaluationContexts contexts;
    contexts.github = &github;
    contexts.run_id = run_id;
    contexts.job_id = job_id;
    contexts.inputs = &inputs;
    contexts.vars = &vars;
    contexts.needs = needs;
    return contexts;
  }
};

/// Where a pending job stands with respect to reusable-workflow calls (calls.cc), read for
/// the candidates of a run that has calls.
struct CallInfo {
  /// A calling job whose call started: its called jobs all ended now, so a worker ends it.
  bool ending = false;
  bool upstream_failed = false;  // as decided when its call started
  /// A called job: its call leg (the calling job's key and job id), whether that job ended
  /// without its call starting (skipped, failed or cancelled: `caller_result`), and the
  /// inputs of the call when it started.
  std::string caller, caller_job_id;
  bool caller_ended = false;
  std::string caller_result;
  nlohmann::ordered_json inputs;
};
/// The CallInfo of each candidate that calls or is called, by key (one query).
std::map<std::string, CallInfo> LoadCalls(pqxx::transaction_base& tx, const std::string& run_id,
                                          const std::vector<Candidate>& candidates);
/// A called job's id in its own file: `id` without its call leg's "<caller>/".
std::string LocalId(const std::string& id, const std::string& caller);

/// Queue::StartCall's transaction; false when fenced out (nothing written).
bool StartCallInTx(pqxx::transaction_base& tx, const Claim& claim, const nlohmann::json& frame,
                   AuditBuffer& audit);
/// Queue::CallChain's query.
std::vector<CallChainRow> CallChainInTx(pqxx::transaction_base& tx, const std::string& run_id,
                                        const std::string& key);

/// The states a decision moves a pending job to.
enum class Decided { kReady, kWaiting, kCompleted, kThrottled, kGrouped };
const char* DecidedSql(Decided state);

/// What becomes of a pending job whose needs all completed.
struct Decision {
  std::string key, job_id;
  int max_parallel = 0;
  Decided state = Decided::kReady;
  std::string result;  // when completed
  std::string message;
  bool upstream_failed = false;
  double delay_s = 0;    // ready: the wait timer
  double timeout_s = 0;  // waiting: the approval timeout
  // What follows the decision (run_time_matrix.cc, job_groups.cc), from the candidate:
  std::string group_template;
  bool group_cancel = false;
  nlohmann::ordered_json matrix;  // null without a matrix
  std::string matrix_definition;
  int position = 0;
  nlohmann::ordered_json needs;  // the needs context (set when a group or matrix reads it)
  /// A called job: its id in its own file (github.job) and its call's inputs.
  std::string local_id;
  nlohmann::ordered_json call_inputs;
  std::string group;  // the job-level group it evaluated to, folded to lower case; "" none
  /// The contexts of the job's expressions (RunContext::JobContexts, with a called job's own
  /// id and its call's inputs); the caller adds matrix and strategy.
  plan::EvaluationContexts Contexts(const RunContext& run) const {
    plan::EvaluationContexts contexts =
        run.JobContexts(local_id.empty() ? job_id : local_id, &needs);
    if (!local_id.empty()) contexts.inputs = &call_inputs;
    return contexts;
  }
  /// Whether the job may start (ready or waiting at its gate), i.e. holds its group if it has one.
  bool MayStart() const { return state == Decided::kReady || state == Decided::kWaiting; }
  void Fail(std::string why) {
    state = Decided::kCompleted;
    result = "failure";
    message = std::move(why);
  }
};

/// Replaces each decided placeholder of a matrix known only at run time (run_time_matrix.cc)
/// by its legs: their rows are inserted (pending) in place of the placeholder's, and its
/// decision by one per leg. A matrix that cannot be expanded fails the job.
void ExpandRunTimeMatrices(pqxx::transaction_base& tx, const RunContext& run,
                           std::vector<Decision>& decisions);

/// Evaluates the job-level concurrency group of each decision that may start (job_groups.cc),
/// with github, inputs, vars, needs, strategy and matrix, as GitHub gives a job's
/// `concurrency`; an expression that cannot be evaluated fails the job.
void EvaluateGroups(pqxx::transaction_base& tx, const RunContext& run,
                    std::vector<Decision>& decisions);

/// Takes the evaluated groups: a decision whose group another job holds becomes kGrouped.
void TakeGroups(pqxx::transaction_base& tx, const std::string& run_id,
                std::vector<Decision>& decisions, AuditBuffer& audit);

/// Takes job-level group `group` (lower case) for job `key` of `run_id`, about to start: true
/// when it holds it now (a lease row). Otherwise it must wait (the group passes to the job
/// that waited longest when its holder ends: PassGroups) and, with `cancel_in_progress`, the
/// holder is asked to stop: at its next heartbeat when it runs, at the next sweep when it has
/// not started.
bool EnterGroup(pqxx::transaction_base& tx, const std::string& run_id, const std::string& key,
                const std::string& group, bool cancel_in_progress, AuditBuffer& audit);

/// Moves the waiting jobs of `run_id` whose gate is decided (gates.cc): approved → ready
/// (after the wait timer), rejected or timed out → failed. The caller holds the run row's lock.
void DecideGates(pqxx::transaction_base& tx, const std::string& run_id, AuditBuffer& audit);

/// Passes on the groups held by jobs of `run_id` that ended (slipway_pass_groups, schema
/// version 4): whatever ends a job other than its completion (which passes its own) calls it in
/// the same transaction.
void PassGroups(pqxx::transaction_base& tx, const std::string& run_id);

/// A matrix job's strategy after one of its instances completed (strategy.cc): fail-fast
/// cancels the other instances when this one failed (the calls of those whose call started:
/// CancelCallsInTx); else max-parallel lets the next throttled one start (through its group, if
/// it has one). Returns the calling legs to decide again (CancelCallsInTx).
std::vector<std::string> ApplyStrategy(pqxx::transaction_base& tx, const std::string& run_id,
                                       const std::string& job_id, const std::string& key,
                                       exec::JobResult result, int max_parallel, bool fail_fast,
                                       AuditBuffer& audit);

/// Cancels the started calls of calling legs `legs` of `run_id` (calls.cc), as a cancelled run
/// cancels its jobs: their called jobs, nested calls' included, that have not started end
/// cancelled with `why`, running ones are told at their next heartbeat; a leg itself ends once
/// its called jobs all ended, with their results. Returns the keys of the legs (the given ones
/// and the nested ones whose call started) to decide again: those whose called jobs all ended
/// now are ready for a worker to end their call.
std::vector<std::string> CancelCallsInTx(pqxx::transaction_base& tx, const std::string& run_id,
                                         const std::vector<std::string>& legs,
                                         const std::string& why, AuditBuffer& audit);

/// Cancels the jobs of `run_id` asked to stop before they started (cancel-in-progress of a
/// newer job of their group: parked as waiting until then); the caller holds the run row's lock
/// and advances the run.
int CancelRequestedBeforeStart(pqxx::transaction_base& tx, const std::string& run_id,
                               AuditBuffer& audit);

/// The same after a job completed, looking only at its pending `dependants`, which the caller
/// locked (FOR UPDATE) so that two needs completing at once cannot both miss the moment their
/// dependant is decidable; cascades through jobs its decisions complete. Neither locks nor ends
/// the run: the caller checks after its commit (EndRunIfDone), when its own completion and any
/// concurrent one are both visible to one of them.
int AdvanceAfterCompletion(pqxx::transaction_base& tx, const std::string& run_id,
                           std::vector<Candidate> dependants, AuditBuffer& audit);

/// Ends the run if nothing is left to do. The caller holds the run row's lock.
int EndRunIfDone(pqxx::transaction_base& tx, const std::string& run_id, AuditBuffer& audit);

/// Gives `group` to the oldest queued run in it (if any) and starts that run's root jobs.
void StartNextInGroup(pqxx::transaction_base& tx, const std::string& group, AuditBuffer& audit);

/// Puts an ended run back to work (resume.cc); the caller commits.
Expected<ResumeReport> ResumeInTx(pqxx::transaction_base& tx, const std::string& run_id,
                                  AuditBuffer& audit);

/// Starts a run that holds its group: its root jobs are decided.
void StartRun(pqxx::transaction_base& tx, const std::string& run_id, AuditBuffer& audit);

}  // namespace slipway::backend
