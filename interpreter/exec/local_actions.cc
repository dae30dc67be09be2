#include "interpreter/exec/local_actions.h"

#include <fmt/format.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "interpreter/step_api/local_equivalents.h"

namespace slipway::exec {
namespace {

namespace fs = std::filesystem;
using step_api::StepOutcome;
using step_api::StepStatus;

std::string With(const nlohmann::json& with, const char* key, std::string fallback = "") {
  auto it = with.find(key);
  if (it == with.end() || it->is_null()) return fallback;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

StepOutcome Failed(std::string message) {
  StepOutcome outcome;
  outcome.status = StepStatus::kFailure;
  outcome.exit_code = 1;
  outcome.message = std::move(message);
  return outcome;
}

fs::path InWorkspace(const std::string& workspace, const std::string& path) {
  fs::path p(path);
  return p.is_absolute() ? p : fs::path(workspace) / p;
}

StepOutcome ConfigureAwsCredentials(const nlohmann::json& with, const LocalActionContext& ctx) {
  struct Mapping {
    const char* input;
    const char* variable;
    bool secret;
  };
  const Mapping kMappings[] = {
      {"aws-access-key-id", "AWS_ACCESS_KEY_ID", true},
      {"aws-secret-access-key", "AWS_SECRET_ACCESS_KEY", true},
      {"aws-session-token", "AWS_SESSION_TOKEN", true},
      {"aws-region", "AWS_REGION", false},
  };
  for (const Mapping& m : kMappings) {
    std::string value = With(with, m.input);
    if (value.empty()) continue;
    if (m.secret) ctx.add_mask(value);
    ctx.set_env(m.variable, value);
    if (std::string(m.variable) == "AWS_REGION") ctx.set_env("AWS_DEFAULT_REGION", value);
  }
  if (!With(with, "role-to-assume").empty()) {
    ctx.log(
        fmt::format("role-to-assume \"{}\" is not assumed locally; the AWS tools use the "
                    "credentials already in the environment",
                    With(with, "role-to-assume")));
  }
  ctx.log("AWS credentials exported to the following steps");
  return StepOutcome{};
}

StepOutcome UploadArtifact(const nlohmann::json& with, const LocalActionContext& ctx) {
  std::string name = With(with, "name", "artifact");
  std::string path = With(with, "path");
  if (path.empty()) return Failed("input \"path\" is required by actions/upload-artifact");
  fs::path target = fs::path(ctx.artifacts_dir) / name;
  std::error_code error;
  fs::create_directories(target, error);
  size_t copied = 0;
  // `path` may list several paths, one per line.
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('\n', start);
    if (end == std::string::npos) end = path.size();
    std::string item = path.substr(start, end - start);
    start = end + 1;
    while (!item.empty() && (item.back() == ' ' || item.back() == '\r')) item.pop_back();
    if (item.empty()) continue;
    fs::path source = InWorkspace(ctx.workspace, item);
    if (!fs::exists(source)) {
      if (With(with, "if-no-files-found", "warn") == "error") {
        return Failed(fmt::format("no files found at \"{}\"", item));
      }
      ctx.log(fmt::format("warning: no files found at \"{}\"", item));
      continue;
    }
    fs::copy(source, target / source.filename(),
             fs::copy_options::recursive | fs::copy_options::overwrite_existing, error);
    if (error) return Failed(fmt::format("cannot copy \"{}\": {}", item, error.message()));
    ++copied;
  }
  ctx.log(fmt::format("artifact \"{}\": {} path(s) stored in the run's artifacts", name, copied));
  return StepOutcome{};
}

StepOutcome DownloadArtifact(const nlohmann::json& with, const LocalActionContext& ctx) {
  std::string name = With(with, "name");
  fs::path destination = InWorkspace(ctx.workspace, With(with, "path", "."));
  std::error_code error;
  fs::create_directories(destination, error);
  std::vector<fs::path> sources;
  if (name.empty()) {
    for (const auto& entry : fs::directory_iterator(ctx.artifacts_dir, error)) {
      sources.push_back(entry.path());
    }
  } else {
    fs::path source = fs::path(ctx.artifacts_dir) / name;
    if (!fs::exists(source)) return Failed(fmt::format("artifact \"{}\" not found", name));
    sources.push_back(source);
  }
  for (const fs::path& source : sources) {
    for (const auto& entry : fs::directory_iterator(source, error)) {
      fs::copy(entry.path(), destination / entry.path().filename(),
               fs::copy_options::recursive | fs::copy_options::overwrite_existing, error);
      if (error) return Failed(fmt::format("cannot copy artifact: {}", error.message()));
    }
  }
  ctx.log(fmt::format("artifact(s) copied to \"{}\"", destination.string()));
  return StepOutcome{};
}

}  // namespace

std::optional<BuiltinCall> AsBuiltinCall(std::string_view uses, const nlohmann::json& with,
                                         const std::map<std::string, std::string>& env,
                                         const std::string& workspace) {
  std::string name = Lower(step_api::ActionName(uses));
  auto from_env = [&](const char* key) {
    auto it = env.find(key);
    return it == env.end() ? std::string() : it->second;
  };
  BuiltinCall call;
  call.uses = "slipway/notify@v1";
  if (name == "slackapi/slack-github-action") {
    // v2 takes `webhook` (+ `webhook-type`); v1 the SLACK_WEBHOOK_URL variable.
    std::string url = With(with, "webhook", from_env("SLACK_WEBHOOK_URL"));
    if (!With(with, "method").empty() || !With(with, "token").empty() ||
        !from_env("SLACK_BOT_TOKEN").empty()) {
      call.error = name +
                   ": posting with a bot token (Slack API method) has no local "
                   "equivalent; use an incoming webhook";
      return call;
    }
    if (url.empty()) {
      call.error = name + ": no webhook: give `with.webhook` or the SLACK_WEBHOOK_URL variable";
      return call;
    }
    call.with["webhook-url"] = url;
    std::string payload = With(with, "payload");
    if (std::string file = With(with, "payload-file-path"); !file.empty()) {
      std::ifstream in(InWorkspace(workspace, file), std::ios::binary);
      if (!in) {
        call.error = fmt::format("{}: cannot read payload-file-path \"{}\"", name, file);
        return call;
      }
      std::stringstream body;
      body << in.rdbuf();
      payload = body.str();
    }
    if (!payload.empty()) {
      nlohmann::json parsed = nlohmann::json::parse(payload, nullptr, false);
      if (parsed.is_discarded()) {
        call.error = name + ": `payload` is not JSON (YAML payloads have no local equivalent)";
        return call;
      }
      call.with["channel"] = "webhook";
      call.with["body"] = parsed.dump();
    } else {
      call.with["channel"] = "slack";
      call.with["message"] = With(with, "slack-message");
    }
    return call;
  }
  if (name == "8398a7/action-slack") {
    std::string url = With(with, "webhook_url", from_env("SLACK_WEBHOOK_URL"));
    if (url.empty()) {
      call.error = name + ": no webhook: set the SLACK_WEBHOOK_URL variable";
      return call;
    }
    call.with["webhook-url"] = url;
    std::string custom = With(with, "custom_payload");
    if (!custom.empty()) {
      call.with["channel"] = "webhook";
      call.with["body"] = custom;
      return call;
    }
    call.with["channel"] = "slack";
    std::string status = With(with, "status", "info");
    call.with["status"] = status == "custom" ? "info" : status;
    if (std::string text = With(with, "text"); !text.empty()) call.with["message"] = text;
    if (std::string mention = With(with, "mention"); !mention.empty()) {
      call.with["mention"] = mention;
    }
    return call;
  }
  if (name == "rtcamp/action-slack-notify") {
    std::string url = from_env("SLACK_WEBHOOK");
    if (url.empty()) {
      call.error = name + ": no webhook: set the SLACK_WEBHOOK variable";
      return call;
    }
    call.with["channel"] = "slack";
    call.with["webhook-url"] = url;
    std::string color = Lower(from_env("SLACK_COLOR"));
    call.with["status"] = color == "good" || color == "success"     ? "success"
                          : color == "danger" || color == "failure" ? "failure"
                          : color == "cancelled"                    ? "cancelled"
                                                                    : "info";
    if (std::string title = from_env("SLACK_TITLE"); !title.empty()) call.with["title"] = title;
    if (std::string message = from_env("SLACK_MESSAGE"); !message.empty()) {
      call.with["message"] = message;
    }
    return call;
  }
  return std::nullopt;
}

std::optional<StepOutcome> RunLocalAction(std::string_view uses, const nlohmann::json& with,
                                          const LocalActionContext& context) {
  std::string name = Lower(step_api::ActionName(uses));
  if (name == "actions/checkout") {
    context.log("the workspace is already the checkout: nothing to do");
    return StepOutcome{};
  }
  size_t slash = name.find('/');
  if (slash != std::string::npos && name.compare(slash + 1, 6, "setup-") == 0) {
    context.log(fmt::format("{}: using the tools already on PATH", name));
    return StepOutcome{};
  }
  if (name == "aws-actions/configure-aws-credentials") {
    return ConfigureAwsCredentials(with, context);
  }
  if (name == "actions/upload-artifact") return UploadArtifact(with, context);
  if (name == "actions/download-artifact") return DownloadArtifact(with, context);
  return std::nullopt;
}

}  // namespace slipway::exec
