#include "interpreter/validate/expr_index.h"

#include <algorithm>
#include <future>
#include <iterator>
#include <unordered_map>

#include "interpreter/expr/parser.h"
#include "interpreter/validate/expr_sites.h"

namespace slipway::validate {
namespace {

bool HasOpen(std::string_view text) { return text.find("${{") != std::string_view::npos; }

struct Where {
  const model::Job* job = nullptr;
  std::optional<size_t> step;
  const yaml::Node* step_node = nullptr;
};

class IndexBuilder {
 public:
  IndexBuilder(const model::Workflow& workflow, std::vector<IndexedScalar>& out) : out_(out) {
    jobs_.reserve(workflow.jobs.size());
    for (const model::Job& job : workflow.jobs) jobs_.try_emplace(job.id.value, &job);
  }

  /// The whole tree, with only the jobs [first, last) of `jobs:`. Returns how many scalars
  /// were indexed when those jobs were done (where the other jobs' scalars belong).
  size_t Root(const yaml::Node& root, size_t first, size_t last) {
    size_t jobs_end = 0;
    if (!root.is_mapping()) {
      Walk(root, Where{}, true);
      return out_.size();
    }
    for (const auto& [key, value] : root.entries) {
      Key(key, Where{});
      path_.push_back(key.value);
      if (key.value == "jobs" && value.is_mapping()) {
        Jobs(value, first, last);
        jobs_end = out_.size();
      } else {
        Walk(value, Where{}, true);
      }
      path_.pop_back();
    }
    return jobs_end;
  }

  /// Only the jobs [first, last) of the root's `jobs:` mapping.
  void JobsOnly(const yaml::Node& root, size_t first, size_t last) {
    path_.push_back("jobs");
    Jobs(*root.Find("jobs"), first, last);
    path_.pop_back();
  }

 private:
  void Jobs(const yaml::Node& jobs, size_t first, size_t last) {
    last = std::min(last, jobs.entries.size());
    for (size_t i = first; i < last; ++i) {
      const auto& [job_key, job_value] = jobs.entries[i];
      Key(job_key, Where{});
      path_.push_back(job_key.value);
      Where where;
      auto job = jobs_.find(job_key.value);
      where.job = job == jobs_.end() ? nullptr : job->second;
      Job(job_value, where);
      path_.pop_back();
    }
  }

  void Job(const yaml::Node& job, const Where& where) {
    if (!job.is_mapping()) return Walk(job, where, true);
    for (const auto& [key, value] : job.entries) {
      Key(key, where);
      path_.push_back(key.value);
      if (key.value == "steps" && value.is_sequence()) {
        size_t position = 0;
        Steps(value, where, position);
      } else {
        const bool checked =
            key.value != "needs" && key.value != "uses" && key.value != "permissions";
        Walk(value, where, checked);
      }
      path_.pop_back();
    }
  }

  void Steps(const yaml::Node& steps, const Where& job, size_t& position) {
    for (const yaml::Node& step : steps.items) {
      Where where = job;
      where.step = position;
      where.step_node = &step;
      path_.push_back(std::to_string(position++));
      const yaml::Node* nested = nullptr;
      if (step.is_mapping()) {
        for (const auto& [key, value] : step.entries) {
          Key(key, where);
          if (key.value == "parallel" && value.is_sequence()) {
            nested = &value;
            continue;
          }
          path_.push_back(key.value);
          const bool checked = key.value != "id" && key.value != "uses" && key.value != "shell";
          Walk(value, where, checked);
          path_.pop_back();
        }
      } else {
        Walk(step, where, true);
      }
      path_.pop_back();
      if (nested) Steps(*nested, job, position);
    }
  }

  void Walk(const yaml::Node& node, const Where& where, bool checked) {
    if (node.is_scalar()) {
      Visit(node, false, where, checked);
    } else if (node.is_sequence()) {
      for (size_t i = 0; i < node.items.size(); ++i) {
        path_.push_back(std::to_string(i));
        Walk(node.items[i], where, checked);
        path_.pop_back();
      }
    } else if (node.is_mapping()) {
      for (const auto& [key, value] : node.entries) {
        Key(key, where);
        path_.push_back(key.value);
        Walk(value, where, checked);
        path_.pop_back();
      }
    }
  }

  void Key(const yaml::Node& key, const Where& where) {
    if (!key.is_scalar() || !HasOpen(key.value)) return;
    path_.push_back(key.value);
    Visit(key, true, where, false);
    path_.pop_back();
  }

  void Visit(const yaml::Node& node, bool is_key, const Where& where, bool checked) {
    const bool has_open = HasOpen(node.value);
    const bool bare_if = !has_open && !is_key && !node.value.empty() && IsIfPath(path_) &&
                         !yaml::IsBoolScalar(node) && !yaml::IsNumberScalar(node);
    if (!has_open && !bare_if) return;
    IndexedScalar scalar;
    scalar.node = &node;
    scalar.is_key = is_key;
    scalar.path = path_;
    scalar.job = where.job;
    scalar.step = where.step;
    scalar.step_node = where.step_node;
    scalar.reads_checked = checked && !is_key;
    if (bare_if) {
      IndexedExpression e;
      e.bare_if = true;
      e.span.text = node.value;
      Parse(e, IsJobIf());
      scalar.expressions.push_back(std::move(e));
    } else {
      const bool fits = node.value.size() <= expr::kMaxExprLength;
      for (const expr::ExpressionSpan& span : expr::FindExpressions(node.value)) {
        IndexedExpression e;
        e.span = span;
        if (fits && span.closed && span.text.size() <= expr::kMaxExprLength &&
            span.text.find_first_not_of(" \t\r\n") != std::string_view::npos) {
          Parse(e, IsJobIf());
        }
        scalar.expressions.push_back(std::move(e));
      }
    }
    out_.push_back(std::move(scalar));
  }

  bool IsJobIf() const { return path_.size() == 3 && IsIfPath(path_); }

  static void Parse(IndexedExpression& e, bool job_condition) {
    expr::ParseOptions options;
    options.allow_any_name = true;
    options.job_condition = job_condition;
    e.parsed = expr::Parse(e.span.text, options);
    if (e.parsed->has_value() && !(*e.parsed)->empty()) e.analysis = expr::Analyze(**e.parsed);
  }

  std::unordered_map<std::string_view, const model::Job*> jobs_;  // by id, in one pass
  std::vector<IndexedScalar>& out_;
  std::vector<std::string> path_;
};

}  // namespace

ExpressionIndex::ExpressionIndex(const model::Workflow& workflow, bool two_threads) {
  if (!workflow.yaml) return;
  const yaml::Node& root = *workflow.yaml;
  const yaml::Node* jobs = root.is_mapping() ? root.Find("jobs") : nullptr;
  const size_t count = jobs && jobs->is_mapping() ? jobs->entries.size() : 0;
  if (!two_threads || count < 2) {
    IndexBuilder(workflow, scalars_).Root(root, 0, count);
    return;
  }
  // The second half of the jobs on another thread; its scalars go where they would have been
  // found, so the index is the same as one thread's.
  std::vector<IndexedScalar> later;
  auto second = std::async(std::launch::async, [&] {
    IndexBuilder(workflow, later).JobsOnly(root, count / 2, count);
  });
  size_t jobs_end = IndexBuilder(workflow, scalars_).Root(root, 0, count / 2);
  second.get();
  scalars_.insert(scalars_.begin() + static_cast<std::ptrdiff_t>(jobs_end),
                  std::make_move_iterator(later.begin()), std::make_move_iterator(later.end()));
}

}  // namespace slipway::validate
