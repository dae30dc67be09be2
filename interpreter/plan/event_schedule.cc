#include "interpreter/plan/event_schedule.h"

#include <fmt/format.h>

#include <ctime>
#include <string>
#include <vector>

#include "interpreter/model/cron.h"
#include "interpreter/model/trigger.h"
#include "interpreter/plan/event.h"

namespace slipway::plan {
namespace {

/// "in 3 d 4 h" / "in 12 min": how far `later` is from `now`, for the plan's note.
std::string Distance(int64_t now, int64_t later) {
  int64_t minutes = (later - now + 59) / 60;
  if (minutes <= 0) return "now";
  if (minutes < 60) return fmt::format("in {} min", minutes);
  int64_t hours = minutes / 60;
  if (hours < 48) return fmt::format("in {} h {} min", hours, minutes % 60);
  return fmt::format("in {} d {} h", hours / 24, hours % 24);
}

struct Entry {
  std::string cron;
  std::optional<int64_t> next;  // nullopt: never fires
};

}  // namespace

void ChooseSchedule(const model::Trigger* trigger, std::optional<int64_t> at, Event& event) {
  if (!trigger) return;  // CheckTrigger says the workflow has no schedule trigger
  std::vector<Entry> entries;
  const int64_t now = at ? *at : static_cast<int64_t>(std::time(nullptr));
  // With --at, the minute itself counts; from now, the next minute that starts.
  const int64_t from = at ? now - now % 60 : now;
  for (const model::Str& cron : trigger->crons) {
    if (cron.has_expr) continue;
    Expected<model::CronSchedule, model::CronError> parsed = model::CronSchedule::Parse(cron.value);
    if (!parsed) continue;  // `validate` reports it with its position
    entries.push_back({cron.value, parsed->NextAt(from)});
  }

  if (event.payload.contains("schedule")) {
    // The event file names the entry; it must be one of the workflow's.
    std::string given =
        event.payload["schedule"].is_string() ? event.payload["schedule"].get<std::string>() : "";
    for (const model::Str& cron : trigger->crons) {
      if (cron.value == given) {
        event.note = fmt::format("cron \"{}\" (from the event file)", given);
        return;
      }
    }
    event.not_triggered = fmt::format(
        "the event file's schedule \"{}\" is not one of on.schedule's cron entries", given);
    return;
  }
  if (entries.empty()) {
    event.not_triggered = "on.schedule has no valid cron entry";
    return;
  }
  const Entry* first = nullptr;
  for (const Entry& entry : entries) {
    if (entry.next && (!first || *entry.next < *first->next)) first = &entry;
  }
  if (!first) {
    event.payload["schedule"] = entries.front().cron;
    event.not_triggered = fmt::format("no cron entry of on.schedule ever fires (\"{}\")",
                                      entries.front().cron);
    return;
  }
  std::vector<std::string> also;
  for (const Entry& entry : entries) {
    if (&entry != first && entry.next == first->next) also.push_back("\"" + entry.cron + "\"");
  }
  std::string others;
  for (const std::string& other : also) others += (others.empty() ? "" : ", ") + other;
  event.payload["schedule"] = first->cron;
  if (at && *first->next != from) {
    event.not_triggered =
        fmt::format("no cron entry of on.schedule fires at {}; the next is \"{}\" at {}",
                    model::FormatUtc(from), first->cron, model::FormatUtc(*first->next));
    return;
  }
  if (at) {
    event.note = fmt::format("cron \"{}\" fires at {}", first->cron, model::FormatUtc(from));
  } else {
    event.note = fmt::format("cron \"{}\" fires next, at {} ({}; choose with --at)", first->cron,
                             model::FormatUtc(*first->next), Distance(now, *first->next));
  }
  if (!others.empty()) {
    event.note += fmt::format("; {} fire{} then too, each as a run of its own", others,
                              also.size() == 1 ? "s" : "");
  }
}

}  // namespace slipway::plan
