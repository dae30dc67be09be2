#include "interpreter/base/source.h"

namespace slipway {

FileId SourceManager::Add(std::string path, std::string text) {
  files_.push_back(File{std::move(path), std::move(text)});
  line_index_.emplace_back();
  return static_cast<FileId>(files_.size() - 1);
}

const std::string& SourceManager::path(FileId id) const {
  static const std::string kNone;
  return id < files_.size() ? files_[id].path : kNone;
}

std::string_view SourceManager::text(FileId id) const {
  return id < files_.size() ? std::string_view(files_[id].text) : std::string_view();
}

std::string_view SourceManager::Line(FileId id, uint32_t line) const {
  if (id >= files_.size() || line == 0) return {};
  std::deque<uint32_t>& starts = line_index_[id];
  const std::string& text = files_[id].text;
  if (starts.empty()) {
    starts.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') starts.push_back(static_cast<uint32_t>(i + 1));
    }
  }
  if (line > starts.size()) return {};
  size_t begin = starts[line - 1];
  size_t end = line < starts.size() ? starts[line] - 1 : text.size();
  if (end > begin && text[end - 1] == '\r') --end;
  return std::string_view(text).substr(begin, end - begin);
}

}  // namespace slipway
