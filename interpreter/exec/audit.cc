#include "interpreter/exec/audit.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <vector>

#include "interpreter/base/fd_io.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/run_store.h"

namespace slipway::exec {
namespace {

using nlohmann::json;

std::string Hex(const unsigned char* bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 15]);
  }
  return out;
}

/// The audit log's text; `exists` false when it is missing or not a regular file.
std::string ReadAll(const std::string& path, bool* exists) {
  std::string text, error;
  *exists = ReadStateLog(path, &text, &error);
  return text;
}

// The canonical text of an entry: keys sorted, compact; bytes that are not UTF-8 replaced.
std::string Canonical(const json& entry) {
  return entry.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The MAC of an entry: over the previous MAC and the entry's canonical form (without "mac").
std::string EntryMac(const std::string& key, const std::string& prev, json entry) {
  entry.erase("mac");
  return HmacSha256Hex(key, prev + "\n" + Canonical(entry));
}

std::string HeadMac(const std::string& key, size_t count, const std::string& last) {
  return HmacSha256Hex(key, fmt::format("head\n{}\n{}", count, last));
}

// The last non-empty line of the file open as `fd`, read from its end ("" when none).
std::string LastLine(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0 || st.st_size <= 0) return "";
  const off_t size = st.st_size;
  std::string tail;
  for (off_t window = 4096;; window *= 2) {
    off_t start = std::max<off_t>(0, size - window);
    tail.resize(static_cast<size_t>(size - start));
    size_t done = 0;
    while (done < tail.size()) {
      ssize_t n = pread(fd, tail.data() + done, tail.size() - done,
                        start + static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return "";
      done += static_cast<size_t>(n);
    }
    size_t end = tail.find_last_not_of('\n');
    if (end == std::string::npos) {
      if (start == 0) return "";
      continue;
    }
    size_t begin = tail.rfind('\n', end);
    if (begin != std::string::npos) return tail.substr(begin + 1, end - begin);
    if (start == 0) return tail.substr(0, end + 1);
  }
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Finds the first key that appears twice in one object (nlohmann keeps only one of them, so a
// forged second "reviewer" would otherwise pass unnoticed).
class DuplicateKeyFinder : public nlohmann::json_sax<json> {
 public:
  std::string duplicate;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    keys_.emplace_back();
    return true;
  }
  bool key(string_t& name) override {
    if (!keys_.empty() && !keys_.back().insert(name).second && duplicate.empty()) {
      duplicate = name;
    }
    return true;
  }
  bool end_object() override {
    if (!keys_.empty()) keys_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  std::vector<std::set<std::string>> keys_;
};

std::string DuplicateKey(const std::string& line) {
  DuplicateKeyFinder finder;
  json::sax_parse(line, &finder, json::input_format_t::json, /*strict=*/true,
                  /*ignore_comments=*/false);
  return finder.duplicate;
}

}  // namespace

std::string HmacSha256Hex(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &size);
  return Hex(mac, size);
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return Hex(digest, sizeof digest);
}

std::string AuditKeyPath() {
  if (const char* config = getenv("XDG_CONFIG_HOME"); config && *config == '/') {
    return std::string(config) + "/slipway/audit.key";
  }
  if (const char* home = getenv("HOME"); home && *home) {
    return std::string(home) + "/.config/slipway/audit.key";
  }
  return "";
}

Expected<std::string> LoadAuditKey(const std::string& /*state_dir*/, bool create) {
  if (const char* env = getenv("SLIPWAY_AUDIT_KEY"); env && *env) return std::string(env);
  std::string path = AuditKeyPath();
  if (path.empty()) {
    return MakeUnexpected(std::string(
        "no audit key: set SLIPWAY_AUDIT_KEY, or HOME / XDG_CONFIG_HOME for the key file"));
  }
  bool exists = false;
  std::string key = ReadAll(path, &exists);
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  if (exists && !key.empty()) return key;
  if (!create) {
    return MakeUnexpected(fmt::format(
        "no audit key: set SLIPWAY_AUDIT_KEY or keep \"{}\" (created by the first run)", path));
  }
  std::error_code error;
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::filesystem::create_directories(dir, error);
  if (error) {
    return MakeUnexpected(
        fmt::format("cannot create \"{}\" for the audit key: {}", dir.string(), error.message()));
  }
  chmod(dir.c_str(), 0700);
  unsigned char random[32];
  if (RAND_bytes(random, sizeof random) != 1) {
    return MakeUnexpected(std::string("cannot generate an audit key: no randomness"));
  }
  key = Hex(random, sizeof random);
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return LoadAuditKey("", false);  // another process won the race
    return MakeUnexpected(fmt::format("cannot create \"{}\": {}", path, strerror(errno)));
  }
  std::string line = key + "\n";
  bool written = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  written = fsync(fd) == 0 && written;
  written = close(fd) == 0 && written;
  if (!written) {
    unlink(path.c_str());
    return MakeUnexpected(fmt::format("cannot write \"{}\"", path));
  }
  return key;
}

