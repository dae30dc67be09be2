#include "interpreter/exec/approvals.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "interpreter/base/ascii.h"
#include "interpreter/base/fd_io.h"
#include "interpreter/exec/audit.h"
#include "interpreter/exec/clock.h"
#include "interpreter/exec/run_store.h"

namespace slipway::exec {
namespace {


bool Contains(const std::vector<std::string>& names, const std::string& lower_name) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return AsciiLower(n) == lower_name; });
}

bool IsEligible(const ReviewerPolicy& policy, const std::string& lower_name) {
  if (Contains(policy.users, lower_name)) return true;
  for (const std::string& team : policy.teams) {
    auto members = policy.team_members.find(team);
    if (members != policy.team_members.end() && Contains(members->second, lower_name)) return true;
  }
  return false;
}

std::string NotAReviewer(const Approval& approval, std::string_view environment) {
  return fmt::format("\"{}\" is not a required reviewer of \"{}\"", approval.reviewer, environment);
}

std::string Forged(const Approval& approval) {
  return fmt::format(
      "the record \"{}\" (claiming \"{}\") is forged: its MAC does not verify, so it was not "
      "written by `slipway approve`",
      approval.file, approval.reviewer);
}

}  // namespace

ApprovalTally CountApprovals(const ReviewerPolicy& policy, std::string_view environment,
                             std::string_view actor, const std::vector<Approval>& approvals) {
  ApprovalTally tally;
  tally.required = policy.has_reviewers() ? std::max(policy.required, 1) : 0;
  // A rejection by anyone eligible ends the gate, however many approvals came first.
  for (const Approval& approval : approvals) {
    if (approval.forged || !approval.rejected) continue;
    if (IsEligible(policy, AsciiLower(approval.reviewer))) {
      tally.rejected_by = approval.reviewer;
      tally.rejection_comment = approval.comment;
      break;
    }
  }
  std::vector<std::string> seen;
  for (const Approval& approval : approvals) {
    if (approval.forged) {
      tally.refused.push_back(Forged(approval));
      continue;
    }
    std::string name = AsciiLower(approval.reviewer);
    if (approval.rejected) {
      if (!IsEligible(policy, name)) tally.refused.push_back(NotAReviewer(approval, environment));
      continue;
    }
    if (name.empty() || std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
    seen.push_back(name);
    if (!IsEligible(policy, name)) {
      tally.refused.push_back(NotAReviewer(approval, environment));
      continue;
    }
    if (policy.prevent_self_review && name == AsciiLower(actor)) {
      tally.refused.push_back(fmt::format("\"{}\" started the run and \"{}\" prevents self-review",
                                          approval.reviewer, environment));
      continue;
    }
    // Counting stops at what is required: "3 of 2" is never reported.
    if (static_cast<int>(tally.counted.size()) < tally.required) {
      tally.counted.push_back(approval.reviewer);
    }
  }
  tally.satisfied =
      tally.rejected_by.empty() && static_cast<int>(tally.counted.size()) >= tally.required;
  return tally;
}

std::string WhyNotCounted(const ReviewerPolicy& policy, std::string_view environment,
                          std::string_view actor, const std::vector<Approval>& existing,
                          const Approval& approval) {
  std::string name = AsciiLower(approval.reviewer);
  if (name.empty()) return "the reviewer name is empty";
  if (!IsEligible(policy, name)) return NotAReviewer(approval, environment);
  ApprovalTally before = CountApprovals(policy, environment, actor, existing);
  if (!before.rejected_by.empty()) {
    return fmt::format("\"{}\" was already rejected by \"{}\"", environment, before.rejected_by);
  }
  for (const Approval& previous : existing) {
    if (!previous.forged && previous.rejected == approval.rejected &&
        AsciiLower(previous.reviewer) == name) {
      return fmt::format("\"{}\" already {} \"{}\" for this run", approval.reviewer,
                         approval.rejected ? "rejected" : "approved", environment);
    }
  }
  if (approval.rejected) return "";
  if (policy.prevent_self_review && name == AsciiLower(actor)) {
    return fmt::format("\"{}\" started the run and \"{}\" prevents self-review", approval.reviewer,
                       environment);
  }
  if (before.satisfied) {
    return fmt::format("\"{}\" already has the {} approval(s) it requires", environment,
                       before.required);
  }
  return "";
}

namespace {

namespace fs = std::filesystem;

// The state directory of run directory DIR/runs/<id>.
std::string StateDirOf(const std::string& run_dir) {
  return fs::path(run_dir).lexically_normal().parent_path().parent_path().string();
}

std::string RunIdOf(const std::string& run_dir) {
  fs::path path = fs::path(run_dir).lexically_normal();
  if (path.filename().empty()) path = path.parent_path();
  return path.filename().string();
}

// The MAC of a record: over its canonical form without "mac" (sorted keys, compact).
std::string RecordMac(const std::string& key, nlohmann::json record) {
  record.erase("mac");
  return HmacSha256Hex(key, "slipway approval record\n" + record.dump());
}

bool Verifies(const std::string& key, const nlohmann::json& record) {
  return record.is_object() && record.contains("mac") && record["mac"].is_string() &&
         !key.empty() && RecordMac(key, record) == record["mac"].get<std::string>();
}

/// A decision or request file's text; "" when it is missing or not a readable regular file of
/// at most 32 MiB (which then parses as no record).
std::string ReadText(const fs::path& file) {
  std::string text, error;
  if (!ReadStateFile(file.string(), &text, &error)) return "";
  return text;
}

std::string GateDir(const std::string& run_dir, std::string_view environment) {
  return (fs::path(run_dir) / "approvals" / SafeFileName(std::string(environment))).string();
}

}  // namespace

Expected<std::string> ApprovalKey(const std::string& state_dir, bool create) {
  Expected<std::string> audit_key = LoadAuditKey(state_dir, create);
  if (!audit_key) return MakeUnexpected(audit_key.error());
  // A key of its own purpose: an approval MAC can never pass as an audit MAC or the reverse.
  return HmacSha256Hex(*audit_key, "slipway approvals v1");
}

std::vector<Approval> ReadApprovals(const std::string& run_dir, std::string_view environment) {
  std::vector<Approval> approvals;
  fs::path dir = GateDir(run_dir, environment);
  std::error_code error;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (files.empty()) return approvals;
  std::sort(files.begin(), files.end());
  const std::string state_dir = StateDirOf(run_dir);
  const std::string run_id = RunIdOf(run_dir);
  Expected<std::string> key = ApprovalKey(state_dir, /*create=*/false);
  for (const fs::path& file : files) {
    nlohmann::json value = nlohmann::json::parse(ReadText(file), nullptr, false);
    Approval approval;
    approval.file = file.string();
    if (value.is_object() && value.contains("reviewer") && value["reviewer"].is_string()) {
      approval.reviewer = value["reviewer"].get<std::string>();
    }
    bool genuine = key && Verifies(*key, value) && value.value("run_id", "") == run_id &&
                   value.value("environment", "") == environment;
    if (!genuine) {
      // Refused, reported once: moved aside (kept for a look) and audited as a forgery.
      approval.forged = true;
      fs::rename(file, fs::path(file.string() + ".forged"), error);
      if (Expected<AuditLog> audit = AuditLog::Open(state_dir, nullptr)) {
        Expected<bool> appended =
            audit->Append({{"kind", "approval-forgery"},
                           {"time", FormatUtc(std::chrono::system_clock::now())},
                           {"run_id", run_id},
                           {"environment", environment},
                           {"claimed_reviewer", approval.reviewer},
                           {"file", approval.file}});
        if (!appended) {
          approval.comment = "the attempt could not be audited: " + appended.error();
        }
      }
      approvals.push_back(std::move(approval));
      continue;
    }
    approval.at = value.value("at", std::string());
    approval.source = value.value("source", std::string("slipway approve"));
    approval.comment = value.value("comment", std::string());
    approval.rejected = value.value("decision", std::string("approve")) == "reject";
    approvals.push_back(std::move(approval));
  }
  // In the order given, so "counted" lists reviewers as they approved.
  std::stable_sort(approvals.begin(), approvals.end(),
                   [](const Approval& a, const Approval& b) { return a.at < b.at; });
  return approvals;
}

Expected<bool> RecordApproval(const std::string& run_dir, std::string_view environment,
                              const Approval& approval) {
  fs::path dir = GateDir(run_dir, environment);
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    return MakeUnexpected(
        fmt::format("cannot create directory \"{}\": {}", dir.string(), error.message()));
  }
  Expected<std::string> key = ApprovalKey(StateDirOf(run_dir), /*create=*/true);
  if (!key) return MakeUnexpected(key.error());
  nlohmann::json value = {
      {"run_id", RunIdOf(run_dir)},    {"environment", environment},
      {"reviewer", approval.reviewer}, {"decision", approval.rejected ? "reject" : "approve"},
      {"comment", approval.comment},   {"at", approval.at},
      {"source", approval.source}};
  value["mac"] = RecordMac(*key, value);
  std::string name = (approval.rejected ? "reject-" : "approve-") +
                     SafeFileName(AsciiLower(approval.reviewer)) + ".json";
  return WriteFileAtomically((dir / name).string(), value.dump() + "\n", 0600);
}

