#pragma once
/// slipway/notify@v1: Slack incoming webhook, generic webhook, or e-mail (SMTP), with message
/// templates and retries with exponential backoff. Secrets (webhook URLs, SMTP credentials)
/// are masked and never logged.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/step_api/step_api.h"
#include "stdlib/http_headers.h"

namespace slipway::stdlib::notify {

extern const char kSchema[];

/// The step's inputs, parsed.
struct Config {
  std::string channel;  // slack | webhook | email
  std::string webhook_url;
  std::string message;       // before placeholders are filled
  std::string message_file;  // read at run time
  std::string title;
  std::string status;
  std::vector<std::string> mention;
  std::map<std::string, std::string> fields;
  std::string body;
  std::string method;
  HeaderList headers;  // in order, each checked (stdlib/http_headers.h)
  std::string smtp_url, from, subject, username, password;
  std::vector<std::string> to, cc;
  bool starttls = false;
  int retries = 3;
  std::chrono::milliseconds retry_delay{2000};
  std::chrono::milliseconds timeout{10000};
};

/// `written` is StepInputs::with_written: with it, a line break that a `${{ }}` value brings
/// into `headers`, `to` or `cc` (a header or recipient of its own) is an error.
std::optional<Config> ParseConfig(const nlohmann::json& with, std::string* error,
                                  const nlohmann::json& written = nlohmann::json::object());
/// The message text after templates and placeholders (message-file content passed in).
std::string RenderMessage(const Config& config, const std::string& file_text);
/// The Slack incoming-webhook payload for `text`.
nlohmann::json SlackPayload(const Config& config, const std::string& text);

/// The step.
class Notify final : public step_api::StepImpl {
 public:
  step_api::StepPreview Preview(const step_api::StepInputs& inputs) const override;
  step_api::StepOutcome Run(const step_api::StepInputs& inputs,
                            step_api::StepContext& context) override;
};

std::unique_ptr<step_api::StepImpl> Make();

}  // namespace slipway::stdlib::notify
