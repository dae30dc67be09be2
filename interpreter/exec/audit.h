#pragma once
/// The audit trail: DIR/audit.jsonl, append-only, one JSON object per line — run start,
/// approvals, gate decisions, job results, run end; who, when, why, what, where, how. Each
/// entry carries "seq", "prev" (the previous entry's MAC) and "mac", an HMAC-SHA256 over the
/// entry (without "mac") chained to the previous one, so an edited, removed, inserted or
/// reordered line is found by VerifyAudit. DIR/audit.head records the count and last MAC (also
/// HMAC'd), so removing the last lines is found too. The key is SLIPWAY_AUDIT_KEY, or
/// $XDG_CONFIG_HOME/slipway/audit.key (~/.config/slipway/audit.key) created with mode 0600 on
/// first use: outside the workspace and the state directory, and never handed to a step.

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "interpreter/base/expected.h"

namespace slipway::exec {

class Masker;

/// Where the audit key file is: $XDG_CONFIG_HOME/slipway/audit.key, else
/// $HOME/.config/slipway/audit.key; "" when neither variable is set.
std::string AuditKeyPath();

/// The audit key: SLIPWAY_AUDIT_KEY, else the file at AuditKeyPath() (created 0600 with 32
/// random bytes when `create` is set and it does not exist). `state_dir` is not consulted: a
/// key inside it could be read and rewritten by any step.
Expected<std::string> LoadAuditKey(const std::string& state_dir, bool create);

/// HMAC-SHA256 of `data` under `key`, lower-case hex.
std::string HmacSha256Hex(const std::string& key, const std::string& data);
/// SHA-256 of `data`, lower-case hex.
std::string Sha256Hex(const std::string& data);

/// Appends entries to DIR/audit.jsonl under an exclusive file lock (several slipway processes
/// may share a state directory).
class AuditLog {
 public:
  /// Loads (or creates) the key. `masker` (may be null) masks every string of every entry.
  static Expected<AuditLog> Open(const std::string& state_dir, const Masker* masker);

  /// Appends `entry` (an object: "kind", "time", who/what/... fields) with seq, prev and mac.
  Expected<bool> Append(nlohmann::json entry) const;

  const std::string& path() const { return path_; }
  /// The first failed Append's message ("" when every append succeeded): a run whose audit
  /// could not be written fails loudly at its end.
  std::string write_error() const;

 private:
  struct Failures;
  Expected<bool> AppendLocked(nlohmann::json entry) const;
  std::string state_dir_;
  std::string path_;
  std::string key_;
  const Masker* masker_ = nullptr;
  std::shared_ptr<Failures> failures_;
};

/// The outcome of `slipway audit verify`.
struct AuditVerification {
  bool ok = true;
  size_t entries = 0;  // entries read
  size_t line = 0;     // the first bad line (1-based) when !ok
  std::string message;
};

/// Checks DIR/audit.jsonl: every entry in canonical form (sorted keys, compact, no duplicate
/// key), its MAC, the chain and the head; then that every run directory under DIR/runs has its
/// run-start entry (a deleted and restarted log leaves runs without one). Errors (no key,
/// unreadable file) are messages; tampering is a verification with ok == false.
Expected<AuditVerification> VerifyAudit(const std::string& state_dir);

/// The entries of run `run_id` in DIR/audit.jsonl, in order, once the whole log verifies
/// (VerifyAudit); an error saying why not otherwise. What a resume may trust of a run.
Expected<std::vector<nlohmann::json>> VerifiedRunEntries(const std::string& state_dir,
                                                         const std::string& run_id);

}  // namespace slipway::exec
