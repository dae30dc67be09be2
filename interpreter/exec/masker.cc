#include "interpreter/exec/masker.h"

#include <openssl/evp.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

namespace slipway::exec {
namespace {

constexpr std::string_view kMask = "***";
// Derived forms shorter than this are not registered: masking every "}" of a multi-line JSON
// secret, or two base64 characters, would destroy the log without protecting anything.
constexpr size_t kMinDerivedLength = 3;

std::string_view Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// The base64 characters that depend only on `secret`'s bytes when it starts `offset` bytes into
// a 3-byte group, whatever surrounds it.
std::string Base64Core(std::string_view secret, size_t offset) {
  std::string padded(offset, '\0');
  padded.append(secret);
  std::string encoded = Base64(padded);
  size_t full_groups = padded.size() / 3;
  size_t remainder = padded.size() % 3;
  // A trailing partial group: its first `remainder` characters depend only on known bytes.
  size_t end = full_groups * 4 + remainder;
  size_t begin = offset == 0 ? 0 : offset == 1 ? 2 : 3;
  if (end <= begin) return "";
  return encoded.substr(begin, end - begin);
}

void AddUnique(std::vector<std::string>& forms, std::string form) {
  if (form.empty()) return;
  if (std::find(forms.begin(), forms.end(), form) == forms.end()) forms.push_back(std::move(form));
}

std::string JsonEscaped(std::string_view text) {
  std::string quoted = nlohmann::json(std::string(text))
                           .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

// [begin, end) byte ranges of every pattern occurrence, sorted and merged.
std::vector<std::pair<size_t, size_t>> FindMatches(std::string_view text,
                                                   const Masker::Patterns& patterns) {
  std::vector<std::pair<size_t, size_t>> found;
  for (const std::string& pattern : patterns) {
    for (size_t at = text.find(pattern); at != std::string_view::npos;
         at = text.find(pattern, at + 1)) {
      found.emplace_back(at, at + pattern.size());
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

void Merge(std::vector<std::pair<size_t, size_t>>& ranges) {
  std::sort(ranges.begin(), ranges.end());
  std::vector<std::pair<size_t, size_t>> merged;
  for (const auto& range : ranges) {
    if (!merged.empty() && range.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, range.second);
    } else {
      merged.push_back(range);
    }
  }
  ranges = std::move(merged);
}

}  // namespace

std::vector<std::string> MaskForms(std::string_view secret) {
  std::vector<std::string> forms;
  if (Trim(secret).empty()) return forms;
  AddUnique(forms, std::string(secret));
  std::vector<std::string_view> lines;
  if (secret.find_first_of("\r\n") != std::string_view::npos) {
    size_t start = 0;
    while (start <= secret.size()) {
      size_t end = secret.find('\n', start);
      if (end == std::string_view::npos) end = secret.size();
      std::string_view line = secret.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (Trim(line).size() >= kMinDerivedLength) {
        lines.push_back(line);
        AddUnique(forms, std::string(line));
      }
      start = end + 1;
    }
  }
  std::string escaped = JsonEscaped(secret);
  if (escaped != secret) AddUnique(forms, escaped);
  for (std::string_view line : lines) {
    std::string escaped_line = JsonEscaped(line);
    if (escaped_line != line) AddUnique(forms, escaped_line);
  }
  for (size_t offset = 0; offset < 3; ++offset) {
    std::string core = Base64Core(secret, offset);
    if (core.size() >= kMinDerivedLength) AddUnique(forms, core);
  }
  return forms;
}

void Masker::Add(std::string_view secret) {
  std::vector<std::string> forms = MaskForms(secret);
  if (forms.empty()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  auto next = std::make_shared<Patterns>(*patterns_);
  for (std::string& form : forms) AddUnique(*next, std::move(form));
  std::stable_sort(next->begin(), next->end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  patterns_ = std::move(next);
}

std::shared_ptr<const Masker::Patterns> Masker::patterns() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return patterns_;
}

std::string Masker::Mask(std::string_view text) const {
  std::shared_ptr<const Patterns> current = patterns();
  if (current->empty()) return std::string(text);
  auto ranges = FindMatches(text, *current);
  if (ranges.empty()) return std::string(text);
  Merge(ranges);
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  for (const auto& [begin, end] : ranges) {
    out.append(text.substr(pos, begin - pos));
    out.append(kMask);
    pos = end;
  }
  out.append(text.substr(pos));
  return out;
}

void MaskingWriter::Write(std::string_view chunk) {
  if (chunk.empty()) return;
  buffer_.append(chunk);
  Process(false);
}

void MaskingWriter::Flush() {
  if (!buffer_.empty()) Process(true);
  covered_ = 0;
}

void MaskingWriter::Process(bool final) {
  std::shared_ptr<const Masker::Patterns> patterns = masker_.patterns();
  size_t longest = patterns->empty() ? 0 : patterns->front().size();
  // Bytes before `cut` cannot be the start of an incomplete match any more.
  size_t hold = longest > 0 ? longest - 1 : 0;
  size_t cut =
      final || buffer_.size() <= hold ? (final ? buffer_.size() : 0) : buffer_.size() - hold;
  if (cut == 0) return;
  auto ranges = FindMatches(buffer_, *patterns);
  if (covered_ > 0) ranges.emplace_back(0, covered_);
  Merge(ranges);

  std::string out;
  out.reserve(cut + kMask.size());
  size_t pos = 0;
  for (const auto& [begin, end] : ranges) {
    if (begin >= cut) break;
    out.append(buffer_, pos, begin - pos);
    // A range starting at 0 that includes the covered prefix continues an emitted "***".
    if (!(begin == 0 && covered_ > 0)) out.append(kMask);
    pos = end;
  }
  if (pos < cut) {
    out.append(buffer_, pos, cut - pos);
    covered_ = 0;
  } else {
    covered_ = pos - cut;
  }
  buffer_.erase(0, cut);
  if (final) {
    buffer_.clear();
    covered_ = 0;
  }
  if (!out.empty()) sink_(out);
}

}  // namespace slipway::exec
