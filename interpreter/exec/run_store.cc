#include "interpreter/exec/run_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>

#include "interpreter/base/fd_io.h"
#include "interpreter/exec/clock.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/process.h"
#include "interpreter/exec/run_journal.h"
#include "interpreter/plan/plan.h"

namespace slipway::exec {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Expected<bool> MakeDirs(const std::string& path) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error) {
    return MakeUnexpected(fmt::format("cannot create directory \"{}\": {}", path, error.message()));
  }
  return true;
}

json OutputsToJson(const std::map<std::string, std::string>& outputs) {
  json out = json::object();
  for (const auto& [key, value] : outputs) out[key] = value;
  return out;
}

// Reads field `key` of `object` as a string; absent is "", null is "".
Expected<std::string> StringField(const json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    return MakeUnexpected(fmt::format("{}: \"{}\" must be a string", where, key));
  }
  return it->get<std::string>();
}

// A state field ("status", "result", "outcome", "conclusion"): absent or null is none; any other
// text must be one of the state's names.
template <typename Enum>
Expected<std::optional<Enum>> OptionalStateField(const json& object, const char* key,
                                                 const std::string& where,
                                                 std::optional<Enum> (*parse)(std::string_view)) {
  Expected<std::string> text = StringField(object, key, where);
  if (!text) return MakeUnexpected(text.error());
  if (text->empty()) return std::optional<Enum>();
  std::optional<Enum> state = parse(*text);
  if (!state) {
    return MakeUnexpected(fmt::format("{}: \"{}\" is not a known {} (\"{}\")", where, key, key, *text));
  }
  return state;
}

// A state field that must be present.
template <typename Enum>
Expected<Enum> StateField(const json& object, const char* key, const std::string& where,
                          std::optional<Enum> (*parse)(std::string_view)) {
  Expected<std::optional<Enum>> state = OptionalStateField(object, key, where, parse);
  if (!state) return MakeUnexpected(state.error());
  if (!*state) return MakeUnexpected(fmt::format("{}: \"{}\" is missing", where, key));
  return **state;
}

Expected<std::map<std::string, std::string>> OutputsField(const json& object,
                                                          const std::string& where) {
  std::map<std::string, std::string> outputs;
  auto it = object.find("outputs");
  if (it == object.end() || it->is_null()) return outputs;
  if (!it->is_object())
    return MakeUnexpected(fmt::format("{}: \"outputs\" must be an object", where));
  for (auto entry = it->begin(); entry != it->end(); ++entry) {
    if (!entry->is_string()) {
      return MakeUnexpected(fmt::format("{}: output \"{}\" must be a string", where, entry.key()));
    }
    outputs[entry.key()] = entry->get<std::string>();
  }
  return outputs;
}

}  // namespace

struct RunStore::Failures {
  std::mutex mutex;
  std::string first;
};

const char* ShownState(const JobRecord& job) {
  return job.result ? JobResultName(*job.result) : JobStatusName(job.status);
}

std::optional<StepConclusion> ShownResult(const StepRecord& step) {
  return step.conclusion ? step.conclusion : step.outcome;
}

json ToJson(const JobRecord& job) {
  json steps = json::array();
  for (const StepRecord& step : job.steps) {
    steps.push_back({{"id", step.id},
                     {"name", step.name},
                     {"outcome", step.outcome ? json(StepConclusionName(*step.outcome)) : json()},
                     {"conclusion",
                      step.conclusion ? json(StepConclusionName(*step.conclusion)) : json()},
                     {"outputs", OutputsToJson(step.outputs)},
                     {"log", step.log.empty() ? json() : json(step.log)}});
  }
  json out = {{"status", JobStatusName(job.status)},
              {"result", job.result ? json(JobResultName(*job.result)) : json()},
              {"outputs", OutputsToJson(job.outputs)},
              {"started_at", job.started_at.empty() ? json() : json(job.started_at)},
              {"finished_at", job.finished_at.empty() ? json() : json(job.finished_at)},
              {"steps", std::move(steps)}};
  if (job.started_after_cancel) out["started_after_cancel"] = true;
  return out;
}

