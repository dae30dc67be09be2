#include "stdlib/traffic_shift/haproxy_runtime.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

namespace slipway::stdlib::haproxy {
namespace {

/// Closes the descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) {
    text.pop_back();
  }
  size_t start = text.find_first_not_of(" \n\r");
  return start == std::string::npos ? "" : text.substr(start);
}

// Connects to `address`; the descriptor, or -1 with `error`.
int Connect(const std::string& address, std::string* error) {
  std::string where = address;
  bool tcp = false;
  if (where.rfind("unix@", 0) == 0) {
    where = where.substr(5);
  } else if (where.rfind("ipv4@", 0) == 0) {
    where = where.substr(5);
    tcp = true;
  } else if (where.find('/') == std::string::npos && where.find(':') != std::string::npos) {
    tcp = true;
  }
  if (!tcp) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (where.size() >= sizeof addr.sun_path) {
      *error = "HAProxy socket path \"" + where + "\" is too long for a Unix socket";
      return -1;
    }
    std::memcpy(addr.sun_path, where.c_str(), where.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      *error = Errno("socket");
      return -1;
    }
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      *error = Errno("cannot connect to the HAProxy runtime API at " + where);
      ::close(fd);
      return -1;
    }
    return fd;
  }
  size_t colon = where.rfind(':');
  std::string host = where.substr(0, colon);
  int port = std::atoi(where.c_str() + colon + 1);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (port <= 0 || port > 65535 || ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    *error = "HAProxy runtime API address \"" + address +
             "\" is neither a Unix socket path nor IPv4 HOST:PORT";
    return -1;
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = Errno("socket");
    return -1;
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    *error = Errno("cannot connect to the HAProxy runtime API at " + where);
    ::close(fd);
    return -1;
  }
  return fd;
}

// HAProxy answers a successful `set server ... weight` with nothing; anything else is its
// reason for refusing.
bool IsEmptyAnswer(const std::string& answer) { return Trim(answer).empty(); }

// "" when every name is valid, else why the first one is not (`previous_server` may be "").
std::string CheckNames(const std::string& backend, const std::string& server,
                       const std::string& previous_server) {
  std::string error = CheckName("backend", backend);
  if (error.empty()) error = CheckName("server", server);
  if (error.empty() && !previous_server.empty()) {
    error = CheckName("previous-server", previous_server);
  }
  return error;
}

}  // namespace

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > 100) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

std::string CheckName(std::string_view what, std::string_view name) {
  if (IsValidName(name)) return "";
  std::string shown;
  for (char c : name.substr(0, 60)) {
    shown += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  }
  return "input \"" + std::string(what) + "\": \"" + shown + (name.size() > 60 ? "..." : "") +
         "\" is not an HAProxy name (letters, digits, '-', '_', '.', ':'); nothing was sent to "
         "HAProxy";
}

std::string RuntimeCommand(const std::string& address, const std::string& command,
                           std::string* answer, std::chrono::milliseconds timeout) {
  answer->clear();
  if (command.find('\n') != std::string::npos) return "a runtime API command is one line";
  std::string error;
  Fd fd(Connect(address, &error));
  if (fd.get() < 0) return error;
  std::string line = command + "\n";
  size_t sent = 0;
  while (sent < line.size()) {
    ssize_t n = ::send(fd.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Errno("cannot send to the HAProxy runtime API");
    sent += static_cast<size_t>(n);
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return "the HAProxy runtime API did not answer within the timeout";
    pollfd p{fd.get(), POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return Errno("poll");
    if (ready == 0) continue;
    ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot read from the HAProxy runtime API");
    if (n == 0) return "";
    answer->append(buffer, static_cast<size_t>(n));
    if (answer->size() > (1u << 20)) return "the HAProxy runtime API answer is too long";
  }
}

std::string GetWeight(const std::string& address, const std::string& backend,
                      const std::string& server, ServerWeight* weight) {
  if (std::string invalid = CheckNames(backend, server, ""); !invalid.empty()) return invalid;
  std::string answer;
  std::string error = RuntimeCommand(address, "get weight " + backend + "/" + server, &answer);
  if (!error.empty()) return error;
  int current = 0, initial = 0;
  if (std::sscanf(answer.c_str(), "%d (initial %d)", &current, &initial) != 2) {
    return "HAProxy: get weight " + backend + "/" + server + ": " + Trim(answer);
  }
  weight->current = current;
  weight->initial = initial;
  return "";
}

std::string GetShare(const std::string& address, const std::string& backend,
                     const std::string& server, const std::string& previous_server,
                     int* percent) {
  ServerWeight next, previous;
  std::string error = GetWeight(address, backend, server, &next);
  if (!error.empty()) return error;
  if (previous_server.empty()) {
    *percent = next.initial > 0 ? static_cast<int>(std::lround(100.0 * next.current / next.initial))
                                : 0;
    if (*percent > 100) *percent = 100;
    return "";
  }
  error = GetWeight(address, backend, previous_server, &previous);
  if (!error.empty()) return error;
  int total = next.current + previous.current;
  *percent = total > 0 ? static_cast<int>(std::lround(100.0 * next.current / total)) : 0;
  return "";
}

std::string SetShare(const std::string& address, const std::string& backend,
                     const std::string& server, const std::string& previous_server, int percent) {
  if (std::string invalid = CheckNames(backend, server, previous_server); !invalid.empty()) {
    return invalid;
  }
  ServerWeight next, previous;
  std::string error = GetWeight(address, backend, server, &next);
  if (!error.empty()) return error;
  std::string command =
      "set server " + backend + "/" + server + " weight " + std::to_string(percent) + "%";
  if (!previous_server.empty()) {
    error = GetWeight(address, backend, previous_server, &previous);
    if (!error.empty()) return error;
    if (previous.initial != next.initial) {
      return "servers " + backend + "/" + server + " and " + backend + "/" + previous_server +
             " are configured with different weights (" + std::to_string(next.initial) + " and " +
             std::to_string(previous.initial) +
             "); give them the same weight so that percentages are shares of traffic";
    }
    // One connection, both servers: HAProxy applies the two commands back to back.
    command += "; set server " + backend + "/" + previous_server + " weight " +
               std::to_string(100 - percent) + "%";
  }
  std::string answer;
  error = RuntimeCommand(address, command, &answer);
  if (!error.empty()) return error;
  if (!IsEmptyAnswer(answer)) return "HAProxy refused \"" + command + "\": " + Trim(answer);
  int now = -1;
  error = GetShare(address, backend, server, previous_server, &now);
  if (!error.empty()) return error;
  if (std::abs(now - percent) > 1) {
    return "HAProxy reports " + std::to_string(now) + "% for " + backend + "/" + server +
           " after setting " + std::to_string(percent) + "%";
  }
  return "";
}

}  // namespace slipway::stdlib::haproxy
