#include "interpreter/backend/pg_audit.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "interpreter/backend/pg_internal.h"

namespace slipway::backend {
namespace {

using nlohmann::json;

// Held only while a writer opens its chain (once per connection).
constexpr long kChainLock = 7390212;

std::string Mac(const std::string& key, const std::string& prev, const json& entry) {
  return exec::HmacSha256Hex(key, prev + "\n" + entry.dump());
}

}  // namespace

bool AuditWriter::Verifies(const json& entry, const std::string& prev,
                           const std::string& mac) const {
  return has_key() && entry.is_object() && Mac(key_, prev, entry) == mac;
}

void AuditWriter::Open(pqxx::transaction_base& tx, Head& head) {
  tx.exec_params("SELECT pg_advisory_xact_lock($1)", kChainLock);
  pqxx::result last = tx.exec(
      std::string("SELECT COALESCE((SELECT id FROM audit_chains ORDER BY id DESC LIMIT 1), 0), "
                  "COALESCE((SELECT mac FROM audit_chains ORDER BY id DESC LIMIT 1), ''), "
                  "to_char(clock_timestamp() AT TIME ZONE 'UTC', ") +
      kUtcFormat + "), session_user");
  head.chain = last[0][0].as<int64_t>() + 1;
  head.role = TextField(last[0][3]);
  const std::string prev = TextField(last[0][1]);
  json info = {{"chain", head.chain},
               {"writer", writer_},
               {"db_role", head.role},
               {"db_time", TextField(last[0][2])}};
  head.mac = Mac(key_, prev, info);
  head.seq = 0;
  tx.exec_params("SELECT slipway_audit_open($1, $2::jsonb, $3, $4)", head.chain, info.dump(),
                 prev, head.mac);
}

std::string AuditWriter::Seal(pqxx::transaction_base& tx, AuditBuffer& buffer,
                              const std::string& db_time, Head& next) {
  if (key_.empty() || buffer.empty()) {
    buffer.clear();
    return "";
  }
  if (next.chain == 0) Open(tx, next);
  std::string at = db_time;
  if (at.empty()) {
    at = TextField(tx.exec(std::string("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', ") +
                           kUtcFormat + ")")[0][0]);
  }
  const int64_t from = next.seq;
  json rows = json::array();
  for (json& entry : buffer) {
    if (!entry.is_object()) throw std::runtime_error("an audit entry must be an object");
    entry.erase("mac");
    entry["chain"] = next.chain;
    entry["chain_seq"] = ++next.seq;
    entry["prev"] = next.mac;
    entry["db_time"] = at;
    entry["db_role"] = next.role;
    if (!entry.contains("time")) entry["time"] = at;
    std::string mac = Mac(key_, next.mac, entry);
    rows.push_back({{"entry", entry}, {"prev", next.mac}, {"mac", mac}, {"n", next.seq}});
    next.mac = std::move(mac);
  }
  buffer.clear();
  // One statement: the entries and the chain's head, fenced on the head this writer knew (the
  // function raises when it moved, so that nothing commits).
  return fmt::format("SELECT slipway_audit_append({}, {}::timestamptz, {}::jsonb, {}, {}, {})",
                     next.chain, tx.quote(at), tx.quote(rows.dump()), from, next.seq,
                     tx.quote(next.mac));
}

void AuditWriter::Commit(pqxx::work& tx, AuditBuffer& buffer, const std::string& db_time) {
  try {
    Head next = head_;
    std::string append = Seal(tx, buffer, db_time, next);
    if (!append.empty()) tx.exec(append);
    tx.commit();
    head_ = std::move(next);
  } catch (...) {
    // Whether or not that commit happened is not known for sure: the next write opens a new
    // chain rather than risk a second entry with the same number.
    head_ = Head{};
    throw;
  }
}

pqxx::result AuditWriter::Commit(RawTransaction& tx, AuditBuffer& buffer,
                                 const std::string& db_time, const std::string& after) {
  try {
    Head next = head_;
    std::string append = Seal(tx.tx(), buffer, db_time, next);
    pqxx::result result = tx.Commit(append, after);
    head_ = std::move(next);
    return result;
  } catch (...) {
    head_ = Head{};  // as above
    throw;
  }
}

Expected<bool> AppendPgAudit(const std::string& dsn, const std::string& key,
                             nlohmann::json entry) {
  if (key.empty()) return MakeUnexpected(std::string("no audit key"));
  try {
    pqxx::connection connection(dsn);
    pqxx::work tx(connection);
    AuditWriter writer(key, "append");
    AuditBuffer buffer{std::move(entry)};
    writer.Commit(tx, buffer);
    return true;
  } catch (const std::exception& e) {
    return MakeUnexpected(fmt::format("cannot append to the audit table: {}", e.what()));
  }
}

namespace {

struct ChainRow {
  std::string mac;
  int64_t head_seq = 0;
  std::string head_mac;
};

class Verifier {
 public:
  explicit Verifier(const std::string& key) : key_(key) {}

