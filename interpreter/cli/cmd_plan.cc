// `slipway plan WORKFLOW [--event NAME] [--ref REF] [--sha SHA] [--actor NAME] [--input K=V]...
//  [--var K=V]... [--event-file JSON] [--env-config FILE] [--format
//  text|json|mermaid|dot]`
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <memory>

#include "interpreter/cli/cli_common.h"
#include "interpreter/cli/subcommand.h"
#include "interpreter/plan/plan_file.h"
#include "interpreter/plan/render.h"
#include "interpreter/validate/render.h"
#include "stdlib/registry.h"

namespace slipway::cli {
namespace {

struct PlanArgs : EventFlags {
  std::string workflow;
  std::string format = "text";
};

int Run(const PlanArgs& args) {
  static const char* const kFormats[] = {"text", "json", "mermaid", "dot"};
  bool format_known = false;
  for (const char* f : kFormats) format_known = format_known || args.format == f;
  if (!format_known) {
    std::cerr << "slipway plan: unknown format \"" << args.format
              << "\"; expected text, json, mermaid or dot\n";
    return kExitUsage;
  }
  plan::PlanOptions options;
  if (!ToPlanOptions("plan", args.workflow, args, &options)) return kExitUsage;

  SourceManager sources;
  Diagnostics diagnostics;
  std::optional<plan::Plan> result;
  step_api::StepCatalog catalog = stdlib::BuiltinSteps();
  plan::PlanStatus status =
      plan::MakePlan(sources, options, plan::ReadGitInfo("."), catalog, diagnostics, &result);
  PrintDiagnostics("plan", sources, diagnostics);
  if (status == plan::PlanStatus::kUsageError) return kExitUsage;
  if (!result) return kExitFailed;
  if (args.format == "json") {
    std::cout << plan::RenderJson(*result);
  } else if (args.format == "mermaid") {
    std::cout << plan::RenderMermaid(*result);
  } else if (args.format == "dot") {
    std::cout << plan::RenderDot(*result);
  } else {
    std::cout << plan::RenderText(*result, isatty(STDOUT_FILENO) != 0);
  }
  return status == plan::PlanStatus::kOk ? kExitOk : kExitFailed;
}

}  // namespace

std::function<int()> SetupPlan(CLI::App& command) {
  auto args = std::make_shared<PlanArgs>();
  command.add_option("workflow", args->workflow, "the workflow file")->required();
  AddEventFlags(command, *args);
  command.add_option("--format", args->format, "text | json | mermaid | dot");
  return [args]() -> int { return Run(*args); };
}

}  // namespace slipway::cli
