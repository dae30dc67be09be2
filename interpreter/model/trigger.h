#pragma once
/// Triggers: the `on:` section — events, their filters and typed inputs.

#include <string>
#include <vector>

#include "interpreter/model/scalar.h"

namespace slipway::model {

/// An input of workflow_dispatch or workflow_call.
struct InputDef {
  Str name;
  Str type;  // string | choice | boolean | number | environment (empty: "string")
  std::optional<Str> description;
  bool required = false;
  std::optional<Str> required_text;  // as written, for diagnostics
  std::optional<Str> default_value;
  std::vector<Str> options;         // choice
  std::optional<Str> pattern;       // slipway extension: RE2, full match
  const yaml::Node* node = nullptr;  // the input's mapping

  /// The declared type, "string" when none is written.
  std::string type_name() const { return type.value.empty() ? "string" : type.value; }
};

/// A workflow_call secret or output declaration.
struct NamedDecl {
  Str name;
  std::optional<Str> description;
  bool required = false;
  std::optional<Str> value;  // outputs: value expression
};

/// One event under `on:`. Absent filters are empty vectors with has_* false.
struct Trigger {
  Str event;  // "push", "pull_request", "workflow_dispatch", ...
  std::vector<Str> branches, branches_ignore, tags, tags_ignore, paths, paths_ignore;
  bool has_branches = false, has_branches_ignore = false, has_tags = false,
       has_tags_ignore = false, has_paths = false, has_paths_ignore = false;
  std::vector<Str> types;      // activity types (release: [published], ...)
  std::vector<Str> crons;      // schedule
  std::vector<Str> workflows;  // workflow_run
  std::vector<InputDef> inputs;     // workflow_dispatch / workflow_call
  std::vector<NamedDecl> secrets;   // workflow_call
  std::vector<NamedDecl> outputs;   // workflow_call
  const yaml::Node* node = nullptr;  // the event's configuration (may be null/absent)
};

}  // namespace slipway::model
