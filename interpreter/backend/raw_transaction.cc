// RawTransaction (pg_internal.h): BEGIN and COMMIT sent with the statements next to them.
#include "interpreter/backend/pg_internal.h"

namespace slipway::backend {

RawTransaction::~RawTransaction() {
  if (!open_) return;
  try {
    tx_.exec("ROLLBACK");
  } catch (const std::exception&) {
    // The connection is broken: the server rolls the transaction back by itself.
  }
}

pqxx::result RawTransaction::Begin(const std::string& sql) {
  open_ = true;  // from here on, whatever happens, a ROLLBACK is due unless committed
  return tx_.exec("BEGIN; " + sql);
}

pqxx::result RawTransaction::Commit(const std::string& before, const std::string& after) {
  pqxx::result result = tx_.exec((before.empty() ? "" : before + "; ") + "COMMIT; " + after);
  open_ = false;
  return result;
}

}  // namespace slipway::backend
