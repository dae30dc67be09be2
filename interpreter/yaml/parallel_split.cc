#include "interpreter/yaml/parallel_split.h"

#include <algorithm>

namespace slipway::yaml {
namespace {

/// `jobs:` at column 0, then nothing but blanks and a comment.
bool IsJobsLine(std::string_view line) {
  if (line.substr(0, 5) != "jobs:") return false;
  std::string_view rest = line.substr(5);
  if (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
  if (rest.empty()) return true;
  if (rest[0] != ' ' && rest[0] != '\t') return false;
  size_t content = rest.find_first_not_of(" \t");
  return content == std::string_view::npos || rest[content] == '#';
}

/// The first character of a job id: a letter, a digit or `_` — never a YAML indicator.
bool IsJobIdStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool HasUnusualBytes(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") return true;  // yaml-cpp skips a BOM
  // yaml-cpp ends its stream at 0x04, among others; other control characters are rare enough.
  return std::any_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r';
  });
}

}  // namespace

std::vector<JobsCut> SplitJobs(std::string_view text, size_t pieces) {
  if (pieces < 2 || HasUnusualBytes(text)) return {};
  std::vector<JobsCut> candidates;
  bool after_jobs = false;
  size_t indent = 0;  // the jobs' indentation, once the first job is seen
  uint32_t line = 0;
  for (size_t start = 0; start < text.size(); ++line) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(start, end - start);
    if (!l.empty() && l[0] == '%') return {};  // a directive (e.g. %TAG) changes tags
    size_t content = l.find_first_not_of(" \t\r");
    bool blank_or_comment = content == std::string_view::npos || l[content] == '#';
    if (!after_jobs) {
      after_jobs = IsJobsLine(l);
    } else if (!blank_or_comment) {
      size_t spaces = l.find_first_not_of(' ');
      if (indent == 0) {
        if (spaces == 0 || !IsJobIdStart(l[spaces])) return {};
        indent = spaces;
      } else if (spaces < indent) {
        return {};  // a later top-level key, a document marker, or a less indented line
      } else if (spaces == indent && IsJobIdStart(l[spaces])) {
        candidates.push_back({start, line});
      }
    }
    start = end + 1;
  }
  std::vector<JobsCut> cuts;
  for (size_t i = 1; i < pieces; ++i) {
    size_t target = text.size() / pieces * i;
    auto it = std::lower_bound(candidates.begin(), candidates.end(), target,
                               [](const JobsCut& cut, size_t offset) { return cut.offset < offset; });
    if (it == candidates.end()) break;
    if (!cuts.empty() && cuts.back().offset >= it->offset) continue;
    cuts.push_back(*it);
  }
  return cuts;
}

}  // namespace slipway::yaml
