#pragma once
/// Masked logs for processes that outlive the run (a local stack's app, started detached by
/// stack-deploy): their output goes through `slipway __mask-log`, which holds the run's mask
/// patterns and writes the output masked to an owner-only file for as long as the process
/// prints. The patterns reach it in an owner-only file of the run's tmp directory that it
/// removes once read, never on a command line or in an environment.

#include <string>

#include "interpreter/exec/masker.h"
#include "interpreter/step_api/step_api.h"

namespace slipway::exec {

/// The shell command (`'<slipway>' __mask-log PATTERNS LOG`) that copies its standard input
/// masked with `masker`'s current patterns to `log_file`, and the PATTERNS file it reads and
/// removes (created in `temp_dir`). Empty when there is nothing to mask or the command cannot
/// be set up (`error` says why, when it is a failure).
step_api::StepContext::MaskingLog MaskingLogCommand(const Masker& masker,
                                                    const std::string& temp_dir,
                                                    const std::string& log_file,
                                                    std::string* error);

/// `slipway __mask-log PATTERNS LOG`: reads and removes PATTERNS (a JSON array of strings),
/// then copies standard input to LOG (created 0600, appended), masked, until end of input.
/// Output is written when a line ends or input pauses; SIGTERM, SIGINT and SIGHUP are ignored,
/// so what the process printed last is still written when its group is stopped. The exit code.
int CopyMasked(const std::string& patterns_file, const std::string& log_file);

}  // namespace slipway::exec
