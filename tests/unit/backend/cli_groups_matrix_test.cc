// The built CLI against a real PostgreSQL 15 for what the queue decides at run time: job-level
// concurrency groups shared by runs submitted from different "hosts" (serialised; with
// cancel-in-progress a running bash step is stopped on its worker) and a matrix known only at
// run time (`fromJSON(needs.a.outputs.m)`), expanded when its needs are met.
#include <signal.h>

#include <algorithm>
#include <sstream>
#include <thread>

#include "interpreter/backend/stores.h"
#include "tests/unit/backend/backend_cli_fixture.h"

namespace slipway::backend {
namespace {

using namespace std::chrono_literals;
using testing::CliResult;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST_F(BackendCli, JobsOfTwoRunsSharingAGroupRunOneAfterTheOther) {
  Write("wf.yml", R"(on: push
jobs:
  deploy:
    runs-on: linux
    concurrency:
      group: Deploy-${{ github.ref_name }}
    steps:
      - run: echo "start ${{ github.run_id }}" >> order.txt && sleep 1 && echo "end ${{ github.run_id }}" >> order.txt
)");
  for (const char* id : {"one", "two"}) {
    CliResult submitted = Submit(id);
    ASSERT_EQ(submitted.exit_code, 0) << submitted.out << submitted.err;
  }
  EXPECT_EQ(JobState("one", "deploy"), "ready");
  EXPECT_EQ(JobState("two", "deploy"), "grouped");
  // Two "hosts", each free to take either job.
  auto a = StartWorker({"--labels", "linux", "--name", "host-a"});
  auto b = StartWorker({"--labels", "linux", "--name", "host-b"});
  for (const char* id : {"one", "two"}) {
    CliResult waited = Cli({"wait", id, "--backend", dsn_, "--timeout", "30"}, env_);
    EXPECT_EQ(waited.exit_code, 0) << waited.out << waited.err;
  }
  for (auto* worker : {a.get(), b.get()}) {
    worker->child->SignalGroup(SIGTERM);
    worker->pump.join();
  }
  EXPECT_EQ(Lines(Read("order.txt")),
            (std::vector<std::string>{"start one", "end one", "start two", "end two"}))
      << a->out << b->out;
}

TEST_F(BackendCli, CancelInProgressStopsTheOlderJobOnItsWorker) {
  Write("wf.yml", R"(on: push
jobs:
  deploy:
    runs-on: linux
    concurrency:
      group: prod
      cancel-in-progress: true
    steps:
      - run: |
          touch "started-${{ github.run_id }}"
          if [ "${{ github.run_id }}" = old ]; then sleep 30; fi
          touch "finished-${{ github.run_id }}"
)");
  ASSERT_EQ(Submit("old").exit_code, 0);
  auto worker = StartWorker({"--labels", "linux", "--lease", "1", "--name", "host-a"});
  for (int i = 0; i < 200 && !Exists("started-old"); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(Exists("started-old")) << worker->out;
  ASSERT_EQ(Submit("new").exit_code, 0);
  EXPECT_EQ(JobState("new", "deploy"), "grouped");
  CliResult old_run = Cli({"wait", "old", "--backend", dsn_, "--timeout", "20"}, env_);
  EXPECT_EQ(old_run.exit_code, 130) << old_run.out << old_run.err;
  EXPECT_NE(old_run.out.find("run old: cancelled"), std::string::npos) << old_run.out;
  CliResult new_run = Cli({"wait", "new", "--backend", dsn_, "--timeout", "20"}, env_);
  EXPECT_EQ(new_run.exit_code, 0) << new_run.out << new_run.err;
  worker->child->SignalGroup(SIGTERM);
  worker->pump.join();
  EXPECT_TRUE(Exists("finished-new"));
  EXPECT_FALSE(Exists("finished-old")) << "the older job's step was stopped";
}

// GitHub keeps at most one pending job per group: a newer pending job cancels the older
// pending one (as the state directory does: exec/job_gate.cc, ConcurrencyLock::kReplaced).
TEST_F(BackendCli, ANewerPendingJobOfAGroupReplacesTheOlderPendingOne) {
  Write("wf.yml", R"(on: push
jobs:
  deploy:
    runs-on: linux
    concurrency:
      group: prod
    steps:
      - run: echo "${{ github.run_id }}" >> order.txt
  after:
    needs: deploy
    if: always()
    runs-on: linux
    steps:
      - run: echo "after ${{ github.run_id }} ${{ needs.deploy.result }}" >> order.txt
)");
  for (const char* id : {"one", "two", "three"}) {
    CliResult submitted = Submit(id);
    ASSERT_EQ(submitted.exit_code, 0) << submitted.out << submitted.err;
  }
  EXPECT_EQ(JobState("one", "deploy"), "ready");
  EXPECT_EQ(JobState("two", "deploy"), "waiting") << "replaced: asked to stop before it starts";
  EXPECT_EQ(JobState("three", "deploy"), "grouped");
  auto worker = StartWorker({"--labels", "linux", "--name", "host-a"});
  CliResult one = Cli({"wait", "one", "--backend", dsn_, "--timeout", "30"}, env_);
  EXPECT_EQ(one.exit_code, 0) << one.out << one.err;
  CliResult two = Cli({"wait", "two", "--backend", dsn_, "--timeout", "30"}, env_);
  EXPECT_EQ(two.exit_code, 130) << two.out << two.err;
  CliResult three = Cli({"wait", "three", "--backend", dsn_, "--timeout", "30"}, env_);
  EXPECT_EQ(three.exit_code, 0) << three.out << three.err;
  worker->child->SignalGroup(SIGTERM);
  worker->pump.join();
  EXPECT_EQ(JobState("two", "deploy"), "cancelled");
  {
    pqxx::connection connection(dsn_);
    pqxx::nontransaction tx(connection);
    pqxx::result row = tx.exec("SELECT message FROM jobs WHERE run_id = 'two' AND key = 'deploy'");
    ASSERT_EQ(row.size(), 1u);
    EXPECT_EQ(row[0][0].as<std::string>(),
              "cancelled: a newer job of concurrency group \"prod\" is pending");
  }
  std::vector<std::string> order = Lines(Read("order.txt"));
  EXPECT_EQ(std::count(order.begin(), order.end(), "two"), 0) << Read("order.txt");
  EXPECT_NE(std::find(order.begin(), order.end(), "after two cancelled"), order.end())
      << "the replaced job's dependants are decided: " << Read("order.txt") << worker->out;
}

// `cancel-in-progress` known only at run time (it reads a needs output) is evaluated when the
// job is about to start, as on the state directory.
TEST_F(BackendCli, CancelInProgressFromANeedsOutputIsEvaluatedWhenTheJobStarts) {
  Write("wf.yml", R"(on: push
jobs:
  pick:
    runs-on: linux
    outputs:
      cancel: ${{ steps.s.outputs.cancel }}
    steps:
      - id: s
        run: echo "cancel=${{ github.run_id == 'new' }}" >> "$GITHUB_OUTPUT"
  deploy:
    needs: pick
    runs-on: linux
    concurrency:
      group: prod
      cancel-in-progress: ${{ needs.pick.outputs.cancel == 'true' }}
    steps:
      - run: |
          touch "started-${{ github.run_id }}"
          if [ "${{ github.run_id }}" = old ]; then sleep 30; fi
          touch "finished-${{ github.run_id }}"
)");
  ASSERT_EQ(Submit("old").exit_code, 0);
  // Two slots: the newer run's `pick` runs while the older deploy holds the group.
  auto worker =
      StartWorker({"--labels", "linux", "--jobs", "2", "--lease", "1", "--name", "host-a"});
  for (int i = 0; i < 200 && !Exists("started-old"); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(Exists("started-old")) << worker->out;
  ASSERT_EQ(Submit("new").exit_code, 0);
  CliResult old_run = Cli({"wait", "old", "--backend", dsn_, "--timeout", "20"}, env_);
  EXPECT_EQ(old_run.exit_code, 130) << old_run.out << old_run.err;
  CliResult new_run = Cli({"wait", "new", "--backend", dsn_, "--timeout", "20"}, env_);
  EXPECT_EQ(new_run.exit_code, 0) << new_run.out << new_run.err;
  worker->child->SignalGroup(SIGTERM);
  worker->pump.join();
  EXPECT_TRUE(Exists("finished-new"));
  EXPECT_FALSE(Exists("finished-old")) << "the older job's step was stopped";
}

TEST_F(BackendCli, AMatrixFromANeedsOutputIsExpandedWhenItsNeedsAreMet) {
  Write("wf.yml", R"(on: push
jobs:
  pick:
    runs-on: [self-hosted, linux]
    outputs:
      m: ${{ steps.s.outputs.m }}
    steps:
      - id: s
        run: echo 'm={"os":["linux","mac"],"include":[{"os":"win","extra":"x"}]}' >> "$GITHUB_OUTPUT"
  build:
    needs: pick
    runs-on: [self-hosted, linux]
    strategy:
      max-parallel: 1
      matrix: ${{ fromJSON(needs.pick.outputs.m) }}
    steps:
      - run: echo "${{ matrix.os }}${{ matrix.extra }} ${{ strategy.job-index }}/${{ strategy.job-total }}" >> legs.txt
  after:
    needs: build
    runs-on: [self-hosted, linux]
    steps:
      - run: echo "${{ needs.build.result }}" > after.txt
)");
  CliResult run = Cli({"run", "wf.yml", "--backend", dsn_, "--run-id", "rt", "--ref",
                       "refs/heads/main", "--sha", "1", "--progress", "plain"},
                      env_);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  std::vector<std::string> legs = Lines(Read("legs.txt"));
  std::sort(legs.begin(), legs.end());
  EXPECT_EQ(legs, (std::vector<std::string>{"linux 0/3", "mac 1/3", "winx 2/3"}));
  EXPECT_EQ(Read("after.txt"), "success\n");
  Expected<std::unique_ptr<exec::Store>> store = OpenPgStore(dsn_, testing_util::kAuditKey);
  ASSERT_TRUE(store) << store.error();
  Expected<exec::RunRecord> record = (*store)->LoadRun("rt");
  ASSERT_TRUE(record) << record.error();
  EXPECT_EQ(record->jobs.count("build"), 0u);
  EXPECT_EQ(record->jobs["build (linux)"].result, exec::JobResult::kSuccess);
  EXPECT_EQ(record->jobs["build (win, x)"].result, exec::JobResult::kSuccess);
}

TEST_F(BackendCli, EachLegOfALiteralMatrixIsRoutedByItsOwnLabels) {
  Write("wf.yml", R"(on: push
jobs:
  build:
    runs-on: [self-hosted, "${{ matrix.host }}"]
    strategy:
      matrix:
        host: [alpha, beta]
    steps:
      - run: echo "${{ matrix.host }}" > "built-on-${{ matrix.host }}.txt"
)");
  ASSERT_EQ(Submit("lab").exit_code, 0);
  {
    pqxx::connection connection(dsn_);
    pqxx::nontransaction tx(connection);
    pqxx::result rows =
        tx.exec("SELECT key, array_to_string(labels, ',') FROM jobs WHERE run_id = 'lab' ORDER BY "
                "position");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0][1].as<std::string>(), "self-hosted,alpha");
    EXPECT_EQ(rows[1][1].as<std::string>(), "self-hosted,beta");
  }
  CliResult beta = Cli({"worker", "--backend", dsn_, "--once", "--labels", "self-hosted,beta"},
                       env_);
  ASSERT_EQ(beta.exit_code, 0) << beta.out << beta.err;
  EXPECT_TRUE(Exists("built-on-beta.txt"));
  EXPECT_FALSE(Exists("built-on-alpha.txt"));
  EXPECT_EQ(JobState("lab", "build (alpha)"), "ready");
}

}  // namespace
}  // namespace slipway::backend
