// `inputs.<name>` and `github.event.inputs.<name>` name declared inputs:
// https://docs.github.com/actions/learn-github-actions/contexts#inputs-context
// GitHub accepts any name and evaluates an undeclared one to null, so a misspelt name is a
// warning, and so is any `inputs.<name>` in a workflow with neither a workflow_dispatch nor a
// workflow_call trigger. The event payload's `inputs` exists only for workflow_dispatch.
#include <fmt/format.h>

#include "interpreter/validate/rule_expr_refs.h"

namespace slipway::validate {
namespace {

std::vector<std::string> InputNames(const model::Trigger* trigger) {
  std::vector<std::string> names;
  if (!trigger) return names;
  for (const model::InputDef& input : trigger->inputs) names.push_back(input.name.value);
  return names;
}

std::string Unknown(const std::string& written, const std::vector<std::string>& declared,
                    std::string_view where) {
  std::string hint = SuggestIgnoringCase(written, declared);
  if (hint.empty()) {
    hint = declared.empty() ? "; no inputs are declared"
                            : fmt::format("; declared inputs are {}", QuotedList(declared));
  }
  return fmt::format("input \"{}\" is not declared in {}, so it is always null{}", written, where,
                     hint);
}

}  // namespace

void CheckExpressionInputs(const RuleContext& context) {
  const model::Trigger* dispatch = context.workflow.FindTrigger("workflow_dispatch");
  const model::Trigger* call = context.workflow.FindTrigger("workflow_call");
  if (!dispatch && !call) {
    // The inputs context is empty for every other event (actionlint warns likewise).
    ForEachAccess(context, [&](const ExprAccess& use) {
      if (use.Segment(0) != "inputs" || use.segment_count() < 2 || use.IsIndexed(1)) return;
      context.diagnostics.Warning(
          "expr-inputs", use.RangeFrom(1),
          fmt::format("input \"{}\" is always null: this workflow declares no inputs (it has "
                      "no workflow_dispatch or workflow_call trigger)",
                      use.access->segments[1].name));
    });
    return;
  }
  std::vector<std::string> all = InputNames(dispatch);
  for (const std::string& name : InputNames(call)) {
    if (!ContainsIgnoringCase(all, name)) all.push_back(name);
  }
  std::string where_all = dispatch && call
                              ? "\"on.workflow_dispatch.inputs\" or \"on.workflow_call.inputs\""
                          : dispatch ? "\"on.workflow_dispatch.inputs\""
                                     : "\"on.workflow_call.inputs\"";
  std::vector<std::string> dispatch_names = InputNames(dispatch);

  ForEachAccess(context, [&](const ExprAccess& use) {
    std::string head = use.Segment(0);
    if (head == "inputs") {
      if (use.segment_count() < 2 || use.IsIndexed(1)) return;
      const std::string& written = use.access->segments[1].name;
      if (ContainsIgnoringCase(all, written)) return;
      context.diagnostics.Warning("expr-inputs", use.RangeFrom(1),
                                  Unknown(written, all, where_all));
    } else if (head == "github" && dispatch && !call) {
      if (use.segment_count() < 4 || use.Segment(1) != "event" || use.Segment(2) != "inputs" ||
          use.IsIndexed(3)) {
        return;
      }
      const std::string& written = use.access->segments[3].name;
      if (ContainsIgnoringCase(dispatch_names, written)) return;
      context.diagnostics.Warning(
          "expr-inputs", use.RangeFrom(3),
          Unknown(written, dispatch_names, "\"on.workflow_dispatch.inputs\""));
    }
  });
}

}  // namespace slipway::validate
