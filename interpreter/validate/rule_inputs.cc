// workflow_dispatch and workflow_call inputs:
// https://docs.github.com/actions/using-workflows/workflow-syntax-for-github-actions#onworkflow_dispatchinputs
// Input names follow the id syntax; a choice input needs options and a default among them; a
// default must have the input's type as GitHub's parser reads it (a quoted "true" for a boolean
// input and an unquoted true or 3 for a string input are errors; a number input's default is
// not checked there, so one that is not a number is a warning). The `pattern` key is a slipway
// extension: it must be a valid RE2 pattern, and a file that GitHub will also read (under
// .github/workflows/, or any file with --portable) is warned that GitHub refuses the key.
#include <fmt/format.h>
#include <re2/re2.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "interpreter/validate/rule.h"
#include "interpreter/validate/rule_util.h"

namespace slipway::validate {
namespace {

/// "The maximum number of top-level properties for `inputs` is 25." (docs, Workflow syntax >
/// on.workflow_dispatch.inputs; 10 until the GitHub changelog of 2025-12-04, "workflow_dispatch
/// workflows now support 25 inputs"). A file with more is an invalid workflow file.
constexpr size_t kMaxDispatchInputs = 25;

bool IsInputName(std::string_view name) {
  if (name.empty()) return false;
  auto ok_first = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (!ok_first(name[0])) return false;
  for (char c : name) {
    if (!ok_first(c) && !(c >= '0' && c <= '9') && c != '-') return false;
  }
  return true;
}

void CheckInput(const RuleContext& context, const model::Trigger& trigger,
                const model::InputDef& input) {
  if (!IsInputName(input.name.value)) {
    context.diagnostics.Error(
        "input", input.name.where,
        fmt::format("invalid input name \"{}\"; names must start with a letter or \"_\" and "
                    "contain only letters, digits, \"-\" and \"_\"",
                    input.name.value));
  }
  if (!input.node || !input.node->is_mapping()) return;
  const std::string type = input.type_name();
  const bool is_call = trigger.event.value == "workflow_call";
  const yaml::Node* default_node = input.node->Find("default");
  bool default_is_expr =
      default_node && default_node->is_scalar() && HasExpression(default_node->value);
  // GitHub's parser (workflow-parser converter/workflow-dispatch.ts, workflow-call.ts) reads
  // the default as the input's token type: a boolean input's must be a boolean token; a
  // string, choice or environment input's a string token; a number input's is not checked. A
  // workflow_call default may be an expression (a workflow_dispatch one is plain text there).
  if (default_node && default_node->is_scalar() && !(is_call && default_is_expr)) {
    const bool typed = default_node->is_plain() && !yaml::IsNullScalar(*default_node);
    const bool is_bool = typed && yaml::IsBoolScalar(*default_node);
    const bool is_number = typed && !is_bool && yaml::IsNumberScalar(*default_node);
    if (type == "boolean" && !is_bool) {
      context.diagnostics.Error(
          "input", default_node->where,
          fmt::format("default of boolean input \"{}\" must be true or false, found {} \"{}\"",
                      input.name.value, yaml::KindName(*default_node), default_node->value));
    } else if ((type == "string" || type == "choice" || type == "environment") &&
               (is_bool || is_number)) {
      context.diagnostics.Error(
          "input", default_node->where,
          fmt::format("default of {} input \"{}\" must be a string, found {} {}; quote it "
                      "(\"{}\") to mean the text",
                      type, input.name.value, is_bool ? "boolean" : "number", default_node->value,
                      default_node->value));
    } else if (type == "number" && !default_is_expr) {
      char* end = nullptr;
      const std::string& text = default_node->value;
      std::strtod(text.c_str(), &end);
      const bool numeric =
          !text.empty() && end && *end == '\0' && text.find_first_not_of(" \t") == 0;
      if (!numeric) {
        context.diagnostics.Warning(
            "input", default_node->where,
            fmt::format("default \"{}\" of number input \"{}\" is not a number; GitHub accepts "
                        "the file, but a run that does not give this input fails",
                        text, input.name.value));
      }
    }
  }
  // A required workflow_call input always comes from the caller (actionlint warns likewise).
  if (is_call && input.required && default_node) {
    context.diagnostics.Warning(
        "input", default_node->where,
        fmt::format("input \"{}\" is required, so its default is never used; make it optional "
                    "or drop the default",
                    input.name.value));
  }
  const yaml::Node* options = input.node->Find("options");
  if (type == "choice") {
    if (!options || !options->is_sequence() || options->items.empty()) {
      context.diagnostics.Error(
          "input", options ? options->where : input.name.where,
          fmt::format("choice input \"{}\" needs a non-empty \"options\" list", input.name.value));
    } else if (default_node && default_node->is_scalar() && !default_is_expr) {
      std::vector<std::string> values;
      bool found = false;
      for (const yaml::Node& option : options->items) {
        values.push_back(option.value);
        found |= option.value == default_node->value;
      }
      if (!found) {
        context.diagnostics.Error(
            "input", default_node->where,
            fmt::format("default \"{}\" of choice input \"{}\" is not one of its options{}",
                        default_node->value, input.name.value,
                        DidYouMean(default_node->value, values)));
      }
    }
  } else if (options && trigger.event.value == "workflow_dispatch") {
    context.diagnostics.Warning(
        "input", input.node->FindKey("options")->where,
        fmt::format("\"options\" has no effect on input \"{}\" of type \"{}\"; use type \"choice\"",
                    input.name.value, type));
  }
  if (input.pattern) {
    RE2 re(input.pattern->value, RE2::Quiet);
    if (!re.ok()) {
      context.diagnostics.Error(
          "input", input.pattern->where,
          fmt::format("invalid \"pattern\" of input \"{}\": {}", input.name.value, re.error()));
    }
    if (context.portable || context.path.find(".github/workflows/") != std::string_view::npos) {
      context.diagnostics.Warning(
          "not-portable", input.node->FindKey("pattern")->where,
          "\"pattern\" is a slipway extension; GitHub refuses this workflow file");
    }
  }
}

}  // namespace

void CheckInputs(const RuleContext& context) {
  for (const model::Trigger& trigger : context.workflow.on) {
    for (const model::InputDef& input : trigger.inputs) CheckInput(context, trigger, input);
    if (trigger.event.value == "workflow_dispatch" && trigger.inputs.size() > kMaxDispatchInputs) {
      const yaml::Node* key = trigger.node ? trigger.node->FindKey("inputs") : nullptr;
      context.diagnostics.Error(
          "input", key ? key->where : trigger.event.where,
          fmt::format("workflow_dispatch has {} inputs; GitHub allows at most {} (\"you may only "
                      "define up to {} `inputs` for a `workflow_dispatch` event\")",
                      trigger.inputs.size(), kMaxDispatchInputs, kMaxDispatchInputs));
    }
  }
}

}  // namespace slipway::validate
