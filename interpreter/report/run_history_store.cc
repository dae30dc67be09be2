// The run history through a Store (run_history.h): `slipway runs` and `show` on either backend.
#include <algorithm>

#include "interpreter/exec/masker.h"
#include "interpreter/exec/store.h"
#include "interpreter/report/run_history.h"

namespace slipway::report {

Expected<std::vector<RunRow>> ListRuns(exec::Store& store, std::vector<std::string>* unreadable) {
  Expected<std::vector<std::string>> ids = store.ListRuns();
  if (!ids) return MakeUnexpected(ids.error());
  std::vector<RunRow> rows;
  for (const std::string& id : *ids) {
    Expected<exec::RunRecord> record = store.LoadRun(id);
    if (!record) {
      if (unreadable) unreadable->push_back(id);
      continue;
    }
    rows.push_back(RunRow{record->id.empty() ? id : record->id, record->workflow, record->event,
                          record->ref, record->actor, exec::RunStatusName(record->status), record->started_at,
                          record->finished_at,
                          SecondsBetween(record->started_at, record->finished_at)});
  }
  // As the directory listing orders them: newest first, by start time then id.
  std::stable_sort(rows.begin(), rows.end(), [](const RunRow& a, const RunRow& b) {
    if (a.started_at != b.started_at) return a.started_at > b.started_at;
    return a.id > b.id;
  });
  if (unreadable) std::sort(unreadable->begin(), unreadable->end());
  return rows;
}

Expected<RunView> LoadRun(exec::Store& store, const std::string& run_id,
                          const exec::Masker* masker) {
  Expected<exec::RunRecord> record = store.LoadRun(run_id);
  if (!record) return MakeUnexpected(record.error());
  Expected<std::vector<exec::ArtifactEntry>> artifacts = store.Artifacts(run_id);
  if (!artifacts) return MakeUnexpected(artifacts.error());
  RunView view;
  view.record = std::move(record).value();
  view.run_json = exec::ToJson(view.record);
  view.artifacts = std::move(artifacts).value();
  if (masker && !masker->empty()) {
    for (exec::ArtifactEntry& entry : view.artifacts) entry.name = masker->Mask(entry.name);
    view.run_json = exec::MaskJson(view.run_json, *masker);
    if (Expected<exec::RunRecord> masked = exec::RunRecordFromJson(view.run_json)) {
      view.record = std::move(masked).value();
    }
  }
  return view;
}

}  // namespace slipway::report
