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

  /// What GitHub evaluates for the display name (ActionRunner.GenerateDisplayName): `name`,
  /// else the whole `run:` script, else the action reference (a `docker://` image without the
  /// scheme), with "Run " as the prefix of the last two.
  struct NameSource {
    std::string prefix;
    Str text;
  };
  NameSource DisplayNameSource() const;
  /// The display name unevaluated: FormatDisplayName of DisplayNameSource.
  std::string DisplayName() const;
};

/// The runner's FormatStepName: `text` without leading spaces, tabs and line breaks, cut at
/// its first line break, after `prefix`; "" when `text` is empty.
std::string FormatDisplayName(std::string_view prefix, std::string_view text);

}  // namespace slipway::model