json ToJson(const RunRecord& record) {
  json jobs = json::object();
  for (const auto& [key, job] : record.jobs) jobs[key] = ToJson(job);
  return {{"id", record.id},
          {"workflow", record.workflow},
          {"workflow_sha256", record.workflow_sha256},
          {"event", record.event},
          {"ref", record.ref},
          {"sha", record.sha},
          {"actor", record.actor},
          {"status", RunStatusName(record.status)},
          {"started_at", record.started_at},
          {"finished_at", record.finished_at.empty() ? json() : json(record.finished_at)},
          {"inputs", record.inputs},
          {"vars", record.vars},
          {"environments_file",
           record.environments_file.empty() ? json() : json(record.environments_file)},
          {"environments_sha256",
           record.environments_sha256.empty() ? json() : json(record.environments_sha256)},
          {"event_file", record.event_file.empty() ? json() : json(record.event_file)},
          {"called_workflows", record.called_workflows},
          {"workflow_paths", record.workflow_paths},
          {"jobs", jobs}};
}

Expected<JobRecord> JobRecordFromJson(const json& value, const std::string& where) {
  if (!value.is_object()) return MakeUnexpected(where + " must be an object");
  JobRecord job;
  for (auto [key, target] :
       {std::pair{"started_at", &job.started_at}, std::pair{"finished_at", &job.finished_at}}) {
    Expected<std::string> text = StringField(value, key, where);
    if (!text) return MakeUnexpected(text.error());
    *target = *text;
  }
  Expected<JobRecordStatus> status = StateField(value, "status", where, ParseJobStatus);
  if (!status) return MakeUnexpected(status.error());
  job.status = *status;
  Expected<std::optional<JobResult>> result =
      OptionalStateField(value, "result", where, ParseJobResult);
  if (!result) return MakeUnexpected(result.error());
  job.result = *result;
  Expected<std::map<std::string, std::string>> outputs = OutputsField(value, where);
  if (!outputs) return MakeUnexpected(outputs.error());
  job.outputs = *outputs;
  if (auto after = value.find("started_after_cancel"); after != value.end()) {
    if (!after->is_boolean())
      return MakeUnexpected(where + ": \"started_after_cancel\" must be a boolean");
    job.started_after_cancel = after->get<bool>();
  }
  if (auto steps = value.find("steps"); steps != value.end() && steps->is_array()) {
    for (const json& step_json : *steps) {
      StepRecord step;
      for (auto [key, target] :
           {std::pair{"id", &step.id}, std::pair{"name", &step.name},
            std::pair{"log", &step.log}}) {
        Expected<std::string> text = StringField(step_json, key, where + " step");
        if (!text) return MakeUnexpected(text.error());
        *target = *text;
      }
      for (auto [key, target] : {std::pair{"outcome", &step.outcome},
                                 std::pair{"conclusion", &step.conclusion}}) {
        Expected<std::optional<StepConclusion>> state =
            OptionalStateField(step_json, key, where + " step", ParseStepConclusion);
        if (!state) return MakeUnexpected(state.error());
        *target = *state;
      }
      Expected<std::map<std::string, std::string>> step_outputs =
          OutputsField(step_json, where + " step");
      if (!step_outputs) return MakeUnexpected(step_outputs.error());
      step.outputs = *step_outputs;
      job.steps.push_back(std::move(step));
    }
  }
  return job;
}

Expected<RunRecord> RunRecordFromJson(const json& value) {
  if (!value.is_object()) return MakeUnexpected(std::string("run record is not a JSON object"));
  RunRecord record;
  struct Field {
    const char* key;
    std::string* target;
  };
  const Field fields[] = {{"id", &record.id},
                          {"workflow", &record.workflow},
                          {"workflow_sha256", &record.workflow_sha256},
                          {"event", &record.event},
                          {"ref", &record.ref},
                          {"sha", &record.sha},
                          {"actor", &record.actor},
                          {"started_at", &record.started_at},
                          {"finished_at", &record.finished_at},
                          {"environments_file", &record.environments_file},
                          {"environments_sha256", &record.environments_sha256},
                          {"event_file", &record.event_file}};
  for (const Field& field : fields) {
    Expected<std::string> text = StringField(value, field.key, "run record");
    if (!text) return MakeUnexpected(text.error());
    *field.target = *text;
  }
  if (record.id.empty()) return MakeUnexpected(std::string("run record: \"id\" is missing"));
  Expected<RunStatus> status = StateField(value, "status", "run record", ParseRunStatus);
  if (!status) return MakeUnexpected(status.error());
  record.status = *status;
  if (auto it = value.find("inputs"); it != value.end() && !it->is_null()) record.inputs = *it;
  if (auto it = value.find("vars"); it != value.end() && !it->is_null()) {
    if (!it->is_object())
      return MakeUnexpected(std::string("run record: \"vars\" must be an object"));
    record.vars = *it;
  }
  if (auto it = value.find("called_workflows"); it != value.end() && it->is_array()) {
    record.called_workflows = *it;
  }
  if (auto it = value.find("workflow_paths"); it != value.end() && it->is_object()) {
    record.workflow_paths = *it;
  }
  auto jobs = value.find("jobs");
  if (jobs != value.end() && !jobs->is_null()) {
    if (!jobs->is_object())
      return MakeUnexpected(std::string("run record: \"jobs\" must be an object"));
    for (auto it = jobs->begin(); it != jobs->end(); ++it) {
      Expected<JobRecord> job = JobRecordFromJson(*it, fmt::format("job \"{}\"", it.key()));
      if (!job) return MakeUnexpected(job.error());
      record.jobs[it.key()] = std::move(job).value();
    }
  }
  return record;
}

