#include "interpreter/exec/step_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "interpreter/base/fd_io.h"
#include "interpreter/exec/console.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/terminal_text.h"

namespace slipway::exec {

StepLog::StepLog(const Masker& masker, Console& console, std::string job_key,
                 const std::string& path)
    : masker_(masker),
      console_(console),
      job_key_(std::move(job_key)),
      path_(path),
      fd_(open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) {
  if (fd_ < 0) error_ = fmt::format("cannot open step log \"{}\": {}", path, std::strerror(errno));
}

StepLog::~StepLog() {
  if (fd_ >= 0) close(fd_);
}

void StepLog::Line(std::string_view text) {
  // Masked first (a secret may contain control characters), then made safe for a terminal:
  // the log file is what `slipway logs` prints.
  std::string masked = SafeForTerminal(masker_.Mask(text));
  masked.push_back('\n');
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (fd_ >= 0 && error_.empty()) {
      if (!WriteAll(fd_, masked)) {
        error_ = fmt::format("the step log \"{}\" is truncated: {}", path_, std::strerror(errno));
      }
    }
  }
  masked.pop_back();
  console_.Line(job_key_, masked);
}

std::string StepLog::error() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return error_;
}

void LineSplitter::Write(OutputStream stream, std::string_view chunk) {
  std::string& pending = stream == OutputStream::kStdout ? out_ : err_;
  pending.append(chunk);
  size_t start = 0;
  for (size_t nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n', start)) {
    std::string_view line(pending.data() + start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    on_line_(line);
    start = nl + 1;
  }
  pending.erase(0, start);
  if (pending.size() > kMaxLine) {
    std::shared_ptr<const Masker::Patterns> patterns = masker_.patterns();
    size_t keep = patterns->empty() ? 0 : patterns->front().size() - 1;
    on_line_(std::string_view(pending).substr(0, pending.size() - keep));
    pending.erase(0, pending.size() - keep);
  }
}

void LineSplitter::Flush() {
  for (std::string* pending : {&out_, &err_}) {
    if (!pending->empty()) on_line_(*pending);
    pending->clear();
  }
}


}  // namespace slipway::exec
