// `needs`:
// https://docs.github.com/actions/using-workflows/workflow-syntax-for-github-actions#jobsjob_idneeds
// Every listed job must exist (job ids compare ignoring case) and the graph must be acyclic.
// A cycle is reported once, starting from the earliest job of the cycle in the file, at that
// job's `needs` entry that leads into the cycle.
#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

#include "interpreter/validate/rule.h"
#include "interpreter/validate/rule_util.h"

namespace slipway::validate {
namespace {

enum class Mark { kNew, kActive, kDone };

struct Graph {
  const std::vector<model::Job>& jobs;
  std::vector<std::vector<std::pair<size_t, const model::Str*>>> edges;  // job → (dep, entry)
  std::vector<Mark> marks;
  std::vector<size_t> stack;
  std::vector<const model::Str*> stack_entries;
};

/// Depth-first search; returns true (leaving the cycle in `cycle`) on the first back edge.
bool FindCycle(Graph& graph, size_t job, std::vector<size_t>* cycle, const model::Str** entry) {
  graph.marks[job] = Mark::kActive;
  graph.stack.push_back(job);
  for (const auto& [dep, str] : graph.edges[job]) {
    if (graph.marks[dep] == Mark::kActive) {
      size_t start = 0;
      while (graph.stack[start] != dep) ++start;
      cycle->assign(graph.stack.begin() + static_cast<std::ptrdiff_t>(start), graph.stack.end());
      graph.stack_entries.push_back(str);
      // Entry leaving the first job of the cycle.
      *entry = graph.stack_entries[start];
      return true;
    }
    if (graph.marks[dep] == Mark::kNew) {
      graph.stack_entries.push_back(str);
      if (FindCycle(graph, dep, cycle, entry)) return true;
      graph.stack_entries.pop_back();
    }
  }
  graph.stack.pop_back();
  graph.marks[job] = Mark::kDone;
  return false;
}

}  // namespace

void CheckJobNeeds(const RuleContext& context) {
  const std::vector<model::Job>& jobs = context.workflow.jobs;
  std::map<std::string, size_t> index;
  std::vector<std::string> ids;
  for (size_t i = 0; i < jobs.size(); ++i) {
    index.try_emplace(Lower(jobs[i].id.value), i);
    ids.push_back(jobs[i].id.value);
  }
  Graph graph{jobs,
              std::vector<std::vector<std::pair<size_t, const model::Str*>>>(jobs.size()),
              std::vector<Mark>(jobs.size(), Mark::kNew),
              {},
              {}};
  for (size_t i = 0; i < jobs.size(); ++i) {
    std::map<std::string, const model::Str*> listed;
    for (const model::Str& need : jobs[i].needs) {
      if (need.has_expr) continue;  // reported by expr-allowed
      auto it = index.find(Lower(need.value));
      if (it == index.end()) {
        context.diagnostics.Error(
            "job-needs", need.where,
            fmt::format("job \"{}\" needs job \"{}\", which does not exist{}", jobs[i].id.value,
                        need.value, DidYouMean(need.value, ids)));
        continue;
      }
      if (!listed.try_emplace(Lower(need.value), &need).second) {
        context.diagnostics.Warning("job-needs", need.where,
                                    fmt::format("job \"{}\" lists \"{}\" in \"needs\" twice",
                                                jobs[i].id.value, need.value));
        continue;
      }
      graph.edges[i].push_back({it->second, &need});
    }
  }
  bool has_start = jobs.empty();
  for (const model::Job& job : jobs) has_start |= job.needs.empty();
  if (!has_start) {
    context.diagnostics.Error("job-needs", jobs.front().id.where,
                              "every job has \"needs\"; at least one job must depend on no "
                              "other job to start the workflow");
  }
  // Start from the earliest job so the reported cycle begins with it.
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (graph.marks[i] != Mark::kNew) continue;
    graph.stack.clear();
    graph.stack_entries.clear();
    std::vector<size_t> cycle;
    const model::Str* entry = nullptr;
    if (!FindCycle(graph, i, &cycle, &entry)) continue;
    // Rotate so the cycle starts at its earliest job.
    size_t first = 0;
    for (size_t k = 1; k < cycle.size(); ++k) {
      if (cycle[k] < cycle[first]) first = k;
    }
    std::string text;
    for (size_t k = 0; k <= cycle.size(); ++k) {
      size_t job = cycle[(first + k) % cycle.size()];
      text += (k ? " -> \"" : "\"") + jobs[job].id.value + "\"";
    }
    // Point at the earliest job's needs entry into the cycle.
    size_t earliest = cycle[first];
    size_t next = cycle[(first + 1) % cycle.size()];
    SourceRange where = entry ? entry->where : jobs[earliest].where;
    for (const auto& [dep, str] : graph.edges[earliest]) {
      if (dep == next) where = str->where;
    }
    context.diagnostics.Error("job-needs", where, "cycle in \"needs\": " + text);
    return;  // one cycle is enough to make the graph unusable; fixing it shows the next
  }
}

}  // namespace slipway::validate
