#include "interpreter/exec/run_origin.h"

#include <fmt/format.h>

#include <algorithm>

#include "interpreter/base/json_nesting.h"
#include "interpreter/exec/audit.h"
#include "interpreter/exec/run_store.h"
#include "interpreter/model/load_workflow.h"
#include "interpreter/plan/render.h"

namespace slipway::exec {
namespace {

using nlohmann::ordered_json;

// A typed input back to its command-line spelling.
std::string InputText(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

template <typename Json>
plan::KeyValues Pairs(const Json& object) {
  plan::KeyValues pairs;
  if (!object.is_object()) return pairs;
  for (auto it = object.begin(); it != object.end(); ++it) {
    pairs.emplace_back(it.key(), InputText(*it));
  }
  return pairs;
}

/// Sets `*field` to `recorded`; a value given on the command line that differs is an error.
Expected<bool> Take(const char* flag, const std::optional<std::string>& given,
                    const std::string& recorded, const std::string& source,
                    std::optional<std::string>* field) {
  if (given && *given != recorded) {
    return MakeUnexpected(fmt::format("{} \"{}\" conflicts with {}, which has \"{}\"", flag,
                                      *given, source, recorded));
  }
  *field = recorded;
  return true;
}

Expected<bool> TakePairs(const char* flag, const plan::KeyValues& given,
                         const plan::KeyValues& recorded, const std::string& source,
                         plan::KeyValues* field) {
  if (!given.empty()) {
    for (const auto& [key, value] : given) {
      bool found = false;
      for (const auto& [k, v] : recorded) found = found || (k == key && v == value);
      if (!found) {
        return MakeUnexpected(fmt::format("{} {}={} conflicts with {}", flag, key, value, source));
      }
    }
  }
  *field = recorded;
  return true;
}

/// --workflow-path: what was recorded; one given that differs is an error.
template <typename Json>
Expected<bool> TakeWorkflowPaths(const Json& recorded, const std::string& source,
                                 plan::WorkflowPaths* field) {
  plan::WorkflowPaths paths;
  if (recorded.is_object()) {
    for (auto it = recorded.begin(); it != recorded.end(); ++it) {
      if (it->is_string()) paths[it.key()] = it->template get<std::string>();
    }
  }
  for (const auto& [repository, dir] : *field) {
    auto it = paths.find(repository);
    if (it == paths.end() || it->second != dir) {
      return MakeUnexpected(
          fmt::format("--workflow-path {}={} conflicts with {}", repository, dir, source));
    }
  }
  *field = std::move(paths);
  return true;
}

}  // namespace

Expected<ordered_json> OptionsFromReviewedPlan(const std::string& path,
                                               plan::PlanOptions* options) {
  std::string text, error;
  if (!model::ReadWholeFile(path, &text, &error)) {
    return MakeUnexpected(fmt::format("cannot read \"{}\": {}", path, error));
  }
  if (std::string deep = JsonNestingError(text, kMaxRecordJsonNesting); !deep.empty()) {
    return MakeUnexpected(fmt::format("reviewed plan \"{}\" {}", path, deep));
  }
  ordered_json reviewed = ordered_json::parse(text, nullptr, false);
  if (!reviewed.is_object() || !reviewed.contains("workflow") || !reviewed.contains("jobs") ||
      !reviewed["workflow"].is_string()) {
    return MakeUnexpected(
        fmt::format("\"{}\" is not a plan written by `slipway plan --format json`", path));
  }
  std::string source = fmt::format("the reviewed plan \"{}\"", path);
  std::string workflow = reviewed.value("workflow", "");
  if (!options->workflow_path.empty() && options->workflow_path != workflow) {
    return MakeUnexpected(
        fmt::format("the plan is for \"{}\", not \"{}\"", workflow, options->workflow_path));
  }
  options->workflow_path = workflow;
  std::string event = reviewed.value("event", "");
  if (!options->event_name.empty() && options->event_name != event) {
    return MakeUnexpected(fmt::format("--event \"{}\" conflicts with {}, which has \"{}\"",
                                      options->event_name, source, event));
  }
  options->event_name = event;
  for (auto [flag, key, field] :
       {std::tuple{"--ref", "ref", &options->ref}, std::tuple{"--sha", "sha", &options->sha},
        std::tuple{"--actor", "actor", &options->actor}}) {
    std::optional<std::string> given = *field;
    Expected<bool> taken = Take(flag, given, reviewed.value(key, ""), source, field);
    if (!taken) return MakeUnexpected(taken.error());
  }
  if (reviewed.contains("environments_file") && reviewed["environments_file"].is_string()) {
    std::optional<std::string> given = options->env_config;
    Expected<bool> taken = Take("--env-config", given,
                                reviewed["environments_file"].get<std::string>(), source,
                                &options->env_config);
    if (!taken) return MakeUnexpected(taken.error());
  }
  plan::KeyValues given_inputs = options->inputs;
  Expected<bool> inputs =
      TakePairs("--input", given_inputs, Pairs(reviewed["inputs"]), source, &options->inputs);
  if (!inputs) return MakeUnexpected(inputs.error());
  plan::KeyValues given_vars = options->vars;
  Expected<bool> vars = TakePairs("--var", given_vars,
                                  Pairs(reviewed.contains("vars") ? reviewed["vars"]
                                                                  : ordered_json::object()),
                                  source, &options->vars);
  if (!vars) return MakeUnexpected(vars.error());
  Expected<bool> paths = TakeWorkflowPaths(
      reviewed.contains("workflow_paths") ? reviewed["workflow_paths"] : ordered_json::object(),
      source, &options->workflow_paths);
  if (!paths) return MakeUnexpected(paths.error());
  return reviewed;
}

Expected<bool> CheckReviewedPlan(const ordered_json& reviewed, const std::string& path,
                                 const plan::Plan& plan) {
  if (reviewed.value("workflow_sha256", "") != plan.workflow_sha256) {
    return MakeUnexpected(fmt::format(
        "\"{}\" changed since the plan was made; make and review a new plan", plan.workflow_path));
  }
  std::string env_sha =
      reviewed.contains("environments_sha256") && reviewed["environments_sha256"].is_string()
          ? reviewed["environments_sha256"].get<std::string>()
          : "";
  if (env_sha != plan.environments_sha256) {
    return MakeUnexpected(std::string(
        "the environments file changed since the plan was made; make and review a new plan"));
  }
  const ordered_json made = plan::PlanToJson(plan);
  const ordered_json no_calls = ordered_json::array();
  const ordered_json& called_now = made.contains("called_workflows") ? made["called_workflows"]
                                                                      : no_calls;
  const ordered_json& called_then =
      reviewed.contains("called_workflows") ? reviewed["called_workflows"] : no_calls;
  if (called_now != called_then) {
    for (const ordered_json& file : called_now) {
      if (std::find(called_then.begin(), called_then.end(), file) == called_then.end()) {
        return MakeUnexpected(fmt::format(
            "the called workflow \"{}\" changed since the plan was made; make and review a new "
            "plan",
            file.value("path", "")));
      }
    }
    return MakeUnexpected(std::string(
        "the reusable workflows called changed since the plan was made; make and review a new "
        "plan"));
  }
  if (made["jobs"] != reviewed["jobs"]) {
    return MakeUnexpected(fmt::format(
        "the plan made now differs from \"{}\" (an event payload, a local action or the git "
        "checkout changed); make and review a new plan",
        path));
  }
  return true;
}

Expected<bool> OptionsFromRunRecord(const std::string& state_dir, const std::string& run_id,
                                    plan::PlanOptions* options) {
  Expected<RunRecord> record = RunStore::Load(state_dir, run_id);
  if (!record) return MakeUnexpected(record.error());
  std::string source = fmt::format("run \"{}\"", run_id);
  if (!options->workflow_path.empty() && options->workflow_path != record->workflow) {
    return MakeUnexpected(fmt::format("run \"{}\" ran \"{}\", not \"{}\"", run_id,
                                      record->workflow, options->workflow_path));
  }
  options->workflow_path = record->workflow;
  if (!options->event_name.empty() && options->event_name != record->event) {
    return MakeUnexpected(fmt::format("--event \"{}\" conflicts with {}, which has \"{}\"",
                                      options->event_name, source, record->event));
  }
  options->event_name = record->event;
  for (auto [flag, recorded, field] :
       {std::tuple{"--ref", &record->ref, &options->ref},
        std::tuple{"--sha", &record->sha, &options->sha},
        std::tuple{"--actor", &record->actor, &options->actor}}) {
    std::optional<std::string> given = *field;
    Expected<bool> taken = Take(flag, given, *recorded, source, field);
    if (!taken) return MakeUnexpected(taken.error());
  }
  if (!record->environments_file.empty() || options->env_config) {
    std::optional<std::string> given = options->env_config;
    Expected<bool> taken =
        Take("--env-config", given, record->environments_file, source, &options->env_config);
    if (!taken) return MakeUnexpected(taken.error());
    if (options->env_config->empty()) options->env_config.reset();
  }
  plan::KeyValues given_inputs = options->inputs;
  Expected<bool> inputs =
      TakePairs("--input", given_inputs, Pairs(record->inputs), source, &options->inputs);
  if (!inputs) return MakeUnexpected(inputs.error());
  plan::KeyValues given_vars = options->vars;
  Expected<bool> vars =
      TakePairs("--var", given_vars, Pairs(record->vars), source, &options->vars);
  if (!vars) return MakeUnexpected(vars.error());
  Expected<bool> paths = TakeWorkflowPaths(record->workflow_paths, source,
                                           &options->workflow_paths);
  if (!paths) return MakeUnexpected(paths.error());
  if (options->event_file) {
    return MakeUnexpected(fmt::format(
        "--event-file cannot be given with --resume: {} keeps the payload it started with",
        source));
  }
  if (!record->event_file.empty()) {
    options->event_file = RunDirectory(state_dir, run_id) + "/" + record->event_file;
  }
  return true;
}

namespace {

// The run's origin in its record against now.
Expected<bool> CheckResumeMatches(const RunRecord& record, const plan::Plan& plan) {
  auto differs = [&](const char* what, const std::string& was, const std::string& now) {
    return MakeUnexpected(fmt::format(
        "run \"{}\" started with {} \"{}\", not \"{}\"; a resume runs exactly what the run "
        "started with (drop the flag, or start a new run)",
        record.id, what, was, now));
  };
  if (record.workflow != plan.workflow_path) {
    return differs("workflow", record.workflow, plan.workflow_path);
  }
  if (record.event != plan.event) return differs("event", record.event, plan.event);
  if (record.ref != plan.ref) return differs("ref", record.ref, plan.ref);
  if (record.sha != plan.sha) return differs("commit", record.sha, plan.sha);
  if (record.actor != plan.actor) return differs("actor", record.actor, plan.actor);
  if (record.inputs != nlohmann::json::parse(plan.inputs.dump())) {
    return differs("inputs", record.inputs.dump(), plan.inputs.dump());
  }
  if (record.vars != nlohmann::json::parse(plan.vars.dump())) {
    return differs("vars", record.vars.dump(), plan.vars.dump());
  }
  if (record.environments_file != plan.environments_path) {
    return differs("environments file", record.environments_file, plan.environments_path);
  }
  if (!record.environments_sha256.empty() &&
      record.environments_sha256 != plan.environments_sha256) {
    return MakeUnexpected(fmt::format(
        "the environments file \"{}\" changed since run \"{}\" started; it cannot be resumed",
        plan.environments_path, record.id));
  }
  const nlohmann::json called = CalledWorkflowsJson(plan);
  if (record.called_workflows != called) {
    std::string path;
    for (const nlohmann::json& file : called) {
      bool recorded = false;
      for (const nlohmann::json& was : record.called_workflows) recorded = recorded || was == file;
      if (!recorded && path.empty()) path = file.value("path", "");
    }
    return MakeUnexpected(
        path.empty()
            ? fmt::format("the reusable workflows called changed since run \"{}\" started; it "
                          "cannot be resumed",
                          record.id)
            : fmt::format("the called workflow \"{}\" changed since run \"{}\" started; it "
                          "cannot be resumed",
                          path, record.id));
  }
  return true;
}

}  // namespace

Expected<bool> CheckResume(RunRecord* record, const plan::Plan& plan, const std::string& state_dir,
                           std::vector<std::string>* notices) {
  if (record->workflow_sha256 != plan.workflow_sha256) {
    return MakeUnexpected(fmt::format(
        "the workflow file changed since run \"{}\" started; it cannot be resumed", record->id));
  }
  if (Expected<bool> same = CheckResumeMatches(*record, plan); !same) return same;
  Expected<std::vector<nlohmann::json>> entries = VerifiedRunEntries(state_dir, record->id);
  if (!entries) {
    return MakeUnexpected(fmt::format("run \"{}\" cannot be resumed: {}", record->id,
                                      entries.error()));
  }
  const nlohmann::json* start = nullptr;
  std::map<std::string, std::string> results;  // job key → its last audited result
  for (const nlohmann::json& entry : *entries) {
    const std::string kind = entry.value("kind", "");
    if (kind == "run-start" && !start) start = &entry;
    if (kind == "job-result" && entry.contains("job") && entry["job"].is_string()) {
      results[entry["job"].get<std::string>()] = entry.value("result", "");
    }
  }
  if (!start) {
    return MakeUnexpected(fmt::format(
        "run \"{}\" cannot be resumed: the audit log has no run-start entry for it", record->id));
  }
  const nlohmann::json how = start->value("how", nlohmann::json::object());
  for (const auto& [key, now] : {std::pair<const char*, const std::string&>{
                                     "workflow_sha256", plan.workflow_sha256},
                                 {"environments_file", plan.environments_path},
                                 {"environments_sha256", plan.environments_sha256}}) {
    // Entries written before a key was audited do not have it.
    if (how.contains(key) && how[key].is_string() && how[key].get<std::string>() != now) {
      return MakeUnexpected(fmt::format(
          "run \"{}\" started with {} \"{}\" (audit log), not \"{}\"; a resume runs exactly "
          "what the run started with",
          record->id, key, how[key].get<std::string>(), now));
    }
  }
  for (auto& [key, job] : record->jobs) {
    if (job.status != JobRecordStatus::kCompleted || job.result != JobResult::kSuccess) continue;
    auto audited = results.find(key);
    if (audited != results.end() && audited->second == "success") continue;
    notices->push_back(fmt::format(
        "job \"{}\": the run record says it succeeded, the audit log does not; it runs again",
        key));
    job = JobRecord{};
  }
  return true;
}

}  // namespace slipway::exec
