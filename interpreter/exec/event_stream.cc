#include "interpreter/exec/event_stream.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <sstream>
#include <utility>

#include "interpreter/base/fd_io.h"
#include "interpreter/exec/clock.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/run_store.h"

namespace slipway::exec {

using nlohmann::ordered_json;

const char* EventTypeName(EventType type) {
  switch (type) {
    case EventType::kVersion: return "version";
    case EventType::kRunStarted: return "run_started";
    case EventType::kJobQueued: return "job_queued";
    case EventType::kJobStarted: return "job_started";
    case EventType::kJobWaiting: return "job_waiting";
    case EventType::kJobApproved: return "job_approved";
    case EventType::kJobRejected: return "job_rejected";
    case EventType::kJobRunning: return "job_running";
    case EventType::kStepStarted: return "step_started";
    case EventType::kStepOutput: return "step_output";
    case EventType::kStepFinished: return "step_finished";
    case EventType::kNotificationSent: return "notification_sent";
    case EventType::kJobFinished: return "job_finished";
    case EventType::kInterrupted: return "interrupted";
    case EventType::kRunFinished: return "run_finished";
  }
  return "unknown";
}

const char* WaitKindName(WaitKind kind) {
  switch (kind) {
    case WaitKind::kApproval: return "approval";
    case WaitKind::kWaitTimer: return "wait_timer";
  }
  return "unknown";
}

namespace {

// Set while the wrapped observer runs: the console lines it prints ("started", a job's result)
// repeat what the stream has just recorded, so they are not output lines of the job.
thread_local bool forwarding = false;

// Calls `call` on the wrapped observer with `forwarding` set.
template <class Call>
void Forward(RunObserver* next, Call call) {
  if (!next) return;
  forwarding = true;
  call(*next);
  forwarding = false;
}

ordered_json OutputsJson(const std::map<std::string, std::string>& outputs) {
  ordered_json json = ordered_json::object();
  for (const auto& [name, value] : outputs) json[name] = value;
  return json;
}

// Masks every string (and key) of `value`, keeping the key order.
ordered_json MaskOrdered(const ordered_json& value, const Masker& masker) {
  if (value.is_string()) return masker.Mask(value.get<std::string>());
  if (value.is_array()) {
    ordered_json out = ordered_json::array();
    for (const ordered_json& item : value) out.push_back(MaskOrdered(item, masker));
    return out;
  }
  if (value.is_object()) {
    ordered_json out = ordered_json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      out[masker.Mask(it.key())] = MaskOrdered(*it, masker);
    }
    return out;
  }
  return value;
}

}  // namespace

EventStream::EventStream(const Masker& masker, const Clock& clock, RunObserver* next,
                         std::string state_dir)
    : masker_(masker), clock_(clock), next_(next), state_dir_(std::move(state_dir)) {}

void EventStream::AddSink(std::FILE* out) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (out) sinks_.push_back(out);
}

bool EventStream::ok() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return ok_;
}

ordered_json EventStream::Record(EventType type) const {
  ordered_json record = ordered_json::object();
  record["type"] = EventTypeName(type);
  record["time"] = FormatUtc(clock_.WallNow());
  record["run_id"] = run_id_;
  return record;
}

void EventStream::Write(const ordered_json& record) {
  // Nothing to mask (and no copy to make) while the run has no secret.
  constexpr auto kReplace = ordered_json::error_handler_t::replace;
  std::string line = masker_.empty() ? record.dump(-1, ' ', false, kReplace)
                                     : MaskOrdered(record, masker_).dump(-1, ' ', false, kReplace);
  line.push_back('\n');
  WriteLine(line);
}

void EventStream::WriteLine(const std::string& line) {
  for (std::FILE* out : sinks_) {
    if (std::fwrite(line.data(), 1, line.size(), out) != line.size() || std::fflush(out) != 0) {
      ok_ = false;
    }
  }
}

