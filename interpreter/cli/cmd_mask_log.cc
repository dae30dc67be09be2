// `slipway __mask-log PATTERNS LOG` (hidden): the masking end of a pipe from a process that
// outlives the run, a local stack's app (exec/masking_log.h).
#include <CLI/CLI.hpp>

#include "interpreter/cli/subcommand.h"
#include "interpreter/exec/masking_log.h"

namespace slipway::cli {

std::function<int()> SetupMaskLog(CLI::App& command) {
  auto patterns = std::make_shared<std::string>();
  auto log = std::make_shared<std::string>();
  command.add_option("patterns", *patterns, "file of patterns (removed once read)")->required();
  command.add_option("log", *log, "the log file to append to")->required();
  return [patterns, log]() { return exec::CopyMasked(*patterns, *log); };
}

}  // namespace slipway::cli
