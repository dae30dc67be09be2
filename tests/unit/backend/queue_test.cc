// The work queue against a real PostgreSQL 15: migrations, racing claims, dependants,
// leases, fencing after kill -9, label routing and concurrency groups.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "tests/unit/backend/backend_test_util.h"

namespace slipway::backend {
namespace {

using namespace testing_util;
using namespace std::chrono_literals;

TEST(Migrations, AreVersionedAndIdempotent) {
  std::string dsn;
  SLIPWAY_FRESH_POSTGRES(dsn);
  Expected<int> before = SchemaVersion(dsn);
  ASSERT_TRUE(before) << before.error();
  EXPECT_EQ(*before, 0);
  Expected<std::unique_ptr<Queue>> early = Queue::Connect(dsn, kAuditKey);
  ASSERT_FALSE(early);
  EXPECT_NE(early.error().find("backend init"), std::string::npos) << early.error();

  Expected<MigrationReport> first = Migrate(dsn);
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(first->from, 0);
  EXPECT_EQ(first->to, LatestSchemaVersion());
  Expected<MigrationReport> again = Migrate(dsn);
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(again->from, LatestSchemaVersion());
  EXPECT_EQ(again->to, LatestSchemaVersion());
  EXPECT_TRUE(Queue::Connect(dsn, kAuditKey));
}

TEST(Queue, RacingWorkersRunEachReadyJobExactlyOnce) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  constexpr int kJobs = 120;
  constexpr int kWorkers = 6;
  std::vector<JobSpec> jobs;
  for (int i = 0; i < kJobs; ++i) jobs.push_back(Job("j" + std::to_string(i)));
  jobs.push_back(Job("after", {"j0", "j7", "j99"}));
  std::unique_ptr<Queue> submitter = MustConnect(dsn);
  ASSERT_TRUE(submitter);
  Expected<RunState> state = submitter->Submit(MakeRun("race", jobs));
  ASSERT_TRUE(state) << state.error();
  EXPECT_EQ(*state, RunState::kRunning);

