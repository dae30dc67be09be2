// PostgreSQL backend benchmarks (issue 13), against a throwaway PostgreSQL 15 started here
// (tests/support/postgres_fixture; skipped with a message when none can start):
//   BM_BackendNoopThroughput  8 worker threads (own connections) claim and complete 2,000
//                             no-op jobs of one run (no process per job: the queue's cost
//                             alone), with (/1) and without (/0) an audit entry per job, each
//                             claiming its next job with its completion as a worker slot does.
//                             Counters jobs_per_s (target >= 1,000), and the reference of the
//                             same run: select1_per_s (8 connections running SELECT 1) and
//                             round_trips_per_job = select1_per_s / jobs_per_s. Completions take
//                             no global lock: the audit is chained per writer (pg_audit.h).
//   BM_BackendDag1000         the same 1,000-job DAG of `run: "true"` jobs (~2 needs each),
//                             once with the local backend (ExecuteRun, --jobs 8) and once
//                             submitted to PostgreSQL and run by a worker with 8 slots
//                             (RunWorker, real bash steps), interleaved. Counters local_s,
//                             backend_s and x_local = backend / local (target <= 1.5).
//   BM_BackendClaimLatency    one idle worker blocked in LISTEN (poll interval 5 s, so only
//                             NOTIFY can wake it quickly); single-job runs submitted one at a
//                             time; the database's ready → claimed time. Counter median_ms
//                             (target < 20).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <pqxx/pqxx>
#include <thread>

#include "interpreter/backend/queue.h"
#include "interpreter/backend/schema.h"
#include "interpreter/backend/submit.h"
#include "interpreter/backend/worker.h"
#include "interpreter/exec/process.h"
#include "interpreter/exec/run.h"
#include "interpreter/model/load_workflow.h"
#include "interpreter/plan/plan_file.h"
#include "stdlib/registry.h"
// The fixture is test support code; the bench binary compiles it in rather than linking gtest.
#include "tests/support/postgres_fixture.cc"  // NOLINT(build/include)

