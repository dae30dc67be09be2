#include "interpreter/report/timeline.h"

#include <cmath>

#include <algorithm>
#include <fmt/format.h>

namespace slipway::report {
namespace {

using nlohmann::json;

std::string Str(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::map<std::string, std::string> Outputs(const json& object) {
  std::map<std::string, std::string> outputs;
  auto it = object.find("outputs");
  if (it == object.end() || !it->is_object()) return outputs;
  for (auto o = it->begin(); o != it->end(); ++o) {
    outputs[o.key()] = o->is_string() ? o->get<std::string>() : o->dump();
  }
  return outputs;
}

// The plan's job id of an instance key ("build (linux, 18)" → "build").
std::string JobIdOf(const std::string& key, const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    if (key == id || key.rfind(id + " (", 0) == 0) return id;
  }
  return key;
}

class Builder {
 public:
  explicit Builder(const RunView& run) : run_(run) {}

  Timeline Build() {
    timeline_.run_start = ParseUtc(run_.record.started_at);
    for (const json& event : run_.events) Apply(event);
    timeline_.has_events = !run_.events.empty();
    // Jobs of run.json that no event named (a run from before events.jsonl existed).
    for (const auto& [key, job] : run_.record.jobs) Job(key);
    for (JobTimeline& job : timeline_.jobs) {
      auto it = run_.record.jobs.find(job.key);
      if (it == run_.record.jobs.end()) continue;
      const exec::JobRecord& record = it->second;
      job.status = exec::JobStatusName(record.status);
      job.result = record.result ? exec::JobResultName(*record.result) : "";
      if (job.outputs.empty()) job.outputs = record.outputs;
      if (!job.start) job.start = Offset(record.started_at);
      if (!job.end) job.end = Offset(record.finished_at);
      // Steps that run.json knows and no event reported.
      for (size_t i = 0; i < record.steps.size(); ++i) {
        const exec::StepRecord& step = record.steps[i];
        StepSpan* span = nullptr;
        for (StepSpan& s : job.steps) {
          if (s.index == static_cast<int>(i)) span = &s;
        }
        if (!span) {
          job.steps.push_back(StepSpan{static_cast<int>(i), step.id, step.name, "", "", "", {},
                                       std::nullopt, std::nullopt});
          span = &job.steps.back();
        }
        span->id = step.id;
        span->name = step.name;
        span->outcome = step.outcome ? exec::StepConclusionName(*step.outcome) : "";
        span->conclusion = step.conclusion ? exec::StepConclusionName(*step.conclusion) : "";
        span->log = step.log;
        span->outputs = step.outputs;
      }
      std::sort(job.steps.begin(), job.steps.end(),
                [](const StepSpan& a, const StepSpan& b) { return a.index < b.index; });
    }
    for (const json& entry : run_.audit) Gate(entry);
    if (std::optional<double> end = Offset(run_.record.finished_at)) Extend(*end);
    // Plan order: the order of run_started's jobs; run.json's own (sorted) order otherwise.
    std::stable_sort(timeline_.jobs.begin(), timeline_.jobs.end(),
                     [this](const JobTimeline& a, const JobTimeline& b) {
                       return Rank(a.id) < Rank(b.id);
                     });
    return std::move(timeline_);
  }

 private:
  size_t Rank(const std::string& id) const {
    auto it = std::find(ids_.begin(), ids_.end(), id);
    return static_cast<size_t>(it - ids_.begin());
  }

  std::optional<double> Offset(const std::string& time) {
    if (!timeline_.run_start) return std::nullopt;
    std::optional<double> t = ParseUtc(time);
    if (!t) return std::nullopt;
    // Record times have millisecond precision; rounding drops the error that subtracting two
    // epoch-sized doubles leaves behind (0.5999999 for 0.6).
    double offset = std::max(0.0, std::round((*t - *timeline_.run_start) * 1000.0) / 1000.0);
    Extend(offset);
    return offset;
  }

  void Extend(double offset) { timeline_.length = std::max(timeline_.length, offset); }

  JobTimeline& Job(const std::string& key) {
    for (JobTimeline& job : timeline_.jobs) {
      if (job.key == key) return job;
    }
    JobTimeline job;
    job.key = key;
    job.id = JobIdOf(key, ids_);
    job.name = job.id;
    if (auto it = graph_.find(job.id); it != graph_.end()) {
      job.name = Str(it->second, "name").empty() ? job.id : Str(it->second, "name");
      if (it->second.contains("needs") && it->second["needs"].is_array()) {
        for (const json& need : it->second["needs"]) {
          if (need.is_string()) job.needs.push_back(need.get<std::string>());
        }
      }
      if (it->second.contains("environment") && it->second["environment"].is_object()) {
        job.environment = Str(it->second["environment"], "name");
      }
    }
    timeline_.jobs.push_back(std::move(job));
    return timeline_.jobs.back();
  }

