#include "interpreter/model/job_graph.h"

#include <algorithm>
#include <functional>
#include <string>

namespace slipway::model {
namespace {

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

}  // namespace

JobGraph::JobGraph(const Workflow& workflow) : workflow_(workflow) {
  const size_t n = workflow.jobs.size();
  index_.reserve(n);
  for (uint32_t i = 0; i < n; ++i) index_.try_emplace(workflow.jobs[i].id.value, i);
  needs_.resize(n);
  entries_.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    for (const Str& need : workflow.jobs[i].needs) {
      if (need.has_expr) continue;  // expressions are not allowed here: rule expr-allowed
      std::optional<uint32_t> target = Find(need.value);
      if (!target) {
        unknown_.emplace_back(i, &need);
        continue;
      }
      if (std::find(needs_[i].begin(), needs_[i].end(), *target) != needs_[i].end()) {
        repeated_.emplace_back(i, &need);
        continue;
      }
      needs_[i].push_back(*target);
      entries_[i].push_back(&need);
    }
  }
  FindOrder();
  if (order_.size() != n) FindCycles();
}

std::optional<uint32_t> JobGraph::Find(std::string_view id) const {
  auto it = index_.find(id);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

void JobGraph::FindOrder() {
  const size_t n = needs_.size();
  std::vector<std::vector<uint32_t>> dependants(n);
  std::vector<uint32_t> waiting(n, 0);
  for (uint32_t i = 0; i < n; ++i) {
    waiting[i] = static_cast<uint32_t>(needs_[i].size());
    for (uint32_t need : needs_[i]) dependants[need].push_back(i);
  }
  // Kahn's algorithm with a min-heap on the index: among ready jobs the earliest in the file.
  std::vector<uint32_t> ready;
  for (uint32_t i = 0; i < n; ++i) {
    if (waiting[i] == 0) ready.push_back(i);
  }
  std::make_heap(ready.begin(), ready.end(), std::greater<>());
  order_.reserve(n);
  while (!ready.empty()) {
    std::pop_heap(ready.begin(), ready.end(), std::greater<>());
    const uint32_t job = ready.back();
    ready.pop_back();
    order_.push_back(job);
    for (uint32_t d : dependants[job]) {
      if (--waiting[d] == 0) {
        ready.push_back(d);
        std::push_heap(ready.begin(), ready.end(), std::greater<>());
      }
    }
  }
  blocked_.assign(n, false);
  for (uint32_t i = 0; i < n; ++i) blocked_[i] = waiting[i] != 0;
}

void JobGraph::FindCycles() {
  // Iterative depth-first search over the blocked jobs, earliest first; every back edge closes
  // a cycle. A cycle sharing a job with one already found is not reported again.
  enum class Mark : uint8_t { kNew, kActive, kDone };
  const size_t n = needs_.size();
  std::vector<Mark> marks(n, Mark::kNew);
  std::vector<bool> reported(n, false);
  struct Frame {
    uint32_t job;
    size_t next = 0;  // next edge to follow
  };
  std::vector<Frame> stack;
  for (uint32_t start = 0; start < n; ++start) {
    if (!blocked_[start] || marks[start] != Mark::kNew) continue;
    stack.push_back({start});
    marks[start] = Mark::kActive;
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.next == needs_[top.job].size()) {
        marks[top.job] = Mark::kDone;
        stack.pop_back();
        continue;
      }
      const uint32_t dep = needs_[top.job][top.next++];
      if (marks[dep] == Mark::kNew) {
        marks[dep] = Mark::kActive;
        stack.push_back({dep});
        continue;
      }
      if (marks[dep] != Mark::kActive) continue;
      size_t from = stack.size() - 1;
      while (stack[from].job != dep) --from;
      Cycle cycle;
      for (size_t k = from; k < stack.size(); ++k) cycle.jobs.push_back(stack[k].job);
      bool seen = false;
      for (uint32_t job : cycle.jobs) seen = seen || reported[job];
      if (seen) continue;
      for (uint32_t job : cycle.jobs) reported[job] = true;
      std::rotate(cycle.jobs.begin(), std::min_element(cycle.jobs.begin(), cycle.jobs.end()),
                  cycle.jobs.end());
      const uint32_t first = cycle.jobs.front();
      const uint32_t next = cycle.jobs[cycle.jobs.size() > 1 ? 1 : 0];
      cycle.where = workflow_.jobs[first].where;
      for (size_t k = 0; k < needs_[first].size(); ++k) {
        if (needs_[first][k] == next) cycle.where = entries_[first][k]->where;
      }
      cycles_.push_back(std::move(cycle));
    }
  }
}

void JobGraph::Report(Diagnostics& diagnostics) const {
  const std::vector<Job>& jobs = workflow_.jobs;
  std::vector<std::string> ids;
  if (!unknown_.empty()) {
    ids.reserve(jobs.size());
    for (const Job& job : jobs) ids.push_back(job.id.value);
  }
  for (const auto& [job, need] : unknown_) {
    diagnostics.Error("job-needs", need->where,
                      "job " + Quoted(jobs[job].id.value) + " depends on unknown job " +
                          Quoted(need->value) + DidYouMean(need->value, ids));
  }
  for (const auto& [job, need] : repeated_) {
    diagnostics.Warning("job-needs", need->where,
                        "job " + Quoted(jobs[job].id.value) + " lists " + Quoted(need->value) +
                            " in \"needs\" twice");
  }
  bool has_start = jobs.empty();
  for (const Job& job : jobs) has_start = has_start || job.needs.empty();
  if (!has_start) {
    diagnostics.Error("job-needs", jobs.front().id.where,
                      "every job has \"needs\"; at least one job must depend on no other job to "
                      "start the workflow");
  }
  for (const Cycle& cycle : cycles_) {
    std::string text;
    for (uint32_t job : cycle.jobs) text += Quoted(jobs[job].id.value) + " -> ";
    text += Quoted(jobs[cycle.jobs.front()].id.value);
    diagnostics.Error("job-needs", cycle.where, "cycle in \"needs\": " + text);
  }
}

}  // namespace slipway::model