  // The chains themselves: numbered 1..N with no hole, each MAC'd over the previous one.
  bool Chains(const pqxx::result& rows) {
    std::string prev;
    int64_t expected = 1;
    for (const pqxx::row& row : rows) {
      int64_t id = row[0].as<int64_t>();
      json info = JsonField(row[1]);
      std::string own_prev = TextField(row[2]), mac = TextField(row[3]);
      if (id != expected) {
        return Fail(0, fmt::format("audit chain {} is missing: the next chain is {} (chains "
                                   "deleted, which only a superuser can do)",
                                   expected, id));
      }
      if (!info.is_object() || Mac(key_, own_prev, info) != mac ||
          info.value("chain", int64_t{0}) != id) {
        return Fail(0, fmt::format("audit chain {} was edited or forged: its MAC does not match",
                                   id));
      }
      if (own_prev != prev) {
        return Fail(0, fmt::format("audit chain {} does not follow chain {}: chains replaced", id,
                                   id - 1));
      }
      chains_[id] = ChainRow{mac, row[4].as<int64_t>(), TextField(row[5])};
      prev = mac;
      ++expected;
    }
    return true;
  }

  // Entries in (chain, chain_seq) order; those of schema version 1 (no chain) first, by seq.
  bool Entries(const pqxx::result& rows) {
    for (const pqxx::row& row : rows) {
      int64_t seq = row[0].as<int64_t>();
      json entry = JsonField(row[1]);
      std::string own_prev = TextField(row[2]), mac = TextField(row[3]);
      if (!entry.is_object() || Mac(key_, own_prev, entry) != mac) {
        return Fail(seq, fmt::format("entry {} was edited or forged: its MAC does not match", seq));
      }
      if (row[4].as<int64_t>() != row[5].as<int64_t>()) {
        return Fail(seq, fmt::format("entry {} was rewritten after it was inserted (an UPDATE "
                                     "with the append-only trigger bypassed, which only a "
                                     "superuser can do)",
                                     seq));
      }
      if (row[6].is_null()) {
        if (!Legacy(seq, entry, own_prev)) return false;
      } else if (!Chained(seq, row[6].as<int64_t>(), row[7].as<int64_t>(), entry, own_prev)) {
        return false;
      }
      last_seq_ = seq;
      ++result_.entries;
    }
    return EndOfChain();
  }

  // Chains whose head names entries that are not there (a chain with no entry left at all).
  bool Heads() {
    for (const auto& [id, chain] : chains_) {
      if (seen_.count(id) == 0 && chain.head_seq > 0) {
        return Fail(0, fmt::format("chain {}: entries 1 to {} are missing (deleted by a "
                                   "superuser)",
                                   id, chain.head_seq));
      }
    }
    return true;
  }

  exec::AuditVerification result() const { return result_; }

 private:
  bool Legacy(int64_t seq, const json& entry, const std::string& own_prev) {
    if (seq != legacy_expected_) {
      return Fail(legacy_expected_, fmt::format("entry {} is missing: the next entry is {} "
                                                "(entries deleted, which only a superuser can do)",
                                                legacy_expected_, seq));
    }
    if (own_prev != legacy_prev_ || entry.value("seq", int64_t{0}) != seq) {
      return Fail(seq, fmt::format("entry {} does not follow entry {}: entries replaced", seq,
                                   seq - 1));
    }
    legacy_prev_ = Mac(key_, own_prev, entry);  // the row's MAC, checked above
    ++legacy_expected_;
    return true;
  }

