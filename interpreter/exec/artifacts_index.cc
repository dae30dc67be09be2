#include "interpreter/exec/artifacts_index.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "interpreter/exec/audit.h"

namespace slipway::exec {

namespace fs = std::filesystem;

Expected<std::vector<ArtifactFile>> ReadArtifacts(const std::string& artifacts_dir) {
  std::vector<ArtifactFile> files;
  std::error_code error;
  if (!fs::is_directory(artifacts_dir, error)) return files;
  for (auto it = fs::recursive_directory_iterator(artifacts_dir, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (!it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    if (!in) return MakeUnexpected(fmt::format("cannot read \"{}\"", it->path().string()));
    files.push_back({fs::relative(it->path(), artifacts_dir).generic_string(), content.str()});
  }
  if (error) {
    return MakeUnexpected(fmt::format("cannot list \"{}\": {}", artifacts_dir, error.message()));
  }
  std::sort(files.begin(), files.end(),
            [](const ArtifactFile& a, const ArtifactFile& b) { return a.name < b.name; });
  return files;
}

Expected<std::vector<ArtifactEntry>> ListArtifacts(const std::string& artifacts_dir) {
  Expected<std::vector<ArtifactFile>> files = ReadArtifacts(artifacts_dir);
  if (!files) return MakeUnexpected(files.error());
  std::vector<ArtifactEntry> entries;
  for (const ArtifactFile& file : *files) {
    entries.push_back({"", file.name, Sha256Hex(file.content), file.content.size()});
  }
  return entries;
}

}  // namespace slipway::exec
