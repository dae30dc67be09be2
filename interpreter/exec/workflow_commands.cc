#include "interpreter/exec/workflow_commands.h"

#include <fmt/format.h>

#include <algorithm>

#include "interpreter/base/ascii.h"

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
    {"add-matcher", WorkflowCommandKind::kAddMatcher},
    {"remove-matcher", WorkflowCommandKind::kRemoveMatcher},
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
      else if (code == "0D")
        decoded = '\r';
      else if (code == "0A")
        decoded = '\n';
      else if (property && code == "3A")
        decoded = ':';
      else if (property && code == "2C")
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

// The `##[...]` form's escapes (ActionCommand.Unescape): %3B ; %0D %0A %5D ] %25 %.
std::string UnescapeLegacy(std::string_view text) {
  std::string out(text);
  for (auto [code, token] : {std::pair{"%3B", ";"}, std::pair{"%0D", "\r"}, std::pair{"%0A", "\n"},
                             std::pair{"%5D", "]"}, std::pair{"%25", "%"}}) {
    std::string replaced;
    for (size_t at = 0;;) {
      size_t found = out.find(code, at);
      if (found == std::string::npos) {
        replaced.append(out, at, std::string::npos);
        break;
      }
      replaced.append(out, at, found - at).append(token);
      at = found + 3;
    }
    out = std::move(replaced);
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

const char kUnsupportedStopTokenMessage[] =
    "You cannot use a endToken that is an empty string, the string 'pause-logging', or another "
    "workflow command. For more information see: "
    "https://docs.github.com/actions/learn-github-actions/"
    "workflow-commands-for-github-actions#example-stopping-and-starting-workflow-commands or opt "
    "into insecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS` "
    "environment variable to `true`.";

bool IsRegisteredCommand(std::string_view name) {
  const std::string lowered = AsciiLower(name);
  for (const KindName& known : kCommands) {
    if (known.name == lowered) return true;
  }
  return false;
}

std::string UnescapeCommandData(std::string_view text) { return Unescape(text, false); }
std::string UnescapeCommandProperty(std::string_view text) { return Unescape(text, true); }

std::optional<WorkflowCommand> WorkflowCommandParser::ParseLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // As the runner's ActionCommand: `::name props::data` after leading whitespace, else the
  // older `##[name k=v;k=v]data` anywhere in the line. Command and property names ignore case.
  std::string_view name, properties, data;
  auto split_head = [&](std::string_view head) {  // "name k=v,..." → name, properties
    size_t space = head.find(' ');
    name = head.substr(0, space);
    if (space != std::string_view::npos) properties = head.substr(space + 1);
  };
  bool legacy = false;
  std::string_view trimmed = line.substr(std::min(line.size(), line.find_first_not_of(" \t")));
  if (trimmed.substr(0, 2) == "::" && trimmed.find("::", 2) != std::string_view::npos) {
    size_t end = trimmed.find("::", 2);
    split_head(trimmed.substr(2, end - 2));
    data = trimmed.substr(end + 2);
  } else if (size_t prefix = line.find("##["); prefix != std::string_view::npos &&
                                                 line.find(']', prefix) != std::string_view::npos) {
    legacy = true;
    size_t close = line.find(']', prefix);
    split_head(line.substr(prefix + 3, close - prefix - 3));
    data = line.substr(close + 1);
  } else {
    return std::nullopt;
  }
  if (stopped_) {
    // Only the token, as a command, resumes processing; everything else is plain output. An
    // empty token (allowed only as unsecure) never resumes: the runner checks IsNullOrEmpty.
    if (!stop_token_.empty() && SameIgnoringCase(name, stop_token_)) {
      stopped_ = false;
      stop_token_.clear();
    }
    return std::nullopt;
  }
  if (name.empty()) return std::nullopt;
  WorkflowCommand command;
  const std::string lowered = AsciiLower(name);
  for (const KindName& known : kCommands) {
    if (known.name == lowered) command.kind = known.kind;
  }
  if (command.kind == WorkflowCommandKind::kUnknown) return std::nullopt;
  command.name = lowered;
  const char separator = legacy ? ';' : ',';
  if (!legacy) properties = TrimSpaces(properties);
  size_t pos = 0;
  while (!properties.empty() && pos <= properties.size()) {
    size_t comma = properties.find(separator, pos);
    if (comma == std::string_view::npos) comma = properties.size();
    std::string_view pair = properties.substr(pos, comma - pos);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos) {
      // The key as written (TryParseV2 trims the whole property list, not each key): `name =x`
      // or `a=1, name=x` name no `name` property.
      std::string key = AsciiLower(pair.substr(0, eq));
      std::string_view value = pair.substr(eq + 1);
      if (!key.empty() && !value.empty()) {
        command.properties[key] = legacy ? UnescapeLegacy(value) : UnescapeCommandProperty(value);
      }
    }
    pos = comma + 1;
  }
  command.data = legacy ? UnescapeLegacy(data) : UnescapeCommandData(data);
  if (command.kind == WorkflowCommandKind::kStopCommands) {
    // ValidateStopToken: a token the runner could mistake for a command is refused (the step
    // fails) unless unsecure tokens are allowed.
    const bool invalid = command.data.empty() || IsRegisteredCommand(command.data) ||
                         SameIgnoringCase(command.data, "pause-logging");
    if (invalid && !allow_unsecure_stop_tokens_) {
      command.refused_stop_token = true;
    } else {
      stopped_ = true;
      stop_token_ = command.data;
    }
  }
  return command;
}

Expected<std::vector<std::pair<std::string, std::string>>> ParseFileCommands(
    std::string_view text, std::vector<std::pair<std::string, std::string>>* before_error) {
  std::vector<std::pair<std::string, std::string>> result;
  // The runner reads the pairs one by one, so those before a bad line are kept.
  auto fail = [&](std::string message) {
    if (before_error) *before_error = std::move(result);
    return MakeUnexpected(std::move(message));
  };
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
      if (name.empty() || delimiter.empty()) {
        return fail(fmt::format(
            "Invalid format '{}'. Name must not be empty and delimiter must not be empty", line));
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
        // The runner reads on to the end: a last value line with no newline after it is
        // reported before the missing delimiter.
        const bool last_line_unended = j > i + 1 && !text.empty() && text.back() != '\n';
        return fail(last_line_unended
                        ? std::string("Invalid value. EOF marker missing new line.")
                        : fmt::format("Invalid value. Matching delimiter not found '{}'",
                                      delimiter));
      }
      result.emplace_back(std::move(name), std::move(value));
      i = j;
      continue;
    }
    if (eq == std::string_view::npos) return fail(fmt::format("Invalid format '{}'", line));
    if (eq == 0) return fail(fmt::format("Invalid format '{}'. Name must not be empty", line));
    result.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  return result;
}

std::vector<std::string> ParsePathFile(std::string_view text) {
  // File.ReadAllLines: CRLF, CR and LF all end a line; only empty lines are skipped, nothing is
  // trimmed (FileCommandManager.cs, AddPathFileCommand).
  std::vector<std::string> paths;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) paths.emplace_back(text.substr(start, end - start));
    start = end + (text.substr(end, 2) == "\r\n" ? 2 : 1);
  }
  return paths;
}

}  // namespace slipway::exec
