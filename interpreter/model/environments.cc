#include "interpreter/model/environments.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace slipway::model {

const EnvironmentConfig* EnvironmentsConfig::Find(std::string_view name) const {
  for (const EnvironmentConfig& environment : environments) {
    if (environment.name.value == name) return &environment;
  }
  return nullptr;
}

std::vector<std::string> EnvironmentsConfig::TeamMembers(std::string_view team) const {
  std::vector<std::string> out;
  for (const auto& [name, members] : teams) {
    if (name.value != team) continue;
    for (const Str& member : members) out.push_back(member.value);
  }
  return out;
}

std::vector<std::string> EnvironmentsConfig::Reviewers(const EnvironmentConfig& environment) const {
  std::set<std::string> all;
  if (environment.reviewers) {
    for (const Str& user : environment.reviewers->users) all.insert(user.value);
    for (const Str& team : environment.reviewers->teams) {
      for (std::string& member : TeamMembers(team.value)) all.insert(std::move(member));
    }
  }
  return {all.begin(), all.end()};
}

std::vector<std::string> EnvironmentsConfig::Names() const {
  std::vector<std::string> out;
  for (const EnvironmentConfig& environment : environments) out.push_back(environment.name.value);
  return out;
}

std::optional<int64_t> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  // A bare number is minutes, as GitHub's wait_timer is.
  if (text.find_first_not_of("0123456789") == std::string_view::npos) {
    if (text.size() > 9) return std::nullopt;
    return std::stoll(std::string(text)) * 60;
  }
  constexpr int64_t kCap = 100LL * 366 * 24 * 3600;  // far from overflow, far beyond any timer
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
    int64_t number = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      number = number * 10 + (text[i] - '0');
      if (number > kCap) return std::nullopt;
      ++i;
    }
    if (i == text.size()) return std::nullopt;
    switch (text[i]) {
      case 's':
        total += number;
        break;
      case 'm':
        total += number * 60;
        break;
      case 'h':
        total += number * 3600;
        break;
      case 'd':
        total += number * 86400;
        break;
      default:
        return std::nullopt;
    }
    if (total > kCap) return std::nullopt;
    ++i;
  }
  return total;
}

