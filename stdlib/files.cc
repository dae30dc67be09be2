#include "stdlib/files.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <system_error>

namespace slipway::stdlib {
namespace fs = std::filesystem;
namespace {

struct DigestDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

std::string Hex(const unsigned char* data, unsigned int size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xf];
  }
  return out;
}

bool HasWildcard(std::string_view text) {
  return text.find_first_of("*?[") != std::string_view::npos;
}

void AddFiles(const fs::path& path, std::set<fs::path>* out) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    out->insert(path);
  } else if (fs::is_directory(path, ec)) {
    for (auto it = fs::recursive_directory_iterator(path, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec)) out->insert(it->path());
    }
  }
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  return Hex(digest, size);
}

bool Sha256File(const fs::path& path, std::string* hex, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read \"" + path.string() + "\"";
    return false;
  }
  std::unique_ptr<EVP_MD_CTX, DigestDeleter> ctx(EVP_MD_CTX_new());
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  char buffer[64 * 1024];
  while (in) {
    in.read(buffer, sizeof buffer);
    if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buffer, static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) {
    *error = "error reading \"" + path.string() + "\"";
    return false;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &size);
  *hex = Hex(digest, size);
  return true;
}

bool ReadFileText(const fs::path& path, std::string* text, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read \"" + path.string() + "\"";
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *text = buffer.str();
  return true;
}

bool WriteFileAtomic(const fs::path& path, std::string_view text, std::string* error) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec) {
    *error = "cannot create \"" + path.parent_path().string() + "\": " + ec.message();
    return false;
  }
  fs::path temp = path;
  temp += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) {
      *error = "cannot write \"" + temp.string() + "\"";
      return false;
    }
  }
  fs::rename(temp, path, ec);
  if (ec) {
    *error = "cannot rename \"" + temp.string() + "\": " + ec.message();
    fs::remove(temp, ec);
    return false;
  }
  return true;
}

bool WritePrivateFile(const fs::path& path, std::string_view text, std::string* error) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = "cannot create \"" + path.string() + "\": " + std::strerror(errno);
    return false;
  }
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *error = "cannot write \"" + path.string() + "\": " + std::strerror(errno);
      ::close(fd);
      return false;
    }
    written += static_cast<size_t>(n);
  }
  return ::close(fd) == 0;
}

std::string MakePrivateDir(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0) return "";
  if (errno != EEXIST) return "cannot create \"" + dir.string() + "\": " + std::strerror(errno);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    return "cannot inspect \"" + dir.string() + "\": " + std::strerror(errno);
  }
  std::string why;
  if (S_ISLNK(st.st_mode)) {
    why = "is a symbolic link";
  } else if (!S_ISDIR(st.st_mode)) {
    why = "is not a directory";
  } else if (st.st_uid != ::geteuid()) {
    why = "belongs to another user (uid " + std::to_string(st.st_uid) + ")";
  } else if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    why = std::string("is open to other users (mode ") + mode + ")";
  } else {
    return "";
  }
  return "\"" + dir.string() + "\" " + why +
         ": another local user may have made it to control what is inside; refusing to use "
         "it (remove it, or use a shorter state directory path)";
}

std::vector<fs::path> ExpandGlob(const fs::path& base, std::string_view pattern) {
  std::set<fs::path> found;
  fs::path full = fs::path(pattern).is_absolute() ? fs::path(pattern) : base / fs::path(pattern);
  std::string text = full.lexically_normal().string();
  if (!HasWildcard(text)) {
    AddFiles(text, &found);
    return {found.begin(), found.end()};
  }
  // Walk from the longest directory prefix without wildcards, then match whole paths.
  size_t wild = text.find_first_of("*?[");
  size_t slash = text.rfind('/', wild);
  fs::path root = slash == std::string::npos ? fs::path(".") : fs::path(text.substr(0, slash));
  if (root.empty()) root = "/";
  bool deep = text.find("**") != std::string::npos;
  std::string matcher = text;
  // "a/**/b" also matches "a/b": try both with and without the "**/" segment.
  std::string shallow = matcher;
  for (size_t at = shallow.find("**/"); at != std::string::npos; at = shallow.find("**/")) {
    shallow.erase(at, 3);
  }
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return {};
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string candidate = it->path().string();
    int flags = deep ? 0 : FNM_PATHNAME;
    bool match = fnmatch(matcher.c_str(), candidate.c_str(), flags) == 0 ||
                 (deep && fnmatch(shallow.c_str(), candidate.c_str(), 0) == 0);
    if (!match) continue;
    AddFiles(it->path(), &found);
    if (it->is_directory(ec)) it.disable_recursion_pending();
  }
  return {found.begin(), found.end()};
}

bool IsSafeName(std::string_view name) {
  if (name.empty() || name == "." || name == ".." || name.size() > 200) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  });
}

std::string SafeName(std::string_view text) {
  std::string out;
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-';
    out += ok ? c : '_';
  }
  while (!out.empty() && out.front() == '.') out.erase(out.begin());
  if (out.empty()) out = "_";
  return out.substr(0, 200);
}

std::string SecretInName(std::string_view input, std::string_view name,
                         const step_api::StepContext& context) {
  std::string masked = context.Mask(name);
  if (masked == name) return "";
  return "input \"" + std::string(input) + "\" would reveal a secret (\"" + masked +
         "\"): a name becomes a file or directory name, which is never masked; give it a name "
         "without secrets";
}

}  // namespace slipway::stdlib
