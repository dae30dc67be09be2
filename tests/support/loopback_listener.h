#pragma once
/// LoopbackListener: a TCP socket listening on 127.0.0.1 (port 0 → ephemeral) and the thread
/// that accepts its connections, for the test servers (LoopbackHttpServer, SmtpSink). Each
/// connection is handed to `on_connection`, on the accepting thread, which then owns the fd.

#include <atomic>
#include <functional>
#include <string_view>
#include <thread>

namespace slipway::testing {

class LoopbackListener {
 public:
  /// Starts listening and accepting at once: declare the listener after everything
  /// `on_connection` touches.
  explicit LoopbackListener(std::function<void(int fd)> on_connection);
  ~LoopbackListener();
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  /// Stops accepting and waits for the accepting thread (and so for an `on_connection` that
  /// runs on it). An owner calls this first in its destructor.
  void Stop();
  bool stopping() const { return stopping_; }
  bool ok() const { return fd_ >= 0; }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
};

/// Writes all of `data` to the socket `fd` (gives up quietly when the peer has gone).
void SendAll(int fd, std::string_view data);

}  // namespace slipway::testing
