// `slipway logs RUN_ID [JOB [STEP]] [--follow] [--state-dir D]`: a run's step logs, masked.
// JOB is a job id (all its matrix instances) or an instance key; STEP is a step's id, its name
// or its number (1-based). --follow prints the run's output lines as they are written (from its
// events.jsonl) until the run ends.
#include <CLI/CLI.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <thread>

#include "interpreter/base/diagnostic.h"
#include "interpreter/base/fd_io.h"
#include "interpreter/cli/backend_cli.h"
#include "interpreter/cli/cli_common.h"
#include "interpreter/cli/subcommand.h"
#include "interpreter/exec/event_stream.h"
#include "interpreter/exec/masker.h"
#include "interpreter/report/run_history.h"
#include "interpreter/report/timeline.h"

namespace slipway::cli {
namespace {

struct LogsArgs {
  std::string run_id;
  std::string job;
  std::string step;
  bool follow = false;
  std::string state_dir = ".slipway";
  std::string backend;  // postgresql://...: backend_cli.h reads the database
  int poll_ms = 200;
};

bool JobMatches(const report::JobTimeline& job, const std::string& wanted) {
  return wanted.empty() || job.key == wanted || job.id == wanted;
}

bool StepMatches(const report::StepSpan& step, const std::string& wanted) {
  return wanted.empty() || step.id == wanted || step.name == wanted ||
         std::to_string(step.index + 1) == wanted;
}

// Checks JOB and STEP against the run; prints the error (with a suggestion) when one is unknown.
bool CheckFilters(const LogsArgs& args, const report::Timeline& timeline) {
  if (args.job.empty()) return true;
  std::vector<std::string> jobs;
  const report::JobTimeline* found = nullptr;
  for (const report::JobTimeline& job : timeline.jobs) {
    jobs.push_back(job.key);
    if (JobMatches(job, args.job) && !found) found = &job;
  }
  if (!found) {
    std::cerr << "slipway logs: run \"" << args.run_id << "\" has no job \"" << args.job << "\""
              << DidYouMean(args.job, jobs) << "\n";
    return false;
  }
  if (args.step.empty() || args.follow) return true;
  std::vector<std::string> steps;
  for (const report::StepSpan& step : found->steps) {
    if (StepMatches(step, args.step)) return true;
    steps.push_back(step.id.empty() ? step.name : step.id);
  }
  std::cerr << "slipway logs: job \"" << args.job << "\" has no step \"" << args.step << "\""
            << DidYouMean(args.step, steps) << "\n";
  return false;
}

int PrintLogs(const LogsArgs& args, const report::RunView& run, const report::Timeline& timeline,
              const exec::Masker& masker) {
  bool one_step = !args.step.empty();
  for (const report::JobTimeline& job : timeline.jobs) {
    if (!JobMatches(job, args.job)) continue;
    for (const report::StepSpan& step : job.steps) {
      if (!StepMatches(step, args.step)) continue;
      std::string text = report::ReadStepLog(run, step.log, &masker);
      if (!one_step) {
        std::string result = step.conclusion.empty() ? step.outcome : step.conclusion;
        std::cout << "== " << job.key << " / " << step.index + 1 << ". "
                  << (step.name.empty() ? step.id : step.name)
                  << (result.empty() ? "" : " (" + result + ")") << "\n";
      }
      std::cout << text;
      if (!text.empty() && text.back() != '\n') std::cout << "\n";
    }
  }
  std::cout.flush();
  return kExitOk;
}

// Prints the output lines of events.jsonl as they are appended, until run_finished (or the
// record says the run is over and nothing more arrives).
int Follow(const LogsArgs& args, const report::RunView& run, const exec::Masker& masker) {
  std::string path = run.run_dir + "/" + exec::kEventsFile;
  std::ifstream in;
  std::string pending;
  std::streamoff offset = 0;
  int quiet_polls = 0;
  // job → step index → (name, id), from step_started.
  std::map<std::string, std::map<int, std::pair<std::string, std::string>>> steps;
  for (;;) {
    bool got = false, finished = false;
    // A FIFO or device in place of the log would block or never end: only a regular file.
    if (IsRegularFile(path)) in.open(path, std::ios::binary);
    if (in.is_open() && in) {
      in.seekg(offset);
      std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      offset += static_cast<std::streamoff>(chunk.size());
      pending += chunk;
      got = !chunk.empty();
    }
    in.close();
    size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      nlohmann::json event = nlohmann::json::parse(pending.substr(0, newline), nullptr, false);
      pending.erase(0, newline + 1);
      if (!event.is_object()) continue;
      std::string type = event.value("type", "");
      if (type == "run_finished") finished = true;
      std::string job = event.value("job", "");
      if (!args.job.empty() && job != args.job && job.rfind(args.job + " (", 0) != 0) continue;
      const nlohmann::json step = event.value("step", nlohmann::json::object());
      if (type == "step_started") {
        steps[job][step.value("index", -1)] = {step.value("name", ""), step.value("id", "")};
      }
      if (type != "step_output") continue;
      if (!args.step.empty()) {
        int index = step.value("index", -1);
        const auto& [name, id] = steps[job][index];
        if (index < 0 || (args.step != name && args.step != id &&
                          args.step != std::to_string(index + 1))) {
          continue;
        }
      }
      std::string text = masker.Mask(event.value("text", ""));
      if (args.job.empty()) {
        std::cout << "[" << masker.Mask(job) << "] " << text << "\n";
      } else {
        std::cout << text << "\n";
      }
    }
    std::cout.flush();
    if (finished) return kExitOk;
    if (got) {
      quiet_polls = 0;
    } else if (++quiet_polls >= 3) {
      Expected<exec::RunRecord> record = exec::RunStore::Load(args.state_dir, args.run_id);
      if (record && exec::IsFinished(record->status)) return kExitOk;
      quiet_polls = 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(args.poll_ms));
  }
}

int Logs(const LogsArgs& args) {
  if (std::string dsn = BackendDsn("logs", args.backend); !dsn.empty()) {
    return dsn == "!" ? kExitUsage
                      : LogsOnBackend(dsn, args.run_id, args.job, args.step, args.follow);
  }
  exec::Masker masker;
  AddReaderSecrets(masker);
  Expected<report::RunView> run = report::LoadRun(args.state_dir, args.run_id, &masker);
  if (!run) {
    std::cerr << "slipway logs: " << run.error() << "\n";
    return kExitUsage;
  }
  report::Timeline timeline = report::BuildTimeline(*run);
  if (!CheckFilters(args, timeline)) return kExitUsage;
  if (args.follow) {
    if (!run->events.empty()) return Follow(args, *run, masker);
    std::cerr << "slipway logs: run \"" << args.run_id
              << "\" has no events.jsonl to follow; printing its logs\n";
  }
  return PrintLogs(args, *run, timeline, masker);
}

}  // namespace

std::function<int()> SetupLogs(CLI::App& command) {
  auto args = std::make_shared<LogsArgs>();
  command.add_option("run_id", args->run_id, "the run's id (see `slipway runs`)")->required();
  command.add_option("job", args->job, "only this job (an id, or a matrix instance's key)");
  command.add_option("step", args->step, "only this step (its id, name or number)");
  command.add_flag("--follow,-f", args->follow, "print output as the run writes it, until it ends");
  command.add_option("--state-dir", args->state_dir, "state directory (default: .slipway)");
  command.add_option("--backend", args->backend,
                     "read the logs from PostgreSQL, postgresql://... (default: $SLIPWAY_BACKEND)");
  return [args]() -> int { return Logs(*args); };
}

}  // namespace slipway::cli
