#pragma once
// Shared by `slipway approve` (cmd_approve.cc) and `slipway reject` (cmd_reject.cc).

#include <functional>

namespace CLI {
class App;
}

namespace slipway::cli {

/// The flags of approve/reject; `rejected` picks which.
std::function<int()> SetupDecision(CLI::App& command, bool rejected);

}  // namespace slipway::cli
