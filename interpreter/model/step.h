#pragma once
/// One step of a job: a `run:` script or a `uses:` action.

#include "interpreter/model/scalar.h"

namespace slipway::model {

struct Step {
  std::optional<Str> id;
  std::optional<Str> name;
  std::optional<Str> if_condition;
  std::optional<Str> run;
  std::optional<Str> uses;
  std::optional<Str> shell;
  std::optional<Str> working_directory;
  StrMap with;
  StrMap env;
  std::optional<Str> continue_on_error;
  std::optional<Str> timeout_minutes;
  std::optional<Str> background;  // newer GitHub syntax: background steps
  size_t index = 0;                 // 0-based position in the job
  SourceRange where;                // the step's first key
  const yaml::Node* node = nullptr;  // the step's mapping

  /// Display name as GitHub shows it: name, else "Run <first line>", else the uses value.
  std::string DisplayName() const;
};

}  // namespace slipway::model
