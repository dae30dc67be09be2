#include "interpreter/backend/log_follow.h"

namespace slipway::backend {

bool LogFollower::Wanted(const exec::StepLogEntry& log) const {
  if (!job_.empty() && log.job_key != job_ && log.job_key.rfind(job_ + " (", 0) != 0) {
    return false;
  }
  return step_.empty() || step_ == log.name || step_ == std::to_string(log.index + 1);
}

Expected<bool> LogFollower::Poll(std::FILE* out, bool flush_partial) {
  Expected<std::vector<exec::StepLogEntry>> logs = store_.StepLogs(run_id_);
  if (!logs) return MakeUnexpected(logs.error());
  for (const exec::StepLogEntry& log : *logs) {
    if (!Wanted(log)) continue;
    auto& [attempt, done] = printed_[{log.job_key, log.index}];
    if (attempt != log.attempt) {  // a new attempt writes its log from the start
      attempt = log.attempt;
      done = 0;
    }
    if (log.text.size() < done) done = 0;
    size_t end = flush_partial ? log.text.size() : log.text.rfind('\n', std::string::npos);
    if (end == std::string::npos || end + (flush_partial ? 0 : 1) <= done) continue;
    if (!flush_partial) ++end;  // through the newline
    std::string chunk = log.text.substr(done, end - done);
    done = end;
    size_t start = 0;
    while (start < chunk.size()) {
      size_t newline = chunk.find('\n', start);
      std::string line =
          chunk.substr(start, newline == std::string::npos ? std::string::npos : newline - start);
      if (job_.empty()) {
        std::fprintf(out, "[%s] %s\n", log.job_key.c_str(), line.c_str());
      } else {
        std::fprintf(out, "%s\n", line.c_str());
      }
      if (newline == std::string::npos) break;
      start = newline + 1;
    }
  }
  std::fflush(out);
  return true;
}

}  // namespace slipway::backend
