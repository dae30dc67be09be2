#pragma once
/// The audit log on PostgreSQL: the `audit` table, append-only (a trigger refuses UPDATE,
/// DELETE and TRUNCATE for everyone, its owner included, and the schema grants workers and
/// reviewers only SELECT and the functions slipway_audit_open and slipway_audit_append), MAC'd
/// with the audit key, which lives with the slipway processes, never in the database.
///
/// Entries are chained per writer, not globally, so that no completion waits for another's
/// audit write: every connection that writes (a worker slot, a submitter, a one-off command)
/// opens its own chain, a row of `audit_chains` numbered 1, 2, 3... and MAC'd over the
/// previous chain's MAC (opening one takes a short global lock, once per connection). Its
/// entries carry "chain", "chain_seq" (1, 2, 3... with no gap: a writer advances only when its
/// transaction committed, so an aborted transaction leaves no hole), "prev" (the previous
/// entry's MAC, the chain's own MAC for the first), the database's time and role; the chain's
/// row holds its head (last chain_seq and MAC), moved in the same transaction as the entries.
/// `VerifyPgAudit` so finds, even when a superuser bypassed the triggers: an edited entry
/// (MAC), a rewritten one (xmin ≠ the inserting transaction), a deleted or reordered one (a
/// hole or a broken link in its chain, or the chain's head beyond its last entry), a deleted
/// chain (a hole in the numbering of chains). Entries written before chains existed (schema
/// version 1) are checked as the single chain they form.

#include <memory>
#include <string>
#include <vector>

#include "interpreter/base/expected.h"
#include "interpreter/exec/audit.h"

namespace slipway::backend {

/// Appends one entry in its own transaction (a chain of one entry).
Expected<bool> AppendPgAudit(const std::string& dsn, const std::string& key,
                             nlohmann::json entry);

/// Checks the whole table. Errors (cannot connect, no table) are messages; tampering is a
/// verification with ok == false, `line` holding the entry's seq (its row number in the
/// table's insertion order).
Expected<exec::AuditVerification> VerifyPgAudit(const std::string& dsn, const std::string& key);

/// The audit key for the PostgreSQL backend: SLIPWAY_AUDIT_KEY, else
/// $HOME/.config/slipway/audit.key (created 0600 with 32 random
/// bytes when `create` is set). Every host writing to one database must share it.
Expected<std::string> PgAuditKey(bool create);

}  // namespace slipway::backend
