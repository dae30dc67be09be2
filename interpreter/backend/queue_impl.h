#pragma once
// What the Queue's .cc files share (never included elsewhere): its connection and how its
// methods turn a libpqxx exception into an error. queue.cc holds the writes, queue_reads.cc
// what reads a run's state.
#include <fmt/format.h>

#include <atomic>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "interpreter/backend/pg_internal.h"
#include "interpreter/backend/queue.h"

namespace slipway::backend {

// Sets a flag when its channel is notified.
class Wakeup final : public pqxx::notification_receiver {
 public:
  Wakeup(pqxx::connection_base& connection, const std::string& channel, std::atomic<int>* count)
      : pqxx::notification_receiver(connection, channel), count_(count) {}
  void operator()(const std::string& /*payload*/, int /*backend_pid*/) override { ++*count_; }

 private:
  std::atomic<int>* count_;
};

/// Runs `body`; an exception becomes the error "<what>: <message>".
template <class F>
auto Guard(const char* what, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    return MakeUnexpected(fmt::format("{}: {}", what, e.what()));
  }
}

/// A runs row's state (its SQL enum spelling) as a RunState.
RunState RunStateFromSql(const std::string& text);

/// A Queue's connection, its audit chain and the notifications it listens to.
struct Queue::Impl {
  explicit Impl(const std::string& dsn) : connection(dsn) {}
  pqxx::connection connection;
  std::unique_ptr<AuditWriter> audit;
  std::string role;
  std::atomic<int> notified{0};
  std::vector<std::unique_ptr<Wakeup>> receivers;
};

}  // namespace slipway::backend