struct AuditLog::Failures {
  std::mutex mutex;
  std::string first;
};

std::string AuditLog::write_error() const {
  if (!failures_) return "";
  std::lock_guard<std::mutex> lock(failures_->mutex);
  return failures_->first;
}

Expected<AuditLog> AuditLog::Open(const std::string& state_dir, const Masker* masker) {
  Expected<std::string> key = LoadAuditKey(state_dir, /*create=*/true);
  if (!key) return MakeUnexpected(key.error());
  AuditLog log;
  log.state_dir_ = state_dir;
  log.path_ = state_dir + "/audit.jsonl";
  log.key_ = *key;
  log.masker_ = masker;
  log.failures_ = std::make_shared<Failures>();
  return log;
}

Expected<bool> AuditLog::Append(json entry) const {
  Expected<bool> appended = AppendLocked(std::move(entry));
  if (!appended && failures_) {
    std::lock_guard<std::mutex> lock(failures_->mutex);
    if (failures_->first.empty()) failures_->first = appended.error();
  }
  return appended;
}

Expected<bool> AuditLog::AppendLocked(json entry) const {
  if (!entry.is_object()) return MakeUnexpected(std::string("audit entry must be an object"));
  int fd = open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return MakeUnexpected(fmt::format("cannot open \"{}\": {}", path_, strerror(errno)));
  if (flock(fd, LOCK_EX) != 0) {
    close(fd);
    return MakeUnexpected(fmt::format("cannot lock \"{}\": {}", path_, strerror(errno)));
  }
  // Under the lock: find the last entry to chain to (only the end of the file is read: the log
  // is shared by every run of the state directory and grows without bound).
  size_t seq = 0;
  std::string prev;
  json last = json::parse(LastLine(fd), nullptr, false);
  if (last.is_object() && last.contains("mac") && last["mac"].is_string()) {
    prev = last["mac"].get<std::string>();
    seq = last.value("seq", size_t{0});
  }
  MaskJsonInPlace(&entry, masker_);
  entry["seq"] = seq + 1;
  entry["prev"] = prev;
  entry.erase("mac");
  entry["mac"] = EntryMac(key_, prev, entry);
  std::string line = Canonical(entry) + "\n";
  bool ok = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  int saved = errno;
  ok = ok && fsync(fd) == 0;
  Expected<bool> head = true;
  if (ok) {
    json head_json = {{"count", seq + 1}, {"last", entry["mac"]}};
    head_json["mac"] = HeadMac(key_, seq + 1, entry["mac"].get<std::string>());
    head = WriteFileAtomically(state_dir_ + "/audit.head", head_json.dump() + "\n", 0644);
  }
  flock(fd, LOCK_UN);
  close(fd);
  if (!ok) {
    return MakeUnexpected(
        fmt::format("cannot append to \"{}\": {}", path_, strerror(saved ? saved : EIO)));
  }
  if (!head) return MakeUnexpected(head.error());
  return true;
}