Expected<bool> WriteFileAtomically(const std::string& path, const std::string& content,
                                   unsigned mode, bool durable) {
  std::string temp = fmt::format("{}.tmp-{}", path, getpid());
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return MakeUnexpected(fmt::format("cannot write \"{}\": {}", temp, strerror(errno)));
  if (!WriteAll(fd, content)) {
    int saved = errno;
    close(fd);
    unlink(temp.c_str());
    return MakeUnexpected(fmt::format("cannot write \"{}\": {}", temp, strerror(saved)));
  }
  if ((durable && fsync(fd) != 0) || close(fd) != 0) {
    int saved = errno;
    unlink(temp.c_str());
    return MakeUnexpected(fmt::format("cannot write \"{}\": {}", temp, strerror(saved)));
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    int saved = errno;
    unlink(temp.c_str());
    return MakeUnexpected(fmt::format("cannot replace \"{}\": {}", path, strerror(saved)));
  }
  return true;
}

std::string GenerateRunId() {
  auto now = std::chrono::system_clock::now();
  std::string utc = FormatUtc(now);  // 2026-01-31T12:34:56.789Z
  std::string compact;
  for (char c : utc.substr(0, 19)) {
    if (c == 'T')
      compact.push_back('-');
    else if (c != ':' && c != '-')
      compact.push_back(c);
  }
  std::random_device random;
  return fmt::format("{}-{:06x}", compact, random() & 0xffffff);
}

bool IsValidRunId(const std::string& id) {
  if (id.empty() || id.size() > 128 || id[0] == '.') return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string RunDirectory(const std::string& state_dir, const std::string& run_id) {
  return state_dir + "/runs/" + run_id;
}

std::string SafeFileName(const std::string& name) {
  std::string out;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    out.push_back(ok ? c : '_');
  }
  if (out.empty() || out[0] == '.') out.insert(out.begin(), '_');
  return out;
}

void MaskJsonInPlace(json* value, const Masker* masker) {
  if (masker && !masker->empty()) *value = MaskJson(*value, *masker);
}

json MaskJson(const json& value, const Masker& masker) {
  if (value.is_string()) return masker.Mask(value.get<std::string>());
  if (value.is_array()) {
    json out = json::array();
    for (const json& item : value) out.push_back(MaskJson(item, masker));
    return out;
  }
  if (value.is_object()) {
    json out = json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      out[masker.Mask(it.key())] = MaskJson(*it, masker);
    }
    return out;
  }
  return value;
}

namespace {

Expected<int> LockRunDirectory(const std::string& run_dir, const std::string& run_id) {
  std::string path = run_dir + "/.lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return MakeUnexpected(fmt::format("cannot lock \"{}\": {}", path, strerror(errno)));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return MakeUnexpected(fmt::format("run \"{}\" is in use by another slipway process", run_id));
  }
  return fd;
}

}  // namespace

Expected<RunStore> RunStore::Create(const std::string& state_dir, const std::string& run_id,
                                    const Masker* masker) {
  if (!IsValidRunId(run_id)) {
    return MakeUnexpected(
        fmt::format("invalid run id \"{}\"; use letters, digits, '.', '_' and '-'", run_id));
  }
  RemoveLeftovers(state_dir);
  std::string runs = state_dir + "/runs";
  if (auto made = MakeDirs(runs); !made) return MakeUnexpected(made.error());
  std::string dir = RunDirectory(state_dir, run_id);
  if (mkdir(dir.c_str(), 0755) != 0) {
    if (errno == EEXIST) {
      return MakeUnexpected(
          fmt::format("run \"{}\" already exists in \"{}\"; use --resume {} to continue it", run_id,
                      runs, run_id));
    }
    return MakeUnexpected(fmt::format("cannot create directory \"{}\": {}", dir, strerror(errno)));
  }
  for (const char* sub : {"/logs", "/artifacts", "/tmp", "/approvals"}) {
    if (auto made = MakeDirs(dir + sub); !made) return MakeUnexpected(made.error());
  }
  Expected<int> lock = LockRunDirectory(dir, run_id);
  if (!lock) return MakeUnexpected(lock.error());
  RunStore store;
  store.state_dir_ = state_dir;
  store.run_dir_ = dir;
  store.masker_ = masker;
  store.lock_fd_ = *lock;
  store.failures_ = std::make_shared<Failures>();
  store.journal_ = std::make_shared<Journal>();
  return store;
}

