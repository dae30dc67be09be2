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

/// One approval, from wherever it came.
struct Approval {
  std::string reviewer;
  std::string at;      // UTC time it was given
  std::string source;  // "command line", "slipway approve", "prompt"
};

/// What CountApprovals decided.
struct ApprovalTally {
  bool satisfied = false;
  int required = 0;
  std::vector<std::string> counted;  // distinct eligible reviewers, in the order they approved
  /// Approvals that do not count, each with why: "\"bob\" is not a required reviewer of
  /// \"production\"", "\"alice\" started the run and \"production\" prevents self-review".
  std::vector<std::string> refused;
};

/// Applies the counting rules; a pure function. Reviewer names compare case-insensitively (as
/// GitHub logins do).
ApprovalTally CountApprovals(const ReviewerPolicy& policy, std::string_view environment,
                             std::string_view actor, const std::vector<Approval>& approvals);

/// The approvals given with `slipway approve` for `environment` in the run directory.
std::vector<Approval> ReadApprovals(const std::string& run_dir, std::string_view environment);

/// Records an approval file (atomically; one file per reviewer, so two approvers never race).
Expected<bool> RecordApproval(const std::string& run_dir, std::string_view environment,
                              const Approval& approval);

/// Approvals typed at the terminal while a run waits (`approve ENV NAME`), collected by a
/// reader thread and seen by every waiting gate. Thread-safe.
class ApprovalInbox {
 public:
  void Add(const std::string& environment, Approval approval);
  std::vector<Approval> For(std::string_view environment) const;
  /// Parses one typed line, "approve ENV NAME"; false (and a hint in `error`) otherwise.
  bool AddLine(std::string_view line, const std::string& at, std::string* error);

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, Approval>> approvals_;
};

enum class GateDecision { kApproved, kTimedOut, kCancelled };

/// Waits until `approvals()` satisfies `policy`, polling every `poll_interval` on `clock`;
/// gives up at `timeout` (approval_timeout) or on cancellation. `on_change` (may be empty) is
/// called whenever the tally changes, for the console and the audit log.
GateDecision WaitForApprovals(const ReviewerPolicy& policy, std::string_view environment,
                              std::string_view actor,
                              const std::function<std::vector<Approval>()>& approvals, Clock& clock,
                              CancelToken& cancel, std::chrono::steady_clock::duration timeout,
                              std::chrono::steady_clock::duration poll_interval,
                              const std::function<void(const ApprovalTally&)>& on_change,
                              ApprovalTally* final_tally);

}  // namespace slipway::exec
