// Calls of reusable workflows (`jobs.<id>.uses`) checked against the called workflow, when its
// text is at hand (ValidateOptions::read_callee: local `./...yml` calls in the CLI):
// https://docs.github.com/actions/using-workflows/reusing-workflows
// As GitHub's parser checks them: the callee has a workflow_call trigger; every `with:` key is
// one of its inputs ("Invalid input, foo is not defined in the referenced workflow.") with a
// value of the input's type (a boolean or number input takes a boolean or number, or an
// expression; a string input takes any scalar); every required input is given ("Input foo is
// required, but not provided while calling."); the same for `secrets:` unless `inherit`.
// The callee's jobs may not ask for more GITHUB_TOKEN permissions than the calling job grants
// ("The nested job 'deploy' is requesting 'actions: write', but is only allowed 'actions:
// none'"): checked when the caller states its permissions (job or workflow level); with none
// stated the grant is the repository's default, a setting slipway does not know.
// Beyond the parser (a warning, as for any job): `needs.<call>.outputs.<name>` names an output
// the callee declares. Not checked here: the nesting of the callee's own calls.
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/model/load_workflow.h"
#include "interpreter/validate/rule.h"
#include "interpreter/validate/rule_expr_refs.h"
#include "interpreter/base/ascii.h"
#include "interpreter/validate/rule_util.h"

