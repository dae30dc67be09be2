#include "tests/support/golden.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace slipway::testing {

std::string SourcePath(const std::string& relative) {
  return std::string(SLIPWAY_SOURCE_DIR) + "/" + relative;
}

std::string SharedPath(const std::string& relative) {
  return std::string(SLIPWAY_SHARED_DIR) + "/" + relative;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return "";
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::vector<std::string> ListCases(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath(dir), ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      names.push_back(name.substr(0, name.size() - suffix.size()));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

namespace {
bool LineMatches(const std::string& expected, const std::string& actual) {
  if (expected.size() >= 2 && expected.front() == '/' && expected.back() == '/') {
    return RE2::FullMatch(actual, expected.substr(1, expected.size() - 2));
  }
  return expected == actual;
}
}  // namespace

void ExpectLinesMatch(const std::string& expected, const std::string& actual) {
  std::vector<std::string> want = SplitLines(expected), got = SplitLines(actual);
  bool same = want.size() == got.size();
  for (size_t i = 0; same && i < want.size(); ++i) same = LineMatches(want[i], got[i]);
  if (same) return;
  std::ostringstream diff;
  size_t n = std::max(want.size(), got.size());
  for (size_t i = 0; i < n; ++i) {
    bool both = i < want.size() && i < got.size();
    if (both && LineMatches(want[i], got[i])) {
      diff << "  " << got[i] << "\n";
      continue;
    }
    if (i < want.size()) diff << "- " << want[i] << "\n";
    if (i < got.size()) diff << "+ " << got[i] << "\n";
  }
  ADD_FAILURE() << "output differs from the golden file (- expected, + actual):\n" << diff.str();
}

bool UpdateGolden() {
  const char* value = std::getenv("SLIPWAY_UPDATE_GOLDEN");
  return value && std::string(value) == "1";
}

}  // namespace slipway::testing
