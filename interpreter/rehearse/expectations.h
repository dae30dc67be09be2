#pragma once
/// CheckExpectations: a scenario's `expect:` against what its run did. Each mismatch is one
/// readable line, "jobs.deploy.result: expected success, got failure", so the report can print
/// the list as the scenario's diff. Set-up problems and unstubbed calls are mismatches too: a
/// scenario whose run reached for a real program never passes.

#include <string>
#include <vector>

#include "interpreter/rehearse/scenario.h"

namespace slipway::rehearse {

std::vector<std::string> CheckExpectations(const Scenario& scenario, const ScenarioActual& actual);

/// The value at JSON pointer `pointer` ("/attachments/0/text") of `document`, or null.
nlohmann::json AtPointer(const nlohmann::json& document, const std::string& pointer);

/// True when every key of `expected` is in `actual` with an equal value (recursively for
/// objects; scalars compare by their text, so 1 matches "1").
bool Contains(const nlohmann::json& actual, const nlohmann::json& expected);

}  // namespace slipway::rehearse