namespace slipway::validate {
namespace {

const model::InputDef* FindInput(const model::Trigger& call, std::string_view name) {
  for (const model::InputDef& input : call.inputs) {
    if (AsciiLower(input.name.value) == AsciiLower(name)) return &input;
  }
  return nullptr;
}

bool Given(const model::StrMap& map, std::string_view name) {
  for (const auto& [key, value] : map) {
    if (AsciiLower(key.value) == AsciiLower(name)) return true;
  }
  return false;
}

std::vector<std::string> Names(const std::vector<model::InputDef>& inputs) {
  std::vector<std::string> names;
  for (const model::InputDef& input : inputs) names.push_back(input.name.value);
  return names;
}
std::vector<std::string> Names(const std::vector<model::NamedDecl>& decls) {
  std::vector<std::string> names;
  for (const model::NamedDecl& decl : decls) names.push_back(decl.name.value);
  return names;
}

void CheckInputs(const RuleContext& context, const model::Job& job, const model::Trigger& call) {
  const std::string& uses = job.uses->value;
  for (const auto& [key, value] : job.with) {
    const model::InputDef* input = FindInput(call, key.value);
    if (!input) {
      context.diagnostics.Error(
          "reusable-call", key.where,
          fmt::format("input \"{}\" is not defined by the called workflow \"{}\"{}", key.value,
                      uses, SuggestIgnoringCase(key.value, Names(call.inputs))));
      continue;
    }
    if (value.has_expr || !value.node || !value.node->is_scalar()) continue;
    const std::string type = input->type_name();
    const bool fits = type == "boolean"  ? yaml::IsBoolScalar(*value.node)
                      : type == "number" ? yaml::IsNumberScalar(*value.node)
                                         : true;
    if (!fits) {
      context.diagnostics.Error(
          "reusable-call", value.where,
          fmt::format("input \"{}\" of the called workflow is a {}; \"{}\" is not {}", key.value,
                      type, value.value, type == "boolean" ? "true or false" : "a number"));
    }
  }
  for (const model::InputDef& input : call.inputs) {
    if (!input.required || Given(job.with, input.name.value)) continue;
    context.diagnostics.Error(
        "reusable-call", job.uses->where,
        fmt::format("input \"{}\" is required by the called workflow \"{}\", but not given in "
                    "\"with\"",
                    input.name.value, uses));
  }
}

void CheckSecrets(const RuleContext& context, const model::Job& job, const model::Trigger& call) {
  if (job.secrets_inherit) return;  // every secret of the caller is passed on
  const std::string& uses = job.uses->value;
  std::vector<std::string> declared = Names(call.secrets);
  for (const auto& [key, value] : job.secrets) {
    if (ContainsIgnoringCase(declared, key.value)) continue;
    context.diagnostics.Error(
        "reusable-call", key.where,
        fmt::format("secret \"{}\" is not defined by the called workflow \"{}\"{}", key.value, uses,
                    SuggestIgnoringCase(key.value, declared)));
  }
  for (const model::NamedDecl& secret : call.secrets) {
    if (!secret.required || Given(job.secrets, secret.name.value)) continue;
    context.diagnostics.Error(
        "reusable-call", job.uses->where,
        fmt::format("secret \"{}\" is required by the called workflow \"{}\", but not given in "
                    "\"secrets\"",
                    secret.name.value, uses));
  }
}

// GITHUB_TOKEN permission scopes, in the order GitHub lists them.
// https://docs.github.com/actions/using-jobs/assigning-permissions-to-jobs
constexpr const char* kScopes[] = {"actions",
                                   "attestations",
                                   "checks",
                                   "contents",
                                   "deployments",
                                   "discussions",
                                   "id-token",
                                   "issues",
                                   "models",
                                   "packages",
                                   "pages",
                                   "pull-requests",
                                   "repository-projects",
                                   "security-events",
                                   "statuses"};
constexpr size_t kScopeCount = std::size(kScopes);
enum class Level : uint8_t { kNone, kRead, kWrite };
constexpr const char* kLevelNames[] = {"none", "read", "write"};
using Grant = std::array<Level, kScopeCount>;

/// The levels `permissions` sets: read-all / write-all for every scope, or the scopes listed
/// (the rest none). nullopt when absent.
std::optional<Grant> GrantOf(const model::Permissions& permissions) {
  if (!permissions.present) return std::nullopt;
  Grant grant;
  grant.fill(Level::kNone);
  if (permissions.all) {
    const std::string& all = permissions.all->value;
    if (all == "read-all") grant.fill(Level::kRead);
    if (all == "write-all") grant.fill(Level::kWrite);
    return grant;
  }
  for (const auto& [scope, level] : permissions.scopes) {
    for (size_t i = 0; i < kScopeCount; ++i) {
      if (scope.value != kScopes[i]) continue;
      grant[i] = level.value == "write"  ? Level::kWrite
                 : level.value == "read" ? Level::kRead
                                         : Level::kNone;
    }
  }
  return grant;
}

void CheckPermissions(const RuleContext& context, const model::Job& job,
                      const model::Workflow& callee) {
  std::optional<Grant> allowed = GrantOf(job.permissions);
  if (!allowed) allowed = GrantOf(context.workflow.permissions);
  if (!allowed) return;  // the repository's default: unknown here
  for (const model::Job& nested : callee.jobs) {
    std::optional<Grant> requested = GrantOf(nested.permissions);
    if (!requested) requested = GrantOf(callee.permissions);
    if (!requested) continue;  // inherits what the caller grants
    std::string asked, given;
    for (size_t i = 0; i < kScopeCount; ++i) {
      if ((*requested)[i] <= (*allowed)[i]) continue;
      asked += fmt::format("{}{}: {}", asked.empty() ? "" : ", ", kScopes[i],
                           kLevelNames[static_cast<int>((*requested)[i])]);
      given += fmt::format("{}{}: {}", given.empty() ? "" : ", ", kScopes[i],
                           kLevelNames[static_cast<int>((*allowed)[i])]);
    }
    if (asked.empty()) continue;
    context.diagnostics.Error(
        "reusable-call", job.where,
        fmt::format("job \"{}\" of the called workflow \"{}\" requests \"{}\", but job \"{}\" "
                    "allows only \"{}\"",
                    nested.id.value, job.uses->value, asked, job.id.value, given));
  }
}

}  // namespace

void CheckReusableCalls(const RuleContext& context) {
  if (!context.read_callee || !*context.read_callee) return;
  std::map<std::string, std::vector<std::string>> outputs;  // lower-cased call job id → names
  for (const model::Job& job : context.workflow.jobs) {
    if (!job.uses || job.uses->has_expr) continue;
    std::optional<std::string> text = (*context.read_callee)(job.uses->value);
    if (!text) continue;
    SourceManager sources;
    const FileId file = sources.Add(job.uses->value, std::move(*text));
    Diagnostics ignored;  // the callee's own problems are reported when it is validated
    std::optional<model::Workflow> callee = model::LoadWorkflowText(sources, file, ignored);
    if (!callee) continue;
    const model::Trigger* call = callee->FindTrigger("workflow_call");
    if (!call) {
      context.diagnostics.Error(
          "reusable-call", job.uses->where,
          fmt::format("the called workflow \"{}\" has no \"workflow_call\" trigger, so it "
                      "cannot be called",
                      job.uses->value));
      continue;
    }
    CheckInputs(context, job, *call);
    CheckSecrets(context, job, *call);
    CheckPermissions(context, job, *callee);
    outputs[AsciiLower(job.id.value)] = Names(call->outputs);
  }
  if (outputs.empty()) return;
  ForEachAccess(context, [&](const ExprAccess& use) {
    if (use.Segment(0) != "needs" || use.segment_count() < 4 || use.IsIndexed(1) ||
        use.Segment(2) != "outputs" || use.IsIndexed(3)) {
      return;
    }
    auto it = outputs.find(use.Segment(1));
    if (it == outputs.end()) return;
    const std::string& written = use.access->segments[3].name;
    if (ContainsIgnoringCase(it->second, written)) return;
    std::string hint = SuggestIgnoringCase(written, it->second);
    if (hint.empty()) {
      hint = it->second.empty() ? "; it declares no outputs"
                                : fmt::format("; its outputs are {}", QuotedList(it->second));
    }
    context.diagnostics.Warning(
        "expr-needs", use.RangeFrom(3),
        fmt::format("the workflow called by job \"{}\" has no output \"{}\", so it is always "
                    "null{}",
                    use.access->segments[1].name, written, hint));
  });
}

}  // namespace slipway::validate
