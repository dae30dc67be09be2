#pragma once
/// The project's JSON Schemas (schemas/*.schema.json), compiled into the binary.

#include <string_view>

namespace slipway::schemas {

/// The text of schemas/<name>.schema.json (e.g. "workflow", "environments", "plan"), or an empty
/// view when there is no such schema.
std::string_view Embedded(std::string_view name);

}  // namespace slipway::schemas
