#include "interpreter/exec/approvals.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "interpreter/exec/clock.h"
#include "interpreter/exec/run_store.h"

namespace slipway::exec {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Contains(const std::vector<std::string>& names, const std::string& lower_name) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return Lower(n) == lower_name; });
}

}  // namespace

ApprovalTally CountApprovals(const ReviewerPolicy& policy, std::string_view environment,
                             std::string_view actor, const std::vector<Approval>& approvals) {
  ApprovalTally tally;
  tally.required = policy.has_reviewers() ? std::max(policy.required, 1) : 0;
  std::vector<std::string> seen;
  for (const Approval& approval : approvals) {
    std::string name = Lower(approval.reviewer);
    if (name.empty() || std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
    seen.push_back(name);
    bool listed = Contains(policy.users, name);
    for (const std::string& team : policy.teams) {
      auto members = policy.team_members.find(team);
      if (members != policy.team_members.end() && Contains(members->second, name)) listed = true;
    }
    if (!listed) {
      tally.refused.push_back(fmt::format("\"{}\" is not a required reviewer of \"{}\"",
                                          approval.reviewer, environment));
      continue;
    }
    if (policy.prevent_self_review && name == Lower(actor)) {
      tally.refused.push_back(fmt::format("\"{}\" started the run and \"{}\" prevents self-review",
                                          approval.reviewer, environment));
      continue;
    }
    tally.counted.push_back(approval.reviewer);
  }
  tally.satisfied = static_cast<int>(tally.counted.size()) >= tally.required;
  return tally;
}

std::vector<Approval> ReadApprovals(const std::string& run_dir, std::string_view environment) {
  std::vector<Approval> approvals;
  std::filesystem::path dir =
      std::filesystem::path(run_dir) / "approvals" / SafeFileName(std::string(environment));
  std::error_code error;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  for (const std::filesystem::path& file : files) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json value = nlohmann::json::parse(text.str(), nullptr, false);
    if (!value.is_object() || !value.contains("reviewer") || !value["reviewer"].is_string()) {
      continue;  // a half-written temp file never has the .json name, so this is junk
    }
    if (value.value("environment", std::string()) != environment) continue;
    approvals.push_back({value["reviewer"].get<std::string>(), value.value("at", std::string()),
                         value.value("source", std::string("slipway approve"))});
  }
  // In the order given, so "counted" lists reviewers as they approved.
  std::sort(approvals.begin(), approvals.end(),
            [](const Approval& a, const Approval& b) { return a.at < b.at; });
  return approvals;
}

Expected<bool> RecordApproval(const std::string& run_dir, std::string_view environment,
                              const Approval& approval) {
  std::filesystem::path dir =
      std::filesystem::path(run_dir) / "approvals" / SafeFileName(std::string(environment));
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return MakeUnexpected(
        fmt::format("cannot create directory \"{}\": {}", dir.string(), error.message()));
  }
  nlohmann::json value = {{"environment", environment},
                          {"reviewer", approval.reviewer},
                          {"at", approval.at},
                          {"source", approval.source}};
  std::string file = (dir / (SafeFileName(Lower(approval.reviewer)) + ".json")).string();
  return WriteFileAtomically(file, value.dump() + "\n");
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
