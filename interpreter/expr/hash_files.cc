#include "interpreter/expr/hash_files.h"

#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <system_error>

namespace slipway::expr {
namespace {

namespace fs = std::filesystem;

std::vector<std::string_view> SplitPath(std::string_view p) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= p.size()) {
    size_t slash = p.find('/', start);
    if (slash == std::string_view::npos) slash = p.size();
    if (slash > start) parts.push_back(p.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

// One path segment against one pattern segment: *, ? and [...] (with ! or ^ negation).
bool SegmentMatch(std::string_view pat, std::string_view s) {
  size_t p = 0, i = 0, star_p = std::string_view::npos, star_i = 0;
  while (i < s.size()) {
    if (p < pat.size() && pat[p] == '*') {
      star_p = p++;
      star_i = i;
      continue;
    }
    if (p < pat.size() && pat[p] == '[') {
      size_t q = p + 1;
      bool negate = q < pat.size() && (pat[q] == '!' || pat[q] == '^');
      if (negate) ++q;
      bool matched = false;
      bool closed = false;
      for (size_t k = q; k < pat.size(); ++k) {
        if (pat[k] == ']' && k > q) {
          closed = true;
          if (matched != negate) {
            p = k + 1;
            ++i;
            goto next;
          }
          break;
        }
        if (k + 2 < pat.size() && pat[k + 1] == '-' && pat[k + 2] != ']') {
          if (s[i] >= pat[k] && s[i] <= pat[k + 2]) matched = true;
          k += 2;
        } else if (pat[k] == s[i]) {
          matched = true;
        }
      }
      if (!closed && s[i] == '[') {  // a lone "[" matches itself
        ++p;
        ++i;
        continue;
      }
    } else if (p < pat.size() && (pat[p] == '?' || pat[p] == s[i])) {
      ++p;
      ++i;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p + 1;
    i = ++star_i;
    continue;
  next:;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

bool MatchSegments(const std::vector<std::string_view>& pat, size_t pi,
                   const std::vector<std::string_view>& path, size_t si) {
  if (pi == pat.size()) return true;  // the rest of the path lies below a match
  if (pat[pi] == "**") {
    for (size_t k = si; k <= path.size(); ++k) {
      if (MatchSegments(pat, pi + 1, path, k)) return true;
    }
    return false;
  }
  if (si == path.size()) return false;
  if (!SegmentMatch(pat[pi], path[si])) return false;
  return MatchSegments(pat, pi + 1, path, si + 1);
}

struct DigestDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using DigestPtr = std::unique_ptr<EVP_MD_CTX, DigestDeleter>;

DigestPtr NewSha256() {
  DigestPtr ctx(EVP_MD_CTX_new());
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  return ctx;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view path) {
  while (pattern.substr(0, 2) == "./") pattern.remove_prefix(2);
  return MatchSegments(SplitPath(pattern), 0, SplitPath(path), 0);
}

Expected<std::vector<std::string>> GlobFiles(const std::string& workspace,
                                             const std::vector<std::string>& patterns,
                                             bool follow_symlinks,
                                             std::vector<std::string>* search_roots) {
  struct Rule {
    std::string pattern;
    bool negate;
  };
  std::vector<Rule> rules;
  const std::string root = fs::path(workspace).lexically_normal().generic_string();
  for (const std::string& arg : patterns) {
    size_t start = 0;
    while (start <= arg.size()) {
      size_t nl = arg.find('\n', start);
      if (nl == std::string::npos) nl = arg.size();
      std::string line = arg.substr(start, nl - start);
      start = nl + 1;
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      size_t lead = line.find_first_not_of(' ');
      if (lead == std::string::npos || line[lead] == '#') continue;
      line = line.substr(lead);
      bool negate = false;
      while (!line.empty() && line[0] == '!') {
        negate = !negate;
        line.erase(0, 1);
      }
      // @actions/glob (internal-pattern.ts fixupPattern) refuses `..` anywhere and `.` but as
      // the first segment; the pattern is then made absolute from the working directory, with
      // repeated separators collapsed and a trailing one trimmed.
      std::vector<std::string_view> segments = SplitPath(line);
      const size_t first = !line.empty() && line[0] == '/' ? 1 : 0;
      for (size_t i = 0; i < segments.size(); ++i) {
        if (segments[i] == ".." || (segments[i] == "." && i + first > 0)) {
          return MakeUnexpected("Invalid pattern '" + line +
                                "'. Relative pathing '.' and '..' is not allowed.");
        }
      }
      // Absolute patterns must lie in the workspace; make them relative to it.
      if (!line.empty() && line[0] == '/') {
        const std::string abs = fs::path(line).lexically_normal().generic_string();
        if (abs == root || abs == root + "/") {
          line.clear();
        } else {
          if (abs.rfind(root + "/", 0) != 0) continue;
          line = abs.substr(root.size() + 1);
        }
      }
      std::string normal;
      for (std::string_view segment : SplitPath(line)) {
        if (normal.empty() && segment == ".") continue;
        normal += (normal.empty() ? "" : "/") + std::string(segment);
      }
      rules.push_back({normal, negate});
    }
  }
  std::vector<std::string> files;
  std::error_code ec;
  auto options = fs::directory_options::skip_permission_denied;
  if (follow_symlinks) options |= fs::directory_options::follow_directory_symlink;
  fs::recursive_directory_iterator it(workspace, options, ec);
  if (ec) return MakeUnexpected("cannot read the workspace \"" + workspace + "\": " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const fs::directory_entry& entry = *it;
    std::error_code type_ec;
    const bool regular = follow_symlinks ? entry.is_regular_file(type_ec)
                                         : entry.is_regular_file(type_ec) && !entry.is_symlink();
    if (!regular) continue;
    const std::string rel = fs::relative(entry.path(), workspace, type_ec).generic_string();
    bool included = false;
    for (const Rule& r : rules) {
      if (r.negate ? included : !included) {
        if (GlobMatch(r.pattern, rel)) included = !r.negate;
      }
    }
    if (included) files.push_back(rel);
  }
  // The order @actions/glob finds them in: the search roots of the include patterns in the
  // order written (a root under another is walked with it), each walked depth first with every
  // directory's entries sorted by name (libuv's scandir), so `a/f` comes before `a-b/f`.
  std::vector<std::string> roots;
  for (const Rule& r : rules) {
    if (r.negate) continue;
    std::string root;
    size_t start = 0;
    while (start <= r.pattern.size()) {
      size_t slash = r.pattern.find('/', start);
      if (slash == std::string::npos) slash = r.pattern.size();
      std::string segment = r.pattern.substr(start, slash - start);
      if (segment.find_first_of("*?[") != std::string::npos) break;
      root += (root.empty() ? "" : "/") + segment;
      start = slash + 1;
    }
    roots.push_back(root);
  }
  auto under = [](const std::string& path, const std::string& root) {
    return root.empty() || path == root ||
           (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
            path[root.size()] == '/');
  };
  // A root under another one is walked as part of it.
  std::vector<std::string> walked;
  for (const std::string& root : roots) {
    bool nested = false;
    for (const std::string& other : roots) nested = nested || (other != root && under(root, other));
    if (!nested && std::find(walked.begin(), walked.end(), root) == walked.end()) {
      walked.push_back(root);
    }
  }
  auto rank = [&](const std::string& rel) {
    for (size_t i = 0; i < walked.size(); ++i) {
      if (under(rel, walked[i])) return i;
    }
    return walked.size();
  };
  auto by_walk = [&](const std::string& a, const std::string& b) {
    size_t ra = rank(a), rb = rank(b);
    if (ra != rb) return ra < rb;
    // Component by component: '/' sorts before every byte a name can hold.
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
      unsigned char ux = x == '/' ? 0 : static_cast<unsigned char>(x);
      unsigned char uy = y == '/' ? 0 : static_cast<unsigned char>(y);
      return ux < uy;
    });
  };
  std::sort(files.begin(), files.end(), by_walk);
  if (search_roots) *search_roots = std::move(walked);
  return files;
}

Expected<std::string> HashFiles(const std::string& workspace,
                                const std::vector<std::string>& patterns, bool follow_symlinks) {
  Expected<std::vector<std::string>> found =
      GlobFiles(workspace, patterns, follow_symlinks, nullptr);
  if (!found) return MakeUnexpected(found.error());
  const std::vector<std::string>& files = *found;
  if (files.empty()) return std::string();
  DigestPtr total = NewSha256();
  std::vector<char> buf(1 << 16);
  for (const std::string& rel : files) {
    std::ifstream in(fs::path(workspace) / rel, std::ios::binary);
    if (!in) return MakeUnexpected("cannot read \"" + rel + "\"");
    DigestPtr one = NewSha256();
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      EVP_DigestUpdate(one.get(), buf.data(), static_cast<size_t>(in.gcount()));
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(one.get(), digest, &len);
    EVP_DigestUpdate(total.get(), digest, len);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(total.get(), digest, &len);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

}  // namespace slipway::expr
