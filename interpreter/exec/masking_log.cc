#include "interpreter/exec/masking_log.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace slipway::exec {
namespace {

std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

step_api::StepContext::MaskingLog MaskingLogCommand(const Masker& masker,
                                                    const std::string& temp_dir,
                                                    const std::string& log_file,
                                                    std::string* error) {
  std::shared_ptr<const Masker::Patterns> patterns = masker.patterns();
  if (patterns->empty()) return {};
  char self[PATH_MAX];
  ssize_t length = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (length <= 0) {
    *error = "cannot find slipway's own executable to mask the log";
    return {};
  }
  self[length] = '\0';
  std::string path = temp_dir + "/mask-XXXXXX";
  int fd = ::mkstemp(path.data());  // 0600
  if (fd < 0) {
    *error = "cannot create a file in " + temp_dir + ": " + std::strerror(errno);
    return {};
  }
  std::string text = nlohmann::json(patterns->list()).dump();
  bool written = WriteAll(fd, text);
  ::close(fd);
  if (!written) {
    ::unlink(path.c_str());
    *error = "cannot write " + path;
    return {};
  }
  return {Quote(self) + " __mask-log " + Quote(path) + " " + Quote(log_file), path};
}

int CopyMasked(const std::string& patterns_file, const std::string& log_file) {
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) ::signal(sig, SIG_IGN);
  std::ifstream in(patterns_file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  ::unlink(patterns_file.c_str());
  nlohmann::json list = nlohmann::json::parse(buffer.str(), nullptr, false);
  if (!in || !list.is_array()) {
    std::cerr << "slipway __mask-log: cannot read the patterns in " << patterns_file << "\n";
    return 2;
  }
  Masker masker;
  std::vector<std::string> patterns;
  for (const nlohmann::json& item : list) {
    if (item.is_string()) patterns.push_back(item.get<std::string>());
  }
  masker.AddPatterns(std::move(patterns));
  int out = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
                   S_IRUSR | S_IWUSR);
  if (out < 0 || ::fchmod(out, S_IRUSR | S_IWUSR) != 0) {
    std::cerr << "slipway __mask-log: cannot open " << log_file << ": " << std::strerror(errno)
              << "\n";
    return 2;
  }
  {
    MaskingWriter writer(masker, [&](std::string_view chunk) { WriteAll(out, chunk); });
    char chunk[65536];
    for (;;) {
      // A pause in the output releases what the writer holds back (the start of a possible
      // secret), so the log stays current while the process is quiet.
      pollfd wait{STDIN_FILENO, POLLIN, 0};
      int ready = ::poll(&wait, 1, 200);
      if (ready == 0) {
        writer.Flush();
        continue;
      }
      if (ready < 0 && errno == EINTR) continue;
      ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      writer.Write(std::string_view(chunk, static_cast<size_t>(n)));
    }
  }
  ::close(out);
  return 0;
}

}  // namespace slipway::exec
