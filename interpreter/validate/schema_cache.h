#pragma once
/// Compiled JSON Schemas for the schema pass, cached for the life of the process. Compiling is
/// most of what `slipway validate` costs on one file (valijson builds its tree of constraints
/// from the whole document), so it compiles only what the instance can reach:
///
///   A definition referenced exactly once, from a root property, whose alternatives
///   (anyOf/oneOf) include an object schema with `properties` — the workflow's `on:` with its
///   35 events — is compiled with the subschemas of the properties the instance does not use
///   replaced by `{}`. The property names stay, so unknown keys are still refused and named;
///   only the constraints inside keys that are absent (and so cannot fail) are left out.
///
/// Compiled schemas are keyed by the schema text and the pruned key sets (after a few different
/// sets, as when validating a directory, the whole schema is compiled once and serves the rest),
/// and are never freed
/// (the process exits instead: freeing valijson's tree costs as much as a third of building it).

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <valijson/schema.hpp>

#include "interpreter/yaml/node.h"

namespace slipway::validate {

/// A compiled schema: valijson's form for validating, and the parsed (unpruned) document for
/// explaining errors (allowed keys, expected types, enum values).
struct CompiledSchema {
  const nlohmann::json* document = nullptr;
  valijson::Schema schema;
  std::string error;  // non-empty when the schema text itself is broken
};

/// The schema `text` compiled for validating `instance`. Thread-safe.
const CompiledSchema& CompileFor(std::string_view text, const yaml::Node& instance);

}  // namespace slipway::validate
