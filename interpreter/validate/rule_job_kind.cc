// A job either runs on a runner (`runs-on` + `steps`) or calls a reusable workflow (`uses`):
// https://docs.github.com/actions/using-workflows/reusing-workflows#calling-a-reusable-workflow
// Keys of one kind are refused in the other, as GitHub's parser does.
#include <fmt/format.h>

#include <set>
#include <string>

#include "interpreter/validate/rule.h"

namespace slipway::validate {
namespace {

// Keys a reusable-workflow call accepts (besides its own `uses`, `with`, `secrets`).
const std::set<std::string>& CallKeys() {
  static const std::set<std::string> kKeys = {
      "name", "uses", "with", "secrets", "needs", "if", "permissions", "concurrency", "strategy"};
  return kKeys;
}

}  // namespace

void CheckJobKind(const RuleContext& context) {
  for (const model::Job& job : context.workflow.jobs) {
    const yaml::Node* node = job.node;
    if (!node || !node->is_mapping()) continue;
    if (node->Find("uses")) {
      // GitHub decides the job's kind by its first key; when `runs-on` comes first, the
      // `uses` after it is the stray key.
      const yaml::Node* uses_key = node->FindKey("uses");
      const yaml::Node* runs_on_key = node->FindKey("runs-on");
      if (runs_on_key && runs_on_key->where.begin < uses_key->where.begin) {
        context.diagnostics.Error(
            "job-kind", uses_key->where,
            fmt::format("key \"uses\" is not allowed in job \"{}\", which runs on a runner "
                        "(\"runs-on\"); a job either runs steps or calls a reusable workflow",
                        job.id.value));
        continue;
      }
      for (const auto& [key, value] : node->entries) {
        if (CallKeys().count(key.value) || !key.is_scalar()) continue;
        // Unknown keys are the schema's; only runner-job keys are wrong here.
        static const std::set<std::string> kRunnerKeys = {"runs-on",
                                                          "steps",
                                                          "env",
                                                          "environment",
                                                          "outputs",
                                                          "defaults",
                                                          "timeout-minutes",
                                                          "cancel-timeout-minutes",
                                                          "continue-on-error",
                                                          "container",
                                                          "services",
                                                          "snapshot"};
        if (!kRunnerKeys.count(key.value)) continue;
        context.diagnostics.Error(
            "job-kind", key.where,
            fmt::format("key \"{}\" is not allowed in job \"{}\", which calls a reusable workflow "
                        "with \"uses\"",
                        key.value, job.id.value));
      }
      continue;
    }
    for (const char* key : {"with", "secrets"}) {
      if (const yaml::Node* k = node->FindKey(key)) {
        context.diagnostics.Error(
            "job-kind", k->where,
            fmt::format("key \"{}\" is only allowed in a job that calls a reusable workflow with "
                        "\"uses\"",
                        key));
      }
    }
    if (const yaml::Node* runs_on = node->Find("runs-on"); runs_on && runs_on->is_mapping()) {
      const yaml::Node* group = runs_on->Find("group");
      if (group && group->is_scalar() && group->value.find("${{") == std::string::npos) {
        const std::string& name = group->value;
        size_t slash = name.find('/');
        if (slash != std::string::npos) {
          std::string prefix = name.substr(0, slash + 1);
          bool known = prefix == "organization/" || prefix == "enterprise/" || prefix == "org/" ||
                       prefix == "ent/";
          if (!known || slash + 1 == name.size() ||
              name.find('/', slash + 1) != std::string::npos) {
            context.diagnostics.Error(
                "job-kind", group->where,
                fmt::format("invalid runner group \"{}\"; a qualified group name is "
                            "\"organization/<name>\" or \"enterprise/<name>\" (or \"org/\", "
                            "\"ent/\")",
                            name));
          }
        }
      }
    }
    if (!node->Find("runs-on")) {
      context.diagnostics.Error(
          "job-kind", node->where,
          fmt::format("job \"{}\" is missing required key \"runs-on\"", job.id.value));
    }
    if (!node->Find("steps")) {
      // GitHub accepts the file but fails the job when it runs.
      context.diagnostics.Warning(
          "job-kind", node->where,
          fmt::format("job \"{}\" has no \"steps\"; it would fail when run", job.id.value));
    }
  }
}

}  // namespace slipway::validate
