#include "interpreter/report/run_history.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "interpreter/base/fd_io.h"
#include "interpreter/exec/artifacts_index.h"
#include "interpreter/exec/event_stream.h"
#include "interpreter/exec/masker.h"

namespace slipway::report {
namespace {

namespace fs = std::filesystem;

/// A log or summary of the run; "" when it is missing or not a regular file.
std::string ReadAll(const std::string& path) {
  std::string text, error;
  if (!ReadStateLog(path, &text, &error)) return "";
  return text;
}

}  // namespace

std::optional<double> ParseUtc(const std::string& text) {
  std::tm tm{};
  int year, month, day, hour, minute;
  double second;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%lfZ", &year, &month, &day, &hour, &minute,
                  &second) != 6) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  double whole = std::floor(second);
  tm.tm_sec = static_cast<int>(whole);
  return static_cast<double>(timegm(&tm)) + (second - whole);
}

std::optional<double> SecondsBetween(const std::string& from, const std::string& to) {
  std::optional<double> a = ParseUtc(from), b = ParseUtc(to);
  if (!a || !b) return std::nullopt;
  // Whole milliseconds (what the records hold): the raw difference of two epoch times prints
  // as 2.4979999999999998 in JSON, where 2.498 is meant.
  return std::round((*b - *a) * 1000.0) / 1000.0;
}

std::string FormatSeconds(double seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds < 60) return fmt::format("{:.1f}s", seconds);
  auto total = static_cast<long>(std::lround(seconds));
  if (total < 3600) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}h{:02}m", total / 3600, (total % 3600) / 60);
}

std::vector<RunRow> ListRuns(const std::string& state_dir, std::vector<std::string>* unreadable) {
  std::vector<RunRow> rows;
  std::error_code ec;
  fs::directory_iterator it(fs::path(state_dir) / "runs", ec);
  if (ec) return rows;
  for (const fs::directory_entry& entry : it) {
    if (!entry.is_directory(ec)) continue;
    std::string id = entry.path().filename().string();
    Expected<exec::RunRecord> record = exec::RunStore::Load(state_dir, id);
    if (!record) {
      if (unreadable) unreadable->push_back(id);
      continue;
    }
    RunRow row{record->id.empty() ? id : record->id,
               record->workflow,
               record->event,
               record->ref,
               record->actor,
               exec::RunStatusName(record->status),
               record->started_at,
               record->finished_at,
               SecondsBetween(record->started_at, record->finished_at)};
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const RunRow& a, const RunRow& b) {
    if (a.started_at != b.started_at) return a.started_at > b.started_at;
    return a.id > b.id;
  });
  if (unreadable) std::sort(unreadable->begin(), unreadable->end());
  return rows;
}

std::vector<nlohmann::json> ReadEvents(const std::string& run_dir) {
  std::vector<nlohmann::json> events;
  const std::string path = run_dir + "/" + exec::kEventsFile;
  if (!IsRegularFile(path)) return events;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  // Every record starts with its type (event_stream.h).
  static constexpr std::string_view kOutputRecord = R"({"type":"step_output")";
  while (std::getline(in, line)) {
    if (std::string_view(line).substr(0, kOutputRecord.size()) == kOutputRecord) continue;
    nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_object()) events.push_back(std::move(record));
  }
  return events;
}

Expected<RunView> LoadRun(const std::string& state_dir, const std::string& run_id,
                          const exec::Masker* masker) {
  Expected<exec::RunRecord> record = exec::RunStore::Load(state_dir, run_id);
  if (!record) return MakeUnexpected(record.error());
  RunView view;
  view.state_dir = state_dir;
  view.run_dir = exec::RunDirectory(state_dir, run_id);
  view.record = std::move(record).value();
  view.run_json = exec::ToJson(view.record);
  view.events = ReadEvents(view.run_dir);
  std::istringstream audit(ReadAll(state_dir + "/audit.jsonl"));
  std::string line;
  while (std::getline(audit, line)) {
    if (line.find(run_id) == std::string::npos) continue;  // the log holds every run
    nlohmann::json entry = nlohmann::json::parse(line, nullptr, false);
    if (entry.is_object() && entry.value("run_id", "") == run_id) {
      view.audit.push_back(std::move(entry));
    }
  }
  view.summary_markdown = ReadAll(view.run_dir + "/summary.md");
  Expected<std::vector<exec::ArtifactEntry>> artifacts =
      exec::ListArtifacts(view.run_dir + "/artifacts");
  if (!artifacts) return MakeUnexpected(artifacts.error());
  view.artifacts = std::move(artifacts).value();
  if (masker && !masker->empty()) {
    for (exec::ArtifactEntry& entry : view.artifacts) entry.name = masker->Mask(entry.name);
    view.run_json = exec::MaskJson(view.run_json, *masker);
    if (Expected<exec::RunRecord> masked = exec::RunRecordFromJson(view.run_json)) {
      view.record = std::move(masked).value();
    }
    for (nlohmann::json& event : view.events) event = exec::MaskJson(event, *masker);
    for (nlohmann::json& entry : view.audit) entry = exec::MaskJson(entry, *masker);
    view.summary_markdown = masker->Mask(view.summary_markdown);
  }
  return view;
}

std::string ReadStepLogExcerpt(const RunView& run, const std::string& relative_path,
                               const exec::Masker* masker, size_t max_bytes) {
  if (run.run_dir.empty() || relative_path.empty() ||
      relative_path.find("..") != std::string::npos) {
    return "";
  }
  const std::string path = run.run_dir + "/" + relative_path;
  if (!IsRegularFile(path)) return "";
  std::ifstream in(path, std::ios::binary);
  in.seekg(0, std::ios::end);
  const std::streamoff end = in.tellg();
  if (!in || end < 0) return "";
  const size_t size = static_cast<size_t>(end);
  auto read_at = [&in](size_t offset, size_t count) {
    std::string bytes(count, '\0');
    in.clear();
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(bytes.data(), static_cast<std::streamsize>(count));
    bytes.resize(static_cast<size_t>(std::max<std::streamsize>(in.gcount(), 0)));
    return bytes;
  };
  std::string text;
  if (size <= max_bytes) {
    text = read_at(0, size);
  } else {
    // Whole lines only: masking works on lines, and half a line could hold half a secret.
    const size_t half = max_bytes / 2;
    std::string head = read_at(0, half);
    head.resize(head.rfind('\n') == std::string::npos ? 0 : head.rfind('\n') + 1);
    std::string tail = read_at(size - half, half);
    const size_t first_newline = tail.find('\n');
    tail.erase(0, first_newline == std::string::npos ? tail.size() : first_newline + 1);
    text = head +
           fmt::format("[slipway report: {} bytes of this log are not shown; `slipway logs {}` "
                       "prints it all]\n",
                       size - head.size() - tail.size(), run.record.id) +
           tail;
  }
  return masker ? masker->Mask(text) : text;
}

std::string ReadStepLog(const RunView& run, const std::string& relative_path,
                        const exec::Masker* masker) {
  if (run.run_dir.empty() || relative_path.empty() ||
      relative_path.find("..") != std::string::npos) {
    return "";
  }
  std::string text = ReadAll(run.run_dir + "/" + relative_path);
  return masker ? masker->Mask(text) : text;
}

}  // namespace slipway::report
