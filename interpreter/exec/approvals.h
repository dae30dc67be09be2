#pragma once
/// Approval gates of protected environments. Approvals arrive from `--approve ENV --as NAME`,
/// from `slipway approve RUN_ID ENV --as NAME` in another terminal (a file in the run directory,
/// written atomically, which the waiting run polls on its Clock), or from a TTY prompt.
/// CountApprovals is the one place that decides whether they satisfy an environment's rules:
/// distinct reviewers, only configured users or team members count, prevent_self_review
/// refuses the run's actor. Nothing bypasses it.

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/base/expected.h"
#include "interpreter/exec/cancel_token.h"

namespace slipway::exec {

class Clock;

/// An environment's required_reviewers, with its teams resolved to members.
struct ReviewerPolicy {
  int required = 1;                // distinct approvals needed
  std::vector<std::string> users;  // reviewers named directly
  std::vector<std::string> teams;  // team names; members in `team_members`
  std::map<std::string, std::vector<std::string>> team_members;
  bool prevent_self_review = false;
  /// True when the environment requires reviewers at all.
  bool has_reviewers() const { return !users.empty() || !teams.empty(); }
};

/// One approval (or rejection), from wherever it came.
struct Approval {
  std::string reviewer;
  std::string at;      // UTC time it was given
  std::string source;  // "command line", "slipway approve", "prompt"
  std::string comment{};
  bool rejected = false;  // `slipway reject`: the reviewer refuses the deployment
  /// A record in the run directory whose MAC does not verify (not written by `slipway
  /// approve`/`reject`): never counted, reported as an attempted forgery.
  bool forged = false;
  std::string file{};  // the record's file, for messages ("" when not from a file)
};

/// What CountApprovals decided.
struct ApprovalTally {
  bool satisfied = false;
  int required = 0;
  /// Distinct eligible reviewers, in the order they approved; never more than `required`.
  std::vector<std::string> counted;
  /// Approvals that do not count, each with why: "\"bob\" is not a required reviewer of
  /// \"production\"", "\"alice\" started the run and \"production\" prevents self-review".
  std::vector<std::string> refused;
  /// Set when an eligible reviewer rejected: who, and their comment.
  std::string rejected_by;
  std::string rejection_comment;
};

/// Applies the counting rules; a pure function. Reviewer names compare case-insensitively (as
/// GitHub logins do). Counting stops at `required`. A rejection by an eligible reviewer (the
/// run's actor included: refusing is always allowed) wins over any number of approvals.
ApprovalTally CountApprovals(const ReviewerPolicy& policy, std::string_view environment,
                             std::string_view actor, const std::vector<Approval>& approvals);

/// Why `approval` would not count now (given `existing` valid records and the gate's policy),
/// or "" when it would: an unknown reviewer, self-review, a repeat, a gate already satisfied.
std::string WhyNotCounted(const ReviewerPolicy& policy, std::string_view environment,
                          std::string_view actor, const std::vector<Approval>& existing,
                          const Approval& approval);

/// The key approval records are signed with: derived from the audit key (LoadAuditKey), so it
/// lives outside the workspace and the state directory and no step is handed it.
Expected<std::string> ApprovalKey(const std::string& state_dir, bool create);

/// The records given with `slipway approve`/`reject` for `environment` in the run directory
/// (DIR/runs/<id>). Records whose MAC does not verify under the approval key are returned with
/// `forged` set, once: they are renamed to "*.forged" and an "approval-forgery" entry is
/// appended to the audit log.
std::vector<Approval> ReadApprovals(const std::string& run_dir, std::string_view environment);

/// Records an approval or rejection (atomically; one file per reviewer and decision, so two
/// reviewers never race), signed with the approval key.
Expected<bool> RecordApproval(const std::string& run_dir, std::string_view environment,
                              const Approval& approval);

/// What a gate that waits for approvals publishes in the run directory, so `slipway approve`
/// and `reject` can check a decision against it before recording it. Signed like a record.
struct WaitingGate {
  std::string environment;
  std::string actor;
  ReviewerPolicy policy;
  /// When the job began to wait (UTC, the system clock): only reviews given since answer it.
  std::string since{};
};

/// Publishes `gate` as DIR/runs/<id>/approvals/<env>/waiting (signed) for as long as the
/// object lives.
class WaitingMark {
 public:
  WaitingMark(std::string run_dir, const WaitingGate& gate);
  ~WaitingMark();
  WaitingMark(const WaitingMark&) = delete;
  WaitingMark& operator=(const WaitingMark&) = delete;

 private:
  std::string path_;
};

/// The gate waiting at `environment` in run directory `run_dir`; an error saying why not
/// (no gate waiting there, or a waiting file that is not slipway's).
Expected<WaitingGate> ReadWaitingGate(const std::string& run_dir, std::string_view environment);

/// Approvals typed at the terminal while a run waits (`approve ENV NAME`), collected by a
/// reader thread and seen by every waiting gate. Thread-safe.
class ApprovalInbox {
 public:
  void Add(const std::string& environment, Approval approval);
  std::vector<Approval> For(std::string_view environment) const;
  /// Parses one typed line, "approve ENV NAME"; false (and a hint in `error`) otherwise.
  /// The prompt is the terminal of the user who started the run: what is typed there is
  /// trusted like `--approve` (steps have no access to slipway's standard input).
  bool AddLine(std::string_view line, const std::string& at, std::string* error);

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, Approval>> approvals_;
};

/// "environment \"production\" was rejected by \"bob\": not during the sale" (the comment,
/// when given, after the colon).
std::string RejectionMessage(std::string_view environment, const ApprovalTally& tally);

enum class GateDecision { kApproved, kTimedOut, kCancelled, kRejected };

/// Waits until `approvals()` satisfies `policy`, polling every `poll_interval` on `clock`;
/// gives up at `timeout` (approval_timeout), on a rejection by an eligible reviewer, or on
/// cancellation. `on_change` (may be empty) is
/// called whenever the tally changes, for the console and the audit log.
GateDecision WaitForApprovals(const ReviewerPolicy& policy, std::string_view environment,
                              std::string_view actor,
                              const std::function<std::vector<Approval>()>& approvals, Clock& clock,
                              CancelToken& cancel, std::chrono::steady_clock::duration timeout,
                              std::chrono::steady_clock::duration poll_interval,
                              const std::function<void(const ApprovalTally&)>& on_change,
                              ApprovalTally* final_tally);

}  // namespace slipway::exec
