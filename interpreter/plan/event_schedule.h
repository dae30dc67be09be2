#pragma once
/// The schedule event: which `on.schedule` cron entry a plan simulates, and when it fires.
/// Without --at, the entry that fires next from now (github.event.schedule is set to it);
/// with --at, the entries that fire in that very minute — none is "not triggered", naming
/// when each entry fires next. An event file's `schedule` is kept (it must be one of the
/// entries). Times are UTC, as on GitHub.

#include <cstdint>
#include <optional>

namespace slipway::model {
struct Trigger;
}
namespace slipway::plan {

struct Event;

/// Sets event.payload["schedule"], event.note and (when nothing fires) event.not_triggered.
/// `trigger` is the workflow's `on.schedule` entry (nullptr when it has none).
void ChooseSchedule(const model::Trigger* trigger, std::optional<int64_t> at, Event& event);

}  // namespace slipway::plan