  bool Chained(int64_t seq, int64_t chain_id, int64_t chain_seq, const json& entry,
               const std::string& own_prev) {
    if (chain_id != current_) {
      if (!EndOfChain()) return false;
      auto it = chains_.find(chain_id);
      if (it == chains_.end()) {
        return Fail(seq, fmt::format("entry {} names audit chain {}, which does not exist", seq,
                                     chain_id));
      }
      current_ = chain_id;
      chain_expected_ = 1;
      chain_prev_ = it->second.mac;
      seen_.insert(chain_id);
    }
    if (entry.value("chain", int64_t{0}) != chain_id ||
        entry.value("chain_seq", int64_t{0}) != chain_seq) {
      return Fail(seq, fmt::format("entry {} was moved: its MAC'd position is chain {} entry {}",
                                   seq, entry.value("chain", int64_t{0}),
                                   entry.value("chain_seq", int64_t{0})));
    }
    if (chain_seq != chain_expected_) {
      return Fail(seq, fmt::format("chain {}: entry {} is missing: the next entry is {} (seq {}; "
                                   "entries deleted, which only a superuser can do)",
                                   chain_id, chain_expected_, chain_seq, seq));
    }
    if (own_prev != chain_prev_) {
      return Fail(seq, fmt::format("entry {} does not follow the entry before it in chain {}: "
                                   "entries replaced or reordered",
                                   seq, chain_id));
    }
    chain_prev_ = Mac(key_, own_prev, entry);
    ++chain_expected_;
    return true;
  }

  // The chain just walked must end where its head says.
  bool EndOfChain() {
    if (current_ == 0) return true;
    const ChainRow& chain = chains_[current_];
    int64_t last = chain_expected_ - 1;
    if (chain.head_seq > last) {
      return Fail(last_seq_, fmt::format("chain {}: entries {} to {} are missing: the chain ends "
                                         "at entry {} but {} were written (deleted by a "
                                         "superuser)",
                                         current_, last + 1, chain.head_seq, last,
                                         chain.head_seq));
    }
    if (chain.head_seq < last || chain.head_mac != chain_prev_) {
      return Fail(last_seq_, fmt::format("chain {}: its head (entry {}) does not match its last "
                                         "entry ({}): the head was rewritten",
                                         current_, chain.head_seq, last));
    }
    current_ = 0;
    return true;
  }

  bool Fail(int64_t seq, std::string message) {
    result_.ok = false;
    result_.line = static_cast<size_t>(std::max<int64_t>(seq, 0));
    result_.message = std::move(message);
    return false;
  }

  const std::string& key_;
  exec::AuditVerification result_;
  std::map<int64_t, ChainRow> chains_;
  std::set<int64_t> seen_;
  int64_t legacy_expected_ = 1;
  std::string legacy_prev_;
  int64_t current_ = 0, chain_expected_ = 1, last_seq_ = 0;
  std::string chain_prev_;
};

}  // namespace

Expected<exec::AuditVerification> VerifyPgAudit(const std::string& dsn, const std::string& key) {
  if (key.empty()) return MakeUnexpected(std::string("no audit key"));
  try {
    pqxx::connection connection(dsn);
    // One snapshot for both tables.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(connection, "audit-verify");
    Verifier verifier(key);
    pqxx::result chains = tx.exec(
        "SELECT id, info::text, prev, mac, head_seq, head_mac FROM audit_chains ORDER BY id");
    if (!verifier.Chains(chains)) return verifier.result();
    pqxx::result rows = tx.exec(
        "SELECT seq, entry::text, prev, mac, xmin::text::bigint, inserted_xid % 4294967296, "
        "chain, chain_seq FROM audit ORDER BY chain NULLS FIRST, chain_seq, seq");
    if (!verifier.Entries(rows) || !verifier.Heads()) return verifier.result();
    return verifier.result();
  } catch (const std::exception& e) {
    return MakeUnexpected(fmt::format("cannot read the audit table: {}", e.what()));
  }
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
