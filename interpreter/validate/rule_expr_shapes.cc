// The shapes of `env`, `vars` and `secrets`: any name may be read (unset ones are null), but
// each value is a string, and configuration variable and secret names are made of letters,
// digits and "_" only (a reusable workflow's declared secrets take input-style ids):
// https://docs.github.com/actions/security-guides/using-secrets-in-github-actions#naming-your-secrets
// https://docs.github.com/actions/learn-github-actions/variables#naming-conventions-for-configuration-variables
// GitHub evaluates what cannot exist to null, so these are warnings.
#include <fmt/format.h>

#include "interpreter/validate/rule_expr_refs.h"

namespace slipway::validate {
namespace {

bool IsStoredName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

void CheckExpressionShapes(const RuleContext& context) {
  // A reusable workflow's own secrets take input-style ids, which may contain "-".
  std::vector<std::string> declared_secrets;
  if (const model::Trigger* call = context.workflow.FindTrigger("workflow_call")) {
    for (const model::NamedDecl& secret : call->secrets)
      declared_secrets.push_back(secret.name.value);
  }
  ForEachAccess(context, [&](const ExprAccess& use) {
    std::string head = use.Segment(0);
    if (head != "env" && head != "vars" && head != "secrets") return;
    if (use.segment_count() < 2 || use.IsIndexed(1)) return;
    const std::string& name = use.access->segments[1].name;
    bool is_declared = head == "secrets" && ContainsIgnoringCase(declared_secrets, name);
    if (head != "env" && !is_declared && !IsStoredName(name)) {
      const char* kind = head == "vars" ? "configuration variable" : "secret";
      context.diagnostics.Warning(
          "expr-shape", use.RangeFrom(1),
          fmt::format("{} name \"{}\" cannot exist ({} names are letters, digits and \"_\", not "
                      "starting with a digit), so \"{}.{}\" is always null",
                      kind, name, kind, head, name));
      return;
    }
    if (use.segment_count() < 3) return;
    std::string what = use.IsIndexed(2)
                           ? std::string("indexing it")
                           : fmt::format("its property \"{}\"", use.access->segments[2].name);
    context.diagnostics.Warning(
        "expr-shape", use.RangeFrom(2),
        fmt::format("\"{}.{}\" is a string, so {} is always null", head, name, what));
  });
}

}  // namespace slipway::validate
