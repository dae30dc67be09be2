#pragma once
/// Helpers for golden-file tests: listing cases, reading files, comparing line by line
/// (an expected line written /regex/ matches by regular expression).

#include <string>
#include <vector>

namespace slipway::testing {

/// Absolute path of `relative` inside the source tree.
std::string SourcePath(const std::string& relative);
/// Absolute path of `relative` inside ../shared (the corpus and conformance data).
std::string SharedPath(const std::string& relative);
/// Reads a whole file; fails the current test (and returns "") when it cannot.
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& text);
/// Sorted names of the entries of `dir` (source-relative) ending in `suffix`, suffix removed.
std::vector<std::string> ListCases(const std::string& dir, const std::string& suffix);
/// Splits text into lines (no trailing empty line).
std::vector<std::string> SplitLines(const std::string& text);
/// EXPECTs `actual` to match `expected` line by line; prints a unified-style diff on failure.
void ExpectLinesMatch(const std::string& expected, const std::string& actual);
/// True when SLIPWAY_UPDATE_GOLDEN=1: golden runners then rewrite expected files.
bool UpdateGolden();

}  // namespace slipway::testing
