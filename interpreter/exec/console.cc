#include "interpreter/exec/console.h"

#include <fmt/format.h>

#include "interpreter/exec/clock.h"
#include "interpreter/exec/live_view.h"
#include "interpreter/exec/masker.h"

namespace slipway::exec {

void Console::Line(std::string_view job, std::string_view text) {
  if (tap_) tap_(job, text);
  std::string time = FormatUtc(clock_.WallNow()).substr(11, 8);
  std::string line = job.empty() ? fmt::format("{} {}\n", time, text)
                                 : fmt::format("{} [{}] {}\n", time, job, text);
  std::string masked = masker_.Mask(line);
  if (LiveView* live = live_.load()) {
    live->Print(job, text, masked);
    return;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  std::fwrite(masked.data(), 1, masked.size(), out_);
  std::fflush(out_);
}

void Console::Raw(std::string_view text) {
  std::string masked = masker_.Mask(text);
  if (masked.empty() || masked.back() != '\n') masked.push_back('\n');
  if (LiveView* live = live_.load()) {
    live->Print("", "", masked);
    return;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  std::fwrite(masked.data(), 1, masked.size(), out_);
  std::fflush(out_);
}

}  // namespace slipway::exec