  std::mutex mutex;
  std::map<std::string, int> runs;  // key → times claimed
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&, w] {
      std::unique_ptr<Queue> queue = MustConnect(dsn);
      if (!queue) return;
      WorkerIdentity me = AnyWorker("w" + std::to_string(w));
      int idle = 0;
      while (idle < 20) {
        Expected<std::optional<Claim>> claim = queue->ClaimNext(me);
        if (!claim) {
          std::lock_guard<std::mutex> lock(mutex);
          errors.push_back(claim.error());
          return;
        }
        if (!*claim) {
          ++idle;
          std::this_thread::sleep_for(5ms);
          continue;
        }
        idle = 0;
        {
          std::lock_guard<std::mutex> lock(mutex);
          ++runs[(*claim)->key];
        }
        Completion done;
        done.outputs["by"] = me.name;
        Expected<Fence> fence = queue->Complete(**claim, done);
        if (!fence || *fence != Fence::kHeld) {
          std::lock_guard<std::mutex> lock(mutex);
          errors.push_back(fence ? "fenced out" : fence.error());
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(runs.size(), static_cast<size_t>(kJobs + 1));
  for (const auto& [key, count] : runs) EXPECT_EQ(count, 1) << key;
  Expected<RunStatusInfo> status = submitter->Status("race");
  ASSERT_TRUE(status) << status.error();
  EXPECT_EQ(status->state, RunState::kSuccess);
  EXPECT_EQ(status->jobs["after"], "success");
}

TEST(Queue, CompletionPromotesDependantsAndDecidesTheirIf) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  JobSpec on_failure = Job("on_failure", {"build"});
  on_failure.if_condition = "failure()";
  JobSpec by_output = Job("by_output", {"build"});
  by_output.if_condition = "needs.build.outputs.version == '1.2'";
  ASSERT_TRUE(queue->Submit(MakeRun("r", {Job("build"), Job("deploy", {"build"}), on_failure,
                                      by_output, Job("last", {"deploy", "on_failure"})})));
  WorkerIdentity me = AnyWorker("w");
  Expected<std::optional<Claim>> build = queue->ClaimNext(me);
  ASSERT_TRUE(build && *build);
  EXPECT_EQ((*build)->key, "build");
  // Nothing else is ready while build runs.
  Expected<std::optional<Claim>> none = queue->ClaimNext(me);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  Completion done;
  done.outputs["version"] = "1.2";
  ASSERT_EQ(*queue->Complete(**build, done), Fence::kHeld);

  std::vector<std::string> claimed;
  while (true) {
    Expected<std::optional<Claim>> next = queue->ClaimNext(me);
    ASSERT_TRUE(next) << next.error();
    if (!*next) break;
    claimed.push_back((*next)->key);
    if ((*next)->key == "deploy") {
      EXPECT_EQ((*next)->needs["build"]["result"], "success");
      EXPECT_EQ((*next)->needs["build"]["outputs"]["version"], "1.2");
    }
    ASSERT_EQ(*queue->Complete(**next, Completion{}), Fence::kHeld);
  }
  // on_failure is skipped, and `last` (success() over a skipped need) too, as on GitHub.
  EXPECT_EQ(claimed, (std::vector<std::string>{"deploy", "by_output"}));
  Expected<RunStatusInfo> status = queue->Status("r");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->jobs["on_failure"], "skipped");
  EXPECT_EQ(status->jobs["last"], "skipped");
  EXPECT_EQ(status->state, RunState::kSuccess);
}

TEST(Queue, KilledWorkerIsLostAndItsLateWritesAreFenced) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(MakeRun("k", {Job("slow"), Job("next", {"slow"})})));
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The worker: claims with a short lease, reports its attempt, then "works" forever.
    close(pipe_fds[0]);
    Expected<std::unique_ptr<Queue>> mine = Queue::Connect(dsn, kAuditKey);
    if (!mine) _exit(3);
    WorkerIdentity me = AnyWorker("doomed");
    me.lease = 400ms;
    Expected<std::optional<Claim>> claim = (*mine)->ClaimNext(me);
    if (!claim || !*claim) _exit(4);
    int attempt = (*claim)->attempt;
    if (write(pipe_fds[1], &attempt, sizeof attempt) != sizeof attempt) _exit(5);
    while (true) pause();
  }
  close(pipe_fds[1]);
  int attempt = 0;
  ASSERT_EQ(read(pipe_fds[0], &attempt, sizeof attempt), static_cast<ssize_t>(sizeof attempt));
  close(pipe_fds[0]);
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  waitpid(child, &status, 0);

  // Before the lease expires the job is still running: nobody else gets it.
  Expected<int> early = queue->Sweep();
  ASSERT_TRUE(early) << early.error();
  EXPECT_EQ(queue->Status("k")->jobs["slow"], "running");
  std::this_thread::sleep_for(600ms);
  Expected<int> swept = queue->Sweep();
  ASSERT_TRUE(swept) << swept.error();
  Expected<RunStatusInfo> after = queue->Status("k");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->jobs["slow"], "lost");
  EXPECT_EQ(after->jobs["next"], "pending");
  EXPECT_EQ(after->state, RunState::kFailure);

  // The dead worker's late writes, with its fencing token, change nothing.
  Claim stale;
  stale.run_id = "k";
  stale.key = "slow";
  stale.job_id = "slow";
  stale.attempt = attempt;
  stale.worker = "doomed";
  EXPECT_EQ(*queue->Heartbeat(stale, 10s), Fence::kLost);
  Completion late;
  late.outputs["x"] = "late";
  EXPECT_EQ(*queue->Complete(stale, late), Fence::kLost);
  EXPECT_EQ(queue->Status("k")->jobs["slow"], "lost");
  // And it is not silently re-run.
  Expected<std::optional<Claim>> again = queue->ClaimNext(AnyWorker("fresh"));
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
}

TEST(Queue, HeartbeatKeepsTheLeaseAndAnExpiredOneCannotBeRenewed) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(MakeRun("h", {Job("a")})));
  WorkerIdentity me = AnyWorker("w");
  me.lease = 300ms;
  Expected<std::optional<Claim>> claim = queue->ClaimNext(me);
  ASSERT_TRUE(claim && *claim);
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(150ms);
    EXPECT_EQ(*queue->Heartbeat(**claim, 300ms), Fence::kHeld);
    ASSERT_TRUE(queue->Sweep());
  }
  EXPECT_EQ(queue->Status("h")->jobs["a"], "running");
  std::this_thread::sleep_for(450ms);
  // Expired but not yet swept: the renewal is refused all the same.
  EXPECT_EQ(*queue->Heartbeat(**claim, 300ms), Fence::kLost);
  EXPECT_EQ(*queue->Complete(**claim, Completion{}), Fence::kLost);
}

TEST(Queue, WorkersClaimOnlyJobsWhoseLabelsTheyServe) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(MakeRun("l", {Job("lin", {}, {"linux"}), Job("gpu", {}, {"linux", "gpu"}),
                                      Job("prod", {}, {"self-hosted", "production"})})));
  WorkerIdentity linux_only{"linux-1", {"linux"}, false, 10s};
  WorkerIdentity gpu{"gpu-1", {"linux", "gpu", "x64"}, false, 10s};
  WorkerIdentity windows{"win-1", {"windows"}, false, 10s};
  Expected<std::optional<Claim>> nothing = queue->ClaimNext(windows);
  ASSERT_TRUE(nothing);
  EXPECT_FALSE(*nothing);
  Expected<std::optional<Claim>> a = queue->ClaimNext(linux_only);
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((*a)->key, "lin");
  Expected<std::optional<Claim>> none = queue->ClaimNext(linux_only);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  Expected<std::optional<Claim>> b = queue->ClaimNext(gpu);
  ASSERT_TRUE(b && *b);
  EXPECT_EQ((*b)->key, "gpu");
  Expected<std::optional<Claim>> c =
      queue->ClaimNext({"prod-1", {"production", "self-hosted"}, false, 10s});
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->key, "prod");
}

