// libFuzzer target for `plan` of a loaded workflow: validate, build a push (or the workflow's
// first trigger) event, resolve inputs, plan, and render the plan in every format. Any crash,
// hang or sanitizer report is a bug: planning only ever produces a plan and diagnostics.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "interpreter/base/diagnostic.h"
#include "interpreter/base/source.h"
#include "interpreter/plan/event.h"
#include "interpreter/plan/git_info.h"
#include "interpreter/plan/inputs.h"
#include "interpreter/plan/planner.h"
#include "interpreter/plan/render.h"
#include "interpreter/step_api/step_api.h"
#include "interpreter/validate/validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  slipway::SourceManager sources;
  slipway::FileId file =
      sources.Add("fuzz.yml", std::string(reinterpret_cast<const char*>(data), size));
  slipway::Diagnostics diagnostics;
  static const slipway::step_api::StepCatalog catalog;
  std::optional<slipway::model::Workflow> workflow =
      slipway::validate::ValidateText(sources, file, catalog, diagnostics);
  // Like `slipway plan`: a workflow with errors is not planned.
  if (!workflow || diagnostics.has_errors()) return 0;
  slipway::plan::GitInfo git;  // no git: the fuzzer must not spawn processes
  git.ref = "refs/heads/main";
  git.sha = "1111111111111111111111111111111111111111";
  git.actor = "octocat";
  slipway::plan::EventOptions options;
  options.ref = (size % 3 == 0) ? "refs/tags/v1.0.0" : "refs/heads/main";
  std::optional<slipway::plan::Event> event =
      slipway::plan::BuildEvent(*workflow, options, git, diagnostics);
  if (!event) return 0;
  const slipway::model::Trigger* trigger = nullptr;
  if (event->name == "workflow_dispatch" || event->name == "workflow_call") {
    trigger = workflow->FindTrigger(event->name);
  }
  slipway::Diagnostics input_diagnostics;
  slipway::plan::PlanRequest request;
  request.inputs =
      slipway::plan::ResolveInputs(trigger, event->name, {}, nullptr, input_diagnostics);
  if (event->name == "workflow_dispatch") {
    slipway::plan::AddDispatchInputs(request.inputs, *event);
  }
  request.event = std::move(*event);
  request.catalog = &catalog;
  request.workflow_path = "fuzz.yml";
  slipway::plan::Plan plan = slipway::plan::BuildPlan(*workflow, request, diagnostics);
  (void)slipway::plan::RenderText(plan, false);
  (void)slipway::plan::RenderJson(plan);
  (void)slipway::plan::RenderMermaid(plan);
  (void)slipway::plan::RenderDot(plan);
  return 0;
}
