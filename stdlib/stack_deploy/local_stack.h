#pragma once
/// The `local` stack tool: each deploy is a version directory under
/// <state_dir>/stacks/<stack>/ (v1, v2, ...: template copy, parameters.json, outputs.json,
/// version.json, which names the run that deployed it: local_stack_origin.h), `current` names
/// the live one, history.jsonl records every deploy and rollback and the run behind it. It can
/// also run the application locally (one background process per stack). A rollback restores
/// only a version deployed to the environment it acts for, from a ref that environment admits.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "interpreter/step_api/step_api.h"
#include "stdlib/stack_deploy/stack_deploy.h"

namespace slipway::stdlib::stack_deploy {

/// Read access to one local stack's versions; shared with slipway/backup.
class LocalStackStore {
 public:
  LocalStackStore(const std::filesystem::path& state_dir, const std::string& stack);
  const std::filesystem::path& dir() const { return dir_; }
  /// Version numbers present on disk, ascending.
  std::vector<int> Versions() const;
  /// The live version (from `current`), if any.
  std::optional<int> Current() const;
  std::filesystem::path VersionDir(int version) const;
  /// version.json of `version`; null when missing or unreadable.
  nlohmann::json ReadVersion(int version) const;

 private:
  std::filesystem::path dir_;
};

/// Runs deploy / rollback / diff for tool local.
step_api::StepOutcome RunLocal(const Config& config, step_api::StepContext& context);

/// Describes what RunLocal would do, for `plan`.
std::vector<std::string> PreviewLocal(const Config& config);

}  // namespace slipway::stdlib::stack_deploy
