#include "interpreter/plan/runner_labels.h"
#include "interpreter/base/ascii.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>

namespace slipway::plan {
namespace {


bool Contains(const std::vector<std::string>& list, const std::string& item) {
  std::string wanted = AsciiLower(item);
  return std::any_of(list.begin(), list.end(),
                     [&](const std::string& x) { return AsciiLower(x) == wanted; });
}

std::string Quoted(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const std::string& item : items) quoted.push_back("\"" + item + "\"");
  return fmt::format("{}", fmt::join(quoted, ", "));
}

void AddValue(const nlohmann::ordered_json& value, RunsOn& out) {
  if (value.is_array()) {
    for (const auto& item : value) AddValue(item, out);
  } else if (value.is_string()) {
    out.labels.push_back(value.get<std::string>());
  } else if (!value.is_null()) {
    out.labels.push_back(ValueToTemplateString(value));
  }
}

/// A scalar of runs-on: a whole `${{ }}` may give a list (matrix.os: [self-hosted, linux]).
void AddScalar(const yaml::Node& node, const Scope& scope, RunsOn& out) {
  Evaluation value = EvaluateValue(node.value, scope);
  if (value.kind == Evaluation::Kind::kValue) {
    AddValue(value.value, out);
    return;
  }
  out.known = false;
  out.unknown_text = node.value;
}

}  // namespace

ServedLabels MakeServedLabels(const model::RunnersConfig* config, const std::string& path,
                              const std::string& looked_at) {
  ServedLabels served;
  std::string machine;
  std::vector<std::string> defaults = model::DefaultRunnerLabels(&machine);
  if (!config) {
    served.labels = defaults;
    served.source = "the defaults for " + machine +
                    (looked_at.empty() ? std::string() : " (no runners file at " + looked_at + ")");
    return served;
  }
  served.source = "\"" + path + "\"";
  if (config->has_labels) {
    for (const model::Str& label : config->labels) served.labels.push_back(label.value);
  } else {
    served.labels = defaults;
  }
  for (const model::Str& label : config->add) served.labels.push_back(label.value);
  for (const model::Str& group : config->groups) served.groups.push_back(group.value);
  for (const model::Str& mapped : config->mapped) served.mapped.push_back(mapped.value);
  return served;
}

RunsOn EvaluateRunsOn(const yaml::Node& node, const Scope& scope) {
  RunsOn out;
  if (node.is_scalar()) {
    AddScalar(node, scope, out);
  } else if (node.is_sequence()) {
    for (const yaml::Node& item : node.items) {
      if (item.is_scalar()) AddScalar(item, scope, out);
    }
  } else if (node.is_mapping()) {
    if (const yaml::Node* group = node.Find("group"); group && group->is_scalar()) {
      Substitution s = Substitute(group->value, scope);
      if (!s.resolved) {
        out.known = false;
        out.unknown_text = group->value;
      }
      out.group = s.text;
    }
    if (const yaml::Node* labels = node.Find("labels")) {
      if (labels->is_scalar()) AddScalar(*labels, scope, out);
      if (labels->is_sequence()) {
        for (const yaml::Node& item : labels->items) {
          if (item.is_scalar()) AddScalar(item, scope, out);
        }
      }
    }
  }
  return out;
}

RunnerVerdict JudgeRunsOn(const RunsOn& runs_on, const ServedLabels& served) {
  RunnerVerdict verdict;
  if (!runs_on.known) {
    verdict.kind = RunnerVerdict::Kind::kUnknown;
    return verdict;
  }
  std::vector<std::string> missing, mapped;
  for (const std::string& label : runs_on.labels) {
    if (Contains(served.labels, label)) continue;
    (Contains(served.mapped, label) ? mapped : missing).push_back(label);
  }
  bool group_missing = !runs_on.group.empty() && !Contains(served.groups, runs_on.group);
  if (!missing.empty() || group_missing) {
    verdict.kind = RunnerVerdict::Kind::kUnserved;
    std::string what;
    if (!missing.empty()) {
      what = fmt::format("label{} {} {} not served by this machine", missing.size() == 1 ? "" : "s",
                         Quoted(missing), missing.size() == 1 ? "is" : "are");
    }
    if (group_missing) {
      what += (what.empty() ? "" : ", and ") +
              fmt::format("runner group \"{}\" is not one of this machine's ({})", runs_on.group,
                          served.groups.empty() ? "none" : Quoted(served.groups));
    }
    verdict.message = fmt::format(
        "{} (served, from {}: {}); add it to .slipway/runners.yml if this machine is such a "
        "runner, or map it there to run the job here anyway (`map: {{{}: host}}`)",
        what, served.source, Quoted(served.labels),
        missing.empty() ? runs_on.group : missing.front());
    return verdict;
  }
  if (!mapped.empty()) {
    verdict.kind = RunnerVerdict::Kind::kMapped;
    verdict.message = fmt::format(
        "runs HERE although this machine is not {}: mapped to this host by {}", Quoted(mapped),
        served.source);
  }
  return verdict;
}

}  // namespace slipway::plan
