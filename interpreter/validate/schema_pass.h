#pragma once
/// The schema pass: checks a YAML tree against a JSON Schema (draft-07) with valijson and turns
/// every violation into a positioned, human-worded diagnostic (rule "schema").

#include <string_view>

#include "interpreter/base/diagnostic.h"
#include "interpreter/yaml/node.h"

namespace slipway::validate {

/// Checks `root` against `schema_json`. The tree is read as JSON with YAML 1.2 core-schema
/// typing (plain true/false → boolean, numbers → number, null → null, quoted → string). Each
/// schema text is compiled once per process and cached. Errors are mapped back from the JSON
/// pointer to the YAML node and worded as "found X, expected Y"; unknown keys get a "did you
/// mean" suggestion. A scalar containing `${{` is accepted wherever a value of another type is
/// expected, since its type is only known at run time (whether an expression may appear there
/// at all is a semantic rule). A schema that does not compile is reported once at `root`.
void CheckAgainstSchema(const yaml::Node& root, std::string_view schema_json,
                        Diagnostics& diagnostics);

/// Same, with `rule` as the diagnostics' rule id instead of "schema" and `root_name` naming the
/// checked node in messages (e.g. "with" for a built-in step's inputs) instead of "workflow".
void CheckAgainstSchema(const yaml::Node& root, std::string_view schema_json,
                        std::string_view rule, std::string_view root_name,
                        Diagnostics& diagnostics);

}  // namespace slipway::validate
