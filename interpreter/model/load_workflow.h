#pragma once
/// Reading a workflow file from disk into the model: file → SourceManager → YAML → Workflow.

#include <cstddef>
#include <optional>
#include <string>

#include "interpreter/base/diagnostic.h"
#include "interpreter/base/fd_io.h"
#include "interpreter/model/workflow.h"

namespace slipway::model {

/// Reads `path` into `sources` and builds its model. Unreadable files and YAML problems are
/// diagnostics (rule "io" / "yaml"); returns nullopt when there is no tree to build from.
std::optional<Workflow> LoadWorkflowFile(SourceManager& sources, const std::string& path,
                                         Diagnostics& diagnostics);

/// The same for text already in `sources`.
std::optional<Workflow> LoadWorkflowText(const SourceManager& sources, FileId file,
                                         Diagnostics& diagnostics);

/// The most ReadWholeFile reads (base/fd_io.h's rule, shared with slipway's state files).
inline constexpr size_t kMaxInputFileBytes = kMaxWholeFileBytes;

/// Reads a whole file: the one way slipway reads an input file (workflow, environments,
/// secrets, event, context, plan). Only a regular file or a pipe is read, at most
/// kMaxInputFileBytes (slipway::ReadWholeFile with FileKinds::kRegularOrPipe). False, with
/// `error` set to the reason ("is a directory", "is not a regular file or a pipe", "is larger
/// than 32 MiB ...", or the OS reason), when it cannot.
bool ReadWholeFile(const std::string& path, std::string* text, std::string* error);

}  // namespace slipway::model
