#pragma once
/// Renderers for validation results: text, JSON (DESIGN.md's shape), SARIF 2.1.0 and GitHub
/// workflow commands. They print the Diagnostic structs as they are and never build messages.

#include <string>
#include <string_view>
#include <vector>

#include "interpreter/base/diagnostic.h"

namespace slipway::validate {

/// The diagnostics of one validated file, in the order to print them (sorted by the caller).
struct FileResult {
  std::string path;
  std::vector<Diagnostic> diagnostics;
};

enum class Format { kText, kJson, kSarif, kGithub };

/// "text" | "json" | "sarif" | "github" → Format; false for anything else.
bool ParseFormat(std::string_view name, Format* format);

/// `file:line:col: severity: message [rule]`, then the source line and a `^~~~` underline.
std::string RenderText(const SourceManager& sources, const std::vector<FileResult>& files);
/// {"files":[{"file":F,"diagnostics":[{"line","col","severity","rule","message"}]}]}
std::string RenderJson(const std::vector<FileResult>& files);
/// A SARIF 2.1.0 log with one run of the "slipway" tool.
std::string RenderSarif(const std::vector<FileResult>& files);
/// `::error file=F,line=L,col=C,title=RULE::MESSAGE` per diagnostic (`::warning` for warnings).
std::string RenderGithub(const std::vector<FileResult>& files);

std::string Render(Format format, const SourceManager& sources,
                   const std::vector<FileResult>& files);

}  // namespace slipway::validate
