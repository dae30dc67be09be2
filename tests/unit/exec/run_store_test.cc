#include "interpreter/exec/run_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "interpreter/exec/masker.h"

namespace slipway::exec {
namespace {

namespace fs = std::filesystem;

class RunStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_ = (fs::temp_directory_path() /
              ("slipway-store-" + std::to_string(getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                 .string();
    fs::remove_all(state_);
  }
  void TearDown() override { fs::remove_all(state_); }
  std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  std::string state_;
};

RunRecord SampleRecord() {
  RunRecord record;
  record.id = "r1";
  record.workflow = "deploy.yml";
  record.event = "push";
  record.ref = "refs/tags/v1.2.0";
  record.actor = "alice";
  record.started_at = "2026-01-01T00:00:00.000Z";
  record.inputs = {{"environment", "prod"}};
  JobRecord& build = record.jobs["build"];
  build.status = JobRecordStatus::kCompleted;
  build.result = JobResult::kSuccess;
  build.outputs = {{"version", "1.2.0"}};
  build.steps.push_back(
      {"v", "Compute version", StepConclusion::kSuccess, StepConclusion::kSuccess, {{"v", "1.2.0"}},
       "logs/build/01-v.log"});
  record.jobs["deploy"].status = JobRecordStatus::kRunning;
  return record;
}

TEST_F(RunStoreTest, RecordHasTheDocumentedShape) {
  nlohmann::json json = ToJson(SampleRecord());
  for (const char* key : {"id", "workflow", "event", "ref", "actor", "status", "started_at",
                          "finished_at", "inputs", "jobs"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  const nlohmann::json& build = json["jobs"]["build"];
  for (const char* key : {"status", "result", "outputs", "started_at", "finished_at", "steps"}) {
    EXPECT_TRUE(build.contains(key)) << key;
  }
  for (const char* key : {"id", "name", "outcome", "conclusion", "outputs", "log"}) {
    EXPECT_TRUE(build["steps"][0].contains(key)) << key;
  }
  EXPECT_TRUE(json["jobs"]["deploy"]["result"].is_null());
  EXPECT_EQ(build["outputs"]["version"], "1.2.0");
}

TEST_F(RunStoreTest, SavesAndLoadsBack) {
  auto store = RunStore::Create(state_, "r1", nullptr);
  ASSERT_TRUE(store.has_value()) << store.error();
  ASSERT_TRUE(store->Save(SampleRecord()).has_value());
  auto loaded = RunStore::Load(state_, "r1");
  ASSERT_TRUE(loaded.has_value()) << loaded.error();
  EXPECT_EQ(ToJson(*loaded), ToJson(SampleRecord()));
  EXPECT_TRUE(fs::is_directory(store->artifacts_dir()));
  // No temporary file is left behind by the atomic write.
  for (const auto& entry : fs::directory_iterator(store->run_dir())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos);
  }
}

TEST_F(RunStoreTest, UnsyncedSavesStillReplaceTheRecordWhole) {
  auto store = RunStore::Create(state_, "r1", nullptr);
  ASSERT_TRUE(store.has_value()) << store.error();
  RunRecord record = SampleRecord();
  ASSERT_TRUE(store->Save(record).has_value());
  record.jobs["deploy"].steps.push_back(
      {"", "Step 1", std::nullopt, std::nullopt, {}, "logs/deploy/01-step.log"});
  ASSERT_TRUE(store->Save(record, /*durable=*/false).has_value());
  auto loaded = RunStore::Load(state_, "r1");
  ASSERT_TRUE(loaded.has_value()) << loaded.error();
  EXPECT_EQ(ToJson(*loaded), ToJson(record));
  for (const auto& entry : fs::directory_iterator(store->run_dir())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos);
  }
}

TEST_F(RunStoreTest, MasksEveryString) {
  Masker masker;
  masker.Add("1.2.0");
  auto store = RunStore::Create(state_, "r1", &masker);
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE(store->Save(SampleRecord()).has_value());
  ASSERT_TRUE(store->AppendSummary("version 1.2.0 deployed").has_value());
  std::string text = Read(store->run_dir() + "/run.json");
  EXPECT_EQ(text.find("1.2.0"), std::string::npos) << text;
  EXPECT_NE(text.find("***"), std::string::npos);
  EXPECT_EQ(Read(store->summary_path()), "version *** deployed\n");
}

TEST_F(RunStoreTest, CreateRefusesAnExistingRunAndBadIds) {
  {
    auto first = RunStore::Create(state_, "r1", nullptr);
    ASSERT_TRUE(first.has_value());
  }
  auto second = RunStore::Create(state_, "r1", nullptr);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error(),
            "run \"r1\" already exists in \"" + state_ + "/runs\"; use --resume r1 to continue it");
  auto bad = RunStore::Create(state_, "../x", nullptr);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error(), "invalid run id \"../x\"; use letters, digits, '.', '_' and '-'");
}

TEST_F(RunStoreTest, OneProcessAtATime) {
  auto first = RunStore::Create(state_, "r1", nullptr);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(first->Save(SampleRecord()).has_value());
  RunRecord record;
  auto second = RunStore::Open(state_, "r1", nullptr, &record);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error(), "run \"r1\" is in use by another slipway process");
  first = RunStore::Create(state_, "r2", nullptr);  // releases r1's lock
  auto reopened = RunStore::Open(state_, "r1", nullptr, &record);
  ASSERT_TRUE(reopened.has_value()) << reopened.error();
  EXPECT_EQ(record.jobs["build"].outputs["version"], "1.2.0");
}

