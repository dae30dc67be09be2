#include "interpreter/exec/workflow_commands.h"

#include <fmt/format.h>

namespace slipway::exec {
namespace {

struct KindName {
  std::string_view name;
  WorkflowCommandKind kind;
};
constexpr KindName kCommands[] = {
    {"add-mask", WorkflowCommandKind::kAddMask},
    {"error", WorkflowCommandKind::kError},
    {"warning", WorkflowCommandKind::kWarning},
    {"notice", WorkflowCommandKind::kNotice},
    {"debug", WorkflowCommandKind::kDebug},
    {"group", WorkflowCommandKind::kGroup},
    {"endgroup", WorkflowCommandKind::kEndGroup},
    {"set-output", WorkflowCommandKind::kSetOutput},
    {"save-state", WorkflowCommandKind::kSaveState},
    {"echo", WorkflowCommandKind::kEcho},
    {"stop-commands", WorkflowCommandKind::kStopCommands},
    {"set-env", WorkflowCommandKind::kDisabled},
    {"add-path", WorkflowCommandKind::kDisabled},
};

std::string Unescape(std::string_view text, bool property) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      std::string_view code = text.substr(i + 1, 2);
      char decoded = 0;
      if (code == "25")
        decoded = '%';
      else if (code == "0D" || code == "0d")
        decoded = '\r';
      else if (code == "0A" || code == "0a")
        decoded = '\n';
      else if (property && (code == "3A" || code == "3a"))
        decoded = ':';
      else if (property && (code == "2C" || code == "2c"))
        decoded = ',';
      if (decoded != 0) {
        out.push_back(decoded);
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

std::string UnescapeCommandData(std::string_view text) { return Unescape(text, false); }
std::string UnescapeCommandProperty(std::string_view text) { return Unescape(text, true); }

std::optional<WorkflowCommand> WorkflowCommandParser::ParseLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // The runner accepts leading whitespace before "::".
  size_t start = line.find_first_not_of(" \t");
  if (start == std::string_view::npos) return std::nullopt;
  line.remove_prefix(start);
  if (line.substr(0, 2) != "::") return std::nullopt;
  if (!stop_token_.empty()) {
    if (line == "::" + stop_token_ + "::") stop_token_.clear();
    return std::nullopt;
  }
  size_t end = line.find("::", 2);
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view head = line.substr(2, end - 2);
  std::string_view data = line.substr(end + 2);
  size_t space = head.find(' ');
  std::string_view name = head.substr(0, space);
  if (name.empty()) return std::nullopt;

  WorkflowCommand command;
  command.name = std::string(name);
  for (const KindName& known : kCommands) {
    if (known.name == name) command.kind = known.kind;
  }
  if (command.kind == WorkflowCommandKind::kUnknown) return std::nullopt;
  if (space != std::string_view::npos) {
    std::string_view properties = head.substr(space + 1);
    size_t pos = 0;
    while (pos <= properties.size()) {
      size_t comma = properties.find(',', pos);
      if (comma == std::string_view::npos) comma = properties.size();
      std::string_view pair = properties.substr(pos, comma - pos);
      size_t eq = pair.find('=');
      if (eq != std::string_view::npos) {
        std::string key(TrimSpaces(pair.substr(0, eq)));
        if (!key.empty()) command.properties[key] = UnescapeCommandProperty(pair.substr(eq + 1));
      }
      pos = comma + 1;
    }
  }
  command.data = UnescapeCommandData(data);
  if (command.kind == WorkflowCommandKind::kStopCommands) {
    // An empty token would make "::::" the resume line; the runner ignores such a request.
    if (!command.data.empty()) stop_token_ = command.data;
  }
  return command;
}

Expected<std::vector<std::pair<std::string, std::string>>> ParseFileCommands(
    std::string_view text) {
  std::vector<std::pair<std::string, std::string>> result;
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    // Lines end at LF only, as on GitHub's Linux runners (FileCommandManager.ReadLine handles
    // CRLF only on Windows): a CR before the LF stays in the value.
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line.empty()) continue;  // only empty lines are skipped; one of spaces is invalid
    size_t eq = line.find('=');
    size_t heredoc = line.find("<<");
    if (heredoc != std::string_view::npos && (eq == std::string_view::npos || heredoc < eq)) {
      std::string name(line.substr(0, heredoc));
      std::string delimiter(line.substr(heredoc + 2));
      if (name.empty()) return MakeUnexpected(fmt::format("line {}: empty name", i + 1));
      if (delimiter.empty()) {
        return MakeUnexpected(fmt::format("line {}: empty delimiter after \"<<\"", i + 1));
      }
      std::string value;
      size_t j = i + 1;
      bool closed = false;
      for (; j < lines.size(); ++j) {
        if (lines[j] == delimiter) {
          closed = true;
          break;
        }
        if (j > i + 1) value.push_back('\n');
        value.append(lines[j]);
      }
      if (!closed) {
        return MakeUnexpected(
            fmt::format("line {}: matching delimiter \"{}\" not found", i + 1, delimiter));
      }
      result.emplace_back(std::move(name), std::move(value));
      i = j;
      continue;
    }
    if (eq == std::string_view::npos) {
      return MakeUnexpected(
          fmt::format("line {}: invalid format \"{}\"; expected NAME=VALUE or "
                      "NAME<<DELIMITER",
                      i + 1, line));
    }
    if (eq == 0) return MakeUnexpected(fmt::format("line {}: empty name", i + 1));
    result.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  return result;
}

std::vector<std::string> ParsePathFile(std::string_view text) {
  std::vector<std::string> paths;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = TrimSpaces(text.substr(start, end - start));
    if (!line.empty()) paths.emplace_back(line);
    start = end + 1;
  }
  return paths;
}

}  // namespace slipway::exec
