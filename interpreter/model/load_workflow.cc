#include "interpreter/model/load_workflow.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "interpreter/model/build_model.h"
#include "interpreter/model/literal_templates.h"
#include "interpreter/yaml/loader.h"

namespace slipway::model {

bool ReadWholeFile(const std::string& path, std::string* text, std::string* error) {
  // Only a regular file or a pipe (`--secrets-file <(pass show ci)`, `plan /dev/stdin`) is read:
  // a device such as /dev/zero never ends, and a directory reads as nothing.
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    *error = std::strerror(errno);
    return false;
  }
  if (S_ISDIR(info.st_mode)) {
    *error = "is a directory";
    return false;
  }
  if (!S_ISREG(info.st_mode) && !S_ISFIFO(info.st_mode)) {
    *error = "is not a regular file or a pipe";
    return false;
  }
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = std::strerror(errno);
    return false;
  }
  // The same question of what was opened: the path may have changed since stat().
  if (fstat(fd, &info) != 0 || (!S_ISREG(info.st_mode) && !S_ISFIFO(info.st_mode))) {
    close(fd);
    *error = "is not a regular file or a pipe";
    return false;
  }
  std::string bytes;
  char buffer[64 * 1024];
  bool too_large = false;
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = std::strerror(errno);
      close(fd);
      return false;
    }
    if (n == 0) break;
    if (bytes.size() + static_cast<size_t>(n) > kMaxInputFileBytes) {
      too_large = true;
      break;
    }
    bytes.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  if (too_large) {
    *error = fmt::format("is larger than {} MiB, the limit for a file slipway reads",
                         kMaxInputFileBytes / (1024 * 1024));
    return false;
  }
  *text = std::move(bytes);
  return true;
}

std::optional<Workflow> LoadWorkflowText(const SourceManager& sources, FileId file,
                                         Diagnostics& diagnostics) {
  std::optional<yaml::Node> root = yaml::LoadYaml(sources, file, diagnostics);
  if (!root) return std::nullopt;
  FoldLiteralTemplates(*root);
  return BuildModel(std::make_shared<const yaml::Node>(std::move(*root)), file);
}

std::optional<Workflow> LoadWorkflowFile(SourceManager& sources, const std::string& path,
                                         Diagnostics& diagnostics) {
  std::string text, error;
  if (!ReadWholeFile(path, &text, &error)) {
    FileId file = sources.Add(path, "");
    diagnostics.Error("io", SourceRange{file, {}, 0}, "cannot read file: " + error);
    return std::nullopt;
  }
  FileId file = sources.Add(path, std::move(text));
  return LoadWorkflowText(sources, file, diagnostics);
}

}  // namespace slipway::model
