#pragma once
/// HTTP and SMTP through libcurl, for the steps that talk to services (smoke-test, notify,
/// traffic-shift, monitor). Results are values; nothing throws. Safe to call from several
/// threads at once (each call owns its curl handle).

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace slipway::stdlib {

/// One HTTP request.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10'000};
};

/// What came back. `transport_error` is set when no HTTP response arrived at all.
struct HttpResponse {
  long status = 0;
  std::string body;
  double latency_ms = 0;
  std::string transport_error;
  bool received() const { return transport_error.empty(); }
};

/// Sends `request` and waits for the whole response (bounded by request.timeout).
HttpResponse SendHttp(const HttpRequest& request);

/// One e-mail sent through an SMTP server (`smtp://host:port` or `smtps://`).
struct MailMessage {
  std::string smtp_url;
  std::string username;
  std::string password;
  bool require_tls = false;  // STARTTLS required (smtp:// only)
  std::string from;
  std::vector<std::string> to;
  std::vector<std::string> cc;
  std::string subject;
  std::string body;
  std::string date;  // RFC 5322 date header value
  std::chrono::milliseconds timeout{10'000};
};

/// "" when `address` is an RFC 5321 mailbox slipway sends to (`local@domain`: a dot-atom local
/// part of at most 64 characters, a host name or `[address literal]`, ASCII, at most 254
/// characters); else why not. Display names (`Ops <ops@example.com>`) and quoted local parts are
/// not accepted.
std::string MailAddressProblem(std::string_view address);
/// "" when `mail` can be sent as it is; else why not: an address that is not a mailbox, or a
/// header value (subject, date) with CR, LF or NUL, which would forge headers or the body.
std::string MailProblem(const MailMessage& mail);
/// Renders the RFC 5322 message (headers + CRLF body) that SendMail uploads. Every line break of
/// the body (LF, CRLF or a lone CR) becomes CRLF; libcurl dot-stuffs lines starting with "."
/// and ends the data (RFC 5321 section 4.5.2) as it uploads.
std::string RenderMail(const MailMessage& mail);
/// Sends `mail` (refused without a connection when MailProblem finds something); returns ""
/// on success, else why it failed.
std::string SendMail(const MailMessage& mail);

}  // namespace slipway::stdlib
