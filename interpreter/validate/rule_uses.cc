// `uses` of steps and jobs:
// https://docs.github.com/actions/using-workflows/workflow-syntax-for-github-actions#jobsjob_idstepsuses
// Steps take {owner}/{repo}[/path]@ref, ./path, $/path (this repository) or docker://image; a job
// calls a reusable workflow with {owner}/{repo}/{path}.yml@ref or ./path.yml. Built-in steps
// (slipway/<name>@v1) must name a step of the catalog, and their `with:` is checked against that
// step's JSON Schema. A local path (./path, .\\path, $/path) stays inside the repository: GitHub
// resolves it there (the workspace for an action, the caller's repository for a reusable
// workflow), so "./../x" is an error and slipway never reads or runs it. GitHub reads a local
// reusable workflow only from .github/workflows ("references to workflows must be rooted in
// '.github/workflows'"); slipway runs one from anywhere in the repository and says so under
// --portable.
#include <fmt/format.h>
#include <re2/re2.h>

#include <string>
#include <vector>

#include "interpreter/model/action.h"
#include "interpreter/validate/rule.h"
#include "interpreter/validate/rule_util.h"
#include "interpreter/validate/schema_pass.h"
#include "interpreter/validate/validate.h"

namespace slipway::validate {
namespace {

const RE2& RemoteAction() {
  static const RE2 kPattern(R"([^/@]+/[^/@]+(/[^@]*)?@[^@]+)");
  return kPattern;
}

const RE2& RemoteWorkflow() {
  static const RE2 kPattern(R"([^/@]+/[^/@]+/[^@]+\.ya?ml@[^@]+)");
  return kPattern;
}

SchemaCheckOptions WithOptions() {
  SchemaCheckOptions options;
  options.rule = "step-with";
  options.root_name = "with";
  options.scalars_are_strings = true;
  return options;
}

void CheckBuiltin(const RuleContext& context, const yaml::Node& step, const model::Str& uses) {
  std::string name, ref;
  if (!step_api::IsBuiltinUses(uses.value, &name, &ref)) return;
  if (context.portable) {
    context.diagnostics.Warning(
        "not-portable", uses.where,
        fmt::format("\"{}\" is a slipway built-in step; GitHub has no such action, so this "
                    "workflow runs only with slipway",
                    uses.value));
  }
  const step_api::StepTypeInfo* type = context.catalog.Find(name);
  if (!type) {
    std::vector<std::string> names;
    for (const step_api::StepTypeInfo& t : context.catalog.types()) {
      names.push_back(fmt::format("slipway/{}@{}", t.name, ref));
    }
    context.diagnostics.Error(
        "builtin-step", uses.where,
        fmt::format("unknown built-in step \"{}\"{}", uses.value, DidYouMean(uses.value, names)));
    return;
  }
  if (ref != "v1") {
    context.diagnostics.Error(
        "builtin-step", uses.where,
        fmt::format("unknown version \"{}\" of built-in step \"slipway/{}\"; expected \"v1\"", ref,
                    name));
  }
  if (!type->schema || !*type->schema) return;
  const yaml::Node* with = step.Find("with");
  if (with && with->is_mapping()) {
    CheckAgainstSchema(*with, type->schema, WithOptions(), context.diagnostics);
  } else if (!with || with->is_null()) {
    // No inputs at all still has to satisfy the required ones; point at `uses`.
    yaml::Node empty;
    empty.kind = yaml::NodeKind::kMapping;
    empty.where = uses.where;
    CheckAgainstSchema(empty, type->schema, WithOptions(), context.diagnostics);
  }
}

/// Reports a local `uses:` that leaves the repository; true when it does.
bool RefuseOutsideRepository(const RuleContext& context, const model::Str& uses,
                             std::string_view what) {
  if (!model::LeavesRepository(uses.value)) return false;
  context.diagnostics.Error(
      "uses-format", uses.where,
      fmt::format("local {} \"{}\" leaves the repository; a \"./\" path is resolved inside it, "
                  "as on GitHub",
                  what, uses.value));
  return true;
}

/// --portable: GitHub calls a local reusable workflow only from .github/workflows itself.
void WarnOutsideWorkflowsDirectory(const RuleContext& context, const model::Str& uses) {
  if (!context.portable || uses.value.rfind("./", 0) != 0) return;
  std::string dir = model::LocalActionDir(uses.value);
  dir = dir.substr(0, dir.find_last_of('/') == std::string::npos ? 0 : dir.find_last_of('/'));
  if (dir == ".github/workflows") return;
  context.diagnostics.Warning(
      "not-portable", uses.where,
      fmt::format("GitHub calls a local reusable workflow only from \".github/workflows\" (no "
                  "subdirectory); \"{}\" runs only with slipway",
                  uses.value));
}

}  // namespace

void CheckUses(const RuleContext& context) {
  for (const model::Job& job : context.workflow.jobs) {
    if (job.uses && !job.uses->has_expr) {
      const std::string& value = job.uses->value;
      // "$/path" is the calling repository itself, at the same commit.
      bool local = value.rfind("./", 0) == 0 || value.rfind("$/", 0) == 0;
      bool ok = local ? (value.ends_with(".yml") || value.ends_with(".yaml"))
                      : RE2::FullMatch(value, RemoteWorkflow());
      if (!ok) {
        context.diagnostics.Error(
            "uses-format", job.uses->where,
            fmt::format("invalid reusable workflow \"{}\"; expected "
                        "\"{{owner}}/{{repo}}/{{path}}.yml@{{ref}}\" or \"./{{path}}.yml\"",
                        value));
      }
      if (ok && local && !RefuseOutsideRepository(context, *job.uses, "reusable workflow")) {
        WarnOutsideWorkflowsDirectory(context, *job.uses);
      }
      if (ok && !local && CallLeavesItsRepository(value)) {
        context.diagnostics.Error(
            "uses-format", job.uses->where,
            fmt::format("reusable workflow \"{}\" names a path outside its repository", value));
      }
    }
    for (const model::Step& step : job.steps) {
      if (!step.uses || step.uses->has_expr || !step.node) continue;
      const std::string& value = step.uses->value;
      if (value.rfind("docker://", 0) == 0 || value.rfind("./", 0) == 0 ||
          value.rfind(".\\", 0) == 0 || value.rfind("$/", 0) == 0) {
        RefuseOutsideRepository(context, *step.uses, "action");
        continue;
      }
      if (!RE2::FullMatch(value, RemoteAction())) {
        context.diagnostics.Error(
            "uses-format", step.uses->where,
            fmt::format("invalid action \"{}\"; expected \"{{owner}}/{{repo}}[/path]@{{ref}}\", "
                        "\"./path\" or \"docker://image\"",
                        value));
        continue;
      }
      CheckBuiltin(context, *step.node, *step.uses);
    }
  }
}

}  // namespace slipway::validate
