#include "interpreter/exec/masker.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <unordered_set>
#include <utility>

#include "interpreter/base/xml_escape.h"

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

// Appends `form` unless empty; duplicates are dropped at the end (Unique) — a long secret has
// hundreds of forms, so checking each against all would be quadratic.
void AddUnique(std::vector<std::string>& forms, std::string form) {
  if (!form.empty()) forms.push_back(std::move(form));
}

std::vector<std::string> Unique(std::vector<std::string> forms) {
  std::unordered_set<std::string> seen;
  std::vector<std::string> out;
  for (std::string& form : forms) {
    if (seen.insert(form).second) out.push_back(std::move(form));
  }
  return out;
}

std::string JsonEscaped(std::string_view text) {
  std::string quoted = nlohmann::json(std::string(text))
                           .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

// `base64` (coreutils) wraps its output at 76 columns unless told -w0.
constexpr size_t kBase64Wrap = 76;
// The shortest piece of a wrapped base64 form masked on a line of its own: 6 characters carry
// 4.5 bytes of the secret; shorter pieces would mask unrelated base64 text.
constexpr size_t kMinWrappedPiece = 6;

// A single-quoted expression string literal escapes ' as ''.
std::string ExpressionEscaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    out.push_back(c);
    if (c == '\'') out.push_back('\'');
  }
  return out;
}

// RFC 3986 percent-encoding of everything but the unreserved characters (.NET's
// Uri.EscapeDataString, upper-case hex).
std::string UriEscaped(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    unsigned char byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 15]);
    }
  }
  return out;
}


// A value passed inside a double-quoted command-line argument: " as \".
std::string CommandLineEscaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// A quoted value (longer than 8) is also masked without its quotes.
std::string TrimmedQuotes(std::string_view text) {
  if (text.size() > 8 && text.front() == '"' && text.back() == '"') {
    return std::string(text.substr(1, text.size() - 2));
  }
  return "";
}

// PowerShell prints a command that fails at '&' in two pieces; each piece of 6 or more
// characters is masked.
std::string PowerShellBeforeAmpersand(std::string_view text) {
  size_t split = text.find("&+");
  size_t end = split != std::string_view::npos ? split + 2 : text.rfind('&');
  if (end == std::string_view::npos) return "";
  if (split == std::string_view::npos) ++end;
  std::string_view piece = text.substr(0, end);
  return piece.size() >= 6 ? std::string(piece) : "";
}

std::string PowerShellAfterAmpersand(std::string_view text) {
  size_t split = text.find("&+");
  size_t begin = split != std::string_view::npos ? split + 3 : text.rfind('&');
  if (begin == std::string_view::npos) return "";
  if (split == std::string_view::npos) ++begin;
  if (begin > text.size()) return "";
  std::string_view piece = text.substr(begin);
  return piece.size() >= 6 ? std::string(piece) : "";
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
    // Each line as a step's output is read (LineSplitter): LF, CRLF and a lone CR end one, as
    // the runner splits a secret at '\r' and '\n' (Worker.cs), so no line of output holds more
    // than one piece of it.
    size_t start = 0;
    while (start <= secret.size()) {
      size_t end = secret.find_first_of("\r\n", start);
      if (end == std::string_view::npos) end = secret.size();
      std::string_view line = secret.substr(start, end - start);
      if (secret.substr(end, 2) == "\r\n") ++end;
      if (Trim(line).size() >= kMinDerivedLength) {
        lines.push_back(line);
        AddUnique(forms, std::string(line));
      }
      start = end + 1;
    }
  }
  // The escapes GitHub's runner registers (actions/runner ValueEncoders): JSON, expression
  // string, URI data, XML, command-line argument, trimmed double quotes, PowerShell's split at
  // '&'. Each applies to the whole value and to each of its lines.
  auto add_escapes = [&](std::string_view text) {
    for (std::string form : {JsonEscaped(text), ExpressionEscaped(text), UriEscaped(text),
                             XmlEscaped(text), CommandLineEscaped(text), TrimmedQuotes(text),
                             PowerShellBeforeAmpersand(text), PowerShellAfterAmpersand(text)}) {
      if (form.size() >= kMinDerivedLength && form != text) AddUnique(forms, std::move(form));
    }
  };
  add_escapes(secret);
  for (std::string_view line : lines) add_escapes(line);
  // Base64 at its three byte alignments, in the standard and the URL-safe alphabet, and as
  // `base64` prints it without -w0: wrapped at 76 columns, so a newline may fall anywhere in
  // the encoded secret (at one position k, then every 76 characters after it).
  // The value encoded on its own, as the runner registers it (without padding): its last
  // characters also depend on the padding, so the cores below leave them out.
  std::string whole = Base64(secret);
  while (!whole.empty() && whole.back() == '=') whole.pop_back();
  if (whole.size() >= kMinDerivedLength) AddUnique(forms, whole);
  for (size_t offset = 0; offset < 3; ++offset) {
    std::string core = Base64Core(secret, offset);
    if (core.size() < kMinDerivedLength) continue;
    AddUnique(forms, core);
    std::string url = core;
    std::replace(url.begin(), url.end(), '+', '-');
    std::replace(url.begin(), url.end(), '/', '_');
    AddUnique(forms, url);
    for (size_t first_break = 1; first_break < core.size() && first_break <= kBase64Wrap;
         ++first_break) {
      std::string wrapped;
      for (size_t i = 0; i < core.size(); ++i) {
        if (i >= first_break && (i - first_break) % kBase64Wrap == 0) wrapped.push_back('\n');
        wrapped.push_back(core[i]);
      }
      AddUnique(forms, std::move(wrapped));
    }
    // Logs are masked line by line, so the wrapped form is also masked as the lines it makes:
    // the piece ending the first line, whole 76-character lines, the piece starting the last.
    if (core.size() > kMinWrappedPiece) {
      for (size_t k = kMinWrappedPiece; k < core.size() && k <= kBase64Wrap; ++k) {
        AddUnique(forms, core.substr(0, k));
        AddUnique(forms, core.substr(core.size() - k));
      }
      for (size_t i = 1; i + kBase64Wrap < core.size(); ++i) {
        AddUnique(forms, core.substr(i, kBase64Wrap));
      }
    }
  }
  return Unique(std::move(forms));
}

