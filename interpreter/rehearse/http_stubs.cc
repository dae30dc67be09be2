#include "interpreter/rehearse/http_stubs.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "interpreter/base/ascii.h"
#include "interpreter/rehearse/virtual_clock.h"

namespace slipway::rehearse {
namespace {

constexpr std::string_view kHostPrefix = "/_host/";

bool SendLine(int fd, std::string_view line) {
  std::string text = std::string(line) + "\r\n";
  std::string_view rest = text;
  while (!rest.empty()) {
    ssize_t n = send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    rest.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads one CRLF-terminated line (without it); false at end of stream.
bool ReadLine(int fd, std::string* buffer, std::string* line) {
  for (;;) {
    size_t nl = buffer->find("\r\n");
    if (nl != std::string::npos) {
      *line = buffer->substr(0, nl);
      buffer->erase(0, nl + 2);
      return true;
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 10'000) <= 0) return false;
    char chunk[4096];
    ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer->append(chunk, static_cast<size_t>(n));
  }
}


}  // namespace

constexpr std::string_view kCloudFormationPath = "/_cloudformation";

HttpStubs::HttpStubs(std::vector<HttpRule> rules, const std::vector<StackRule>& stacks,
                     VirtualClock* clock)
    : rules_(std::move(rules)),
      stacks_(stacks),
      clock_(clock),
      server_(std::make_unique<httplib::Server>()) {}

std::string HttpStubs::cloudformation_url() const {
  return fmt::format("http://127.0.0.1:{}{}", http_port_, kCloudFormationPath);
}

HttpStubs::~HttpStubs() {
  stop_ = true;
  server_->stop();
  if (http_thread_.joinable()) http_thread_.join();
  if (smtp_thread_.joinable()) smtp_thread_.join();
  if (smtp_fd_ >= 0) close(smtp_fd_);
}

Expected<bool> HttpStubs::Start() {
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    HttpRecord record;
    record.method = req.method;
    record.path = req.path;
    if (record.path.rfind(kHostPrefix, 0) == 0) {
      size_t slash = record.path.find('/', kHostPrefix.size());
      record.host = record.path.substr(kHostPrefix.size(), slash == std::string::npos
                                                               ? std::string::npos
                                                               : slash - kHostPrefix.size());
      record.path = slash == std::string::npos ? "/" : record.path.substr(slash);
    }
    record.body = req.body;
    for (const auto& [key, value] : req.headers) record.headers[key] = value;
    record.at = clock_ ? std::chrono::duration_cast<Duration>(clock_->Latest()) : Duration{0};
    if (req.path.rfind(kCloudFormationPath, 0) == 0) {
      auto [status, body] = stacks_.Handle(req.body);
      res.status = status;
      res.set_content(body, "text/xml");
      record.host = "cloudformation";
      record.path = "/";
      record.status = status;
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(std::move(record));
      return;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    int call = 1;
    for (const HttpRecord& earlier : requests_) {
      if (earlier.path == record.path && earlier.host == record.host) ++call;
    }
    const HttpRule* chosen = nullptr;
    for (const HttpRule& rule : rules_) {
      if (!GlobMatch(rule.path, record.path)) continue;
      if (!rule.host.empty() && !GlobMatch(rule.host, record.host)) continue;
      if (!rule.method.empty() && AsciiLower(rule.method) != AsciiLower(record.method)) continue;
      if (!rule.calls.empty() &&
          std::find(rule.calls.begin(), rule.calls.end(), call) == rule.calls.end()) {
        continue;
      }
      if (rule.from && record.at < *rule.from) continue;
      if (rule.until && record.at >= *rule.until) continue;
      chosen = &rule;
      break;
    }
    if (chosen) {
      res.status = chosen->status;
      std::string type = "text/plain";
      for (const auto& [key, value] : chosen->headers) {
        if (AsciiLower(key) == "content-type") {
          type = value;
        } else {
          res.set_header(key, value);
        }
      }
      res.set_content(chosen->body, type);
    } else {
      res.status = 404;
      res.set_content(
          fmt::format("no stub for {} {}{} (add an http rule)\n", record.method,
                      record.host.empty() ? "" : record.host, record.path),
          "text/plain");
    }
    record.status = res.status;
    requests_.push_back(std::move(record));
  };
  for (const char* pattern : {".*"}) {
    server_->Get(pattern, handler);
    server_->Post(pattern, handler);
    server_->Put(pattern, handler);
    server_->Patch(pattern, handler);
    server_->Delete(pattern, handler);
    server_->Options(pattern, handler);
  }
  http_port_ = server_->bind_to_any_port("127.0.0.1");
  if (http_port_ <= 0) return MakeUnexpected(std::string("cannot start the HTTP stub server"));
  http_thread_ = std::thread([this] { server_->listen_after_bind(); });

  smtp_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (smtp_fd_ < 0 || bind(smtp_fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      listen(smtp_fd_, 16) != 0 ||
      getsockname(smtp_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return MakeUnexpected(fmt::format("cannot start the SMTP sink: {}", std::strerror(errno)));
  }
  smtp_port_ = ntohs(address.sin_port);
  smtp_thread_ = std::thread([this] { ServeSmtp(); });
  return true;
}

std::string HttpStubs::RouteUrl(const std::string& url) const {
  size_t scheme_end = url.find("://");
  // Only a whole value that is one URL (a message that mentions one is left alone).
  if (scheme_end == std::string::npos || url.find_first_of(" \t\r\n") != std::string::npos) {
    return url;
  }
  std::string scheme = AsciiLower(url.substr(0, scheme_end));
  size_t host_start = scheme_end + 3;
  size_t host_end = url.find_first_of("/?#", host_start);
  std::string authority = url.substr(host_start, host_end == std::string::npos
                                                     ? std::string::npos
                                                     : host_end - host_start);
  // user:password@host:port → host
  std::string host = authority.substr(authority.rfind('@') == std::string::npos
                                          ? 0
                                          : authority.rfind('@') + 1);
  std::string bare = host.substr(0, host.find(':'));
  if (bare == "127.0.0.1" || bare == "localhost" || bare == "[::1]") return url;
  std::string rest = host_end == std::string::npos ? "" : url.substr(host_end);
  if (scheme == "http" || scheme == "https") {
    if (!rest.empty() && rest[0] != '/') rest = "/" + rest;
    return fmt::format("http://127.0.0.1:{}{}{}{}", http_port_, kHostPrefix, bare, rest);
  }
  if (scheme == "smtp" || scheme == "smtps") {
    std::string credentials =
        authority.rfind('@') == std::string::npos ? "" : authority.substr(0, authority.rfind('@') + 1);
    return fmt::format("smtp://{}127.0.0.1:{}{}", credentials, smtp_port_, rest);
  }
  return url;
}

void HttpStubs::ServeSmtp() {
  while (!stop_) {
    pollfd p{smtp_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int fd = accept4(smtp_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    SmtpSession(fd);
    close(fd);
  }
}

// Enough of RFC 5321 for libcurl: no AUTH or STARTTLS offered (credentials are not needed).
void HttpStubs::SmtpSession(int fd) {
  std::string buffer, line;
  EmailRecord mail;
  if (!SendLine(fd, "220 slipway rehearsal SMTP sink")) return;
  while (ReadLine(fd, &buffer, &line)) {
    std::string verb = AsciiLower(line.substr(0, 4));
    if (verb == "ehlo" || verb == "helo") {
      if (!SendLine(fd, "250 slipway")) return;
    } else if (verb == "mail") {
      mail = EmailRecord{};
      size_t lt = line.find('<'), gt = line.find('>');
      if (lt != std::string::npos && gt != std::string::npos) mail.from = line.substr(lt + 1, gt - lt - 1);
      if (!SendLine(fd, "250 ok")) return;
    } else if (verb == "rcpt") {
      size_t lt = line.find('<'), gt = line.find('>');
      if (lt != std::string::npos && gt != std::string::npos) mail.to.push_back(line.substr(lt + 1, gt - lt - 1));
      if (!SendLine(fd, "250 ok")) return;
    } else if (verb == "data") {
      if (!SendLine(fd, "354 end with <CRLF>.<CRLF>")) return;
      while (ReadLine(fd, &buffer, &line) && line != ".") {
        if (!line.empty() && line[0] == '.') line.erase(0, 1);
        mail.data += line + "\r\n";
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        emails_.push_back(mail);
      }
      if (!SendLine(fd, "250 queued")) return;
    } else if (verb == "quit") {
      SendLine(fd, "221 bye");
      return;
    } else {
      if (!SendLine(fd, "250 ok")) return;
    }
  }
}

std::vector<HttpRecord> HttpStubs::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

std::vector<EmailRecord> HttpStubs::emails() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return emails_;
}

}  // namespace slipway::rehearse
