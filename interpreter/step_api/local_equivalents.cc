#include "interpreter/step_api/local_equivalents.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "interpreter/base/ascii.h"
#include "interpreter/step_api/action_inputs.h"
#include "interpreter/step_api/artifact_actions.h"

namespace slipway::step_api {
namespace {

// aws-actions/configure-aws-credentials (src/index.ts): static keys are exported as given; a
// `role-to-assume` is assumed with STS (the keys given, else the credentials already in the
// environment — there is no OIDC provider locally) and the role's temporary credentials are
// exported. Like the action, the step fails when that yields no credentials.
StepOutcome ConfigureAwsCredentials(std::string_view, const nlohmann::json& with,
                                    const LocalActionContext& ctx) {
  const std::string name = "aws-actions/configure-aws-credentials";
  std::string key_id = ActionInput(with, "aws-access-key-id");
  std::string secret_key = ActionInput(with, "aws-secret-access-key");
  std::string session_token = ActionInput(with, "aws-session-token");
  std::string region = ActionInput(with, "aws-region");
  region.erase(0, region.find_first_not_of(" \t\r\n"));  // getInput trims
  region.erase(region.find_last_not_of(" \t\r\n") + 1);
  std::string role = ActionInput(with, "role-to-assume");
  // run(): core.getInput('aws-region', { required: true }), then REGION_REGEX /^[a-z0-9-]+$/,
  // before any credential is looked at.
  if (region.empty()) return ActionFailed("Input required and not supplied: aws-region");
  if (region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    return ActionFailed("Region is not valid: " + region);
  }
  for (const std::string* secret : {&key_id, &secret_key, &session_token}) {
    if (!secret->empty()) ctx.add_mask(*secret);
  }
  if (key_id.empty() != secret_key.empty()) {
    return ActionFailed(
        fmt::format("{}: {} is empty while {} is given (a secret that is not set?)", name,
                    key_id.empty() ? "aws-access-key-id" : "aws-secret-access-key",
                    key_id.empty() ? "aws-secret-access-key" : "aws-access-key-id"));
  }
  if (key_id.empty() && role.empty()) {
    return ActionFailed(
        name +
        ": no credentials: aws-access-key-id and aws-secret-access-key are empty (a "
        "secret that is not set?) and no role-to-assume is given");
  }
  if (!role.empty()) {
    if (!ctx.run) {
      return ActionFailed(
          fmt::format("{}: role-to-assume \"{}\" cannot be assumed here (no command "
                      "can be run); give aws-access-key-id and aws-secret-access-key",
                      name, role));
    }
    std::vector<std::string> argv = {"aws",
                                     "sts",
                                     "assume-role",
                                     "--role-arn",
                                     role,
                                     "--role-session-name",
                                     ActionInput(with, "role-session-name", "GitHubActions"),
                                     "--duration-seconds",
                                     ActionInput(with, "role-duration-seconds", "3600"),
                                     "--output",
                                     "json"};
    if (std::string external = ActionInput(with, "role-external-id"); !external.empty()) {
      argv.insert(argv.end(), {"--external-id", external});
    }
    std::map<std::string, std::string> credentials;
    if (!key_id.empty()) {
      credentials = {{"AWS_ACCESS_KEY_ID", key_id}, {"AWS_SECRET_ACCESS_KEY", secret_key}};
      if (!session_token.empty()) credentials["AWS_SESSION_TOKEN"] = session_token;
    }
    credentials["AWS_REGION"] = credentials["AWS_DEFAULT_REGION"] = region;
    ctx.log(fmt::format("assuming role \"{}\" with `aws sts assume-role` ({})", role,
                        key_id.empty() ? "no OIDC provider locally: with the credentials already "
                                         "in the environment"
                                       : "with the given access key"));
    std::optional<std::string> answer = ctx.run(argv, credentials);
    nlohmann::json assumed =
        answer ? nlohmann::json::parse(*answer, nullptr, false) : nlohmann::json();
    const nlohmann::json* got = nullptr;
    if (assumed.is_object() && assumed.contains("Credentials") &&
        assumed["Credentials"].is_object()) {
      got = &assumed["Credentials"];
    }
    auto field = [&](const char* key) {
      return got && got->contains(key) && (*got)[key].is_string() ? (*got)[key].get<std::string>()
                                                                  : std::string();
    };
    key_id = field("AccessKeyId");
    secret_key = field("SecretAccessKey");
    session_token = field("SessionToken");
    if (key_id.empty() || secret_key.empty()) {
      return ActionFailed(fmt::format(
          "{}: could not assume role \"{}\": `aws sts assume-role` {}; no credentials are set "
          "(give credentials that may assume the role, or aws-access-key-id and "
          "aws-secret-access-key)",
          name, role, answer ? "returned no credentials" : "failed"));
    }
    ctx.add_mask(key_id);
    ctx.add_mask(secret_key);
    if (!session_token.empty()) ctx.add_mask(session_token);
  }
  ctx.set_env("AWS_ACCESS_KEY_ID", key_id);
  ctx.set_env("AWS_SECRET_ACCESS_KEY", secret_key);
  if (!session_token.empty()) ctx.set_env("AWS_SESSION_TOKEN", session_token);
  ctx.set_env("AWS_REGION", region);
  ctx.set_env("AWS_DEFAULT_REGION", region);
  ctx.log(role.empty()
              ? "AWS credentials exported to the following steps"
              : fmt::format("credentials of role \"{}\" exported to the following steps", role));
  return StepOutcome{};
}

// actions/checkout: the workspace is the checkout already. Its outputs are the ref and the
// commit checked out (src/main.ts, git-source-provider.ts). What would change the files the
// action leaves (another `ref`, submodules, LFS, a sparse checkout) cannot be done in the
// workspace: the step fails rather than let later steps run other code than asked for.
StepOutcome Checkout(std::string_view, const nlohmann::json& with, const LocalActionContext& ctx) {
  const std::string name = "actions/checkout";
  if (!ActionInput(with, "path").empty() || !ActionInput(with, "repository").empty()) {
    return ActionFailed(name +
                        ": `path` and `repository` are not done locally (the workspace is the "
                        "checkout)");
  }
  for (const char* input : {"submodules", "lfs", "sparse-checkout"}) {
    std::string value = ActionInput(with, input);
    if (!value.empty() && value != "false") {
      return ActionFailed(
          fmt::format("{}: `{}: {}` cannot be done locally: the workspace is used as it "
                      "is",
                      name, input, value));
    }
  }
  std::string ref = ActionInput(with, "ref");
  std::string commit = EnvValue(ctx.env, "GITHUB_SHA");
  if (!ref.empty()) {
    auto cannot = [&](const std::string& why) {
      return ActionFailed(
          fmt::format("{}: ref \"{}\" {}; a local run cannot check out another ref (it "
                      "runs the workspace as it is): check out that ref yourself and "
                      "run again",
                      name, ref, why));
    };
    if (ref[0] == '-') return cannot("is not a ref");
    if (!ctx.run) return cannot("cannot be resolved here (no command can be run)");
    auto resolve = [&](const std::string& what) -> std::string {
      std::optional<std::string> out =
          ctx.run({"git", "rev-parse", "--verify", "--quiet", what + "^{commit}"}, {});
      std::string sha = out ? *out : "";
      while (!sha.empty() && (sha.back() == '\n' || sha.back() == '\r')) sha.pop_back();
      return sha;
    };
    std::string wanted = resolve(ref);
    if (wanted.empty()) return cannot("does not resolve to a commit in the workspace");
    std::string head = resolve("HEAD");
    if (wanted != head) {
      return cannot(fmt::format("is commit {}, but the workspace is at {}", wanted,
                                head.empty() ? std::string("no commit") : head));
    }
    ctx.log(fmt::format("ref \"{}\" is the workspace's commit {}", ref, head));
    commit = head;
  }
  if (std::string depth = ActionInput(with, "fetch-depth"); !depth.empty()) {
    ctx.log(
        fmt::format("fetch-depth {} has no effect locally: the workspace's history is used as "
                    "it is",
                    depth));
  }
  ctx.log("the workspace is already the checkout: nothing to do");
  StepOutcome outcome;
  outcome.outputs["ref"] = ref.empty() ? EnvValue(ctx.env, "GITHUB_REF") : ref;
  outcome.outputs["commit"] = commit;
  return outcome;
}

StepOutcome SetupFromPath(std::string_view uses, const nlohmann::json& with,
                          const LocalActionContext& ctx) {
  std::string name = AsciiLower(ActionName(uses));
  if (!ctx.probe) {
    ctx.log(fmt::format("{}: rehearsal: the requested version is not checked", name));
    return StepOutcome{};
  }
  SetupCheck check = CheckSetupTool(uses, with, ctx.path, ctx.workspace, ctx.probe);
  if (check.kind == SetupCheck::Kind::kUnsatisfied)
    return ActionFailed(name + ": " + check.message);
  ctx.log(fmt::format("{}: {}", name, check.message));
  StepOutcome outcome;
  outcome.outputs = std::move(check.outputs);
  return outcome;
}

BuiltinCall NotifyCall() {
  BuiltinCall call;
  call.uses = "slipway/notify@v1";
  return call;
}

// slackapi/slack-github-action: v2 takes `webhook` (+ `webhook-type`); v1 the
// SLACK_WEBHOOK_URL variable.
BuiltinCall SlackGithubAction(const nlohmann::json& with,
                              const std::map<std::string, std::string>& env,
                              const std::string& workspace) {
  const std::string name = "slackapi/slack-github-action";
  BuiltinCall call = NotifyCall();
  std::string url = ActionInput(with, "webhook", EnvValue(env, "SLACK_WEBHOOK_URL"));
  if (!ActionInput(with, "method").empty() || !ActionInput(with, "token").empty() ||
      !EnvValue(env, "SLACK_BOT_TOKEN").empty()) {
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
  std::string payload = ActionInput(with, "payload");
  if (std::string file = ActionInput(with, "payload-file-path"); !file.empty()) {
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
    call.with["message"] = ActionInput(with, "slack-message");
  }
  return call;
}

BuiltinCall ActionSlack(const nlohmann::json& with, const std::map<std::string, std::string>& env,
                        const std::string&) {
  BuiltinCall call = NotifyCall();
  std::string url = ActionInput(with, "webhook_url", EnvValue(env, "SLACK_WEBHOOK_URL"));
  if (url.empty()) {
    call.error = "8398a7/action-slack: no webhook: set the SLACK_WEBHOOK_URL variable";
    return call;
  }
  call.with["webhook-url"] = url;
  std::string custom = ActionInput(with, "custom_payload");
  if (!custom.empty()) {
    call.with["channel"] = "webhook";
    call.with["body"] = custom;
    return call;
  }
  call.with["channel"] = "slack";
  std::string status = ActionInput(with, "status", "info");
  call.with["status"] = status == "custom" ? "info" : status;
  if (std::string text = ActionInput(with, "text"); !text.empty()) call.with["message"] = text;
  if (std::string mention = ActionInput(with, "mention"); !mention.empty()) {
    call.with["mention"] = mention;
  }
  return call;
}

BuiltinCall SlackNotify(const nlohmann::json&, const std::map<std::string, std::string>& env,
                        const std::string&) {
  BuiltinCall call = NotifyCall();
  std::string url = EnvValue(env, "SLACK_WEBHOOK");
  if (url.empty()) {
    call.error = "rtcamp/action-slack-notify: no webhook: set the SLACK_WEBHOOK variable";
    return call;
  }
  call.with["channel"] = "slack";
  call.with["webhook-url"] = url;
  std::string color = AsciiLower(EnvValue(env, "SLACK_COLOR"));
  call.with["status"] = color == "good" || color == "success"     ? "success"
                        : color == "danger" || color == "failure" ? "failure"
                        : color == "cancelled"                    ? "cancelled"
                                                                  : "info";
  if (std::string title = EnvValue(env, "SLACK_TITLE"); !title.empty()) call.with["title"] = title;
  if (std::string message = EnvValue(env, "SLACK_MESSAGE"); !message.empty()) {
    call.with["message"] = message;
  }
  return call;
}

// The one table (see the header).
constexpr LocalEquivalentRow kLocalEquivalents[] = {
    {"actions/checkout", "the workspace already is the checkout: nothing to do", &Checkout,
     nullptr},
    {"*/setup-", "checks the requested version against the tool on PATH", &SetupFromPath, nullptr},
    {"aws-actions/configure-aws-credentials",
     "exports the given AWS credentials and region to later steps (masked)",
     &ConfigureAwsCredentials, nullptr},
    {"actions/upload-artifact", "copies the paths into the run's artifacts", &UploadArtifact,
     nullptr},
    {"actions/download-artifact", "copies from the run's artifacts", &DownloadArtifact, nullptr},
    {"slackapi/slack-github-action", "posts to the webhook through slipway/notify", nullptr,
     &SlackGithubAction},
    {"8398a7/action-slack", "posts to SLACK_WEBHOOK_URL through slipway/notify", nullptr,
     &ActionSlack},
    {"rtCamp/action-slack-notify", "posts to SLACK_WEBHOOK through slipway/notify", nullptr,
     &SlackNotify},
};

// Action names are case-insensitive on GitHub.
bool SameText(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool Matches(std::string_view pattern, std::string_view name) {
  if (pattern.substr(0, 2) == "*/") {
    size_t slash = name.find('/');
    if (slash == std::string_view::npos) return false;
    pattern.remove_prefix(2);
    name.remove_prefix(slash + 1);
  }
  if (pattern.back() == '-') return SameText(name.substr(0, pattern.size()), pattern);
  return SameText(name, pattern);
}

}  // namespace

std::string_view ActionName(std::string_view uses) { return uses.substr(0, uses.find('@')); }

const LocalEquivalentRow* FindLocalEquivalent(std::string_view uses) {
  std::string_view name = ActionName(uses);
  for (const LocalEquivalentRow& row : kLocalEquivalents) {
    if (Matches(row.name, name)) return &row;
  }
  return nullptr;
}

std::string_view LocalEquivalent(std::string_view uses) {
  const LocalEquivalentRow* row = FindLocalEquivalent(uses);
  return row ? row->what : std::string_view();
}

}  // namespace slipway::step_api
