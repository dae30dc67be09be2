#pragma once
/// Source text ownership and positions. Every value read from a file keeps where it came from.

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace slipway {

using FileId = uint32_t;
inline constexpr FileId kNoFile = UINT32_MAX;

/// A 1-based line and column; {0, 0} means "no position" (e.g. a command-line flag).
struct SourcePos {
  uint32_t line = 0;
  uint32_t col = 0;
  bool known() const { return line != 0; }
  friend bool operator==(const SourcePos&, const SourcePos&) = default;
  friend auto operator<=>(const SourcePos&, const SourcePos&) = default;
};

/// Where a value came from: a file, its first character, and how many characters it spans
/// on that line (for the ^~~~ underline).
struct SourceRange {
  FileId file = kNoFile;
  SourcePos begin;
  uint32_t length = 0;
  friend bool operator==(const SourceRange&, const SourceRange&) = default;
};

/// A value together with the place it was read from.
template <class T>
struct Located {
  T value{};
  SourceRange where;
};

/// SourceManager owns every file's text for the whole process; tokens, AST nodes and
/// diagnostics refer into it by FileId. Texts never move once added (deque storage).
class SourceManager {
 public:
  FileId Add(std::string path, std::string text);
  const std::string& path(FileId id) const;
  std::string_view text(FileId id) const;
  /// The text of 1-based line `line` without its newline; empty when out of range.
  std::string_view Line(FileId id, uint32_t line) const;
  size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string path;
    std::string text;
  };
  std::deque<File> files_;
  mutable std::deque<std::deque<uint32_t>> line_index_;  // line starts, built on first use
};

}  // namespace slipway
