#include "tests/support/smtp_sink.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

namespace slipway::testing {
namespace {

void Send(int fd, const std::string& line) {
  std::string data = line + "\r\n";
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

// Reads one CRLF-terminated line into `line`; false on EOF, error or 5 s of silence.
bool ReadLine(int fd, std::string* buffer, std::string* line) {
  while (true) {
    size_t end = buffer->find("\r\n");
    if (end != std::string::npos) {
      *line = buffer->substr(0, end);
      buffer->erase(0, end + 2);
      return true;
    }
    if (buffer->size() > (16u << 20)) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return false;
    char chunk[4096];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer->append(chunk, static_cast<size_t>(n));
  }
}

std::string Address(const std::string& argument) {
  size_t open = argument.find('<');
  size_t close = argument.find('>', open);
  if (open == std::string::npos || close == std::string::npos) return argument;
  return argument.substr(open + 1, close - open - 1);
}

}  // namespace

SmtpSink::SmtpSink() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return;
  }
  listen_fd_ = fd;
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

SmtpSink::~SmtpSink() {
  stopping_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

std::string SmtpSink::url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

std::vector<SmtpSink::Message> SmtpSink::messages() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return messages_;
}

void SmtpSink::AcceptLoop() {
  // One session at a time is all libcurl needs; sessions are served on this thread.
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    ++sessions_;
    Serve(fd);
    ::close(fd);
  }
}

void SmtpSink::Serve(int fd) {
  std::string buffer;
  std::string line;
  Message current;
  bool refused = false;
  Send(fd, "220 localhost slipway-test-smtp ready");
  while (!stopping_ && ReadLine(fd, &buffer, &line)) {
    std::string verb = line.substr(0, line.find(' '));
    std::transform(verb.begin(), verb.end(), verb.begin(), ::toupper);
    std::string argument = line.size() > verb.size() ? line.substr(verb.size() + 1) : "";
    if (verb == "EHLO") {
      Send(fd, "250-localhost");
      Send(fd, "250-8BITMIME");
      Send(fd, "250 SIZE 10485760");
    } else if (verb == "HELO") {
      Send(fd, "250 localhost");
    } else if (verb == "MAIL") {
      if (refuse_ > 0) {
        --refuse_;
        refused = true;
        Send(fd, "451 4.3.0 try again later");
        continue;
      }
      refused = false;
      current = Message{};
      current.from = Address(argument);
      Send(fd, "250 2.1.0 ok");
    } else if (verb == "RCPT") {
      if (refused) {
        Send(fd, "503 5.5.1 need MAIL first");
        continue;
      }
      current.recipients.push_back(Address(argument));
      Send(fd, "250 2.1.5 ok");
    } else if (verb == "DATA") {
      Send(fd, "354 end with <CRLF>.<CRLF>");
      std::string data;
      while (ReadLine(fd, &buffer, &line)) {
        if (line == ".") break;
        if (!line.empty() && line[0] == '.') line.erase(0, 1);
        data += line + "\r\n";
      }
      current.data = data;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        messages_.push_back(current);
      }
      Send(fd, "250 2.0.0 queued");
    } else if (verb == "RSET" || verb == "NOOP") {
      Send(fd, "250 ok");
    } else if (verb == "QUIT") {
      Send(fd, "221 bye");
      return;
    } else {
      Send(fd, "502 5.5.2 command not implemented");
    }
  }
}

}  // namespace slipway::testing