EventStream::JobProgress& EventStream::ProgressLocked(const std::string& key) {
  auto [it, inserted] = jobs_.try_emplace(key);
  JobProgress& job = it->second;
  if (inserted && plan_) {
    for (const plan::PlannedJob& planned : plan_->jobs) {
      if (key == planned.id || key.rfind(planned.id + " (", 0) == 0) {
        job.planned = &planned;
        break;
      }
    }
    if (job.planned) {
      if (job.planned->environment) {
        if (job.planned->environment->required_reviewers > 0) {
          job.waits.push_back(WaitKind::kApproval);
        }
        if (job.planned->environment->wait_timer_s > 0) job.waits.push_back(WaitKind::kWaitTimer);
      }
    }
  }
  return job;
}

void EventStream::RunStarted(const plan::Plan& plan, const std::string& run_id, bool resumed) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    plan_ = &plan;
    run_id_ = run_id;
    if (!state_dir_.empty()) {
      struct stat st {};
      if (stat((state_dir_ + "/audit.jsonl").c_str(), &st) == 0) audit_start_ = st.st_size;
    }
    ordered_json version = ordered_json::object();
    version["type"] = EventTypeName(EventType::kVersion);
    version["schema"] = kEventSchemaVersion;
    version["producer"] = "slipway";
    Write(version);
    ordered_json started = Record(EventType::kRunStarted);
    started["workflow"] = plan.workflow_path;
    started["workflow_name"] = plan.workflow_name;
    started["event"] = plan.event;
    started["ref"] = plan.ref;
    started["sha"] = plan.sha;
    started["actor"] = plan.actor;
    started["resumed"] = resumed;
    ordered_json jobs = ordered_json::array();
    for (const plan::PlannedJob& job : plan.jobs) {
      ordered_json entry = {{"id", job.id}, {"name", job.name}};
      ordered_json needs = ordered_json::array();
      for (plan::JobIndex need : job.needs) {
        needs.push_back(plan.jobs[static_cast<size_t>(need)].id);
      }
      entry["needs"] = std::move(needs);
      if (job.environment) {
        ordered_json env = {{"name", job.environment->name},
                            {"required_reviewers", job.environment->required_reviewers},
                            {"wait_timer_s", job.environment->wait_timer_s}};
        entry["environment"] = std::move(env);
      }
      jobs.push_back(std::move(entry));
    }
    started["jobs"] = std::move(jobs);
    Write(started);
    for (const plan::PlannedJob& job : plan.jobs) {
      ordered_json queued = Record(EventType::kJobQueued);
      queued["job"] = job.id;
      Write(queued);
    }
  }
}

void EventStream::OutputLine(std::string_view job, std::string_view text) {
  if (job.empty() || forwarding) return;
  std::lock_guard<std::mutex> lock(mutex_);
  std::string key(job);
  JobProgress& progress = ProgressLocked(key);
  if (!progress.step_open) {
    ordered_json record = Record(EventType::kStepOutput);
    record["job"] = key;
    record["text"] = std::string(text);
    Write(record);
    return;
  }
  if (progress.output_cut) return;
  // A step's output line, the stream's commonest record, written without building a JSON
  // tree; the same bytes Write() would give (every string and key masked, "step" before
  // "text").
  auto quoted = [this](std::string_view value) {
    return ordered_json(masker_.Mask(value)).dump(-1, ' ', false,
                                                  ordered_json::error_handler_t::replace);
  };
  std::string line = fmt::format(
      "{{{}:{},{}:{},{}:{},{}:{},{}:{{{}:{},{}:{}}},{}:{}}}\n", quoted("type"),
      quoted(EventTypeName(EventType::kStepOutput)), quoted("time"),
      quoted(FormatUtc(clock_.WallNow())), quoted("run_id"), quoted(run_id_), quoted("job"),
      quoted(key), quoted("step"), quoted("index"), progress.step_index, quoted("id"),
      quoted(progress.step_id), quoted("text"), quoted(text));
  progress.output_bytes += line.size();
  if (progress.output_bytes > max_step_output_bytes_) {
    progress.output_cut = true;
    ordered_json record = Record(EventType::kStepOutput);
    record["job"] = key;
    record["step"] = {{"index", progress.step_index}, {"id", progress.step_id}};
    record["text"] = fmt::format(
        "[slipway: output truncated in the event stream after {} KiB; the step's log has the "
        "rest: slipway logs {} \"{}\" {}]",
        max_step_output_bytes_ / 1024, run_id_, key, progress.step_index + 1);
    Write(record);
    return;
  }
  WriteLine(line);
}

