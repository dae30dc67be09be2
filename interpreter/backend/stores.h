#pragma once
/// The two implementations of exec::Store (exec/store.h) and the one place that picks between
/// them. LocalStore wraps the state directory's existing code (run_store, approvals, audit,
/// concurrency) without changing its formats; PgStore reads and writes the PostgreSQL backend.

#include <memory>
#include <string>

#include "interpreter/exec/store.h"

namespace slipway::backend {

/// True for "postgresql://..." and "postgres://..." (libpq's URI schemes).
bool IsPostgresDsn(const std::string& text);

/// The DSN without a password, for messages.
std::string RedactDsn(const std::string& dsn);

/// The state directory DIR.
std::unique_ptr<exec::Store> OpenLocalStore(const std::string& state_dir);

/// The database at `dsn` (checked to be initialised). `audit_key` signs audit entries and
/// checks them (may be empty: AppendAudit and VerifyAudit then fail).
Expected<std::unique_ptr<exec::Store>> OpenPgStore(const std::string& dsn,
                                                    const std::string& audit_key);

/// `location` is a DSN (PostgreSQL) or a directory.
Expected<std::unique_ptr<exec::Store>> OpenStore(const std::string& location,
                                                  const std::string& audit_key);

}  // namespace slipway::backend
