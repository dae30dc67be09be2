#pragma once
/// Checking and typing `--input K=V` against the inputs a workflow_dispatch (or
/// workflow_call) trigger declares: required, defaults, choice options, boolean
/// and number parsing, the environment type, and slipway's `pattern` extension
/// (RE2, full match). Every problem is a diagnostic with rule "input" that
/// names the input, what was given and what is allowed.

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "interpreter/base/diagnostic.h"
#include "interpreter/model/environments.h"
#include "interpreter/model/trigger.h"

namespace slipway::plan {

/// `--input`/`--var` values in command-line order.
using KeyValues = std::vector<std::pair<std::string, std::string>>;

/// Splits "K=V" at the first "="; false when there is no "=" or K is empty.
bool SplitKeyValue(std::string_view text, std::pair<std::string, std::string>* out);

/// The typed `inputs` context: every declared input (given, else its default),
/// booleans as JSON booleans, numbers as JSON numbers. `trigger` is the event's
/// trigger (nullptr when the event declares no inputs, e.g. push: then any
/// --input is an error). `environments` may be nullptr (no configuration file).
nlohmann::ordered_json ResolveInputs(const model::Trigger* trigger, std::string_view event_name,
                                     const KeyValues& given,
                                     const model::EnvironmentsConfig* environments,
                                     Diagnostics& diagnostics);

}  // namespace slipway::plan
