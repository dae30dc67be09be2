#pragma once
// Helpers for the plan unit tests: workflows and environments from inline YAML,
// a fixed git checkout, and a one-call plan.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "interpreter/model/environments.h"
#include "interpreter/model/load_workflow.h"
#include "interpreter/plan/event.h"
#include "interpreter/plan/inputs.h"
#include "interpreter/plan/planner.h"
#include "interpreter/yaml/loader.h"

namespace slipway::plan::testing {

/// A checkout on main at a fixed commit, so plans never depend on the real repository.
inline GitInfo FixedGit() {
  GitInfo git;
  git.ref = "refs/heads/main";
  git.sha = "1111111111111111111111111111111111111111";
  git.repository = "example/app";
  git.actor = "octocat";
  git.default_branch = "main";
  return git;
}

/// Owns the sources, the workflow and the environments of one test.
struct Fixture {
  SourceManager sources;
  Diagnostics diagnostics;
  std::optional<model::Workflow> workflow;
  std::optional<model::EnvironmentsConfig> environments;
  const WorkflowSet* workflows = nullptr;  // called workflows (workflow_call.h), if any

  const model::Workflow& Workflow(const std::string& yaml_text) {
    FileId file = sources.Add("test.yml", yaml_text);
    workflow = model::LoadWorkflowText(sources, file, diagnostics);
    EXPECT_TRUE(workflow.has_value());
    return *workflow;
  }

  const model::EnvironmentsConfig& Environments(const std::string& yaml_text) {
    FileId file = sources.Add("environments.yml", yaml_text);
    std::optional<yaml::Node> root = yaml::LoadYaml(sources, file, diagnostics);
    EXPECT_TRUE(root.has_value());
    environments = model::BuildEnvironments(
        std::make_shared<const yaml::Node>(root ? std::move(*root) : yaml::Node{}), file,
        diagnostics);
    return *environments;
  }

  /// Plans the workflow for `options` with `inputs` (checked) on the fixed checkout.
  Plan MakePlan(const EventOptions& options, const KeyValues& inputs = {}) {
    std::optional<Event> event = BuildEvent(*workflow, options, FixedGit(), diagnostics);
    EXPECT_TRUE(event.has_value());
    PlanRequest request;
    request.event = event ? *event : Event{};
    const model::Trigger* trigger = workflow->FindTrigger(request.event.name);
    request.inputs = ResolveInputs(trigger, request.event.name, inputs,
                                   environments ? &*environments : nullptr, diagnostics);
    if (request.event.name == "workflow_dispatch") AddDispatchInputs(request.inputs, request.event);
    request.environments = environments ? &*environments : nullptr;
    request.workflow_path = "test.yml";
    request.workflows = workflows;
    return BuildPlan(*workflow, request, diagnostics);
  }

  std::string Messages() const {
    std::string out;
    for (const Diagnostic& d : diagnostics.items()) out += d.message + " [" + d.rule + "]\n";
    return out;
  }
};

inline EventOptions On(const std::string& event, const std::string& ref = "") {
  EventOptions options;
  options.event_name = event;
  if (!ref.empty()) options.ref = ref;
  return options;
}

}  // namespace slipway::plan::testing
