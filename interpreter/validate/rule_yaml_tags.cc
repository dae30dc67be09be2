// Explicit YAML tags: GitHub reads workflows with the YAML 1.2 core schema only, so a tag
// outside it (!!timestamp, !!binary, local !tags) is refused, and a core tag must fit its
// value (`!!bool test` is not a boolean). A tag other than !!str only goes on a plain scalar:
// `!!int '5'` is refused (YamlObjectReader.AllowLiteral: "The scalar style 'SingleQuoted' ... is
// not valid with the tag 'tag:yaml.org,2002:int'").
#include <fmt/format.h>

#include "interpreter/validate/rule.h"

namespace slipway::validate {
namespace {

/// YamlDotNet's name of a scalar style, as GitHub's message prints it.
const char* StyleName(yaml::ScalarStyle style) {
  switch (style) {
    case yaml::ScalarStyle::kPlain:
      return "Plain";
    case yaml::ScalarStyle::kSingleQuoted:
      return "SingleQuoted";
    case yaml::ScalarStyle::kDoubleQuoted:
      return "DoubleQuoted";
    case yaml::ScalarStyle::kLiteral:
      return "Literal";
    case yaml::ScalarStyle::kFolded:
      return "Folded";
  }
  return "Plain";
}

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
    } else if (node.is_scalar() && name != "str" && node.style != yaml::ScalarStyle::kPlain) {
      context.diagnostics.Error(
          "yaml", node.where,
          fmt::format("tag \"!!{}\" cannot be given to a {} scalar (only \"!!str\" can); GitHub: "
                      "\"The scalar style '{}' is not valid with the tag '{}'\"",
                      name,
                      node.style == yaml::ScalarStyle::kSingleQuoted ||
                              node.style == yaml::ScalarStyle::kDoubleQuoted
                          ? "quoted"
                          : "block",
                      StyleName(node.style), node.tag));
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