Expected<AuditVerification> VerifyAudit(const std::string& state_dir) {
  std::string path = state_dir + "/audit.jsonl";
  std::string text, head_text, read_error;
  // A log or head that exists but is not a readable regular file (a FIFO, a device) is
  // reported as such, not read (and not taken for a missing one).
  const bool exists = ReadStateLog(path, &text, &read_error);
  if (!exists && errno != ENOENT) {
    return MakeUnexpected(fmt::format("audit log \"{}\" is unreadable: {}", path, read_error));
  }
  const bool head_exists = ReadStateLog(state_dir + "/audit.head", &head_text, &read_error);
  if (!head_exists && errno != ENOENT) {
    return MakeUnexpected(
        fmt::format("audit head \"{}/audit.head\" is unreadable: {}", state_dir, read_error));
  }
  if (!exists && !head_exists) {
    std::error_code error;
    bool has_runs = std::filesystem::is_directory(state_dir + "/runs", error) &&
                    !std::filesystem::is_empty(state_dir + "/runs", error);
    if (has_runs) {
      AuditVerification missing;
      missing.ok = false;
      missing.line = 1;
      missing.message = "the audit log is missing, but runs/ holds runs: it was deleted";
      return missing;
    }
    return MakeUnexpected(fmt::format("no audit log at \"{}\"", path));
  }
  Expected<std::string> key = LoadAuditKey(state_dir, /*create=*/false);
  if (!key) return MakeUnexpected(key.error());

  AuditVerification result;
  auto fail = [&](size_t line, std::string message) {
    result.ok = false;
    result.line = line;
    result.message = std::move(message);
    return result;
  };
  std::vector<std::string> lines = Lines(text);
  std::string prev;
  std::set<std::string> started;  // run ids with a run-start entry
  for (size_t i = 0; i < lines.size(); ++i) {
    size_t number = i + 1;
    json entry = json::parse(lines[i], nullptr, false);
    if (!entry.is_object() || !entry.contains("mac") || !entry["mac"].is_string() ||
        !entry.contains("prev") || !entry["prev"].is_string() || !entry.contains("seq") ||
        !entry["seq"].is_number_unsigned()) {
      return fail(number,
                  fmt::format("entry {} is not an audit entry (edited or inserted)", number));
    }
    if (std::string duplicate = DuplicateKey(lines[i]); !duplicate.empty()) {
      return fail(number, fmt::format("entry {} has the key \"{}\" twice (a forged value hides "
                                      "behind the real one)",
                                      number, duplicate));
    }
    if (Canonical(entry) != lines[i]) {
      return fail(number, fmt::format("entry {} is not in canonical form (slipway writes sorted "
                                      "keys, compact): it was rewritten",
                                      number));
    }
    if (entry.value("kind", "") == "run-start" && entry.contains("run_id") &&
        entry["run_id"].is_string()) {
      started.insert(entry["run_id"].get<std::string>());
    }
    std::string own_prev = entry["prev"].get<std::string>();
    if (EntryMac(*key, own_prev, entry) != entry["mac"].get<std::string>()) {
      return fail(number,
                  fmt::format("entry {} was edited or forged: its MAC does not match", number));
    }
    size_t seq = entry["seq"].get<size_t>();
    if (own_prev != prev || seq != number) {
      if (seq > number) {
        return fail(number, fmt::format("entry {} is missing: line {} holds entry {} (entries "
                                        "removed)",
                                        number, number, seq));
      }
      if (seq < number) {
        return fail(number, fmt::format("line {} holds entry {}: entries reordered or duplicated",
                                        number, seq));
      }
      return fail(number, fmt::format("entry {} does not follow entry {}: entries reordered or "
                                      "replaced",
                                      number, number - 1));
    }
    prev = entry["mac"].get<std::string>();
    ++result.entries;
  }
  if (!head_exists) {
    return fail(lines.size() + 1, "audit.head is missing: the end of the log cannot be checked");
  }
  json head = json::parse(head_text, nullptr, false);
  if (!head.is_object() || !head.contains("count") || !head["count"].is_number_unsigned() ||
      !head.contains("last") || !head["last"].is_string() || !head.contains("mac") ||
      !head["mac"].is_string() ||
      HeadMac(*key, head["count"].get<size_t>(), head["last"].get<std::string>()) !=
          head["mac"].get<std::string>()) {
    return fail(lines.size() + 1, "audit.head was edited: its MAC does not match");
  }
  size_t count = head["count"].get<size_t>();
  if (count > lines.size()) {
    return fail(lines.size() + 1,
                fmt::format("entry {} is missing: the log ends at entry {} but {} were written",
                            lines.size() + 1, lines.size(), count));
  }
  if (count < lines.size() || head["last"].get<std::string>() != prev) {
    return fail(count + 1, fmt::format("entry {} was appended without the key", count + 1));
  }
  std::error_code error;
  std::vector<std::string> runs;
  for (const auto& run : std::filesystem::directory_iterator(state_dir + "/runs", error)) {
    if (run.is_directory(error)) runs.push_back(run.path().filename().string());
  }
  std::sort(runs.begin(), runs.end());
  for (const std::string& run : runs) {
    if (!started.contains(run)) {
      return fail(lines.size() + 1,
                  fmt::format("run directory \"runs/{}\" has no run-start entry: the log was "
                              "deleted and restarted, or the run was not made by slipway",
                              run));
    }
  }
  return result;
}

Expected<std::vector<json>> VerifiedRunEntries(const std::string& state_dir,
                                               const std::string& run_id) {
  Expected<AuditVerification> verified = VerifyAudit(state_dir);
  if (!verified) return MakeUnexpected(verified.error());
  if (!verified->ok) {
    return MakeUnexpected(fmt::format("the audit log does not verify (line {}: {})",
                                      verified->line, verified->message));
  }
  bool exists = false;
  std::vector<json> entries;
  for (const std::string& line : Lines(ReadAll(state_dir + "/audit.jsonl", &exists))) {
    json entry = json::parse(line, nullptr, false);
    if (entry.is_object() && entry.value("run_id", "") == run_id) entries.push_back(entry);
  }
  return entries;
}

}  // namespace slipway::exec