Expected<RunRecord> RunStore::Load(const std::string& state_dir, const std::string& run_id) {
  if (!IsValidRunId(run_id)) return MakeUnexpected(fmt::format("invalid run id \"{}\"", run_id));
  RemoveLeftovers(state_dir);
  std::string path = RunDirectory(state_dir, run_id) + "/run.json";
  std::string text, error;
  if (!ReadStateFile(path, &text, &error)) {
    if (errno == ENOENT) {
      return MakeUnexpected(
          fmt::format("no run \"{}\" in \"{}\" (cannot read \"{}\")", run_id, state_dir, path));
    }
    return MakeUnexpected(fmt::format("run record \"{}\" is unreadable: {}", path, error));
  }
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return MakeUnexpected(fmt::format("\"{}\" is not valid JSON", path));
  Expected<RunRecord> record = RunRecordFromJson(value);
  if (!record) return MakeUnexpected(fmt::format("\"{}\": {}", path, record.error()));
  if (auto seq = value.find("journal_seq"); seq != value.end() && seq->is_number_unsigned()) {
    record->journal_seq = seq->get<uint64_t>();
  }
  Expected<bool> replayed =
      ReplayJournal(RunDirectory(state_dir, run_id) + "/" + kRunJournal, *record);
  if (!replayed) return MakeUnexpected(replayed.error());
  return record;
}

Expected<RunStore> RunStore::Open(const std::string& state_dir, const std::string& run_id,
                                  const Masker* masker, RunRecord* record) {
  Expected<RunRecord> loaded = Load(state_dir, run_id);
  if (!loaded) return MakeUnexpected(loaded.error());
  std::string dir = RunDirectory(state_dir, run_id);
  for (const char* sub : {"/logs", "/artifacts", "/tmp", "/approvals"}) {
    if (auto made = MakeDirs(dir + sub); !made) return MakeUnexpected(made.error());
  }
  Expected<int> lock = LockRunDirectory(dir, run_id);
  if (!lock) return MakeUnexpected(lock.error());
  RunStore store;
  store.state_dir_ = state_dir;
  store.run_dir_ = dir;
  store.masker_ = masker;
  store.lock_fd_ = *lock;
  store.failures_ = std::make_shared<Failures>();
  store.journal_ = std::make_shared<Journal>();
  // Later entries follow the dead run's; its journal is emptied by the first Save.
  store.journal_->seq = loaded->journal_seq;
  std::error_code no_journal;
  store.journal_->bytes = fs::file_size(dir + "/" + kRunJournal, no_journal);
  if (no_journal) store.journal_->bytes = 0;
  // What the dead run left running is stopped before anything runs again (twice at once
  // otherwise), then its interrupted jobs are reported.
  store.resume_notices_ = StopRecordedGroups(store.processes_dir(), std::chrono::seconds(2));
  for (const auto& [key, job] : loaded->jobs) {
    if (job.status == JobRecordStatus::kCompleted || job.status == JobRecordStatus::kQueued) {
      continue;
    }
    std::string partial;
    std::error_code missing;
    // The record may already list the step that was running (started, no outcome yet).
    size_t completed = 0;
    while (completed < job.steps.size() && job.steps[completed].outcome) ++completed;
    for (const auto& entry : fs::directory_iterator(dir + "/logs/" + SafeFileName(key), missing)) {
      std::string name = entry.path().filename().string();
      // NN-<id>.log, NN 1-based: the step after the last completed one was running.
      if (std::atoi(name.c_str()) == static_cast<int>(completed) + 1 &&
          entry.file_size(missing) > 0) {
        partial = "logs/" + SafeFileName(key) + "/" + name;
      }
    }
    store.resume_notices_.push_back(fmt::format(
        "job \"{}\" was interrupted when the run died, after {} completed step(s){}; it runs "
        "again from its first step",
        key, completed,
        partial.empty() ? "" : "; the partial log of the step that was running: " + partial));
  }
  // This run's own leftovers (it was killed): scripts and env files may hold secrets.
  std::error_code ignored;
  fs::remove_all(store.temp_dir(), ignored);
  fs::create_directories(store.temp_dir(), ignored);
  if (record) *record = std::move(loaded).value();
  return store;
}

