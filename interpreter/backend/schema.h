#pragma once
/// The PostgreSQL schema of the backend, as versioned migrations: `slipway backend init`
/// applies those not yet recorded in slipway_migrations, in one transaction under an advisory
/// lock, so running it again (or on two hosts at once) changes nothing.

#include <string>

#include "interpreter/base/expected.h"

namespace slipway::backend {

/// The version the newest migration brings the schema to.
int LatestSchemaVersion();

struct MigrationReport {
  int from = 0;  // the version found (0: an empty database)
  int to = 0;
};

/// Applies the missing migrations to the database at `dsn`.
Expected<MigrationReport> Migrate(const std::string& dsn);

/// The schema version of the database at `dsn` (0 when never initialised).
Expected<int> SchemaVersion(const std::string& dsn);

}  // namespace slipway::backend
