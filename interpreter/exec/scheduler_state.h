#pragma once
/// The scheduler's private bookkeeping (scheduler.h), shared by scheduler.cc (the loop) and
/// scheduler_decide.cc (deciding whether a job runs). Not for use outside the scheduler.

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "interpreter/exec/scheduler.h"

namespace slipway::exec {

enum class InstanceState { kPending, kReady, kRunning, kDone };

struct Scheduler::Instance {
  uint32_t job = 0;
  size_t ordinal = 0;  // position in its job's matrix
  std::string key;
  nlohmann::ordered_json matrix;
  InstanceState state = InstanceState::kPending;
  JobOutcome outcome;
  std::shared_ptr<JobControl> control;
  bool restored = false;
};

struct Scheduler::JobState {
  std::vector<size_t> instances;
  bool selected = true;  // --job
  bool decided = false;
  size_t running = 0;
  size_t done = 0;
  bool finished = false;
  JobResult result = JobResult::kSuccess;      // what needs.<id>.result says
  bool upstream_failed = false;                // it or an ancestor failed
  bool run_time_matrix = false;                // instances[0] is a placeholder until decided
  std::map<std::string, std::string> outputs;  // merged in finishing order
};

}  // namespace slipway::exec