// A job with `container:` or `services:` goes only to a worker whose host has a container
// runtime: one without leaves it for another instead of claiming it and failing it.
TEST(Queue, ContainerJobsGoOnlyToWorkersWithAContainerRuntime) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  JobSpec boxed = Job("boxed", {}, {"linux"});
  boxed.needs_container = true;
  ASSERT_TRUE(queue->Submit(MakeRun("c", {boxed, Job("bare", {}, {"linux"})})));
  WorkerIdentity plain{"plain-1", {"linux"}, false, 10s};
  WorkerIdentity podman_host{"podman-1", {"linux"}, false, 10s, /*has_container_runtime=*/true};
  Expected<std::vector<Claim>> first = queue->ClaimUpTo(plain, 5);
  ASSERT_TRUE(first) << first.error();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(first->front().key, "bare");
  Expected<std::optional<Claim>> none = queue->ClaimNext(plain);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none) << "a host without a container runtime claims no container job";
  Expected<std::optional<Claim>> boxed_claim = queue->ClaimNext(podman_host);
  ASSERT_TRUE(boxed_claim && *boxed_claim);
  EXPECT_EQ((*boxed_claim)->key, "boxed");
}

TEST(Queue, ConcurrencyGroupSerialisesRunsFromTwoHosts) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> host_a = MustConnect(dsn);
  std::unique_ptr<Queue> host_b = MustConnect(dsn);
  ASSERT_TRUE(host_a && host_b);
  RunSpec first = MakeRun("first", {Job("deploy")});
  first.concurrency_group = "production";
  RunSpec second = MakeRun("second", {Job("deploy")});
  second.concurrency_group = "production";
  EXPECT_EQ(*host_a->Submit(first), RunState::kRunning);
  EXPECT_EQ(*host_b->Submit(second), RunState::kQueued);
  WorkerIdentity me = AnyWorker("w");
  Expected<std::optional<Claim>> one = host_b->ClaimNext(me);
  ASSERT_TRUE(one && *one);
  EXPECT_EQ((*one)->run_id, "first");
  Expected<std::optional<Claim>> blocked = host_a->ClaimNext(me);
  ASSERT_TRUE(blocked);
  EXPECT_FALSE(*blocked) << "the second run must wait for the group";
  ASSERT_EQ(*host_b->Complete(**one, Completion{}), Fence::kHeld);
  EXPECT_EQ(host_a->Status("first")->state, RunState::kSuccess);
  EXPECT_EQ(host_a->Status("second")->state, RunState::kRunning);
  Expected<std::optional<Claim>> two = host_a->ClaimNext(me);
  ASSERT_TRUE(two && *two);
  EXPECT_EQ((*two)->run_id, "second");
}

TEST(Queue, ANewerPendingRunReplacesTheOlderOneAndCancelInProgressStopsTheHolder) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  auto in_group = [](const std::string& id, bool cancel) {
    RunSpec run = MakeRun(id, {Job("deploy"), Job("after", {"deploy"})});
    run.concurrency_group = "g";
    run.cancel_in_progress = cancel;
    return run;
  };
  EXPECT_EQ(*queue->Submit(in_group("r1", false)), RunState::kRunning);
  EXPECT_EQ(*queue->Submit(in_group("r2", false)), RunState::kQueued);
  EXPECT_EQ(*queue->Submit(in_group("r3", false)), RunState::kQueued);
  EXPECT_EQ(queue->Status("r2")->state, RunState::kCancelled);
  Expected<std::optional<Claim>> holder = queue->ClaimNext(AnyWorker("w"));
  ASSERT_TRUE(holder && *holder);
  EXPECT_EQ(queue->Submit(in_group("r4", true)).value(), RunState::kQueued);
  EXPECT_EQ(queue->Status("r3")->state, RunState::kCancelled);
  EXPECT_EQ(*queue->Heartbeat(**holder, 10s), Fence::kCancelRequested);
  Completion cancelled;
  cancelled.result = exec::JobResult::kCancelled;
  ASSERT_EQ(*queue->Complete(**holder, cancelled), Fence::kHeld);
  EXPECT_EQ(queue->Status("r1")->state, RunState::kCancelled);
  EXPECT_EQ(queue->Status("r1")->jobs["after"], "cancelled");
  EXPECT_EQ(queue->Status("r4")->state, RunState::kRunning);
}

}  // namespace
}  // namespace slipway::backend
