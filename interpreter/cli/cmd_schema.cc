// `slipway schema [workflow|environments|runners|plan|events|test|step NAME]`
#include <CLI/CLI.hpp>

#include <iostream>
#include <nlohmann/json.hpp>
#include <memory>

#include "interpreter/cli/subcommand.h"
#include "schemas/embedded.h"
#include "stdlib/registry.h"

namespace slipway::cli {

std::function<int()> SetupSchema(CLI::App& command) {
  auto args = std::make_shared<std::vector<std::string>>();
  command.add_option("what", *args, "workflow | environments | runners | plan | events | test | step NAME")
      ->expected(0, 2);
  return [args]() -> int {
    std::vector<std::string>& what = *args;
    std::string name = what.empty() ? "workflow" : what[0];
    if (name == "step") {
      if (what.size() != 2) {
        std::cerr << "slipway schema step: name a built-in step (see `slipway steps`)\n";
        return kExitUsage;
      }
      step_api::StepCatalog catalog = stdlib::BuiltinSteps();
      const step_api::StepTypeInfo* type = catalog.Find(what[1]);
      if (!type) {
        std::cerr << "slipway schema step: unknown step \"" << what[1] << "\"\n";
        return kExitUsage;
      }
      std::cout << nlohmann::ordered_json::parse(type->schema).dump(2) << "\n";
      return kExitOk;
    }
    // Schemas are embedded minified (cmake/embed_json.cc): printed indented, in the file's order.
    std::string_view text = schemas::Embedded(name);
    if (text.empty() || what.size() > 1) {
      std::cerr << "slipway schema: unknown schema \"" << name
                << "\"; expected workflow, environments, runners, plan, events, test or step NAME\n";
      return kExitUsage;
    }
    std::cout << nlohmann::ordered_json::parse(text).dump(2) << "\n";
    return kExitOk;
  };
}

}  // namespace slipway::cli
