#pragma once
/// The scheduler's private bookkeeping (scheduler.h), shared by scheduler.cc (the loop) and
/// scheduler_decide.cc (deciding whether a job runs). Not for use outside the scheduler.

#include <deque>
#include <map>
#include <optional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "interpreter/exec/scheduler.h"

namespace slipway::exec {

/// kCalling: a leg of a job that calls a reusable workflow, waiting for the called jobs (it
/// takes no worker).
enum class InstanceState { kPending, kReady, kRunning, kCalling, kDone };

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
  size_t calling = 0;                // legs whose called workflow is running (max-parallel)
  std::deque<size_t> waiting_calls;  // legs held back by max-parallel, in matrix order
  size_t done = 0;
  bool finished = false;
  JobResult result = JobResult::kSuccess;      // what needs.<id>.result says
  bool upstream_failed = false;                // it or an ancestor failed
  // It and every ancestor succeeded: a job's implicit success() asks this of its needs, so a
  // failure or skip anywhere up the chain skips it even behind an always() job, as on GitHub.
  bool chain_success = false;
  bool run_time_matrix = false;                // instances[0] is a placeholder until decided
  // strategy.fail-fast and max-parallel: the plan's, or, when written as expressions, what
  // they gave when the job was decided (they may read needs).
  bool fail_fast = true;
  std::optional<int> max_parallel;
  std::map<std::string, std::string> outputs;  // merged in finishing order
};

/// One leg of a job that calls a reusable workflow (the whole job without a matrix): the called
/// workflow's jobs planned for it, and what they see of the call.
struct Scheduler::CallLeg {
  uint32_t caller = 0;
  size_t instance = 0;            // the calling job's instance for this leg
  std::vector<uint32_t> members;  // the called workflow's jobs of this leg (plan indices)
  size_t unfinished = 0;          // members without a result yet
  bool ran = false;               // the call started: its jobs may run
  bool cancelled = false;         // fail-fast cancelled the leg
  std::string why_not;            // when the call did not start: why its jobs do not run
  std::shared_ptr<const CallFrame> frame;
};

}  // namespace slipway::exec
