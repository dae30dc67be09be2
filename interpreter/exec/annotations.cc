#include "interpreter/exec/annotations.h"

#include <fmt/format.h>

#include <charconv>

#include "interpreter/exec/console.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/real_job_runner.h"
#include "interpreter/exec/step_executor.h"
#include "interpreter/expr/unicode.h"

namespace slipway::exec {
namespace {

// An integer property as .NET's int.TryParse reads it (surrounding blanks and a sign allowed).
struct AnnotationNumber {
  bool set = false;
  long value = 0;
  AnnotationNumber(const std::map<std::string, std::string>& properties, const char* key) {
    auto it = properties.find(key);
    if (it == properties.end()) return;
    std::string_view text = expr::TrimWhiteSpace(it->second);
    if (!text.empty() && text[0] == '+') text.remove_prefix(1);
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    set = !text.empty() && error == std::errc() && end == text.data() + text.size();
  }
};

}  // namespace

std::string EscapeCommand(std::string_view text, bool property) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      case ':': out += property ? "%3A" : ":"; break;
      case ',': out += property ? "%2C" : ","; break;
      default: out.push_back(c);
    }
  }
  return out;
}

const char* IssueKindName(IssueKind kind) {
  switch (kind) {
    case IssueKind::kError: return "error";
    case IssueKind::kWarning: return "warning";
    case IssueKind::kNotice: return "notice";
  }
  return "error";
}

std::string CutToUtf16Units(std::string_view message, size_t limit) {
  size_t units = 0;
  for (size_t i = 0; i < message.size();) {
    const size_t start = i;
    const size_t width = expr::DecodeUtf8(message, i) >= 0x10000 ? 2 : 1;
    if (units + width > limit) return std::string(message.substr(0, start));
    units += width;
  }
  return std::string(message);
}

std::string MakeRelative(std::string_view path, std::string_view folder) {
  if (path.substr(0, folder.size()) != folder) return std::string(path);
  if (path.size() == folder.size()) return "";
  if (!folder.empty() && folder.back() == '/') return std::string(path.substr(folder.size()));
  if (path[folder.size()] == '/') return std::string(path.substr(folder.size() + 1));
  return std::string(path);
}

// Property names arrive lower-cased: the runner reads them ignoring case. An endLine alone is
// the line, columns need a line and go when the annotation spans lines, an end before its
// start drops the pair.
std::string AnnotationPrefix(const std::map<std::string, std::string>& properties) {
  AnnotationNumber line(properties, "line"), end_line(properties, "endline");
  AnnotationNumber col(properties, "col"), end_col(properties, "endcolumn");
  if (end_line.set && !line.set) line = end_line;
  if (end_col.set && !col.set) col = end_col;
  const bool has_column = col.set || end_col.set;
  if ((!line.set && has_column) || (end_line.set && has_column && end_line.value != line.value)) {
    col.set = end_col.set = false;
  }
  if (line.set && end_line.set && end_line.value < line.value) line.set = end_line.set = false;
  if (col.set && end_col.set && end_col.value < col.value) col.set = end_col.set = false;
  std::string out;
  if (auto file = properties.find("file"); file != properties.end()) {
    out = file->second;
    if (line.set) {
      out += ":" + std::to_string(line.value);
      if (end_line.set && end_line.value != line.value) {
        out += "-" + std::to_string(end_line.value);
      }
      if (col.set) {
        out += ":" + std::to_string(col.value);
        if (end_col.set && end_col.value != col.value) out += "-" + std::to_string(end_col.value);
      }
    }
    out += ": ";
  }
  if (auto title = properties.find("title"); title != properties.end() && !title->second.empty()) {
    out += title->second + ": ";
  }
  return out;
}

void AddIssue(StepIo& io, Issue issue, std::string_view log_override) {
  const RunEnvironment& run = io.run();
  issue.message = CutToUtf16Units(run.masker->Mask(issue.message), kMaxIssueMessageLength);
  const char* kind = IssueKindName(issue.kind);
  if (log_override.empty()) {
    io.Log(fmt::format("{}: {}{}", kind, AnnotationPrefix(issue.properties), issue.message));
  } else {
    io.Log(fmt::format("{}: {}", kind, log_override));
  }
  if (run.console->github_actions()) {
    // Re-emitted for the runner slipway runs under, escaped as @actions/core escapes commands
    // (toCommandValue/escapeData/escapeProperty) so a message keeps its lines; `repo` is the
    // outer runner's to add.
    std::string props;
    for (const auto& [key, value] : issue.properties) {
      if (key == "repo") continue;
      // Masked before it is escaped: an escaped secret would no longer be recognised.
      props += (props.empty() ? " " : ",") + run.masker->Mask(key) + "=" +
               EscapeCommand(run.masker->Mask(value), true);
    }
    run.console->Raw(fmt::format("::{}{}::{}", kind, props, EscapeCommand(issue.message, false)));
  }
}

}  // namespace slipway::exec
