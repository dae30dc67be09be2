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

/// How CheckAgainstSchema words and filters its findings.
struct SchemaCheckOptions {
  std::string_view rule = "schema";  // the diagnostics' rule id
  /// How messages name the root node; empty: the schema's "title" (else "document").
  std::string_view root_name;
  /// Accept numbers and booleans where a string is expected, as GitHub does for `with:`
  /// values, which reach an action as strings.
  bool scalars_are_strings = false;
};

void CheckAgainstSchema(const yaml::Node& root, std::string_view schema_json,
                        const SchemaCheckOptions& options, Diagnostics& diagnostics);

}  // namespace slipway::validate
