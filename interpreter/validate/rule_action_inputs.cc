// `with:` of the common third-party actions that slipway runs locally (step_api's
// LocalEquivalent): a key that the action does not declare is almost always a typo
// (`fetch-dept` for `fetch-depth`). GitHub only warns at run time ("Unexpected input(s)"), and
// slipway's local equivalent would silently ignore it, so it is a warning here, as actionlint
// reports it. The inputs are those of each action's action.yml (the union over its current
// major versions); an action not listed here is not checked.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/step_api/local_equivalents.h"
#include "interpreter/validate/rule.h"
#include "interpreter/base/ascii.h"
#include "interpreter/validate/rule_util.h"

namespace slipway::validate {
namespace {

struct KnownAction {
  std::string_view name;  // lower case, without the ref
  std::vector<std::string_view> inputs;
};

const std::vector<KnownAction>& KnownActions() {
  static const std::vector<KnownAction> kActions = {
      {"actions/checkout",
       {"repository",
        "ref",
        "token",
        "ssh-key",
        "ssh-known-hosts",
        "ssh-strict",
        "ssh-user",
        "persist-credentials",
        "path",
        "clean",
        "filter",
        "sparse-checkout",
        "sparse-checkout-cone-mode",
        "fetch-depth",
        "fetch-tags",
        "show-progress",
        "reference",
        "lfs",
        "submodules",
        "set-safe-directory",
        "github-server-url",
        "allow-unsafe-pr-checkout"}},
      {"actions/upload-artifact",
       {"name", "path", "if-no-files-found", "retention-days", "compression-level", "overwrite",
        "include-hidden-files", "archive"}},
      {"actions/download-artifact",
       {"name", "artifact-ids", "path", "pattern", "merge-multiple", "github-token", "repository",
        "run-id", "digest-mismatch"}},
      {"actions/setup-node",
       {"node-version", "node-version-file", "architecture", "check-latest", "registry-url",
        "scope", "token", "cache", "package-manager-cache", "cache-dependency-path", "always-auth",
        "mirror", "mirror-token", "version"}},
      {"actions/setup-python",
       {"python-version", "python-version-file", "cache", "architecture", "check-latest", "token",
        "cache-dependency-path", "update-environment", "allow-prereleases", "freethreaded",
        "pip-version", "pip-install", "ignore-platform-version"}},
      {"aws-actions/configure-aws-credentials",
       {"audience",
        "aws-access-key-id",
        "aws-secret-access-key",
        "aws-session-token",
        "aws-region",
        "mask-aws-account-id",
        "role-to-assume",
        "web-identity-token-file",
        "role-duration-seconds",
        "role-session-name",
        "role-external-id",
        "role-skip-session-tagging",
        "http-proxy",
        "no-proxy",
        "inline-session-policy",
        "managed-session-policies",
        "output-credentials",
        "output-env-credentials",
        "unset-current-credentials",
        "disable-retry",
        "retry-max-attempts",
        "special-characters-workaround",
        "role-chaining",
        "use-existing-credentials",
        "action-timeout-s",
        "allowed-account-ids",
        "force-skip-oidc"}},
  };
  return kActions;
}

const KnownAction* Find(std::string_view uses) {
  const std::string name = AsciiLower(step_api::ActionName(uses));
  for (const KnownAction& action : KnownActions()) {
    if (action.name == name) return &action;
  }
  return nullptr;
}

}  // namespace

void CheckActionInputs(const RuleContext& context) {
  for (const model::Job& job : context.workflow.jobs) {
    for (const model::Step& step : job.steps) {
      if (!step.uses || step.uses->has_expr || step.with.empty()) continue;
      if (step_api::LocalEquivalent(step.uses->value).empty()) continue;
      const KnownAction* action = Find(step.uses->value);
      if (!action) continue;
      std::vector<std::string> names(action->inputs.begin(), action->inputs.end());
      for (const auto& [key, value] : step.with) {
        if (std::find(names.begin(), names.end(), AsciiLower(key.value)) != names.end()) continue;
        context.diagnostics.Warning(
            "action-inputs", key.where,
            fmt::format("input \"{}\" is not defined by action \"{}\"{}", key.value, action->name,
                        DidYouMean(key.value, names)));
      }
    }
  }
}

}  // namespace slipway::validate
