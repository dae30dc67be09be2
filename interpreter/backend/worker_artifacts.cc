#include "interpreter/backend/worker_artifacts.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "interpreter/exec/composite_action.h"
#include "interpreter/exec/run_store.h"
#include "interpreter/model/action.h"

namespace slipway::backend {
namespace {

namespace fs = std::filesystem;

bool IsDownload(const std::string& uses) { return uses.rfind("actions/download-artifact", 0) == 0; }

// Whether the steps named by `uses` (of a job or an action) download artifacts, looking into
// local composite actions as deep as they may run (exec::kMaxCompositeDepth).
bool StepsDownload(const std::vector<std::string>& uses, const std::string& workspace, int depth) {
  for (const std::string& one : uses) {
    if (IsDownload(one)) return true;
    if (one.rfind("./", 0) != 0 || depth >= exec::kMaxCompositeDepth) continue;
    SourceManager sources;
    Diagnostics ignored;  // running the action reports them
    const std::string dir = model::LocalActionDir(one);
    std::optional<model::Action> action = model::LoadActionDir(
        sources, (fs::path(workspace) / dir).string(), dir.empty() ? "." : dir, ignored, workspace);
    if (!action) return true;
    std::vector<std::string> inner;
    for (const model::Step& step : action->steps) {
      if (step.uses) inner.push_back(step.uses->value);
    }
    if (StepsDownload(inner, workspace, depth + 1)) return true;
  }
  return false;
}

std::string Bytes(uint64_t n) {
  if (n >= (uint64_t{1} << 30) && n % (uint64_t{1} << 30) == 0)
    return fmt::format("{} GiB", n >> 30);
  if (n >= (uint64_t{1} << 20))
    return fmt::format("{:.1f} MiB", static_cast<double>(n) / (1 << 20));
  if (n >= 1024) return fmt::format("{:.1f} KiB", static_cast<double>(n) / 1024);
  return fmt::format("{} bytes", n);
}

}  // namespace

Expected<uint64_t> ParseArtifactLimit(const std::string& text) {
  if (text.empty()) return kDefaultArtifactLimit;
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  std::string suffix = text.substr(digits);
  int shift = suffix.empty()                   ? 0
              : suffix == "K" || suffix == "k" ? 10
              : suffix == "M" || suffix == "m" ? 20
              : suffix == "G" || suffix == "g" ? 30
                                               : -1;
  if (digits == 0 || digits > 12 || shift < 0) {
    return MakeUnexpected(fmt::format(
        "SLIPWAY_ARTIFACT_LIMIT \"{}\" is not a size (bytes, or a number with K, M or G)", text));
  }
  return std::stoull(text.substr(0, digits)) << shift;
}

bool DownloadsArtifacts(const plan::PlannedJob& job, const std::string& workspace) {
  std::vector<std::string> uses;
  for (const plan::PlannedStep& step : job.steps) {
    if (step.uses) uses.push_back(*step.uses);
  }
  return StepsDownload(uses, workspace, 0);
}

Expected<std::map<std::string, std::string>> FetchArtifacts(Queue& queue, const std::string& run_id,
                                                            const std::string& artifacts_dir) {
  std::map<std::string, std::string> fetched;
  Expected<std::vector<exec::ArtifactFile>> files = queue.RunArtifacts(run_id);
  if (!files) return MakeUnexpected(files.error());
  for (const exec::ArtifactFile& file : *files) {
    fs::path path = fs::path(artifacts_dir) / file.name;
    std::error_code error;
    fs::create_directories(path.parent_path(), error);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << file.content;
    out.close();
    if (error || !out) {
      return MakeUnexpected(
          fmt::format("cannot write artifact \"{}\" to \"{}\"", file.name, path.string()));
    }
    fetched[file.name] = exec::Sha256Hex(file.content);
  }
  return fetched;
}

std::optional<std::string> ArtifactOverLimit(const std::vector<exec::ArtifactFile>& files,
                                             uint64_t limit) {
  std::map<std::string, uint64_t> sizes;  // artifact name → its files' bytes
  for (const exec::ArtifactFile& file : files) {
    sizes[file.name.substr(0, file.name.find('/'))] += file.content.size();
  }
  for (const auto& [name, size] : sizes) {
    if (size <= limit) continue;
    return fmt::format(
        "artifact \"{}\" is {} ({} bytes), over the database's limit of {} ({} bytes) for one "
        "artifact; set SLIPWAY_ARTIFACT_LIMIT on the worker to change it",
        name, Bytes(size), size, Bytes(limit), limit);
  }
  return std::nullopt;
}

}  // namespace slipway::backend
