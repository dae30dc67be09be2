#pragma once
/// Does an event trigger a workflow? GitHub's rules for `on:`: the event must
/// be listed; push and pull_request filters (branches/tags/paths and their
/// -ignore forms, `!` negation, order mattering) and activity types (release,
/// pull_request) must let it through.
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