namespace {

std::vector<Str> ScalarList(const yaml::Node* node) {
  std::vector<Str> out;
  if (!node || !node->is_sequence()) return out;
  for (const yaml::Node& item : node->items) {
    if (item.is_scalar()) out.push_back(ToStr(item));
  }
  return out;
}

// GitHub caps a wait timer at 30 days (43,200 minutes).
constexpr int64_t kMaxWaitTimerMinutes = 43200;

void ReadDuration(const yaml::Node& env, std::string_view key, std::optional<Str>* text,
                  int64_t* seconds, Diagnostics& diagnostics) {
  const yaml::Node* node = env.Find(key);
  if (!node || !node->is_scalar()) return;
  const std::string name(key);
  const std::string& value = node->value;
  std::optional<int64_t> parsed = ParseDuration(value);
  if (!parsed) {
    // Well-formed (digits, or digits-and-unit groups) but too large to parse.
    bool digits_and_units = !value.empty() && std::isdigit(static_cast<unsigned char>(value[0]));
    for (size_t i = 0; i < value.size(); ++i) {
      char c = value[i];
      bool unit = c == 's' || c == 'm' || c == 'h' || c == 'd';
      if (!std::isdigit(static_cast<unsigned char>(c)) &&
          !(unit && i > 0 && std::isdigit(static_cast<unsigned char>(value[i - 1])))) {
        digits_and_units = false;
      }
    }
    if (!value.empty() && value[0] == '-') {
      diagnostics.Error("env-config", node->where,
                        name + " \"" + value +
                            "\" is negative; give a number of minutes (30) or "
                            "a duration with units s, m, h, d (1h30m)");
    } else if (digits_and_units) {
      diagnostics.Error("env-config", node->where,
                        name + " \"" + value + "\" is too long; the maximum is " +
                            (key == "wait_timer" ? "43200 minutes (30 days)" : "100 years"));
    } else {
      diagnostics.Error("env-config", node->where,
                        name + " \"" + value +
                            "\" is not a duration: give a number of minutes (30) or a duration "
                            "with units s, m, h, d (1h30m, 2d)");
    }
    return;
  }
  if (key == "wait_timer") {
    if (*parsed > kMaxWaitTimerMinutes * 60) {
      int64_t minutes = (*parsed + 59) / 60;
      diagnostics.Error("env-config", node->where,
                        "wait_timer \"" + value + "\" is " + std::to_string(minutes) +
                            " minutes; the maximum is 43200 minutes (30 days)");
      return;
    }
  }
  if (key == "approval_timeout" && *parsed == 0) {
    diagnostics.Error("env-config", node->where, "approval_timeout must be longer than 0s");
    return;
  }
  if (text) *text = ToStr(*node);
  *seconds = *parsed;
}

EnvironmentConfig ReadEnvironment(const yaml::Node& key, const yaml::Node& value,
                                  const EnvironmentsConfig& config, Diagnostics& diagnostics) {
  EnvironmentConfig env;
  env.name = ToStr(key);
  if (!value.is_mapping()) return env;
  if (const yaml::Node* url = value.Find("url"); url && url->is_scalar()) env.url = ToStr(*url);
  if (const yaml::Node* rr = value.Find("required_reviewers"); rr && rr->is_mapping()) {
    ReviewerRule rule;
    double count = 1;
    const yaml::Node* count_node = rr->Find("count");
    if (count_node && yaml::IsNumberScalar(*count_node, &count) && count >= 1 && count <= 6) {
      rule.count = static_cast<int>(count);
    }
    rule.users = ScalarList(rr->Find("users"));
    rule.teams = ScalarList(rr->Find("teams"));
    bool prevent = false;
    if (const yaml::Node* p = rr->Find("prevent_self_review");
        p && yaml::IsBoolScalar(*p, &prevent)) {
      rule.prevent_self_review = prevent;
    }
    std::vector<std::string> team_names;
    for (const auto& [name, members] : config.teams) team_names.push_back(name.value);
    std::set<std::string> reviewers;
    for (const Str& user : rule.users) reviewers.insert(user.value);
    for (const Str& team : rule.teams) {
      if (std::find(team_names.begin(), team_names.end(), team.value) == team_names.end()) {
        diagnostics.Error("env-config", team.where,
                          "unknown team \"" + team.value + "\" in required_reviewers of \"" +
                              env.name.value + "\"" + DidYouMean(team.value, team_names));
        continue;
      }
      for (const std::string& member : config.TeamMembers(team.value)) reviewers.insert(member);
    }
    if (rule.users.empty() && rule.teams.empty()) {
      diagnostics.Error("env-config", rr->where,
                        "required_reviewers of \"" + env.name.value +
                            "\" names no users or teams, so no one could approve");
    } else if (static_cast<size_t>(rule.count) > reviewers.size()) {
      diagnostics.Error("env-config", count_node ? count_node->where : rr->where,
                        "required_reviewers of \"" + env.name.value + "\" needs " +
                            std::to_string(rule.count) + " distinct approvals but only " +
                            std::to_string(reviewers.size()) + " reviewers are configured");
    }
    env.reviewers = std::move(rule);
  }
  ReadDuration(value, "wait_timer", &env.wait_timer_text, &env.wait_timer_s, diagnostics);
  ReadDuration(value, "approval_timeout", nullptr, &env.approval_timeout_s, diagnostics);
  if (const yaml::Node* db = value.Find("deployment_branches"); db && db->is_mapping()) {
    env.deployment_branches.present = true;
    env.deployment_branches.where = db->where;
    env.deployment_branches.branches = ScalarList(db->Find("branches"));
    env.deployment_branches.tags = ScalarList(db->Find("tags"));
  }
  if (const yaml::Node* vars = value.Find("vars"); vars && vars->is_mapping()) {
    for (const auto& [k, v] : vars->entries) {
      if (k.is_scalar() && v.is_scalar()) env.vars.emplace_back(ToStr(k), ToStr(v));
    }
  }
  env.secrets = ScalarList(value.Find("secrets"));
  return env;
}

}  // namespace

EnvironmentsConfig BuildEnvironments(std::shared_ptr<const yaml::Node> root, FileId file,
                                     Diagnostics& diagnostics) {
  EnvironmentsConfig config;
  config.yaml = std::move(root);
  config.file = file;
  const yaml::Node* top = config.yaml.get();
  if (!top || !top->is_mapping()) return config;
  if (const yaml::Node* teams = top->Find("teams"); teams && teams->is_mapping()) {
    for (const auto& [key, value] : teams->entries) {
      if (key.is_scalar()) config.teams.emplace_back(ToStr(key), ScalarList(&value));
    }
  }
  if (const yaml::Node* envs = top->Find("environments"); envs && envs->is_mapping()) {
    for (const auto& [key, value] : envs->entries) {
      if (key.is_scalar()) {
        config.environments.push_back(ReadEnvironment(key, value, config, diagnostics));
      }
    }
  }
  return config;
}

}  // namespace slipway::model
