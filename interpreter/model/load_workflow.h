#pragma once
/// Reading a workflow file from disk into the model: file → SourceManager → YAML → Workflow.

#include <optional>
#include <string>

#include "interpreter/base/diagnostic.h"
#include "interpreter/model/workflow.h"

namespace slipway::model {

/// Reads `path` into `sources` and builds its model. Unreadable files and YAML problems are
/// diagnostics (rule "io" / "yaml"); returns nullopt when there is no tree to build from.
std::optional<Workflow> LoadWorkflowFile(SourceManager& sources, const std::string& path,
                                         Diagnostics& diagnostics);

/// The same for text already in `sources`.
std::optional<Workflow> LoadWorkflowText(const SourceManager& sources, FileId file,
                                         Diagnostics& diagnostics);

/// Reads a whole file; false (with `error` set to the OS reason) when it cannot.
bool ReadWholeFile(const std::string& path, std::string* text, std::string* error);

}  // namespace slipway::model
