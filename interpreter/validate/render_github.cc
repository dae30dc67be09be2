// GitHub workflow commands (https://docs.github.com/actions/using-workflows/workflow-commands-
// for-github-actions#setting-an-error-message): annotations on the file and line in the UI.
#include <fmt/format.h>

#include "interpreter/validate/render.h"

namespace slipway::validate {
namespace {

/// Escapes a command's message: '%', CR and LF.
std::string EscapeData(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out += c;
    }
  }
  return out;
}

/// Escapes a command property value: as data, plus ':' and ','.
std::string EscapeProperty(std::string_view text) {
  std::string out;
  for (char c : EscapeData(text)) {
    if (c == ':') {
      out += "%3A";
    } else if (c == ',') {
      out += "%2C";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string RenderGithub(const std::vector<FileResult>& files) {
  std::string out;
  for (const FileResult& file : files) {
    for (const Diagnostic& d : file.diagnostics) {
      const char* command = d.severity == Severity::kError ? "error" : "warning";
      std::string message = EscapeData(d.message + " [" + d.rule + "]");
      if (d.where.begin.known()) {
        out += fmt::format("::{} file={},line={},col={}::{}\n", command, EscapeProperty(file.path),
                           d.where.begin.line, d.where.begin.col, message);
      } else {
        out += fmt::format("::{} file={}::{}\n", command, EscapeProperty(file.path), message);
      }
    }
  }
  return out;
}

}  // namespace slipway::validate
