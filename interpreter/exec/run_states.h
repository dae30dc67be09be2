#pragma once
/// The states a run, a job and a step can be in, as enums; their names are the strings run.json,
/// the backend's tables, `needs.<id>.result` and `steps.<id>.outcome` spell. Every other layer
/// holds these enums and meets the strings only through Name/Parse below.

#include <optional>
#include <string_view>

namespace slipway::exec {

/// A run: queued (the backend, before a worker starts it), running, or how it ended.
enum class RunStatus { kQueued, kRunning, kSuccess, kFailure, kCancelled };
const char* RunStatusName(RunStatus status);
std::optional<RunStatus> ParseRunStatus(std::string_view name);
/// success, failure or cancelled.
bool IsFinished(RunStatus status);

/// Where a job instance is (run.json's job "status"); kLost: the backend's worker died mid-job.
enum class JobRecordStatus { kQueued, kWaiting, kRunning, kCompleted, kLost };
const char* JobStatusName(JobRecordStatus status);
std::optional<JobRecordStatus> ParseJobStatus(std::string_view name);

/// How a job instance ended, as `needs.<id>.result` spells it.
enum class JobResult { kSuccess, kFailure, kCancelled, kSkipped };
const char* JobResultName(JobResult result);
std::optional<JobResult> ParseJobResult(std::string_view name);

/// How a step ended, as `steps.<id>.outcome` / `.conclusion` spell it.
enum class StepConclusion { kSuccess, kFailure, kCancelled, kSkipped };
const char* StepConclusionName(StepConclusion conclusion);
std::optional<StepConclusion> ParseStepConclusion(std::string_view name);

}  // namespace slipway::exec