namespace slipway::backend {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
constexpr char kKey[] = "bench-audit-key";

std::string FreshMigratedDatabase(benchmark::State& state) {
  std::string why;
  testing::PostgresServer* server = testing::PostgresServer::Shared(&why);
  if (!server) {
    state.SkipWithError(("no PostgreSQL server: " + why).c_str());
    return "";
  }
  std::string dsn = server->FreshDatabase(&why);
  if (dsn.empty() || !Migrate(dsn)) {
    state.SkipWithError(("cannot prepare a database: " + why).c_str());
    return "";
  }
  return dsn;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// The reference measured in the same run: how many trivial statements per second 8
// connections get from this server on this machine right now.
double RoundTripsPerSecond(const std::string& dsn) {
  std::atomic<long> count{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < 8; ++w) {
    threads.emplace_back([&] {
      try {
        pqxx::connection connection(dsn);
        pqxx::nontransaction tx(connection);
        while (!stop) {
          tx.exec("SELECT 1");
          ++count;
        }
      } catch (const std::exception&) {
      }
    });
  }
  auto start = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  stop = true;
  for (std::thread& t : threads) t.join();
  return static_cast<double>(count.load()) / Seconds(Clock::now() - start);
}

void BM_BackendNoopThroughput(benchmark::State& state) {
  std::string dsn = FreshMigratedDatabase(state);
  if (dsn.empty()) return;
  const bool audited = state.range(0) != 0;
  const std::string key = audited ? kKey : "";
  constexpr int kJobs = 2000;
  constexpr int kWorkers = 8;
  int round = 0;
  std::vector<double> rates;
  for (auto _ : state) {
    RunSpec run;
    run.id = "noop-" + std::to_string(++round);
    run.workflow = "noop.yml";
    for (int i = 0; i < kJobs; ++i) {
      JobSpec job;
      job.key = job.job_id = "j" + std::to_string(i);
      job.position = i;
      run.jobs.push_back(job);
    }
    {
      Expected<std::unique_ptr<Queue>> submitter = Queue::Connect(dsn, key);
      if (!submitter || !(*submitter)->Submit(run)) {
        state.SkipWithError("submit failed");
        return;
      }
    }
    std::atomic<int> done{0};
    auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int w = 0; w < kWorkers; ++w) {
      threads.emplace_back([&, w] {
        Expected<std::unique_ptr<Queue>> queue = Queue::Connect(dsn, key);
        if (!queue) return;
        WorkerIdentity me{"bench-" + std::to_string(w), {}, true, std::chrono::seconds(30)};
        // As a worker's slot does it: the next job is claimed with the completion.
        Expected<std::optional<Claim>> claim = (*queue)->ClaimNext(me);
        while (claim && *claim && done.load() < kJobs) {
          NextClaims next{&me, 1, "", {}};
          if ((*queue)->Complete(**claim, Completion{}, &next)) ++done;
          claim = next.claimed.empty() ? (*queue)->ClaimNext(me)
                                       : std::optional<Claim>(std::move(next.claimed.front()));
        }
      });
    }
    for (std::thread& t : threads) t.join();
    double elapsed = Seconds(Clock::now() - start);
    if (done.load() != kJobs) {
      state.SkipWithError("not every job completed");
      return;
    }
    rates.push_back(kJobs / elapsed);
  }
  std::sort(rates.begin(), rates.end());
  double round_trips = RoundTripsPerSecond(dsn);
  state.counters["jobs_per_s"] = rates[rates.size() / 2];
  state.counters["select1_per_s"] = round_trips;
  state.counters["round_trips_per_job"] = round_trips / rates[rates.size() / 2];
}
// Arg 1: with an audit entry per job (as workers write them); 0: without (the queue alone).
BENCHMARK(BM_BackendNoopThroughput)
    ->Arg(1)
    ->Arg(0)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A 1,000-job DAG: job i needs up to two of the 20 jobs before it (a fixed seed).
std::string DagWorkflow(int jobs) {
  std::mt19937 random(42);
  std::string text = "on: push\njobs:\n";
  for (int i = 0; i < jobs; ++i) {
    text += "  j" + std::to_string(i) + ":\n    runs-on: linux\n";
    if (i > 0) {
      std::vector<int> needs;
      for (int k = 0; k < 2; ++k) {
        int lo = std::max(0, i - 20);
        needs.push_back(lo + static_cast<int>(random() % static_cast<unsigned>(i - lo)));
      }
      std::sort(needs.begin(), needs.end());
      needs.erase(std::unique(needs.begin(), needs.end()), needs.end());
      text += "    needs: [";
      for (size_t n = 0; n < needs.size(); ++n) {
        text += (n ? ", j" : "j") + std::to_string(needs[n]);
      }
      text += "]\n";
    }
    text += "    steps:\n      - run: \"true\"\n";
  }
  return text;
}

void BM_BackendDag1000(benchmark::State& state) {
  std::string dsn = FreshMigratedDatabase(state);
  if (dsn.empty()) return;
  fs::path dir = fs::temp_directory_path() / ("slipway-dag-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path old_cwd = fs::current_path();
  fs::current_path(dir);  // workers plan again from the current directory
  std::ofstream("dag.yml") << DagWorkflow(1000);
  step_api::StepCatalog catalog = stdlib::BuiltinSteps();
  SourceManager sources;
  Diagnostics diagnostics;
  plan::PlanOptions options;
  options.workflow_path = "dag.yml";
  options.ref = "refs/heads/main";
  options.sha = "1";
  options.actor = "bench";
  std::optional<plan::Plan> plan;
  plan::MakePlan(sources, options, plan::GitInfo{}, catalog, diagnostics, &plan);
  Diagnostics load;
  std::optional<model::Workflow> workflow = model::LoadWorkflowFile(sources, "dag.yml", load);
  if (!plan || !workflow) {
    fs::current_path(old_cwd);
    state.SkipWithError("cannot plan the DAG");
    return;
  }
  std::vector<double> local_s, backend_s;
  int round = 0;
  std::FILE* null_out = std::fopen("/dev/null", "w");
  for (auto _ : state) {
    ++round;
    exec::RunRequest request;
    request.plan = &*plan;
    request.workflow = &*workflow;
    request.catalog = &catalog;
    request.state_dir = (dir / "state").string();
    request.run_id = "local-" + std::to_string(round);
    request.jobs = 8;
    request.environment = exec::CurrentEnvironment();
    request.out = null_out;
    auto start = Clock::now();
    exec::RunResult local = exec::ExecuteRun(request);
    local_s.push_back(Seconds(Clock::now() - start));
    if (local.status != exec::RunStatus::kSuccess) {
      state.SkipWithError(("local run failed: " + local.error).c_str());
      break;
    }

    start = Clock::now();
    std::string run_id = "pg-" + std::to_string(round);
    Expected<RunSpec> spec = RunSpecFromPlan(*plan, &*workflow, options, run_id, "");
    Expected<std::unique_ptr<Queue>> queue = Queue::Connect(dsn, kKey);
    if (!spec || !queue || !(*queue)->Submit(*spec)) {
      state.SkipWithError("cannot submit the DAG");
      break;
    }
    WorkerOptions worker;
    worker.dsn = dsn;
    worker.identity = {"bench", {}, true, std::chrono::seconds(30)};
    worker.slots = 8;
    worker.only_run = run_id;
    worker.environment = request.environment;
    worker.scratch_dir = (dir / "scratch").string();
    worker.audit_key = kKey;
    worker.catalog = &catalog;
    worker.out = null_out;
    worker.poll = std::chrono::milliseconds(200);
    WorkerReport report = RunWorker(worker, {});
    backend_s.push_back(Seconds(Clock::now() - start));
    if (!report.error.empty() || report.run_state != RunState::kSuccess) {
      state.SkipWithError(("backend run failed: " + report.error).c_str());
      break;
    }
  }
  std::fclose(null_out);
  fs::current_path(old_cwd);
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  if (local_s.empty() || backend_s.size() != local_s.size()) return;
  std::sort(local_s.begin(), local_s.end());
  std::sort(backend_s.begin(), backend_s.end());
  double l = local_s[local_s.size() / 2], b = backend_s[backend_s.size() / 2];
  state.counters["local_s"] = l;
  state.counters["backend_s"] = b;
  state.counters["x_local"] = b / l;
}
BENCHMARK(BM_BackendDag1000)->Iterations(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_BackendClaimLatency(benchmark::State& state) {
  std::string dsn = FreshMigratedDatabase(state);
  if (dsn.empty()) return;
  constexpr int kRuns = 60;
  std::vector<double> latencies;
  for (auto _ : state) {
    std::atomic<bool> stop{false};
    std::vector<double> seen;
    std::thread worker([&] {
      Expected<std::unique_ptr<Queue>> queue = Queue::Connect(dsn, kKey);
      if (!queue) return;
      WorkerIdentity me{"latency", {}, true, std::chrono::seconds(30)};
      while (!stop) {
        Expected<std::optional<Claim>> claim = (*queue)->ClaimNext(me);
        if (!claim) return;
        if (!*claim) {
          if (!(*queue)->WaitForNotification(std::chrono::seconds(5))) return;
          continue;
        }
        seen.push_back((*claim)->latency_ms);
        if (!(*queue)->Complete(**claim, Completion{})) return;
      }
    });
    Expected<std::unique_ptr<Queue>> submitter = Queue::Connect(dsn, kKey);
    for (int i = 0; i < kRuns && submitter; ++i) {
      RunSpec run;
      run.id = "lat-" + std::to_string(latencies.size()) + "-" + std::to_string(i);
      JobSpec job;
      job.key = job.job_id = "only";
      run.jobs.push_back(job);
      if (!(*submitter)->Submit(run)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop = true;
    // Wakes the worker from LISTEN.
    if (submitter) {
      RunSpec last;
      last.id = "lat-stop-" + std::to_string(latencies.size());
      JobSpec job;
      job.key = job.job_id = "only";
      last.jobs.push_back(job);
      Expected<RunState> woke = (*submitter)->Submit(last);
      benchmark::DoNotOptimize(woke);
    }
    worker.join();
    latencies.insert(latencies.end(), seen.begin(), seen.end());
  }
  if (latencies.empty()) {
    state.SkipWithError("no claims seen");
    return;
  }
  std::sort(latencies.begin(), latencies.end());
  state.counters["median_ms"] = latencies[latencies.size() / 2];
  state.counters["p90_ms"] = latencies[latencies.size() * 9 / 10];
  state.counters["claims"] = static_cast<double>(latencies.size());
}
BENCHMARK(BM_BackendClaimLatency)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace slipway::backend
