#include "stdlib/notify/notify.h"

#include <algorithm>
#include <filesystem>

#include "stdlib/files.h"
#include "stdlib/http_client.h"
#include "stdlib/input_reader.h"
#include "stdlib/text_util.h"

namespace slipway::stdlib::notify {
namespace {

using step_api::StepOutcome;
using step_api::StepStatus;

// The default message for each status when `message` and `message-file` are absent.
struct Template {
  const char* status;
  const char* text;
  const char* color;  // Slack attachment colour
};
const Template kTemplates[] = {
    {"started", ":rocket: {title} started", "#439FE0"},
    {"success", ":white_check_mark: {title} succeeded", "good"},
    {"failure", ":x: {title} failed", "danger"},
    {"rollback", ":rewind: {title} is being rolled back", "warning"},
    {"cancelled", ":no_entry_sign: {title} was cancelled", "#999999"},
    {"info", "{title}", "#439FE0"},
};

const Template& TemplateFor(const std::string& status) {
  for (const Template& t : kTemplates) {
    if (status == t.status) return t;
  }
  return kTemplates[5];
}

std::map<std::string, std::string> Placeholders(const Config& config) {
  std::map<std::string, std::string> values = config.fields;
  values["status"] = config.status;
  values["title"] = config.title;
  return values;
}

// True when an HTTP answer is worth retrying: no answer, 429, or a server error.
bool Retryable(const HttpResponse& response) {
  return !response.received() || response.status == 429 || response.status >= 500;
}

std::string Where(const Config& config) {
  if (config.channel == "slack") return "Slack webhook";
  if (config.channel == "webhook") return "webhook";
  return "e-mail to " + std::to_string(config.to.size() + config.cc.size()) + " recipient" +
         (config.to.size() + config.cc.size() == 1 ? "" : "s");
}

}  // namespace

std::optional<Config> ParseConfig(const nlohmann::json& with, std::string* error,
                                  const nlohmann::json& written) {
  InputReader in(with, kSchema);
  Config c;
  c.channel = in.String("channel");
  c.webhook_url = in.String("webhook-url");
  c.message = in.String("message");
  c.message_file = in.String("message-file");
  c.title = in.String("title", "Deployment");
  c.status = in.String("status", "info");
  c.mention = in.List("mention");
  c.fields = in.KeyValues("fields");
  c.body = in.String("body");
  c.method = in.String("method", "POST");
  std::transform(c.method.begin(), c.method.end(), c.method.begin(), ::toupper);
  c.headers = ReadHeaders(in, "headers", WrittenText(written, "headers"));
  c.smtp_url = in.String("smtp-url");
  c.from = in.String("from", "slipway@localhost");
  c.to = in.List("to");
  c.cc = in.List("cc");
  c.subject = in.String("subject", "{title}: {status}");
  c.username = in.String("username");
  c.password = in.String("password");
  c.starttls = in.Bool("starttls", false);
  c.retries = static_cast<int>(std::clamp<int64_t>(in.Int("retries", 3), 0, 100));
  c.retry_delay = in.Duration("retry-delay", std::chrono::seconds(2));
  c.timeout = in.Duration("timeout", std::chrono::seconds(10));

  const std::vector<std::string> channels = {"slack", "webhook", "email"};
  const std::vector<std::string> statuses = {"success",  "failure",   "started",
                                             "rollback", "cancelled", "info"};
  if (std::find(channels.begin(), channels.end(), c.channel) == channels.end()) {
    in.AddError("input \"channel\": expected slack, webhook or email, got \"" + c.channel + "\"");
  }
  if (std::find(statuses.begin(), statuses.end(), c.status) == statuses.end()) {
    in.AddError(
        "input \"status\": expected success, failure, started, rollback, cancelled or "
        "info, got \"" +
        c.status + "\"");
  }
  if (!c.message.empty() && !c.message_file.empty()) {
    in.AddError("give \"message\" or \"message-file\", not both");
  }
  auto only_for = [&](const char* key, const char* channel) {
    if (in.Has(key) && c.channel != channel) {
      in.AddError("input \"" + std::string(key) + "\" applies to channel " + channel + ", not \"" +
                  c.channel + "\"");
    }
  };
  if (c.channel == "slack" || c.channel == "webhook") {
    if (c.webhook_url.empty()) in.AddError("channel " + c.channel + " needs \"webhook-url\"");
    for (const char* key : {"smtp-url", "to", "cc", "subject", "username", "password"}) {
      only_for(key, "email");
    }
  }
  if (c.channel == "email") {
    if (c.smtp_url.empty()) in.AddError("channel email needs \"smtp-url\"");
    if (c.to.empty()) in.AddError("channel email needs \"to\"");
    if (in.Has("webhook-url")) in.AddError("input \"webhook-url\" does not apply to channel email");
    // The recipients are the author's: a `${{ }}` value may hold a comma-separated list, but a
    // line break in one (`ops@example.com\nattacker@evil.example`) is refused.
    for (const char* key : {"to", "cc"}) {
      if (in.values().contains(key) && in.values()[key].is_string() &&
          SubstitutedLineBreak(WrittenText(written, key), in.values()[key].get<std::string>())) {
        in.AddError("input \"" + std::string(key) +
                    "\": a ${{ }} value brings a line break into the recipients; separate "
                    "recipients given by one expression with commas");
      }
    }
  }
  if (c.channel != "slack") only_for("mention", "slack");
  if (c.channel != "webhook") {
    only_for("body", "webhook");
    only_for("headers", "webhook");
  }
  if (!in.ok()) {
    *error = in.ErrorText();
    return std::nullopt;
  }
  return c;
}

std::string RenderMessage(const Config& config, const std::string& file_text) {
  std::string text = !config.message.empty()        ? config.message
                     : !config.message_file.empty() ? file_text
                                                    : TemplateFor(config.status).text;
  return FillPlaceholders(text, Placeholders(config));
}

nlohmann::json SlackPayload(const Config& config, const std::string& text) {
  std::string mentions;
  for (const std::string& user : config.mention) {
    mentions += (user.rfind("<", 0) == 0 ? user : "<@" + user + ">") + " ";
  }
  nlohmann::json payload = {{"text", mentions + text}};
  nlohmann::json attachment = {{"color", TemplateFor(config.status).color}, {"fallback", text}};
  nlohmann::json fields = nlohmann::json::array();
  fields.push_back({{"title", "Status"}, {"value", config.status}, {"short", true}});
  for (const auto& [name, value] : config.fields) {
    fields.push_back({{"title", name}, {"value", value}, {"short", value.size() < 40}});
  }
  attachment["fields"] = fields;
  payload["attachments"] = nlohmann::json::array({attachment});
  return payload;
}

step_api::StepPreview Notify::Preview(const step_api::StepInputs& inputs) const {
  std::string error;
  std::optional<Config> config = ParseConfig(inputs.with, &error);
  if (!config) return {"notify: invalid inputs: " + error, {}};
  step_api::StepPreview preview;
  preview.summary = "notify " + Where(*config) + " (" + config->status + ")";
  if (config->channel == "email") {
    std::string to;
    for (const std::string& r : config->to) to += (to.empty() ? "" : ", ") + r;
    preview.details.push_back("to: " + to);
    preview.details.push_back("subject: " +
                              FillPlaceholders(config->subject, Placeholders(*config)));
  }
  if (!config->message_file.empty()) {
    preview.details.push_back("message: from file " + config->message_file);
  } else {
    preview.details.push_back("message: " + RenderMessage(*config, ""));
  }
  preview.details.push_back("retries: " + std::to_string(config->retries) + ", backoff from " +
                            FormatDuration(config->retry_delay));
  return preview;
}

StepOutcome Notify::Run(const step_api::StepInputs& inputs, step_api::StepContext& context) {
  std::string error;
  std::optional<Config> parsed = ParseConfig(inputs.with, &error, inputs.with_written);
  // Mask before anything can be logged, even when the inputs are otherwise invalid.
  for (const char* key : {"webhook-url", "smtp-url", "password"}) {
    auto it = inputs.with.find(key);
    if (it != inputs.with.end() && it->is_string() && !it->get<std::string>().empty()) {
      context.AddMask(it->get<std::string>());
    }
  }
  if (!parsed) return {StepStatus::kFailure, 1, "notify: " + error, {}};
  // Outbound text (message, title, fields, body, subject) leaves the machine masked; the URL,
  // headers and SMTP credentials are used as given.
  Config config = *parsed;
  config.title = context.Mask(config.title);
  config.message = context.Mask(config.message);
  config.body = context.Mask(config.body);
  config.subject = context.Mask(config.subject);
  std::map<std::string, std::string> masked_fields;
  for (const auto& [name, value] : config.fields) {
    masked_fields[context.Mask(name)] = context.Mask(value);
  }
  config.fields = std::move(masked_fields);
  std::string file_text;
  if (!config.message_file.empty()) {
    std::filesystem::path path(config.message_file);
    if (path.is_relative()) path = std::filesystem::path(context.workspace()) / path;
    if (!ReadFileText(path, &file_text, &error)) {
      return {StepStatus::kFailure, 1, "notify: message-file: " + error, {}};
    }
  }
  std::string text = context.Mask(RenderMessage(config, context.Mask(file_text)));

  HttpRequest request;
  MailMessage mail;
  if (config.channel == "email") {
    mail.smtp_url = config.smtp_url;
    mail.username = config.username;
    mail.password = config.password;
    mail.require_tls = config.starttls;
    mail.from = config.from;
    mail.to = config.to;
    mail.cc = config.cc;
    mail.subject = context.Mask(FillPlaceholders(config.subject, Placeholders(config)));
    mail.body = text;
    mail.date = Rfc5322Date(context.NowMs());
    mail.timeout = config.timeout;
    // The subject is filled in only now: refuse (not retry) what cannot be sent.
    if (std::string problem = MailProblem(mail); !problem.empty()) {
      return {StepStatus::kFailure, 1, "notify: e-mail not sent: " + problem, {}};
    }
  } else {
    request.method = config.method;
    request.url = config.webhook_url;
    request.timeout = config.timeout;
    bool has_content_type = false;
    for (const auto& [name, value] : config.headers) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      has_content_type = has_content_type || lower == "content-type";
    }
    request.headers = config.headers;
    if (!has_content_type) request.headers.emplace_back("Content-Type", "application/json");
    if (config.channel == "slack") {
      request.body = SlackPayload(config, text).dump();
    } else if (!config.body.empty()) {
      request.body = context.Mask(FillPlaceholders(config.body, Placeholders(config)));
    } else {
      request.body = nlohmann::json({{"status", config.status},
                                     {"title", config.title},
                                     {"message", text},
                                     {"fields", config.fields}})
                         .dump();
    }
  }