  StepSpan& Step(JobTimeline& job, const json& step) {
    int index = step.value("index", 0);
    for (StepSpan& s : job.steps) {
      if (s.index == index) return s;
    }
    job.steps.push_back(StepSpan{index, Str(step, "id"), Str(step, "name"), "", "", "", {},
                                 std::nullopt, std::nullopt});
    return job.steps.back();
  }

  void Apply(const json& event) {
    const std::string type = Str(event, "type");
    if (type == "run_started") {
      // A resumed run appends a second run_started; times stay relative to the first.
      if (!timeline_.run_start) timeline_.run_start = ParseUtc(Str(event, "time"));
      timeline_.workflow_name = Str(event, "workflow_name");
      if (event.contains("jobs") && event["jobs"].is_array()) {
        for (const json& job : event["jobs"]) {
          std::string id = Str(job, "id");
          if (id.empty() || graph_.count(id)) continue;
          ids_.push_back(id);
          graph_[id] = job;
        }
      }
      return;
    }
    const std::string key = Str(event, "job");
    if (key.empty()) {
      if (type == "run_finished") Offset(Str(event, "time"));
      return;
    }
    std::optional<double> at = Offset(Str(event, "time"));
    if (type == "job_queued") {
      Job(key);
      return;
    }
    JobTimeline& job = Job(key);
    if (type == "job_started") {
      job.start = at;
      job.end.reset();
    } else if (type == "job_waiting") {
      for (WaitSpan& w : job.waits) {
        if (!w.end && at) w.end = at;
      }
      job.waits.push_back(WaitSpan{Str(event, "gate"), Str(event, "environment"), at.value_or(0),
                                   std::nullopt});
    } else if (type == "job_running" || type == "job_finished") {
      for (WaitSpan& w : job.waits) {
        if (!w.end && at) w.end = at;
      }
      if (type == "job_finished") {
        job.end = at;
        job.result = Str(event, "result");
        job.message = Str(event, "message");
        job.outputs = Outputs(event);
      }
    } else if (type == "step_started" && event.contains("step")) {
      StepSpan& step = Step(job, event["step"]);
      step.start = at;
      step.log = Str(event, "log");
    } else if (type == "step_finished" && event.contains("step")) {
      StepSpan& step = Step(job, event["step"]);
      if (!step.start) step.start = at;
      step.end = at;
      step.outcome = Str(event, "outcome");
      step.conclusion = Str(event, "conclusion");
      step.outputs = Outputs(event);
    }
  }

  void Gate(const json& entry) {
    const std::string kind = Str(entry, "kind");
    const std::string key = Str(entry, "job");
    std::string what;
    if (kind == "approval-given" || kind == "rejection-given") {
      what = fmt::format("{} given by {} ({})", kind == "approval-given" ? "approval" : "rejection",
                         Str(entry, "reviewer"), Str(entry, "source"));
    } else if (kind == "approval" && entry.value("counted", false)) {
      what = fmt::format("approved by {}", Str(entry, "reviewer"));
    } else if (kind == "approval") {
      what = "approval not counted: " + Str(entry, "reason");
    } else if (kind == "gate") {
      std::string decision = Str(entry, "decision");
      what = "gate " + decision;
      if (entry.contains("reviewers") && entry["reviewers"].is_array()) {
        std::vector<std::string> names;
        for (const json& r : entry["reviewers"]) {
          if (r.is_string()) names.push_back(r.get<std::string>());
        }
        what += fmt::format(" ({})", fmt::join(names, ", "));
      }
      if (!Str(entry, "reviewer").empty()) what += " by " + Str(entry, "reviewer");
      if (!Str(entry, "reason").empty()) what += ": " + Str(entry, "reason");
    } else {
      return;
    }
    std::string comment = Str(entry, "comment");
    if (!comment.empty()) what += fmt::format(" \u2014 \"{}\"", comment);
    GateEntry gate{Str(entry, "time"), Str(entry, "environment"), what};
    if (!key.empty()) {
      Job(key).gate.push_back(std::move(gate));
      return;
    }
    // Given with `slipway approve`/`reject` for an environment: every job deploying to it.
    for (JobTimeline& job : timeline_.jobs) {
      if (!gate.environment.empty() && job.environment == gate.environment) {
        job.gate.push_back(gate);
      }
    }
  }

  const RunView& run_;
  Timeline timeline_;
  std::vector<std::string> ids_;
  std::map<std::string, json> graph_;
};

}  // namespace

Timeline BuildTimeline(const RunView& run) { return Builder(run).Build(); }

}  // namespace slipway::report