void EventStream::RunFinished(const RunRecord& record) {
  std::lock_guard<std::mutex> lock(mutex_);
  ordered_json finished = Record(EventType::kRunFinished);
  finished["status"] = RunStatusName(record.status);
  finished["started_at"] = record.started_at;
  finished["finished_at"] = record.finished_at;
  Write(finished);
}

void EventStream::JobStarted(const std::string& key) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ProgressLocked(key);
    ordered_json record = Record(EventType::kJobStarted);
    record["job"] = key;
    Write(record);
  }
  Forward(next_, [&](RunObserver& o) { o.JobStarted(key); });
}

namespace {

// A string field of an audit entry; "" when it is missing or not a string (the log is a file
// anyone with the state directory can edit: nothing in it may throw here).
std::string Text(const nlohmann::json& entry, const char* key) {
  auto it = entry.find(key);
  return it != entry.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

nlohmann::json EventStream::GateDecision(const std::string& key) const {
  nlohmann::json decision;
  if (state_dir_.empty()) return decision;
  // The audit log is a state file a step could replace with a FIFO or a device: read as one.
  std::string log, error;
  if (!ReadStateLog(state_dir_ + "/audit.jsonl", &log, &error)) return decision;
  size_t start = std::min(static_cast<size_t>(audit_start_), log.size());
  std::istringstream in(log.substr(start));
  std::string line;
  while (std::getline(in, line)) {
    // Cheap filter first: the log holds every run's entries.
    if (line.find(run_id_) == std::string::npos) continue;
    nlohmann::json entry = nlohmann::json::parse(line, nullptr, false);
    if (!entry.is_object() || Text(entry, "run_id") != run_id_ || Text(entry, "job") != key ||
        Text(entry, "kind") != "gate") {
      continue;
    }
    decision = std::move(entry);
  }
  return decision;
}

void EventStream::CloseApprovalLocked(const std::string& key, JobProgress& job) {
  if (!job.approval_open) return;
  job.approval_open = false;
  const nlohmann::json decision = GateDecision(key);
  const std::string said = decision.is_object() ? Text(decision, "decision") : "";
  ordered_json record;
  if (said == "approved") {
    record = Record(EventType::kJobApproved);
    record["job"] = key;
    if (job.planned && job.planned->environment) {
      record["environment"] = job.planned->environment->name;
    }
    std::vector<std::string> reviewers;
    if (decision.contains("reviewers") && decision["reviewers"].is_array()) {
      for (const nlohmann::json& r : decision["reviewers"]) {
        if (r.is_string()) reviewers.push_back(r.get<std::string>());
      }
    }
    record["reviewers"] = reviewers;
  } else if (said == "rejected") {
    record = Record(EventType::kJobRejected);
    record["job"] = key;
    if (job.planned && job.planned->environment) {
      record["environment"] = job.planned->environment->name;
    }
    record["reviewer"] = Text(decision, "reviewer");
    if (std::string comment = Text(decision, "comment"); !comment.empty()) {
      record["comment"] = comment;
    }
  } else {
    // Cancelled or timed out while waiting: the job's end (job_finished) says so.
    return;
  }
  Write(record);
}

void EventStream::JobWaiting(const std::string& key) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    JobProgress& job = ProgressLocked(key);
    CloseApprovalLocked(key, job);
    ordered_json record = Record(EventType::kJobWaiting);
    record["job"] = key;
    if (job.next_wait < job.waits.size()) {
      WaitKind kind = job.waits[job.next_wait++];
      record["gate"] = WaitKindName(kind);
      if (kind == WaitKind::kApproval) job.approval_open = true;
      if (job.planned && job.planned->environment) {
        record["environment"] = job.planned->environment->name;
        if (kind == WaitKind::kApproval) {
          record["required_reviewers"] = job.planned->environment->required_reviewers;
        } else {
          record["wait_timer_s"] = job.planned->environment->wait_timer_s;
        }
      }
    } else {
      record["gate"] = "unknown";
    }
    job.waiting = true;
    Write(record);
  }
  Forward(next_, [&](RunObserver& o) { o.JobWaiting(key); });
}

