#include "interpreter/exec/secrets.h"

#include <fmt/format.h>

namespace slipway::exec {
namespace {

constexpr std::string_view kSecretPrefix = "SLIPWAY_SECRET_";

bool IsNameChar(char c, bool first) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
         (!first && ((c >= '0' && c <= '9') || c == '.' || c == '-'));
}

}  // namespace

Expected<std::map<std::string, std::string>> ParseDotenv(std::string_view text) {
  std::map<std::string, std::string> values;
  size_t pos = 0;
  size_t line = 1;
  auto at_end = [&] { return pos >= text.size(); };
  while (!at_end()) {
    size_t line_start_number = line;
    // Skip leading blanks.
    while (!at_end() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
    if (at_end()) break;
    if (text[pos] == '\n' || text[pos] == '\r' || text[pos] == '#') {
      while (!at_end() && text[pos] != '\n') ++pos;
      ++pos;
      ++line;
      continue;
    }
    if (text.substr(pos, 7) == "export ") pos += 7;
    size_t name_start = pos;
    while (!at_end() && IsNameChar(text[pos], pos == name_start)) ++pos;
    std::string name(text.substr(name_start, pos - name_start));
    while (!at_end() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
    if (name.empty() || at_end() || text[pos] != '=') {
      return MakeUnexpected(fmt::format("line {}: expected NAME=VALUE", line_start_number));
    }
    ++pos;
    while (!at_end() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
    std::string value;
    if (!at_end() && (text[pos] == '"' || text[pos] == '\'')) {
      char quote = text[pos++];
      bool closed = false;
      while (!at_end()) {
        char c = text[pos++];
        if (c == quote) {
          closed = true;
          break;
        }
        if (c == '\n') ++line;
        if (quote == '"' && c == '\\' && !at_end()) {
          char e = text[pos++];
          value.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e);
          continue;
        }
        value.push_back(c);
      }
      if (!closed) {
        return MakeUnexpected(fmt::format("line {}: unterminated {} quote", line_start_number,
                                          quote == '"' ? "double" : "single"));
      }
      // Only a comment may follow a quoted value.
      while (!at_end() && text[pos] != '\n') {
        if (text[pos] == '#') {
          while (!at_end() && text[pos] != '\n') ++pos;
          break;
        }
        if (text[pos] != ' ' && text[pos] != '\t' && text[pos] != '\r') {
          return MakeUnexpected(
              fmt::format("line {}: unexpected text after the quoted value", line));
        }
        ++pos;
      }
    } else {
      size_t start = pos;
      while (!at_end() && text[pos] != '\n') ++pos;
      std::string_view raw = text.substr(start, pos - start);
      // " #" starts a comment in an unquoted value.
      size_t comment = raw.find(" #");
      if (comment != std::string_view::npos) raw = raw.substr(0, comment);
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\r')) {
        raw.remove_suffix(1);
      }
      value = std::string(raw);
    }
    values[name] = value;
    if (!at_end() && text[pos] == '\n') {
      ++pos;
      ++line;
    }
  }
  return values;
}

std::map<std::string, std::string> SecretsForJob(const std::map<std::string, std::string>& all,
                                                 std::string_view environment) {
  std::map<std::string, std::string> visible;
  for (const auto& [key, value] : all) {
    if (key.find('.') == std::string::npos) visible.emplace(key, value);
  }
  for (auto& [key, value] : EnvironmentSecrets(all, environment)) visible[key] = value;
  return visible;
}

std::map<std::string, std::string> EnvironmentSecrets(
    const std::map<std::string, std::string>& all, std::string_view environment) {
  std::map<std::string, std::string> visible;
  if (environment.empty()) return visible;
  std::string prefix = std::string(environment) + ".";
  for (const auto& [key, value] : all) {
    if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0) {
      visible[key.substr(prefix.size())] = value;
    }
  }
  return visible;
}

std::map<std::string, std::string> SecretsFromEnvironment(
    const std::map<std::string, std::string>& environment) {
  std::map<std::string, std::string> secrets;
  for (const auto& [key, value] : environment) {
    if (key.size() > kSecretPrefix.size() &&
        key.compare(0, kSecretPrefix.size(), kSecretPrefix) == 0) {
      secrets[key.substr(kSecretPrefix.size())] = value;
    }
  }
  return secrets;
}

std::map<std::string, std::string> WithoutSlipwaySecrets(
    std::map<std::string, std::string> environment) {
  for (auto it = environment.begin(); it != environment.end();) {
    if (it->first.compare(0, 8, "SLIPWAY_") == 0) {
      it = environment.erase(it);
    } else {
      ++it;
    }
  }
  return environment;
}

}  // namespace slipway::exec