WaitingMark::WaitingMark(std::string run_dir, const WaitingGate& gate) {
  Expected<std::string> key = ApprovalKey(StateDirOf(run_dir), /*create=*/true);
  if (!key) return;  // `approve` then says no gate is waiting; the gate itself still works
  fs::path dir = GateDir(run_dir, gate.environment);
  std::error_code error;
  fs::create_directories(dir, error);
  nlohmann::json value = {{"run_id", RunIdOf(run_dir)},
                          {"environment", gate.environment},
                          {"actor", gate.actor},
                          {"required", gate.policy.required},
                          {"users", gate.policy.users},
                          {"teams", gate.policy.teams},
                          {"team_members", gate.policy.team_members},
                          {"prevent_self_review", gate.policy.prevent_self_review},
                          {"since", gate.since}};
  value["mac"] = RecordMac(*key, value);
  std::string path = (dir / "waiting").string();
  if (WriteFileAtomically(path, value.dump() + "\n", 0600)) path_ = path;
}

WaitingMark::~WaitingMark() {
  if (!path_.empty()) unlink(path_.c_str());
}

Expected<WaitingGate> ReadWaitingGate(const std::string& run_dir, std::string_view environment) {
  fs::path path = fs::path(GateDir(run_dir, environment)) / "waiting";
  std::error_code error;
  if (!fs::exists(path, error)) {
    return MakeUnexpected(
        fmt::format("run \"{}\" is not waiting for approval of environment "
                    "\"{}\"",
                    RunIdOf(run_dir), environment));
  }
  Expected<std::string> key = ApprovalKey(StateDirOf(run_dir), /*create=*/false);
  if (!key) return MakeUnexpected(key.error());
  nlohmann::json value = nlohmann::json::parse(ReadText(path), nullptr, false);
  if (!Verifies(*key, value) || value.value("run_id", "") != RunIdOf(run_dir) ||
      value.value("environment", "") != environment) {
    return MakeUnexpected(fmt::format(
        "\"{}\" was not written by slipway (its MAC does not verify); refusing to use it",
        path.string()));
  }
  WaitingGate gate;
  gate.environment = std::string(environment);
  gate.actor = value.value("actor", "");
  gate.since = value.value("since", "");
  gate.policy.required = value.value("required", 1);
  gate.policy.users = value.value("users", std::vector<std::string>());
  gate.policy.teams = value.value("teams", std::vector<std::string>());
  gate.policy.team_members =
      value.value("team_members", std::map<std::string, std::vector<std::string>>());
  gate.policy.prevent_self_review = value.value("prevent_self_review", false);
  return gate;
}

