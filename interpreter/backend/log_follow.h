#pragma once
/// Following a run's step logs through a Store (exec/store.h) as they are written: `slipway logs
/// RUN_ID --follow` and `slipway wait` on the PostgreSQL backend, where workers on other hosts
/// push the logs of the steps they run. Each Poll prints the lines that arrived since the last
/// one; a job's new attempt (after `run --resume`) starts its logs again.

#include <cstdio>
#include <map>
#include <string>
#include <tuple>

#include "interpreter/exec/store.h"

namespace slipway::backend {

class LogFollower {
 public:
  /// `job`: a job id (all its matrix instances) or an instance key, "" for all; `step`: a
  /// step's id or number (1-based), "" for all. Without a job filter, lines carry "[job] ".
  LogFollower(exec::Store& store, std::string run_id, std::string job = "", std::string step = "")
      : store_(store), run_id_(std::move(run_id)), job_(std::move(job)), step_(std::move(step)) {}

  /// Prints the complete lines written since the last call; with `flush_partial`, also a last
  /// line without its newline (at the end).
  Expected<bool> Poll(std::FILE* out, bool flush_partial = false);

 private:
  bool Wanted(const exec::StepLogEntry& log) const;
  exec::Store& store_;
  std::string run_id_, job_, step_;
  // (job, step index) → (attempt, characters printed)
  std::map<std::pair<std::string, size_t>, std::pair<int, size_t>> printed_;
};

}  // namespace slipway::backend
