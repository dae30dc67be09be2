#include "interpreter/step_api/local_equivalents.h"

#include <cctype>

namespace slipway::step_api {
namespace {

struct Equivalent {
  /// A whole action name; a prefix when it ends in '-'; "*/" matches any owner.
  std::string_view name;
  std::string_view what;
};

constexpr Equivalent kEquivalents[] = {
    {"actions/checkout", "the workspace already is the checkout: nothing to do"},
    {"*/setup-", "uses the tool already on PATH"},
    {"aws-actions/configure-aws-credentials",
     "exports the given AWS credentials and region to later steps (masked)"},
    {"actions/upload-artifact", "copies the paths into the run's artifacts"},
    {"actions/download-artifact", "copies from the run's artifacts"},
    {"slackapi/slack-github-action", "posts to the webhook through slipway/notify"},
    {"8398a7/action-slack", "posts to SLACK_WEBHOOK_URL through slipway/notify"},
    {"rtCamp/action-slack-notify", "posts to SLACK_WEBHOOK through slipway/notify"},
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

std::string_view LocalEquivalent(std::string_view uses) {
  std::string_view name = ActionName(uses);
  for (const Equivalent& e : kEquivalents) {
    if (Matches(e.name, name)) return e.what;
  }
  return "";
}

}  // namespace slipway::step_api