void ApprovalInbox::Add(const std::string& environment, Approval approval) {
  std::lock_guard<std::mutex> lock(mutex_);
  approvals_.emplace_back(environment, std::move(approval));
}

std::vector<Approval> ApprovalInbox::For(std::string_view environment) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Approval> out;
  for (const auto& [env, approval] : approvals_) {
    if (env == environment) out.push_back(approval);
  }
  return out;
}

bool ApprovalInbox::AddLine(std::string_view line, const std::string& at, std::string* error) {
  std::vector<std::string> words;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t start = line.find_first_not_of(" \t\r\n", pos);
    if (start == std::string_view::npos) break;
    size_t end = line.find_first_of(" \t\r\n", start);
    if (end == std::string_view::npos) end = line.size();
    words.emplace_back(line.substr(start, end - start));
    pos = end;
  }
  if (words.empty()) return false;
  if (words.size() != 3 || words[0] != "approve") {
    *error = "type \"approve ENV NAME\" to approve an environment";
    return false;
  }
  Add(words[1], Approval{words[2], at, "prompt"});
  return true;
}

std::string RejectionMessage(std::string_view environment, const ApprovalTally& tally) {
  return fmt::format("environment \"{}\" was rejected by \"{}\"{}", environment, tally.rejected_by,
                     tally.rejection_comment.empty() ? "" : ": " + tally.rejection_comment);
}

GateDecision WaitForApprovals(const ReviewerPolicy& policy, std::string_view environment,
                              std::string_view actor,
                              const std::function<std::vector<Approval>()>& approvals, Clock& clock,
                              CancelToken& cancel, std::chrono::steady_clock::duration timeout,
                              std::chrono::steady_clock::duration poll_interval,
                              const std::function<void(const ApprovalTally&)>& on_change,
                              ApprovalTally* final_tally) {
  const auto deadline = clock.Now() + timeout;
  ApprovalTally last;
  bool first = true;
  while (true) {
    ApprovalTally tally = CountApprovals(policy, environment, actor, approvals());
    if (first || tally.counted != last.counted || tally.refused != last.refused) {
      if (on_change) on_change(tally);
      first = false;
    }
    last = tally;
    if (final_tally) *final_tally = tally;
    if (!tally.rejected_by.empty()) return GateDecision::kRejected;
    if (tally.satisfied) return GateDecision::kApproved;
    if (cancel.is_cancelled()) return GateDecision::kCancelled;
    auto now = clock.Now();
    if (now >= deadline) return GateDecision::kTimedOut;
    if (!clock.SleepUntil(std::min(deadline, now + poll_interval), cancel)) {
      return GateDecision::kCancelled;
    }
  }
}

}  // namespace slipway::exec