PatternSet::PatternSet(std::vector<std::string> patterns) {
  // Longest first (then by bytes, so equal patterns are neighbours and dropped).
  std::sort(patterns.begin(), patterns.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  patterns.erase(std::unique(patterns.begin(), patterns.end()), patterns.end());
  if (!patterns.empty() && patterns.back().empty()) patterns.pop_back();
  patterns_ = std::move(patterns);
  for (uint32_t i = 0; i < patterns_.size(); ++i) {
    const std::string& p = patterns_[i];
    if (p.size() == 1) {
      single_.push_back(i);
    } else {
      uint16_t key = static_cast<uint16_t>((static_cast<unsigned char>(p[0]) << 8) |
                                           static_cast<unsigned char>(p[1]));
      by_prefix_[key].push_back(i);
    }
  }
}

std::vector<std::pair<size_t, size_t>> PatternSet::Find(std::string_view text) const {
  std::vector<std::pair<size_t, size_t>> found;
  if (patterns_.empty()) return found;
  for (size_t at = 0; at < text.size(); ++at) {
    for (uint32_t i : single_) {
      if (text[at] == patterns_[i][0]) found.emplace_back(at, at + 1);
    }
    if (at + 1 >= text.size()) break;
    uint16_t key = static_cast<uint16_t>((static_cast<unsigned char>(text[at]) << 8) |
                                         static_cast<unsigned char>(text[at + 1]));
    auto bucket = by_prefix_.find(key);
    if (bucket == by_prefix_.end()) continue;
    for (uint32_t i : bucket->second) {
      const std::string& p = patterns_[i];
      if (text.size() - at >= p.size() && text.compare(at, p.size(), p) == 0) {
        found.emplace_back(at, at + p.size());
      }
    }
  }
  return found;
}

void Masker::Add(std::string_view secret) {
  std::vector<std::string> forms = MaskForms(secret);
  if (forms.empty()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> all = patterns_->list();
  for (std::string& form : forms) all.push_back(std::move(form));
  patterns_ = std::make_shared<const PatternSet>(std::move(all));
}

void Masker::AddPatterns(std::vector<std::string> patterns) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> all = patterns_->list();
  for (std::string& pattern : patterns) {
    if (!pattern.empty()) all.push_back(std::move(pattern));
  }
  patterns_ = std::make_shared<const PatternSet>(std::move(all));
}

std::shared_ptr<const Masker::Patterns> Masker::patterns() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return patterns_;
}

std::string Masker::Mask(std::string_view text) const {
  std::shared_ptr<const Patterns> current = patterns();
  if (current->empty()) return std::string(text);
  auto ranges = current->Find(text);
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
  auto ranges = patterns->Find(buffer_);
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
