#pragma once
/// JobGraph: the `needs` graph of a workflow, built once and used by `validate` and `plan` (and
/// through the plan by `run`), with the rules of GitHub's workflow parser:
///   - a need names a job id exactly: ids are case-sensitive here (`needs: build` does not
///     find a job `Build`: "Job 'deploy' depends on unknown job 'build'"), while two ids that
///     differ only in case are duplicates (rule job-id reports those);
///   - the graph is acyclic and at least one job has no needs.
/// Each problem is found once and reported once, in one wording, by Report(). Building is
/// linear in jobs + needs; nothing recurses, so a 100k-job chain is fine.
/// https://docs.github.com/actions/using-workflows/workflow-syntax-for-github-actions#jobsjob_idneeds

#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "interpreter/base/diagnostic.h"
#include "interpreter/model/workflow.h"

namespace slipway::model {

class JobGraph {
 public:
  /// `workflow` must outlive the graph (problems point at its scalars).
  explicit JobGraph(const Workflow& workflow);

  size_t size() const { return needs_.size(); }
  /// The index of the job named exactly `id`.
  std::optional<uint32_t> Find(std::string_view id) const;
  /// The jobs `job` needs: each once, in the order listed; unknown and `${{ }}` entries left out.
  const std::vector<uint32_t>& needs(uint32_t job) const { return needs_[job]; }
  /// A topological order, earliest job in the file first among those ready. Jobs on a cycle,
  /// or needing one that is, are missing.
  const std::vector<uint32_t>& order() const { return order_; }
  /// True for a job that can never start: on a cycle or downstream of one.
  bool is_blocked(uint32_t job) const { return blocked_[job]; }
  /// True when some cycle was found.
  bool has_cycle() const { return !cycles_.empty(); }

  /// Appends the graph's problems to `diagnostics` (rule job-needs): unknown needs, repeated
  /// needs (warning), no job without needs, and each cycle once.
  void Report(Diagnostics& diagnostics) const;

 private:
  struct Cycle {
    std::vector<uint32_t> jobs;  // starting at the earliest job in the file
    SourceRange where;           // that job's `needs` entry into the cycle
  };
  void FindOrder();
  void FindCycles();

  const Workflow& workflow_;
  std::unordered_map<std::string_view, uint32_t> index_;  // job id (exact) → index
  std::vector<std::vector<uint32_t>> needs_;
  std::vector<std::vector<const Str*>> entries_;  // the Str behind each needs_ edge
  std::vector<std::pair<uint32_t, const Str*>> unknown_, repeated_;
  std::vector<uint32_t> order_;
  std::vector<bool> blocked_;
  std::vector<Cycle> cycles_;
};

}  // namespace slipway::model
