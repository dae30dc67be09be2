#pragma once
/// The third-party actions slipway runs locally (DESIGN.md "Common third-party actions ... have
/// local equivalents"), by name, with one line saying what happens instead. The plan shows the
/// line; exec/local_actions.h implements each entry. Any other `uses` has no local equivalent:
/// the plan says so and the step fails at run time unless --skip-unknown-actions.

#include <string_view>

namespace slipway::step_api {

/// What runs locally for `uses` ("actions/checkout@v4", "actions/setup-node@v4" ...), or ""
/// when nothing does.
std::string_view LocalEquivalent(std::string_view uses);

/// The action's name without its ref: "actions/checkout" for "actions/checkout@v4".
std::string_view ActionName(std::string_view uses);

}  // namespace slipway::step_api
