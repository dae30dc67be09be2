#include <fmt/format.h>

#include "interpreter/validate/render.h"

namespace slipway::validate {
namespace {

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

/// The underline for a diagnostic at 1-based column `col` (in characters) spanning `length`
/// characters: blanks up to the column (tabs kept so it lines up), then ^~~~.
std::string Underline(std::string_view line, uint32_t col, uint32_t length) {
  std::string out;
  uint32_t column = 1;
  for (size_t i = 0; i < line.size() && column < col; ++i) {
    if (IsContinuationByte(line[i])) continue;
    out += line[i] == '\t' ? '\t' : ' ';
    ++column;
  }
  out += '^';
  if (length > 1) out.append(length - 1, '~');
  return out;
}

/// The source line as shown: a control character (the file may hold one: the loader reports it)
/// is shown as "?", so an escape sequence in a file never reaches the terminal and the underline
/// still lines up.
std::string Printable(std::string_view line) {
  std::string out(line);
  for (char& c : out) {
    const unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7F) c = '?';
  }
  return out;
}

}  // namespace

std::string RenderText(const SourceManager& sources, const std::vector<FileResult>& files) {
  std::string out;
  for (const FileResult& file : files) {
    for (const Diagnostic& d : file.diagnostics) {
      const SourcePos& pos = d.where.begin;
      if (!pos.known()) {
        out += fmt::format("{}: {}: {} [{}]\n", file.path, SeverityName(d.severity), d.message,
                           d.rule);
        continue;
      }
      out += fmt::format("{}:{}:{}: {}: {} [{}]\n", file.path, pos.line, pos.col,
                         SeverityName(d.severity), d.message, d.rule);
      if (d.where.file == kNoFile || d.where.file >= sources.file_count()) continue;
      std::string_view line = sources.Line(d.where.file, pos.line);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      out += fmt::format("  {}\n  {}\n", Printable(line), Underline(line, pos.col, d.where.length));
    }
  }
  return out;
}

}  // namespace slipway::validate
