#include "interpreter/validate/ignore_comments.h"

#include <map>
#include <set>
#include <string>

namespace slipway::validate {
namespace {

constexpr std::string_view kMarker = "slipway-ignore:";

bool IsRuleChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

void ApplyIgnoreComments(std::string_view text, Diagnostics& diagnostics) {
  if (diagnostics.empty() || text.find(kMarker) == std::string_view::npos) return;
  // Line → rule ids silenced on that line.
  std::map<uint32_t, std::set<std::string>> silenced;
  uint32_t line = 1;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view content = text.substr(start, end - start);
    size_t marker = content.find(kMarker);
    if (marker != std::string_view::npos) {
      // Only a YAML comment counts: a '#' at the line start or after a blank before the marker.
      size_t hash = content.rfind('#', marker);
      bool is_comment = hash != std::string_view::npos &&
                        (hash == 0 || content[hash - 1] == ' ' || content[hash - 1] == '\t') &&
                        content.substr(hash + 1, marker - hash - 1).find_first_not_of(' ') ==
                            std::string_view::npos;
      if (is_comment) {
        size_t i = marker + kMarker.size();
        while (i < content.size()) {
          while (i < content.size() && (content[i] == ' ' || content[i] == ',')) ++i;
          size_t word = i;
          while (i < content.size() && IsRuleChar(content[i])) ++i;
          if (i == word) break;
          std::string rule(content.substr(word, i - word));
          silenced[line].insert(rule);
          // A comment alone on its line is about the line below it.
          if (content.find_first_not_of(" \t") == hash) silenced[line + 1].insert(rule);
        }
      }
    }
    if (end == text.size()) break;
    start = end + 1;
    ++line;
  }
  if (silenced.empty()) return;
  diagnostics.RemoveIf([&silenced](const Diagnostic& d) {
    auto it = silenced.find(d.where.begin.line);
    if (it == silenced.end()) return false;
    return it->second.count(d.rule) > 0 || it->second.count("all") > 0;
  });
}

}  // namespace slipway::validate
