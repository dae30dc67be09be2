#include "interpreter/exec/run_states.h"

#include <array>
#include <utility>

namespace slipway::exec {
namespace {

template <typename Enum, size_t N>
const char* NameIn(const std::array<std::pair<Enum, const char*>, N>& names, Enum value) {
  for (const auto& [e, name] : names) {
    if (e == value) return name;
  }
  return "";
}

template <typename Enum, size_t N>
std::optional<Enum> ParseIn(const std::array<std::pair<Enum, const char*>, N>& names,
                            std::string_view text) {
  for (const auto& [e, name] : names) {
    if (text == name) return e;
  }
  return std::nullopt;
}

constexpr std::array<std::pair<RunStatus, const char*>, 5> kRunStatuses{{
    {RunStatus::kQueued, "queued"},
    {RunStatus::kRunning, "running"},
    {RunStatus::kSuccess, "success"},
    {RunStatus::kFailure, "failure"},
    {RunStatus::kCancelled, "cancelled"},
}};
constexpr std::array<std::pair<JobRecordStatus, const char*>, 5> kJobStatuses{{
    {JobRecordStatus::kQueued, "queued"},
    {JobRecordStatus::kWaiting, "waiting"},
    {JobRecordStatus::kRunning, "running"},
    {JobRecordStatus::kCompleted, "completed"},
    {JobRecordStatus::kLost, "lost"},
}};
constexpr std::array<std::pair<JobResult, const char*>, 4> kJobResults{{
    {JobResult::kSuccess, "success"},
    {JobResult::kFailure, "failure"},
    {JobResult::kCancelled, "cancelled"},
    {JobResult::kSkipped, "skipped"},
}};
constexpr std::array<std::pair<StepConclusion, const char*>, 4> kStepConclusions{{
    {StepConclusion::kSuccess, "success"},
    {StepConclusion::kFailure, "failure"},
    {StepConclusion::kCancelled, "cancelled"},
    {StepConclusion::kSkipped, "skipped"},
}};

}  // namespace

const char* RunStatusName(RunStatus status) { return NameIn(kRunStatuses, status); }
std::optional<RunStatus> ParseRunStatus(std::string_view name) {
  return ParseIn(kRunStatuses, name);
}
bool IsFinished(RunStatus status) {
  return status != RunStatus::kQueued && status != RunStatus::kRunning;
}

const char* JobStatusName(JobRecordStatus status) { return NameIn(kJobStatuses, status); }
std::optional<JobRecordStatus> ParseJobStatus(std::string_view name) {
  return ParseIn(kJobStatuses, name);
}

const char* JobResultName(JobResult result) { return NameIn(kJobResults, result); }
std::optional<JobResult> ParseJobResult(std::string_view name) {
  return ParseIn(kJobResults, name);
}

const char* StepConclusionName(StepConclusion conclusion) {
  return NameIn(kStepConclusions, conclusion);
}
std::optional<StepConclusion> ParseStepConclusion(std::string_view name) {
  return ParseIn(kStepConclusions, name);
}

}  // namespace slipway::exec
