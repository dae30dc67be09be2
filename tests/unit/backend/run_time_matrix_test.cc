// Matrices known only at run time on the PostgreSQL backend, against a real PostgreSQL 15: the
// job is one placeholder row until its needs are met; the transaction that decides it expands
// the matrix from the needs' outputs into leg rows, which max-parallel and fail-fast then
// govern as they govern a literal matrix.
#include <algorithm>
#include <tuple>

#include "tests/unit/backend/backend_test_util.h"

namespace slipway::backend {
namespace {

using namespace testing_util;
using namespace std::chrono_literals;

// `strategy.matrix: ${{ fromJSON(needs.a.outputs.m) }}` as plan::MatrixDefinitionToJson stores it.
constexpr char kWholeMatrix[] =
    R"({"matrix":"${{ fromJSON(needs.a.outputs.m) }}","axes":[],"whole_expression":true})";

RunSpec RunTimeMatrixRun(const std::string& id, const std::string& definition,
                         int max_parallel = 0, bool fail_fast = true) {
  JobSpec legs = Job("m", {"a"});
  legs.matrix_definition = definition;
  legs.max_parallel = max_parallel;
  legs.fail_fast = fail_fast;
  RunSpec run = MakeRun(id, {Job("a"), legs, Job("after", {"m"})});
  run.jobs[1].position = 1;
  run.jobs[2].position = 1 + kLegPositions;
  return run;
}

// Claims a's job and completes it with output m.
void CompleteA(Queue& queue, const std::string& m) {
  Expected<std::optional<Claim>> a = queue.ClaimNext(AnyWorker("w"));
  ASSERT_TRUE(a && *a);
  ASSERT_EQ((*a)->key, "a");
  Completion done;
  done.outputs["m"] = m;
  ASSERT_EQ(*queue.Complete(**a, done), Fence::kHeld);
}

TEST(RunTimeMatrix, ExpandsIntoLegsWhenItsNeedsAreMet) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(RunTimeMatrixRun("r", kWholeMatrix)));
  EXPECT_EQ(queue->Status("r")->jobs["m"], "pending");
  CompleteA(*queue, R"({"os": ["linux", "mac"], "v": [1], "include": [{"os": "win", "v": 2}]})");
  Expected<RunStatusInfo> status = queue->Status("r");
  EXPECT_EQ(status->jobs.count("m"), 0u) << "the placeholder is gone";
  EXPECT_EQ(status->jobs["m (linux, 1)"], "ready");
  EXPECT_EQ(status->jobs["m (mac, 1)"], "ready");
  EXPECT_EQ(status->jobs["m (win, 2)"], "ready");
  EXPECT_EQ(status->jobs["after"], "pending");
  std::vector<std::string> keys;
  std::vector<int> indexes;
  for (int i = 0; i < 3; ++i) {
    Expected<std::optional<Claim>> leg = queue->ClaimNext(AnyWorker("w"));
    ASSERT_TRUE(leg && *leg);
    EXPECT_EQ((*leg)->job_id, "m");
    EXPECT_TRUE((*leg)->matrix.contains("os")) << (*leg)->matrix.dump();
    EXPECT_EQ((*leg)->needs["a"]["result"], "success");
    keys.push_back((*leg)->key);
    EXPECT_EQ((*leg)->job_total, 3);
    indexes.push_back((*leg)->job_index);
    Completion done;
    done.outputs["leg"] = (*leg)->matrix["os"].get<std::string>();
    ASSERT_EQ(*queue->Complete(**leg, done), Fence::kHeld);
  }
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"m (linux, 1)", "m (mac, 1)", "m (win, 2)"}));
  std::sort(indexes.begin(), indexes.end());
  EXPECT_EQ(indexes, (std::vector<int>{0, 1, 2})) << "strategy.job-index of each leg";
  Expected<std::optional<Claim>> after = queue->ClaimNext(AnyWorker("w"));
  ASSERT_TRUE(after && *after);
  EXPECT_EQ((*after)->key, "after");
  EXPECT_EQ((*after)->needs["m"]["result"], "success");
  ASSERT_EQ(*queue->Complete(**after, Completion{}), Fence::kHeld);
  EXPECT_EQ(queue->Status("r")->state, RunState::kSuccess);
}

TEST(RunTimeMatrix, AxesFromNeedsKeepTheirFileOrder) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  // matrix: {zone: ${{ fromJSON(needs.a.outputs.m) }}, app: [web]}
  ASSERT_TRUE(queue->Submit(RunTimeMatrixRun(
      "r", R"({"matrix":{"zone":"${{ fromJSON(needs.a.outputs.m) }}","app":["web"]},)"
           R"("axes":["zone","app"],"whole_expression":false})")));
  CompleteA(*queue, R"(["eu", "us"])");
  Expected<RunStatusInfo> status = queue->Status("r");
  EXPECT_EQ(status->jobs["m (eu, web)"], "ready");
  EXPECT_EQ(status->jobs["m (us, web)"], "ready");
}

