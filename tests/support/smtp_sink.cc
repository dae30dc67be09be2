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

void Send(int fd, const std::string& line) { SendAll(fd, line + "\r\n"); }

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

// One session at a time is all libcurl needs; sessions are served on the accepting thread.
SmtpSink::SmtpSink()
    : listener_([this](int fd) {
        ++sessions_;
        Serve(fd);
        ::close(fd);
      }) {}

SmtpSink::~SmtpSink() { listener_.Stop(); }

std::string SmtpSink::url() const { return "smtp://127.0.0.1:" + std::to_string(listener_.port()); }

std::vector<SmtpSink::Message> SmtpSink::messages() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return messages_;
}

void SmtpSink::Serve(int fd) {
  std::string buffer;
  std::string line;
  Message current;
  bool refused = false;
  Send(fd, "220 localhost slipway-test-smtp ready");
  while (!listener_.stopping() && ReadLine(fd, &buffer, &line)) {
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
