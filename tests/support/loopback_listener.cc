#include "tests/support/loopback_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace slipway::testing {

LoopbackListener::LoopbackListener(std::function<void(int fd)> on_connection) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return;
  }
  fd_ = fd;
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this, on_connection = std::move(on_connection)] {
    // Polls so that Stop() is noticed within 50 ms.
    while (!stopping_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int connection = ::accept(fd_, nullptr, nullptr);
      if (connection >= 0) on_connection(connection);
    }
  });
}

LoopbackListener::~LoopbackListener() {
  Stop();
  if (fd_ >= 0) ::close(fd_);
}

void LoopbackListener::Stop() {
  stopping_ = true;
  if (acceptor_.joinable()) acceptor_.join();
}

void SendAll(int fd, std::string_view data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

}  // namespace slipway::testing
