#pragma once
/// Does an event trigger a workflow? GitHub's rules for `on:`: the event must
/// be listed; its activity types (on.<event>.types, else the event's default types, from
/// plan/event_catalog.h) and its filters (push: branches/tags/paths; pull_request,
/// pull_request_target, merge_group: the base branch, and paths; workflow_run: workflows and
/// the triggering run's head branch; `!` negation, order mattering) must let it through.
/// https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#onpushpull_requestpull_request_targetpathspaths-ignore

#include <string>

#include "interpreter/model/workflow.h"
#include "interpreter/plan/event.h"

namespace slipway::plan {

/// The answer, with the filter that decided it.
struct TriggerDecision {
  bool triggered = false;
  /// Not triggered: which filter excluded the event. Triggered: a note when a
  /// filter could not be checked (e.g. paths without a list of changed files); usually "".
  std::string reason;
  const model::Trigger* trigger = nullptr;  // the matching `on:` entry, when listed
};

TriggerDecision CheckTrigger(const model::Workflow& workflow, const Event& event);

}  // namespace slipway::plan
