// Where expressions may appear and which contexts and functions they may use there:
// https://docs.github.com/actions/learn-github-actions/contexts#context-availability
// A key whose value must be known before the workflow runs (`uses`, `on`, job ids, step ids,
// `shell`, `needs`, `permissions`...) takes no expression at all; mapping keys never do.
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

#include "interpreter/expr/functions.h"
#include "interpreter/validate/expr_sites.h"
#include "interpreter/validate/rule.h"
#include "interpreter/base/ascii.h"
#include "interpreter/validate/rule_util.h"

namespace slipway::validate {
namespace {

enum Context : uint32_t {
  kGithub = 1 << 0,
  kInputs = 1 << 1,
  kVars = 1 << 2,
  kSecrets = 1 << 3,
  kNeeds = 1 << 4,
  kStrategy = 1 << 5,
  kMatrix = 1 << 6,
  kSteps = 1 << 7,
  kJob = 1 << 8,
  kRunner = 1 << 9,
  kEnv = 1 << 10,
  kJobs = 1 << 11,
  // Function groups share the mask.
  kStatusFunctions = 1 << 20,
  kHashFiles = 1 << 21,
};

constexpr const char* kContextNames[] = {"github", "inputs", "vars", "secrets", "needs", "strategy",
                                         "matrix", "steps",  "job",  "runner",  "env",   "jobs"};

constexpr uint32_t kBase = kGithub | kInputs | kVars;
constexpr uint32_t kStrategyScope = kBase | kNeeds | kStrategy | kMatrix;
constexpr uint32_t kRunnerScope = kStrategyScope | kSecrets | kSteps | kJob | kRunner | kEnv;
constexpr uint32_t kStepScope = kRunnerScope | kHashFiles;
constexpr uint32_t kStepIf = (kStepScope & ~kSecrets) | kStatusFunctions;

/// A row of the availability table: a path pattern ("*" = one segment, "**" = any rest,
/// including none), how the docs name the key, and what is available there. First match wins.
struct Site {
  const char* pattern;
  const char* name;
  uint32_t allowed;
};

const Site kSites[] = {
    {"run-name", "run-name", kBase},
    {"env/**", "env", kBase | kSecrets},
    {"concurrency/**", "concurrency", kBase},
    {"on/workflow_call/inputs/*/default", "on.workflow_call.inputs.<id>.default", kBase},
    {"on/workflow_call/outputs/*/value", "on.workflow_call.outputs.<id>.value", kBase | kJobs},
    {"jobs/*/if", "jobs.<job_id>.if", kBase | kNeeds | kStatusFunctions},
    {"jobs/*/name", "jobs.<job_id>.name", kStrategyScope},
    {"jobs/*/runs-on/**", "jobs.<job_id>.runs-on", kStrategyScope},
    {"jobs/*/env/**", "jobs.<job_id>.env", kStrategyScope | kSecrets},
    {"jobs/*/environment/url", "jobs.<job_id>.environment.url", kRunnerScope & ~kSecrets},
    {"jobs/*/environment/**", "jobs.<job_id>.environment", kStrategyScope},
    {"jobs/*/concurrency/**", "jobs.<job_id>.concurrency", kStrategyScope},
    {"jobs/*/defaults/run/**", "jobs.<job_id>.defaults.run", kStrategyScope | kEnv},
    {"jobs/*/outputs/**", "jobs.<job_id>.outputs", kRunnerScope},
    {"jobs/*/strategy/**", "jobs.<job_id>.strategy", kBase | kNeeds},
    {"jobs/*/timeout-minutes", "jobs.<job_id>.timeout-minutes", kStrategyScope},
    {"jobs/*/cancel-timeout-minutes", "jobs.<job_id>.cancel-timeout-minutes", kStrategyScope},
    {"jobs/*/continue-on-error", "jobs.<job_id>.continue-on-error", kStrategyScope},
    {"jobs/*/container/credentials/**", "jobs.<job_id>.container.credentials",
     kBase | kSecrets | kEnv},
    {"jobs/*/container/env/**", "jobs.<job_id>.container.env", kRunnerScope},
    {"jobs/*/container/**", "jobs.<job_id>.container", kStrategyScope},
    {"jobs/*/services/*/credentials/**", "jobs.<job_id>.services.<id>.credentials",
     kBase | kSecrets | kEnv},
    {"jobs/*/services/*/env/**", "jobs.<job_id>.services.<id>.env", kRunnerScope},
    {"jobs/*/services/**", "jobs.<job_id>.services", kStrategyScope},
    {"jobs/*/with/**", "jobs.<job_id>.with", kStrategyScope},
    {"jobs/*/secrets/**", "jobs.<job_id>.secrets", kStrategyScope | kSecrets},
    {"jobs/*/snapshot/**", "jobs.<job_id>.snapshot", kStrategyScope},
    {"jobs/*/steps/*/if", "jobs.<job_id>.steps.if", kStepIf},
    {"jobs/*/steps/*/name", "jobs.<job_id>.steps.name", kStepScope},
    {"jobs/*/steps/*/run", "jobs.<job_id>.steps.run", kStepScope},
    {"jobs/*/steps/*/env/**", "jobs.<job_id>.steps.env", kStepScope},
    {"jobs/*/steps/*/with/**", "jobs.<job_id>.steps.with", kStepScope},
    {"jobs/*/steps/*/working-directory", "jobs.<job_id>.steps.working-directory", kStepScope},
    {"jobs/*/steps/*/continue-on-error", "jobs.<job_id>.steps.continue-on-error", kStepScope},
    {"jobs/*/steps/*/timeout-minutes", "jobs.<job_id>.steps.timeout-minutes", kStepScope},
};

bool Matches(std::string_view pattern, const std::vector<std::string>& path) {
  size_t segment = 0;
  size_t start = 0;
  while (start <= pattern.size()) {
    size_t slash = pattern.find('/', start);
    if (slash == std::string_view::npos) slash = pattern.size();
    std::string_view part = pattern.substr(start, slash - start);
    if (part == "**") return true;
    if (segment >= path.size()) return false;
    if (part != "*" && part != path[segment]) return false;
    ++segment;
    start = slash + 1;
  }
  return segment == path.size();
}

const Site* FindSite(const std::vector<std::string>& path) {
  for (const Site& site : kSites) {
    if (Matches(site.pattern, path)) return &site;
  }
  return nullptr;
}

std::string PathName(const std::vector<std::string>& path) {
  std::string out;
  for (const std::string& part : path) out += (out.empty() ? "" : ".") + part;
  return out;
}

std::string Available(uint32_t allowed) {
  std::string out;
  for (size_t i = 0; i < std::size(kContextNames); ++i) {
    if (allowed & (1u << i))
      out += fmt::format("{}\"{}\"", out.empty() ? "" : ", ", kContextNames[i]);
  }
  return out;
}

void CheckNames(const RuleContext& context, const yaml::Node& node, const expr::Expr& e,
                size_t offset, const Site& site) {
  if (e.empty()) return;
  std::vector<uint32_t> stack = {e.root()};
  while (!stack.empty()) {
    const expr::Node& n = e.node(stack.back());
    stack.pop_back();
    for (uint32_t child : e.children(n)) stack.push_back(child);
    std::string_view name = e.text(n);
    if (n.kind == expr::NodeKind::kNamedValue) {
      std::string lower = AsciiLower(name);
      size_t known = std::size(kContextNames);
      for (size_t i = 0; i < std::size(kContextNames); ++i) {
        if (lower == kContextNames[i]) known = i;
      }
      if (known == std::size(kContextNames)) {
        // GitHub's parser: "Unrecognized named-value: 'deployment'".
        context.diagnostics.Error(
            "expr-context", RangeAt(node, offset + n.offset, n.length),
            fmt::format("unrecognized named-value \"{}\"; available contexts in \"{}\" are {}",
                        name, site.name, Available(site.allowed)));
      } else if (!(site.allowed & (1u << known))) {
        context.diagnostics.Error(
            "expr-context", RangeAt(node, offset + n.offset, n.length),
            fmt::format("context \"{}\" is not available in \"{}\"; available contexts are {}",
                        lower, site.name, Available(site.allowed)));
      }
    } else if (n.kind == expr::NodeKind::kCall) {
      std::string lower = AsciiLower(name);
      bool status = expr::IsStatusFunction(lower);
      bool hash_files = lower == "hashfiles";
      if ((status && !(site.allowed & kStatusFunctions)) ||
          (hash_files && !(site.allowed & kHashFiles))) {
        context.diagnostics.Error(
            "expr-context", RangeAt(node, offset + n.offset, n.length),
            fmt::format("function \"{}\" is not available in \"{}\"", name, site.name));
      }
    }
  }
}

}  // namespace

void CheckExpressionContexts(const RuleContext& context) {
  for (const IndexedScalar& scalar : context.expressions.scalars()) {
    const yaml::Node& node = *scalar.node;
    const std::vector<IndexedExpression>& expressions = scalar.expressions;
    const bool bare_if = expressions.size() == 1 && expressions[0].bare_if;
    if (scalar.is_key) {
      if (!expressions.empty()) {
        context.diagnostics.Error("expr-allowed", RangeAt(node, expressions[0].span.open, 3),
                                  "expressions are not allowed in mapping keys");
      }
      continue;
    }
    const Site* site = FindSite(scalar.path);
    if (!site) {
      if (!expressions.empty() && !bare_if) {
        context.diagnostics.Error(
            "expr-allowed", RangeAt(node, expressions[0].span.open, 3),
            fmt::format("expressions are not allowed in \"{}\"", PathName(scalar.path)));
      }
      continue;
    }
    for (const IndexedExpression& e : expressions) {
      if (e.ok()) CheckNames(context, node, **e.parsed, e.span.inner, *site);
    }
  }
}

}  // namespace slipway::validate
