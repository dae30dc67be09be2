#pragma once
/// HttpStubs: the loopback endpoints a rehearsal routes the built-in steps' URLs to. An HTTP
/// server (cpp-httplib) on 127.0.0.1 answers by rules — path and host globs, method, call number,
/// virtual time window — and records every request (smoke tests, monitor endpoints, webhooks,
/// Slack). A small SMTP sink records e-mail. RouteUrl rewrites `https://app.example.com/x` to
/// `http://127.0.0.1:PORT/_host/app.example.com/x`, so rules and records keep the original host.
/// Requests to `/_cloudformation` go to the scripted CloudFormation (cloud_stacks.h).

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "interpreter/base/expected.h"
#include "interpreter/rehearse/cloud_stacks.h"
#include "interpreter/rehearse/test_file.h"

namespace httplib {
class Server;
}

namespace slipway::rehearse {

class VirtualClock;

struct HttpRecord {
  std::string method, host, path, body;
  Strings headers;
  int status = 0;
  Duration at{0};
};

struct EmailRecord {
  std::string from;
  std::vector<std::string> to;
  std::string data;  // headers and body as sent
};

class HttpStubs {
 public:
  HttpStubs(std::vector<HttpRule> rules, const std::vector<StackRule>& stacks,
            VirtualClock* clock);
  ~HttpStubs();
  HttpStubs(const HttpStubs&) = delete;
  HttpStubs& operator=(const HttpStubs&) = delete;

  /// Starts the HTTP server and the SMTP sink on ephemeral loopback ports.
  Expected<bool> Start();
  /// `url` routed to the stubs; other text (and loopback URLs) unchanged.
  std::string RouteUrl(const std::string& url) const;
  std::vector<HttpRecord> requests() const;
  std::vector<EmailRecord> emails() const;
  /// The scripted CloudFormation endpoint's URL (AWS_ENDPOINT_URL_CLOUDFORMATION) and state.
  std::string cloudformation_url() const;
  const CloudStacks& stacks() const { return stacks_; }

 private:
  void ServeSmtp();
  void SmtpSession(int fd);

  std::vector<HttpRule> rules_;
  CloudStacks stacks_;
  VirtualClock* clock_;
  std::unique_ptr<httplib::Server> server_;
  std::thread http_thread_;
  int http_port_ = 0;
  int smtp_fd_ = -1;
  int smtp_port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread smtp_thread_;
  mutable std::mutex mutex_;
  std::vector<HttpRecord> requests_;
  std::vector<EmailRecord> emails_;
};

}  // namespace slipway::rehearse
