// `slipway reject RUN_ID ENV --as NAME [--comment TEXT] [--state-dir DIR]`: a required reviewer
// refuses the deployment; the waiting job fails with the comment (GitHub's "Reject").
#include <CLI/CLI.hpp>

#include "interpreter/cli/cmd_approve.h"

namespace slipway::cli {

std::function<int()> SetupReject(CLI::App& command) { return SetupDecision(command, true); }

}  // namespace slipway::cli
