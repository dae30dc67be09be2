#include "stdlib/text_util.h"

#include <ctime>

namespace slipway::stdlib {
namespace {

std::tm UtcTm(int64_t epoch_ms) {
  std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return tm;
}

std::string Format(int64_t epoch_ms, const char* format) {
  std::tm tm = UtcTm(epoch_ms);
  char buffer[64];
  size_t n = std::strftime(buffer, sizeof buffer, format, &tm);
  return std::string(buffer, n);
}

}  // namespace

std::string ShellQuote(std::string_view text) {
  bool plain = !text.empty();
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("_./:=@%+,-").find(c) != std::string_view::npos;
    plain = plain && ok;
  }
  if (plain) return std::string(text);
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

std::string FormatUtc(int64_t epoch_ms) { return Format(epoch_ms, "%Y-%m-%dT%H:%M:%SZ"); }

std::string CompactUtc(int64_t epoch_ms) { return Format(epoch_ms, "%Y%m%dT%H%M%SZ"); }

std::string Rfc5322Date(int64_t epoch_ms) {
  // strftime's %a/%b follow the locale; the C locale gives the English names SMTP expects.
  return Format(epoch_ms, "%a, %d %b %Y %H:%M:%S +0000");
}

const nlohmann::json* FindJsonPath(const nlohmann::json& root, std::string_view path) {
  const nlohmann::json* node = &root;
  if (!path.empty() && path[0] == '/') {
    nlohmann::json::json_pointer pointer;
    try {
      pointer = nlohmann::json::json_pointer(std::string(path));
    } catch (const nlohmann::json::exception&) {
      return nullptr;
    }
    if (!root.contains(pointer)) return nullptr;
    return &root.at(pointer);
  }
  if (path.substr(0, 1) == "$") path.remove_prefix(1);
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string_view::npos) return nullptr;
      std::string_view inside = path.substr(i + 1, close - i - 1);
      i = close + 1;
      if (inside.size() >= 2 && (inside[0] == '\'' || inside[0] == '"')) {
        std::string key(inside.substr(1, inside.size() - 2));
        if (!node->is_object() || !node->contains(key)) return nullptr;
        node = &(*node)[key];
        continue;
      }
      size_t index = 0;
      for (char c : inside) {
        if (c < '0' || c > '9') return nullptr;
        index = index * 10 + static_cast<size_t>(c - '0');
      }
      if (inside.empty() || !node->is_array() || index >= node->size()) return nullptr;
      node = &(*node)[index];
      continue;
    }
    size_t end = path.find_first_of(".[", i);
    if (end == std::string_view::npos) end = path.size();
    std::string key(path.substr(i, end - i));
    i = end;
    if (node->is_object() && node->contains(key)) {
      node = &(*node)[key];
    } else if (node->is_array() && !key.empty() &&
               key.size() < 10 && key.find_first_not_of("0123456789") == std::string::npos &&
               std::stoul(key) < node->size()) {
      node = &(*node)[std::stoul(key)];
    } else {
      return nullptr;
    }
  }
  return node;
}

}  // namespace slipway::stdlib
