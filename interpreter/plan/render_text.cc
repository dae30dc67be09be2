#include "interpreter/plan/env_gate.h"
#include "interpreter/plan/render.h"

namespace slipway::plan {
namespace {

struct Palette {
  bool on = false;
  std::string Paint(const std::string& text, const char* code) const {
    if (!on) return text;
    return std::string("\033[") + code + "m" + text + "\033[0m";
  }
  std::string Status(JobStatus status) const {
    switch (status) {
      case JobStatus::kWillRun:
        return Paint("will-run", "32");
      case JobStatus::kSkipped:
        return Paint("skipped", "2");
      case JobStatus::kBlocked:
        return Paint("blocked", "31;1");
      case JobStatus::kConditional:
        return Paint("conditional", "33");
    }
    return "";
  }
  std::string StepStatus(JobStatus status) const {
    const char* name = JobStatusName(status);
    if (status == JobStatus::kSkipped) return Paint(name, "2");
    if (status == JobStatus::kConditional) return Paint(name, "33");
    return Paint(name, "32");
  }
};

std::string Join(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

/// 10 → "10", 2.5 → "2.5".
std::string Number(double value) {
  nlohmann::ordered_json json = value;
  if (value == static_cast<double>(static_cast<int64_t>(value))) json = static_cast<int64_t>(value);
  return json.dump();
}

std::string Compact(const nlohmann::ordered_json& value) {
  return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

/// Writes the lines of one tree node: `first` after the branch, `rest` under it.
class TreeWriter {
 public:
  explicit TreeWriter(std::string* out) : out_(out) {}
  /// A node at `prefix`: "├─ " or "└─ " then text; returns the prefix for its children.
  std::string Node(const std::string& prefix, bool last, const std::string& text) {
    *out_ += prefix + (last ? "└─ " : "├─ ") + text + "\n";
    return prefix + (last ? "   " : "│  ");
  }
  /// Continuation lines under a node (e.g. a script), at the child prefix.
  void Lines(const std::string& prefix, const std::string& text, const char* margin) {
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      if (end == text.size() && start == end && start != 0) break;  // trailing newline
      *out_ += prefix + margin + text.substr(start, end - start) + "\n";
      start = end + 1;
    }
  }

 private:
  std::string* out_;
};

void WriteStep(TreeWriter& tree, const std::string& prefix, bool last, const PlannedStep& step,
               const Palette& p) {
  std::string head = std::to_string(step.index + 1) + ". " + step.name;
  if (step.status != JobStatus::kWillRun) {
    head += " — " + p.StepStatus(step.status) + (step.reason.empty() ? "" : ": " + step.reason);
  }
  std::string child = tree.Node(prefix, last, head);
  if (!step.if_condition.empty()) tree.Lines(child, "if: " + step.if_condition, "");
  if (step.uses) {
    std::string uses = "uses: " + *step.uses;
    if (!step.uses_note.empty() && step.uses_note != "action") uses += "  (" + step.uses_note + ")";
    tree.Lines(child, uses, "");
    for (const auto& [key, value] : step.with) {
      if (value.text.find('\n') == std::string::npos) {
        tree.Lines(child, key + ": " + value.text, "  with ");
      } else {
        tree.Lines(child, key + ":", "  with ");
        tree.Lines(child, value.text, "    | ");
      }
    }
    if (step.uses_note == "action" || step.uses_note == "container action") {
      tree.Lines(child,
                 step.local_equivalent.empty()
                     ? "no local equivalent: fails at run time unless --skip-unknown-actions"
                     : "locally: " + step.local_equivalent,
                 "→ ");
    }
    if (!step.preview_summary.empty()) tree.Lines(child, step.preview_summary, "→ ");
    for (const std::string& detail : step.preview_details) tree.Lines(child, detail, "    ");
  }
  for (const auto& [key, value] : step.env) tree.Lines(child, key + "=" + value.text, "  env ");
  if (step.run) {
    std::string shell = step.shell.empty() ? "" : " (" + step.shell + ")";
    tree.Lines(child, "run" + shell + ":", "");
    tree.Lines(child, step.run->text, "  | ");
  }
}

void WriteJob(TreeWriter& tree, const Plan& plan, const PlannedJob& job, bool last,
              const Palette& p) {
  if (!plan.triggered) {  // nothing runs: the job list is enough
    tree.Node("", last, p.Paint(job.id, "1") + " — " + p.Status(job.status));
    return;
  }
  std::string head = p.Paint(job.id, "1");
  if (job.name != job.id) head += " (" + job.name + ")";
  head += " — " + p.Status(job.status);
  if (!job.reason.empty()) head += ": " + job.reason;
  std::string child = tree.Node("", last, head);
  std::vector<std::string> lines;
  if (!job.needs.empty()) {
    std::vector<std::string> ids;
    for (JobIndex need : job.needs) ids.push_back(plan.jobs[ToInt(need)].id);
    lines.push_back("needs: " + Join(ids));
  }
  if (!job.if_condition.empty()) lines.push_back("if: " + job.if_condition);
  if (!job.runs_on.empty()) lines.push_back("runs-on: " + job.runs_on);
  for (const std::string& note : job.runner_mapped) {
    lines.push_back(p.Paint("WARNING: runner mapped", "33;1") + ": " + note);
  }
  for (const std::string& why : job.runner_refused) {
    lines.push_back(p.Paint("runner refused", "31;1") + ": " + why);
  }
  if (!job.uses.empty()) {
    std::vector<std::string> called;
    for (const PlannedJob& other : plan.jobs) {
      if (other.caller && *other.caller == job.index) called.push_back(other.id);
    }
    lines.push_back("uses: " + job.uses +
                    (called.empty() ? "" : " (runs " + Join(called) + ")"));
  }
  if (job.containers) {
    const PlannedContainers& c = *job.containers;
    std::string where = c.runtime.empty() ? "" : " (" + c.runtime + ")";
    if (!c.image.empty()) lines.push_back("container: " + c.image + where);
    for (const auto& [id, image] : c.services) {
      lines.push_back("service " + id + ": " + image + where);
    }
    if (!c.note.empty()) lines.push_back(p.Paint(c.note, "33"));
  }
  if (job.environment) {
    const EnvironmentGate& gate = *job.environment;
    std::string text = "environment: " + gate.name;
    if (gate.url) text += " (" + *gate.url + ")";
    if (gate.configured) {
      if (gate.required_reviewers > 0) {
        text += "; reviewers: " + std::to_string(gate.required_reviewers) + " of " +
                Join(gate.eligible_reviewers) +
                (gate.prevent_self_review ? ", self-review not allowed" : "");
        text += "; approval timeout " + FormatDuration(gate.approval_timeout_s);
      }
      if (gate.wait_timer_s > 0) text += "; wait timer " + FormatDuration(gate.wait_timer_s);
      text += gate.ref_allowed ? "; ref allowed"
                               : "; ref refused by deployment_branches." + gate.refused_by;
    } else {
      text += "; not configured";
    }
    lines.push_back(text);
  }
  if (!job.matrix_known) {
    lines.push_back("matrix: known at run time (" + job.matrix_expression + ")");
  } else if (!job.matrix.empty()) {
    std::string text = "matrix: " + std::to_string(job.matrix.size()) + " instance" +
                       (job.matrix.size() == 1 ? "" : "s");
    if (job.max_parallel) text += ", max-parallel " + std::to_string(*job.max_parallel);
    text += job.fail_fast ? ", fail-fast" : ", no fail-fast";
    lines.push_back(text);
    for (const nlohmann::ordered_json& instance : job.matrix)
      lines.push_back("  " + Compact(instance));
  }
  if (job.concurrency_group) {
    lines.push_back("concurrency: " + job.concurrency_group->text +
                    (job.cancel_in_progress ? " (cancel-in-progress)" : ""));
  }
  if (job.timeout_minutes) lines.push_back("timeout: " + Number(*job.timeout_minutes) + " min");
  for (const auto& [key, value] : job.outputs)
    lines.push_back("output " + key + " = " + value.text);
  for (const std::string& line : lines) tree.Lines(child, line, "");
  for (size_t i = 0; i < job.steps.size(); ++i) {
    WriteStep(tree, child, i + 1 == job.steps.size(), job.steps[i], p);
  }
}

}  // namespace

std::string RenderText(const Plan& plan, bool color) {
  Palette p{color};
  std::string out;
  out += "workflow: " + plan.workflow_name;
  if (plan.workflow_name != plan.workflow_path) out += " (" + plan.workflow_path + ")";
  out += "\n";
  out += "event:    " + plan.event + (plan.action.empty() ? "" : " (" + plan.action + ")") +
         " on " + plan.ref + " at " + plan.sha.substr(0, 12) + " by " + plan.actor + "\n";
  if (!plan.inputs.empty()) {
    std::vector<std::string> items;
    for (auto it = plan.inputs.begin(); it != plan.inputs.end(); ++it) {
      items.push_back(it.key() + "=" + Compact(*it));
    }
    out += "inputs:   " + Join(items) + "\n";
  }
  if (plan.run_name) out += "run name: " + plan.run_name->text + "\n";
  if (plan.concurrency_group) {
    out += "concurrency: " + plan.concurrency_group->text +
           (plan.cancel_in_progress ? " (cancel-in-progress)" : "") + "\n";
  }
  if (!plan.triggered) {
    out += p.Paint("not triggered", "31;1") + ": " + plan.reason + "\n";
  } else {
    out +=
        p.Paint("triggered", "32") + (plan.reason.empty() ? "" : " (" + plan.reason + ")") + "\n";
  }
  int counts[4] = {0, 0, 0, 0};
  for (const PlannedJob& job : plan.jobs) ++counts[static_cast<int>(job.status)];
  out += std::to_string(plan.jobs.size()) + " jobs: " + std::to_string(counts[0]) + " will run, " +
         std::to_string(counts[3]) + " conditional, " + std::to_string(counts[2]) + " blocked, " +
         std::to_string(counts[1]) + " skipped\n";
  TreeWriter tree(&out);
  for (size_t w = 0; w < plan.waves.size(); ++w) {
    out += "\n" + p.Paint("Wave " + std::to_string(w + 1), "1") + "\n";
    const std::vector<JobIndex>& wave = plan.waves[w];
    for (size_t i = 0; i < wave.size(); ++i) {
      WriteJob(tree, plan, plan.jobs[ToInt(wave[i])], i + 1 == wave.size(), p);
    }
  }
  bool cycle_header = false;
  for (size_t i = 0; i < plan.jobs.size(); ++i) {
    if (plan.jobs[i].wave != 0) continue;
    if (!cycle_header) out += "\nNot placed (cyclic needs)\n";
    cycle_header = true;
    WriteJob(tree, plan, plan.jobs[i], true, p);
  }
  return out;
}

}  // namespace slipway::plan
