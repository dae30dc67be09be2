#include "interpreter/exec/console.h"

#include <fmt/format.h>

#include "interpreter/exec/clock.h"
#include "interpreter/exec/live_view.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/terminal_text.h"

namespace slipway::exec {

void Console::Line(std::string_view job, std::string_view text) {
  if (tap_) tap_(job, text);
  std::string time = FormatUtc(clock_.WallNow()).substr(11, 8);
  std::string line = job.empty() ? fmt::format("{} {}", time, text)
                                 : fmt::format("{} [{}] {}", time, job, text);
  // Nothing a step prints may drive the terminal (terminal_text.h).
  std::string masked = SafeForTerminal(masker_.Mask(line)) + "\n";
  if (LiveView* live = live_.load()) {
    live->Print(job, text, masked);
    return;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  std::fwrite(masked.data(), 1, masked.size(), out_);
  std::fflush(out_);
}

void Console::Raw(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  std::string masked = SafeForTerminal(masker_.Mask(text), /*keep_newlines=*/true) + "\n";
  if (LiveView* live = live_.load()) {
    live->Print("", "", masked);
    return;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  std::fwrite(masked.data(), 1, masked.size(), out_);
  std::fflush(out_);
}

}  // namespace slipway::exec
