// The artifacts index of the PostgreSQL backend at the queue's level, against a real
// PostgreSQL 15: written with the completion and fenced like it, cleared for the jobs that
// `run --resume` runs again.
#include <thread>

#include "interpreter/backend/stores.h"
#include "tests/unit/backend/backend_test_util.h"

namespace slipway::backend {
namespace {

using namespace testing_util;
using namespace std::chrono_literals;

std::vector<std::string> Names(const std::string& dsn, const std::string& run_id) {
  Expected<std::unique_ptr<exec::Store>> store = OpenPgStore(dsn, kAuditKey);
  EXPECT_TRUE(store);
  if (!store) return {};
  Expected<std::vector<exec::ArtifactEntry>> entries = (*store)->Artifacts(run_id);
  EXPECT_TRUE(entries) << entries.error();
  std::vector<std::string> out;
  for (const exec::ArtifactEntry& e : entries ? *entries : std::vector<exec::ArtifactEntry>{}) {
    out.push_back(e.job_key + ":" + e.name + ":" + std::to_string(e.size));
  }
  return out;
}

TEST(Artifacts, WrittenWithTheCompletionFencedAndClearedOnResume) {
  std::string dsn;
  SLIPWAY_MIGRATED_POSTGRES(dsn);
  std::unique_ptr<Queue> queue = MustConnect(dsn);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Submit(MakeRun("r", {Job("build"), Job("check")})));
  WorkerIdentity brief = AnyWorker("slow");
  brief.lease = 200ms;
  Expected<std::optional<Claim>> build = queue->ClaimNext(AnyWorker("a"));
  Expected<std::optional<Claim>> check = queue->ClaimNext(brief);
  ASSERT_TRUE(build && *build && check && *check);
  Completion failed;
  failed.result = exec::JobResult::kFailure;
  failed.artifacts = {{"backups/db.sql", "dump-1"}, {"report.xml", "<x/>"}};
  ASSERT_EQ(*queue->Complete(**build, failed), Fence::kHeld);
  // A worker whose lease expired writes nothing, artifacts included.
  std::this_thread::sleep_for(400ms);
  ASSERT_TRUE(queue->Sweep());
  Completion late;
  late.artifacts = {{"late.txt", "too late"}};
  EXPECT_EQ(*queue->Complete(**check, late), Fence::kLost);
  EXPECT_EQ(Names(dsn, "r"),
            (std::vector<std::string>{"build:backups/db.sql:6", "build:report.xml:4"}));
  ASSERT_EQ(queue->Status("r")->state, RunState::kFailure);
  // Resuming runs both again: the failed job's artifacts go with its result.
  ASSERT_TRUE(queue->Resume("r"));
  EXPECT_TRUE(Names(dsn, "r").empty());
  for (int i = 0; i < 2; ++i) {
    Expected<std::optional<Claim>> again = queue->ClaimNext(AnyWorker("b"));
    ASSERT_TRUE(again && *again);
    Completion done;
    if ((*again)->key == "build") done.artifacts = {{"backups/db.sql", "dump-2!"}};
    ASSERT_EQ(*queue->Complete(**again, done), Fence::kHeld);
  }
  EXPECT_EQ(Names(dsn, "r"), (std::vector<std::string>{"build:backups/db.sql:7"}));
  EXPECT_EQ(queue->Status("r")->state, RunState::kSuccess);
}

}  // namespace
}  // namespace slipway::backend