void EventStream::JobRunning(const std::string& key) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    JobProgress& job = ProgressLocked(key);
    CloseApprovalLocked(key, job);
    if (job.waiting) {
      job.waiting = false;
      ordered_json record = Record(EventType::kJobRunning);
      record["job"] = key;
      Write(record);
    }
  }
  Forward(next_, [&](RunObserver& o) { o.JobRunning(key); });
}

void EventStream::StepStarted(const std::string& key, const StepRecord& step) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    JobProgress& job = ProgressLocked(key);
    ++job.step_index;
    job.step_open = true;
    job.step_id = step.id;
    job.output_bytes = 0;
    job.output_cut = false;
    ordered_json record = Record(EventType::kStepStarted);
    record["job"] = key;
    record["step"] = {{"index", job.step_index}, {"id", step.id}, {"name", step.name}};
    if (!step.log.empty()) record["log"] = step.log;
    Write(record);
  }
  Forward(next_, [&](RunObserver& o) { o.StepStarted(key, step); });
}

void EventStream::StepFinished(const std::string& key, const StepRecord& step) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    JobProgress& job = ProgressLocked(key);
    // A step reported only when it ends (skipped steps) still takes its place.
    if (!job.step_open) {
      ++job.step_index;
      job.step_id = step.id;
    }
    ordered_json record = Record(EventType::kStepFinished);
    record["job"] = key;
    record["step"] = {{"index", job.step_index}, {"id", step.id}, {"name", step.name}};
    record["outcome"] = step.outcome ? StepConclusionName(*step.outcome) : "";
    record["conclusion"] = step.conclusion ? StepConclusionName(*step.conclusion) : "";
    record["outputs"] = OutputsJson(step.outputs);
    Write(record);
    // A notification step that succeeded has sent its message.
    if (job.planned && job.step_index >= 0 &&
        static_cast<size_t>(job.step_index) < job.planned->steps.size() &&
        job.planned->steps[static_cast<size_t>(job.step_index)].builtin == "notify" &&
        step.outcome == StepConclusion::kSuccess) {
      ordered_json sent = Record(EventType::kNotificationSent);
      sent["job"] = key;
      sent["step"] = {{"index", job.step_index}, {"id", step.id}, {"name", step.name}};
      sent["outputs"] = OutputsJson(step.outputs);
      Write(sent);
    }
    // Lines printed between steps (the gate, the job's end) belong to no step.
    job.step_open = false;
  }
  Forward(next_, [&](RunObserver& o) { o.StepFinished(key, step); });
}

void EventStream::JobFinished(const std::string& key, const JobOutcome& outcome) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    JobProgress& job = ProgressLocked(key);
    CloseApprovalLocked(key, job);
    ordered_json record = Record(EventType::kJobFinished);
    record["job"] = key;
    record["result"] = JobResultName(outcome.result);
    if (!outcome.message.empty()) record["message"] = outcome.message;
    record["outputs"] = OutputsJson(outcome.outputs);
    Write(record);
  }
  Forward(next_, [&](RunObserver& o) { o.JobFinished(key, outcome); });
}

void EventStream::Interrupted(int signal, int count) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ordered_json record = Record(EventType::kInterrupted);
    record["signal"] = signal;
    record["count"] = count;
    Write(record);
  }
  Forward(next_, [&](RunObserver& o) { o.Interrupted(signal, count); });
}

}  // namespace slipway::exec
