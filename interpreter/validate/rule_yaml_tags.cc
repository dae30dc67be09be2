// Explicit YAML tags: GitHub reads workflows with the YAML 1.2 core schema only, so a tag
// outside it (!!timestamp, !!binary, local !tags) is refused, and a core tag must fit its
// value (`!!bool test` is not a boolean).
#include <fmt/format.h>

#include "interpreter/validate/rule.h"

namespace slipway::validate {
namespace {

constexpr std::string_view kCore = "tag:yaml.org,2002:";

void Walk(const RuleContext& context, const yaml::Node& node) {
  if (!node.tag.empty()) {
    std::string_view tag = node.tag;
    std::string_view name = tag.substr(0, kCore.size()) == kCore ? tag.substr(kCore.size()) : "";
    bool ok = name == "str" || name == "null" || name == "bool" || name == "int" ||
              name == "float" || name == "seq" || name == "map";
    if (!ok) {
      context.diagnostics.Error("yaml", node.where,
                                fmt::format("unsupported YAML tag \"{}\"", node.tag));
    } else if (node.is_scalar()) {
      yaml::Node plain = node;
      plain.style = yaml::ScalarStyle::kPlain;
      plain.tag.clear();
      bool fits = true;
      if (name == "bool") fits = yaml::IsBoolScalar(plain);
      if (name == "int" || name == "float") fits = yaml::IsNumberScalar(plain);
      if (name == "null") fits = yaml::IsNullScalar(plain);
      if (name == "int" && fits)
        fits = plain.value.find_first_of(".eE") == std::string::npos ||
               plain.value.rfind("0x", 0) == 0;
      if (!fits) {
        context.diagnostics.Error(
            "yaml", node.where,
            fmt::format("value \"{}\" is not valid for tag \"!!{}\"", node.value, name));
      }
    }
  }
  for (const yaml::Node& item : node.items) Walk(context, item);
  for (const auto& [key, value] : node.entries) {
    Walk(context, key);
    Walk(context, value);
  }
}

}  // namespace

void CheckYamlTags(const RuleContext& context) {
  if (context.workflow.yaml) Walk(context, *context.workflow.yaml);
}

}  // namespace slipway::validate
