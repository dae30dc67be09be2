#pragma once
/// `slipway validate` as a library call: load a workflow, check it against the workflow JSON
/// Schema and every built-in step's input schema, run the semantic rules (rules.cc), and drop
/// findings silenced with `# slipway-ignore: rule-id` (on the line or the line above).

#include <optional>
#include <string>

#include "interpreter/base/diagnostic.h"
#include "interpreter/model/workflow.h"
#include "interpreter/step_api/step_api.h"

namespace slipway::validate {

/// Reads `path` into `sources`, loads and validates it. Returns the model whenever the file
/// could be read as YAML (even if it has errors: check `diagnostics.has_errors()` before
/// planning or running it); nullopt when there is nothing to build a model from.
std::optional<model::Workflow> ValidateFile(SourceManager& sources, const std::string& path,
                                            const step_api::StepCatalog& catalog,
                                            Diagnostics& diagnostics);

/// The same for a file already in `sources`. Only reads `sources`, so several threads may
/// validate different files of one SourceManager at once (nobody may Add meanwhile).
std::optional<model::Workflow> ValidateText(const SourceManager& sources, FileId file,
                                            const step_api::StepCatalog& catalog,
                                            Diagnostics& diagnostics);

/// Validates an already loaded workflow: schema pass, built-in step inputs, semantic rules, then
/// slipway-ignore comments. Appends to `diagnostics`.
void ValidateWorkflow(const model::Workflow& workflow, const SourceManager& sources,
                      const step_api::StepCatalog& catalog, Diagnostics& diagnostics);

}  // namespace slipway::validate