TEST_F(RunStoreTest, LoadErrors) {
  auto missing = RunStore::Load(state_, "nope");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().find("no run \"nope\""), std::string::npos) << missing.error();
  fs::create_directories(state_ + "/runs/bad");
  std::ofstream(state_ + "/runs/bad/run.json") << R"({"id": "bad", "status": "running", "jobs": {"a": {"status": 3}}})";
  auto bad = RunStore::Load(state_, "bad");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().find("job \"a\": \"status\" must be a string"), std::string::npos)
      << bad.error();
}

// A step can write into the state directory: a FIFO, a link to a device or a directory in place
// of run.json (or of its journal) is an unreadable record, reported at once -- never a read that
// waits for a writer or never ends.
TEST_F(RunStoreTest, RecordsThatAreNotRegularFilesAreUnreadable) {
  fs::create_directories(state_ + "/runs/fifo");
  ASSERT_EQ(mkfifo((state_ + "/runs/fifo/run.json").c_str(), 0600), 0);
  fs::create_directories(state_ + "/runs/zero");
  fs::create_symlink("/dev/zero", state_ + "/runs/zero/run.json");
  fs::create_directories(state_ + "/runs/dir/run.json");
  const std::pair<const char*, const char*> cases[] = {{"fifo", "is not a regular file"},
                                                       {"zero", "is not a regular file"},
                                                       {"dir", "is a directory"}};
  for (const auto& [id, reason] : cases) {
    auto loaded = RunStore::Load(state_, id);
    ASSERT_FALSE(loaded.has_value()) << id;
    EXPECT_NE(loaded.error().find("is unreadable: "), std::string::npos) << loaded.error();
    EXPECT_NE(loaded.error().find(reason), std::string::npos) << loaded.error();
  }
}

TEST_F(RunStoreTest, UnknownStatesAreErrorsNotStrings) {
  fs::create_directories(state_ + "/runs/odd");
  std::ofstream(state_ + "/runs/odd/run.json")
      << R"({"id": "odd", "status": "running", "jobs": {"a": {"status": "completed",
             "result": "succeeded"}}})";
  auto odd = RunStore::Load(state_, "odd");
  ASSERT_FALSE(odd.has_value());
  EXPECT_NE(odd.error().find("job \"a\": \"result\" is not a known result (\"succeeded\")"),
            std::string::npos)
      << odd.error();
  std::ofstream(state_ + "/runs/odd/run.json") << R"({"id": "odd", "status": "done"})";
  odd = RunStore::Load(state_, "odd");
  ASSERT_FALSE(odd.has_value());
  EXPECT_NE(odd.error().find("\"status\" is not a known status"), std::string::npos) << odd.error();
  std::ofstream(state_ + "/runs/odd/run.json") << R"({"id": "odd"})";
  odd = RunStore::Load(state_, "odd");
  ASSERT_FALSE(odd.has_value());
  EXPECT_NE(odd.error().find("\"status\" is missing"), std::string::npos) << odd.error();
}

TEST_F(RunStoreTest, StepLogPathsAreSafeFileNames) {
  auto store = RunStore::Create(state_, "r1", nullptr);
  ASSERT_TRUE(store.has_value());
  EXPECT_EQ(store->StepLogPath("build (linux, 18)", 0, "compile"),
            "logs/build__linux__18_/01-compile.log");
  ASSERT_TRUE(store->CreateStepLogDir("build (linux, 18)").has_value());
  EXPECT_TRUE(fs::is_directory(store->run_dir() + "/logs/build__linux__18_"));
  EXPECT_EQ(store->StepLogPath("a", 11, ""), "logs/a/12-step.log");
}

TEST(RunIdTest, GeneratedIdsAreValidAndDistinct) {
  std::string a = GenerateRunId();
  std::string b = GenerateRunId();
  EXPECT_TRUE(IsValidRunId(a)) << a;
  EXPECT_NE(a, b);
  EXPECT_FALSE(IsValidRunId(".hidden"));
  EXPECT_FALSE(IsValidRunId("a/b"));
}

}  // namespace
}  // namespace slipway::exec
