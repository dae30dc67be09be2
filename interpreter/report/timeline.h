#pragma once
/// Timeline: a run's jobs with when each started, waited (and for what), ran its steps and
/// finished — the common ground of `slipway show` and the HTML report. Built from the run's
/// events.jsonl where there is one, else from run.json alone (jobs' times, no step times).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/report/run_history.h"

namespace slipway::report {

/// A wait at a job's gate or concurrency group; times in seconds since the run started.
struct WaitSpan {
  std::string kind;  // "approval" | "wait_timer" | "concurrency" | "unknown"
  std::string environment;
  double start = 0;
  std::optional<double> end;  // none: still waiting (or the run was killed)
};

struct StepSpan {
  int index = 0;
  std::string id;
  std::string name;
  std::string outcome;     // "" while running
  std::string conclusion;
  std::string log;  // relative to the run directory
  std::map<std::string, std::string> outputs;
  std::optional<double> start, end;
};

/// An approval or gate decision from the audit log.
struct GateEntry {
  std::string time;
  std::string environment;
  std::string what;  // "approved by alice", "gate approved (alice, bob)", "refused: ..."
};

struct JobTimeline {
  std::string key;  // job id, or "id (matrix values)"
  std::string id;   // the job id of the plan
  std::string name;
  std::vector<std::string> needs;  // job ids
  std::string environment;         // "" when none
  std::string status;              // run.json's status
  std::string result;              // run.json's result ("" until completed)
  std::string message;             // why it failed / was cancelled (events only)
  std::map<std::string, std::string> outputs;
  std::optional<double> start, end;
  std::vector<WaitSpan> waits;
  std::vector<StepSpan> steps;
  std::vector<GateEntry> gate;
};

struct Timeline {
  std::optional<double> run_start;  // seconds since the epoch
  double length = 0;                // seconds from run_start to the last known time
  bool has_events = false;          // false: built from run.json only
  std::string workflow_name;        // `name:` of the workflow (events only)
  std::vector<JobTimeline> jobs;    // in the workflow's order
};

Timeline BuildTimeline(const RunView& run);

}  // namespace slipway::report
