// `slipway steps`: the built-in step types and their inputs, read from their schemas.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <string>

#include "interpreter/cli/subcommand.h"
#include "stdlib/registry.h"

namespace slipway::cli {
namespace {

// "string", "integer|string", or the enum values "local|cdk|sam".
std::string TypeText(const nlohmann::json& property) {
  if (property.contains("anyOf")) {
    for (const nlohmann::json& option : property["anyOf"]) {
      if (option.contains("enum")) {
        std::string out;
        for (const nlohmann::json& value : option["enum"]) {
          out += (out.empty() ? "" : "|") + value.get<std::string>();
        }
        return out;
      }
    }
  }
  if (!property.contains("type")) return "any";
  if (property["type"].is_string()) return property["type"].get<std::string>();
  std::string out;
  for (const nlohmann::json& t : property["type"]) out += (out.empty() ? "" : "|") + t.get<std::string>();
  return out;
}

}  // namespace

std::function<int()> SetupSteps(CLI::App& command) {
  (void)command;
  return []() -> int {
    step_api::StepCatalog catalog = stdlib::BuiltinSteps();
    for (const step_api::StepTypeInfo& type : catalog.types()) {
      std::cout << "slipway/" << type.name << "@v1  " << type.description << "\n";
      nlohmann::json schema = nlohmann::json::parse(type.schema, nullptr, false);
      if (!schema.is_object() || !schema.contains("properties")) continue;
      std::vector<std::string> required;
      if (schema.contains("required")) required = schema["required"].get<std::vector<std::string>>();
      for (const auto& [name, property] : schema["properties"].items()) {
        std::string line = "    " + name + " (" + TypeText(property);
        if (std::find(required.begin(), required.end(), name) != required.end()) {
          line += ", required";
        }
        if (property.contains("default")) {
          const nlohmann::json& d = property["default"];
          line += ", default " + (d.is_string() ? d.get<std::string>() : d.dump());
        }
        line += ")";
        std::cout << line << "\n        " << property.value("description", "") << "\n";
      }
      std::cout << "\n";
    }
    return kExitOk;
  };
}

}  // namespace slipway::cli
