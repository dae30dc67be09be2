#include "interpreter/backend/pg_audit.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "interpreter/backend/pg_internal.h"

namespace slipway::backend {
namespace {

constexpr long kAuditLock = 7390212;

std::string Mac(const std::string& key, const std::string& prev, const nlohmann::json& entry) {
  return exec::HmacSha256Hex(key, prev + "\n" + entry.dump());
}

}  // namespace

Expected<bool> AppendAuditInTx(pqxx::work& tx, const std::string& key, nlohmann::json entry) {
  if (key.empty()) return MakeUnexpected(std::string("no audit key"));
  if (!entry.is_object()) return MakeUnexpected(std::string("audit entry must be an object"));
  tx.exec_params("SELECT pg_advisory_xact_lock($1)", kAuditLock);
  pqxx::result last = tx.exec(
      "SELECT COALESCE((SELECT seq FROM audit ORDER BY seq DESC LIMIT 1), 0), "
      "COALESCE((SELECT mac FROM audit ORDER BY seq DESC LIMIT 1), ''), "
      "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
      "session_user");
  int64_t seq = last[0][0].as<int64_t>() + 1;
  std::string prev = TextField(last[0][1]);
  std::string at = TextField(last[0][2]);
  entry.erase("mac");
  entry["seq"] = seq;
  entry["prev"] = prev;
  entry["db_time"] = at;
  entry["db_role"] = TextField(last[0][3]);
  if (!entry.contains("time")) entry["time"] = at;
  std::string mac = Mac(key, prev, entry);
  // With the high-water mark: entries deleted from the end still leave it above the last seq.
  tx.exec_params(
      "WITH written AS (INSERT INTO audit (seq, at, entry, prev, mac) VALUES ($1, "
      "$2::timestamptz, $3::jsonb, $4, $5) RETURNING seq) SELECT setval('audit_seq', seq) FROM "
      "written",
      seq, at, entry.dump(), prev, mac);
  return true;
}

void FlushAudit(pqxx::work& tx, const std::string& key, AuditBuffer& buffer) {
  if (key.empty()) {
    buffer.clear();
    return;
  }
  for (nlohmann::json& entry : buffer) {
    Expected<bool> done = AppendAuditInTx(tx, key, std::move(entry));
    // A failed audit write fails the whole transaction: nothing is done unaudited.
    if (!done) throw std::runtime_error(done.error());
  }
  buffer.clear();
}

Expected<bool> AppendPgAudit(const std::string& dsn, const std::string& key,
                             nlohmann::json entry) {
  try {
    pqxx::connection connection(dsn);
    pqxx::work tx(connection);
    Expected<bool> done = AppendAuditInTx(tx, key, std::move(entry));
    if (!done) return done;
    tx.commit();
    return true;
  } catch (const std::exception& e) {
    return MakeUnexpected(fmt::format("cannot append to the audit table: {}", e.what()));
  }
}

Expected<exec::AuditVerification> VerifyPgAudit(const std::string& dsn, const std::string& key) {
  if (key.empty()) return MakeUnexpected(std::string("no audit key"));
  exec::AuditVerification result;
  auto fail = [&](int64_t seq, std::string message) {
    result.ok = false;
    result.line = static_cast<size_t>(seq);
    result.message = std::move(message);
    return result;
  };
  try {
    pqxx::connection connection(dsn);
    pqxx::work tx(connection, "audit-verify");
    pqxx::result rows = tx.exec(
        "SELECT seq, entry::text, prev, mac, xmin::text::bigint, inserted_xid % 4294967296 "
        "FROM audit ORDER BY seq");
    std::string prev;
    int64_t expected = 1;
    for (const pqxx::row& row : rows) {
      int64_t seq = row[0].as<int64_t>();
      if (seq != expected) {
        return fail(expected, fmt::format("entry {} is missing: the next entry is {} (entries "
                                          "deleted, which only a superuser can do)",
                                          expected, seq));
      }
      nlohmann::json entry = JsonField(row[1]);
      std::string own_prev = TextField(row[2]);
      std::string mac = TextField(row[3]);
      if (!entry.is_object() || Mac(key, own_prev, entry) != mac) {
        return fail(seq, fmt::format("entry {} was edited or forged: its MAC does not match", seq));
      }
      if (own_prev != prev || entry.value("seq", int64_t{0}) != seq) {
        return fail(seq, fmt::format("entry {} does not follow entry {}: entries replaced", seq,
                                     seq - 1));
      }
      if (row[4].as<int64_t>() != row[5].as<int64_t>()) {
        return fail(seq, fmt::format("entry {} was rewritten after it was inserted (an UPDATE "
                                     "with the append-only trigger bypassed, which only a "
                                     "superuser can do)",
                                     seq));
      }
      prev = mac;
      ++expected;
      ++result.entries;
    }
    pqxx::result mark = tx.exec("SELECT last_value, is_called FROM audit_seq");
    int64_t high = mark[0][1].as<bool>() ? mark[0][0].as<int64_t>() : 0;
    if (high >= expected) {
      return fail(expected, fmt::format("entries {} to {} are missing: the log ends at entry {} "
                                        "but {} were written (deleted by a superuser)",
                                        expected, high, expected - 1, high));
    }
  } catch (const std::exception& e) {
    return MakeUnexpected(fmt::format("cannot read the audit table: {}", e.what()));
  }
  return result;
}

Expected<std::string> PgAuditKey(bool create) {
  if (const char* env = getenv("SLIPWAY_AUDIT_KEY"); env && *env) return std::string(env);
  const char* home = getenv("HOME");
  if (!home || !*home) {
    return MakeUnexpected(std::string("no audit key: set SLIPWAY_AUDIT_KEY (shared by every host)"));
  }
  return exec::LoadAuditKey(std::string(home) + "/.config/slipway", create);
}

}  // namespace slipway::backend
