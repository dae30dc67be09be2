#pragma once
/// PostgresServer: a throwaway PostgreSQL 15 for the backend tests. `initdb` into a temporary
/// directory, the server listening on a Unix socket in that directory only (listen_addresses
/// is empty: no TCP at all), fsync off (the data is thrown away), stopped (and the directory
/// removed) when the test binary exits. PostgreSQL refuses to run as root, so under root (CI)
/// the server runs as the system user "slipway-pg", created with useradd when missing.
///
/// One server per test binary (starting one costs about a second); each test takes a fresh
/// database from FreshDatabase(), so tests never see each other's rows.

#include <memory>
#include <string>

namespace slipway::testing {

class PostgresServer {
 public:
  /// The binary's server, started on first use; null (and `why` says why) when no server can
  /// be started here (no PostgreSQL 15 installed, no way to drop root, initdb failed...).
  static PostgresServer* Shared(std::string* why);

  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  /// A libpq URI for `database` as `user`, over the Unix socket.
  std::string Dsn(const std::string& database, const std::string& user = "postgres") const;
  /// Creates a new empty database and returns its DSN (connecting as the superuser); "" and
  /// `error` on failure.
  std::string FreshDatabase(std::string* error);
  /// Creates a login role (idempotent); false and `error` on failure.
  bool CreateRole(const std::string& role, const std::string& grant_to, std::string* error);
  const std::string& socket_dir() const { return dir_; }
  /// Stops the server now (the destructor does it otherwise).
  void Stop();

 private:
  PostgresServer() = default;
  bool Start(std::string* why);

  std::string dir_;      // holds data/, the socket and the log
  std::string bin_dir_;  // /usr/lib/postgresql/15/bin
  int uid_ = -1;         // the user the server runs as (-1: this process's)
  int gid_ = -1;
  bool running_ = false;
  int databases_ = 0;
};

}  // namespace slipway::testing

/// Skips the current test, printing why, when no PostgreSQL server can be started; otherwise
/// sets `dsn` to a fresh database's DSN.
#define SLIPWAY_FRESH_POSTGRES(dsn)                                              \
  do {                                                                           \
    std::string why_;                                                            \
    ::slipway::testing::PostgresServer* server_ =                                \
        ::slipway::testing::PostgresServer::Shared(&why_);                       \
    if (!server_) GTEST_SKIP() << "no PostgreSQL server could be started: " << why_; \
    dsn = server_->FreshDatabase(&why_);                                         \
    ASSERT_FALSE(dsn.empty()) << why_;                                           \
  } while (0)