RunStore::RunStore(RunStore&& other) noexcept { *this = std::move(other); }

RunStore& RunStore::operator=(RunStore&& other) noexcept {
  if (this != &other) {
    if (lock_fd_ >= 0) close(lock_fd_);
    state_dir_ = std::move(other.state_dir_);
    run_dir_ = std::move(other.run_dir_);
    masker_ = other.masker_;
    lock_fd_ = std::exchange(other.lock_fd_, -1);
    failures_ = std::move(other.failures_);
    journal_ = std::move(other.journal_);
    resume_notices_ = std::move(other.resume_notices_);
  }
  return *this;
}

RunStore::~RunStore() {
  if (lock_fd_ >= 0) close(lock_fd_);
}

Expected<bool> RunStore::Remember(Expected<bool> written) const {
  if (!written && failures_) {
    std::lock_guard<std::mutex> lock(failures_->mutex);
    if (failures_->first.empty()) failures_->first = written.error();
  }
  return written;
}

std::string RunStore::write_error() const {
  if (!failures_) return "";
  std::lock_guard<std::mutex> lock(failures_->mutex);
  return failures_->first;
}

Expected<bool> RunStore::Save(const RunRecord& record, bool durable) const {
  json value = ToJson(record);
  MaskJsonInPlace(&value, masker_);
  Journal& journal = *journal_;
  if (journal.seq > 0) value["journal_seq"] = journal.seq;
  std::string text = value.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  Expected<bool> written = WriteFileAtomically(run_dir_ + "/run.json", text, 0644, durable);
  if (!written) return Remember(written);
  journal.base_bytes = text.size();
  if (journal.bytes > 0) {
    // run.json now holds every entry (journal_seq): a crash before this truncation leaves
    // entries that readers skip.
    std::string path = run_dir_ + "/" + kRunJournal;
    if (truncate(path.c_str(), 0) != 0 && errno != ENOENT) {
      return Remember(MakeUnexpected(fmt::format("cannot empty \"{}\": {}", path, strerror(errno))));
    }
    journal.bytes = 0;
  }
  return true;
}

Expected<bool> RunStore::AppendSummary(const std::string& markdown) const {
  std::ofstream out(summary_path(), std::ios::app);
  if (!out) return Remember(MakeUnexpected(fmt::format("cannot write \"{}\"", summary_path())));
  out << (masker_ ? masker_->Mask(markdown) : markdown);
  if (!markdown.empty() && markdown.back() != '\n') out << '\n';
  out.flush();
  if (!out) return Remember(MakeUnexpected(fmt::format("cannot write \"{}\"", summary_path())));
  return true;
}

std::string RunStore::StepLogPath(const std::string& job_key, size_t index,
                                  const std::string& step_id) const {
  std::string name = step_id.empty() ? "step" : SafeFileName(step_id);
  return fmt::format("logs/{}/{:02}-{}.log", SafeFileName(job_key), index + 1, name);
}

Expected<bool> RunStore::CreateStepLogDir(const std::string& job_key) const {
  const std::string dir = run_dir_ + "/logs/" + SafeFileName(job_key);
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return MakeUnexpected(fmt::format("cannot create \"{}\": {}", dir, error.message()));
  return true;
}

std::vector<std::string> RemoveLeftovers(const std::string& state_dir) {
  std::vector<std::string> cleaned;
  std::error_code error;
  for (const auto& run : fs::directory_iterator(state_dir + "/runs", error)) {
    std::error_code ignored;
    fs::path tmp = run.path() / "tmp";
    if (!fs::is_directory(tmp, ignored) || fs::is_empty(tmp, ignored)) continue;
    int fd = open((run.path() / ".lock").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
      close(fd);  // a live slipway process owns this run
      continue;
    }
    for (const auto& entry : fs::directory_iterator(tmp, ignored)) {
      fs::remove_all(entry.path(), ignored);
    }
    if (fd >= 0) close(fd);
    cleaned.push_back(run.path().filename().string());
  }
  return cleaned;
}

json CalledWorkflowsJson(const plan::Plan& plan) {
  json out = json::array();
  for (const plan::CalledFile& file : plan.called_files) {
    out.push_back({{"uses", file.uses}, {"path", file.path}, {"sha256", file.sha256}});
  }
  return out;
}

}  // namespace slipway::exec