  std::chrono::milliseconds delay = config.retry_delay;
  std::string last_error;
  long http_status = 0;
  int attempt = 0;
  for (; attempt <= config.retries; ++attempt) {
    if (context.cancelled()) return {StepStatus::kCancelled, 1, "notify cancelled", {}};
    bool retry = true;
    if (config.channel == "email") {
      last_error = SendMail(mail);
    } else {
      HttpResponse response = SendHttp(request);
      http_status = response.status;
      if (!response.received()) {
        last_error = response.transport_error;
      } else if (response.status >= 200 && response.status < 300) {
        last_error.clear();
      } else {
        last_error = "HTTP " + std::to_string(response.status);
        retry = Retryable(response);
      }
    }
    if (last_error.empty()) {
      context.Log("sent " + Where(config) + " notification (" + config.status + ")" +
                  (attempt > 0 ? " after " + std::to_string(attempt + 1) + " attempts" : ""));
      StepOutcome outcome;
      outcome.outputs = {{"attempts", std::to_string(attempt + 1)}, {"channel", config.channel}};
      if (config.channel != "email") outcome.outputs["http-status"] = std::to_string(http_status);
      return outcome;
    }
    context.Log(Where(config) + " attempt " + std::to_string(attempt + 1) +
                " failed: " + last_error);
    if (!retry || attempt == config.retries) break;
    context.Log("retrying in " + FormatDuration(delay));
    if (!context.Sleep(delay)) return {StepStatus::kCancelled, 1, "notify cancelled", {}};
    delay *= 2;
  }
  StepOutcome outcome{StepStatus::kFailure,
                      1,
                      "could not send " + Where(config) + " notification after " +
                          std::to_string(std::min(attempt + 1, config.retries + 1)) + " attempt" +
                          (attempt == 0 ? "" : "s") + ": " + last_error,
                      {}};
  outcome.outputs = {{"attempts", std::to_string(std::min(attempt + 1, config.retries + 1))},
                     {"channel", config.channel}};
  return outcome;
}

std::unique_ptr<step_api::StepImpl> Make() { return std::make_unique<Notify>(); }

}  // namespace slipway::stdlib::notify
