#pragma once
/// The metadata file of a local action (`uses: ./path` → path/action.yml or action.yaml):
/// its inputs, outputs and, for a composite action, its steps. Only composite actions run
/// locally; any other `runs.using` (node20, docker, ...) is reported as a diagnostic at the
/// `using:` value. Unlike BuildModel (which leaves shape problems to the validator), loading an
/// action checks the file itself, because nothing else validates it: unknown keys, wrong
/// shapes, a `run:` step without `shell:`, and expressions that read a context a composite
/// action cannot see (`secrets`, `vars`, `needs`) are positioned diagnostics (rule "action").
/// https://docs.github.com/en/actions/sharing-automations/creating-actions/metadata-syntax-for-github-actions

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/base/diagnostic.h"
#include "interpreter/model/step.h"

namespace slipway::model {

/// `inputs.<id>` of action.yml.
struct ActionInput {
  Str id;
  std::optional<Str> description;
  bool required = false;
  std::optional<Str> default_value;  // may hold `${{ }}` (github, strategy, matrix, job, runner)
  std::optional<Str> deprecation_message;
};

/// `outputs.<id>` of action.yml; `value` is an expression over the composite's own contexts.
struct ActionOutput {
  Str id;
  std::optional<Str> description;
  std::optional<Str> value;
};

/// A loaded action.yml. Value semantics like Workflow: the YAML tree is kept alive by `yaml`
/// so that every Str (and every Step::node) can point back into it.
struct Action {
  std::shared_ptr<const yaml::Node> yaml;
  FileId file = kNoFile;
  std::optional<Str> name;
  std::optional<Str> description;
  std::vector<ActionInput> inputs;    // in file order
  std::vector<ActionOutput> outputs;  // in file order
  Str using_;                         // runs.using, e.g. "composite"
  std::vector<Step> steps;            // runs.steps (composite actions only)

  const ActionInput* FindInput(std::string_view id) const;  // case-insensitive, as GitHub
};

/// The file names GitHub looks for, in order.
inline constexpr const char* kActionFileNames[] = {"action.yml", "action.yaml"};

/// The directory a `uses: ./path` names, relative to the workspace and normalized
/// ("./a/../b/" → "b"); "" for the workspace itself.
std::string LocalActionDir(std::string_view uses);

/// True when a local `uses:` ("./path", ".\\path" or "$/path") leaves the repository once
/// normalized ("./../x", "./a/../../x"); false for any other `uses:`. GitHub resolves these
/// inside the repository only (`./` against the workspace, a local reusable workflow against
/// the caller's own repository), so slipway never reads or runs such a path.
bool LeavesRepository(std::string_view uses);

/// True when `dir` holds an action.yml or action.yaml.
bool HasActionFile(const std::string& dir);

/// Builds the action from text already in `sources`. Every problem is a diagnostic (rule
/// "yaml" for YAML errors, "action" for the rest); returns nullopt when any error was found.
/// With `composite_only` (running it), any other `runs.using` is an error; without (validating
/// the file for GitHub), node and docker actions are accepted as they are, their steps empty.
std::optional<Action> LoadActionText(const SourceManager& sources, FileId file,
                                     Diagnostics& diagnostics, bool composite_only = true);

/// Reads `dir`/action.yml (else action.yaml) into `sources` under the name
/// `display_dir`/action.yml and loads it. A directory with neither file is an "action"
/// diagnostic without a position (the caller knows where the `uses:` was), and so is a file
/// whose real path (symbolic links resolved) is not inside `repository_root`.
std::optional<Action> LoadActionDir(SourceManager& sources, const std::string& dir,
                                    const std::string& display_dir, Diagnostics& diagnostics,
                                    const std::string& repository_root);

}  // namespace slipway::model
