#pragma once
/// The audit log on PostgreSQL: the `audit` table, INSERT-only (a trigger refuses UPDATE,
/// DELETE and TRUNCATE for everyone, its owner included, and the schema grants no more than
/// SELECT and INSERT), with the same HMAC chain as audit.jsonl: each entry carries "seq",
/// "prev" (the previous MAC), the database's time and the connecting role, and is MAC'd with
/// the audit key, which lives with the slipway processes, never in the database. So a
/// superuser who bypasses the trigger (session_replication_role, DISABLE TRIGGER) is still
/// found: an UPDATE changes the row's xmin and (without the key) breaks its MAC; a DELETE
/// leaves a hole in the numbering, or a high-water mark in audit_seq above the last entry.

#include <string>

#include "interpreter/base/expected.h"
#include "interpreter/exec/audit.h"

namespace slipway::backend {

/// Appends one entry in its own transaction.
Expected<bool> AppendPgAudit(const std::string& dsn, const std::string& key,
                             nlohmann::json entry);

/// Checks the whole table. Errors (cannot connect, no table) are messages; tampering is a
/// verification with ok == false, `line` holding the entry's seq.
Expected<exec::AuditVerification> VerifyPgAudit(const std::string& dsn, const std::string& key);

/// The audit key for the PostgreSQL backend: SLIPWAY_AUDIT_KEY, else
/// $HOME/.config/slipway/audit.key (created 0600 with 32 random
/// bytes when `create` is set). Every host writing to one database must share it.
Expected<std::string> PgAuditKey(bool create);

}  // namespace slipway::backend