TEST(RunTimeMatrix, MaxParallelThrottlesTheLegs) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(RunTimeMatrixRun("r", kWholeMatrix, /*max_parallel=*/1)));
  CompleteA(*queue, R"({"n": [1, 2, 3]})");
  Expected<RunStatusInfo> status = queue->Status("r");
  EXPECT_EQ(status->jobs["m (1)"], "ready");
  EXPECT_EQ(status->jobs["m (2)"], "throttled");
  EXPECT_EQ(status->jobs["m (3)"], "throttled");
  for (const char* key : {"m (1)", "m (2)", "m (3)"}) {
    Expected<std::optional<Claim>> leg = queue->ClaimNext(AnyWorker("w"));
    ASSERT_TRUE(leg && *leg);
    EXPECT_EQ((*leg)->key, key) << "one at a time, in matrix order";
    Expected<std::optional<Claim>> none = queue->ClaimNext(AnyWorker("v"));
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    ASSERT_EQ(*queue->Complete(**leg, Completion{}), Fence::kHeld);
  }
  EXPECT_EQ(queue->Status("r")->jobs["after"], "ready");
}

TEST(RunTimeMatrix, FailFastCancelsTheOtherLegs) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(RunTimeMatrixRun("r", kWholeMatrix, /*max_parallel=*/2)));
  CompleteA(*queue, R"({"n": [1, 2, 3, 4]})");
  Expected<std::optional<Claim>> first = queue->ClaimNext(AnyWorker("w"));
  Expected<std::optional<Claim>> second = queue->ClaimNext(AnyWorker("v"));
  ASSERT_TRUE(first && *first && second && *second);
  Completion failed;
  failed.result = exec::JobResult::kFailure;
  ASSERT_EQ(*queue->Complete(**first, failed), Fence::kHeld);
  Expected<RunStatusInfo> status = queue->Status("r");
  EXPECT_EQ(status->jobs["m (3)"], "cancelled");
  EXPECT_EQ(status->jobs["m (4)"], "cancelled");
  EXPECT_EQ(*queue->Heartbeat(**second, 10s), Fence::kCancelRequested);
  Completion stopped;
  stopped.result = exec::JobResult::kCancelled;
  ASSERT_EQ(*queue->Complete(**second, stopped), Fence::kHeld);
  status = queue->Status("r");
  EXPECT_EQ(status->jobs["after"], "skipped");
  EXPECT_EQ(status->state, RunState::kFailure);
}

TEST(RunTimeMatrix, AMatrixThatCannotBeExpandedFailsTheJob) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  for (const auto& [run, output, message] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"notjson", "not json", "cannot expand the matrix of \"m\": cannot evaluate"},
           {"list", "[1, 2]", "the matrix must be an object of axes, found array"},
           {"empty", R"({"n": []})", "cannot expand the matrix of \"m\": it has no combinations"}}) {
    ASSERT_TRUE(queue->Submit(RunTimeMatrixRun(run, kWholeMatrix)));
    CompleteA(*queue, output);
    Expected<RunStatusInfo> status = queue->Status(run);
    EXPECT_EQ(status->jobs["m"], "failure") << run;
    EXPECT_EQ(status->jobs["after"], "skipped") << run;
    EXPECT_EQ(status->state, RunState::kFailure) << run;
    pqxx::connection connection(dsn);
    pqxx::nontransaction tx(connection);
    std::string stored =
        tx.exec_params("SELECT message FROM jobs WHERE run_id = $1 AND key = 'm'", run)[0][0]
            .as<std::string>();
    EXPECT_NE(stored.find(message), std::string::npos) << run << ": " << stored;
  }
}

TEST(RunTimeMatrix, ASkippedPlaceholderIsNotExpanded) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(RunTimeMatrixRun("r", kWholeMatrix)));
  Expected<std::optional<Claim>> a = queue->ClaimNext(AnyWorker("w"));
  ASSERT_TRUE(a && *a);
  Completion failed;
  failed.result = exec::JobResult::kFailure;
  ASSERT_EQ(*queue->Complete(**a, failed), Fence::kHeld);
  Expected<RunStatusInfo> status = queue->Status("r");
  EXPECT_EQ(status->jobs["m"], "skipped");
  EXPECT_EQ(status->jobs["after"], "skipped");
  EXPECT_EQ(status->state, RunState::kFailure);
}

TEST(RunTimeMatrix, EachLegGetsItsOwnRunsOnLabels) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  RunSpec run = RunTimeMatrixRun("r", kWholeMatrix);
  run.jobs[1].labels = {"self-hosted", "${{ matrix.os }}"};
  ASSERT_TRUE(queue->Submit(run));
  CompleteA(*queue, R"({"os": ["linux", "mac"]})");
  WorkerIdentity mac_host;
  mac_host.name = "mac-host";
  mac_host.labels = {"self-hosted", "mac"};
  Expected<std::optional<Claim>> mine = queue->ClaimNext(mac_host);
  ASSERT_TRUE(mine && *mine);
  EXPECT_EQ((*mine)->key, "m (mac)");
  Expected<std::optional<Claim>> none = queue->ClaimNext(mac_host);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none) << "the linux leg is not the mac host's";
}

}  // namespace
}  // namespace slipway::backend
