// run.journal (run_journal.h): a large run appends changed jobs instead of rewriting run.json;
// every reader sees the same record as if run.json had been rewritten each time.
#include "interpreter/exec/run_journal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "interpreter/exec/masker.h"
#include "tests/support/fake_step_context.h"
#include "tests/support/golden.h"

namespace slipway::exec {
namespace {

namespace fs = std::filesystem;

class RunJournalTest : public ::testing::Test {
 protected:
  std::string Read(const std::string& path) { return testing::ReadFile(path); }
  std::string journal() { return state_ + "/runs/big/" + kRunJournal; }
  testing::ScratchDir scratch_;
  const std::string state_ = scratch_.path().string();
};

/// A record whose run.json is well past kJournalFromBytes.
RunRecord LargeRecord(size_t jobs) {
  RunRecord record;
  record.id = "big";
  record.workflow = "dag.yml";
  record.event = "push";
  record.started_at = "2026-01-01T00:00:00.000Z";
  for (size_t i = 0; i < jobs; ++i) {
    JobRecord& job = record.jobs["job-" + std::to_string(i)];
    job.outputs = {{"padding", std::string(200, 'x')}};
  }
  return record;
}

TEST_F(RunJournalTest, SmallRunsRewriteRunJsonAndKeepNoJournal) {
  auto store = RunStore::Create(state_, "big", nullptr);
  ASSERT_TRUE(store.has_value()) << store.error();
  RunRecord record = LargeRecord(3);
  ASSERT_TRUE(store->Save(record).has_value());
  record.jobs["job-1"].status = JobRecordStatus::kRunning;
  ASSERT_TRUE(store->SaveJobs(record, {"job-1"}).has_value());
  EXPECT_FALSE(fs::exists(journal()));
  nlohmann::json on_disk = nlohmann::json::parse(Read(store->run_dir() + "/run.json"));
  EXPECT_EQ(on_disk["jobs"]["job-1"]["status"], "running");
}

TEST_F(RunJournalTest, LargeRunsAppendChangesThatReadersApply) {
  auto store = RunStore::Create(state_, "big", nullptr);
  ASSERT_TRUE(store.has_value()) << store.error();
  RunRecord record = LargeRecord(400);
  ASSERT_TRUE(store->Save(record).has_value());
  const std::string base = Read(store->run_dir() + "/run.json");
  ASSERT_GE(base.size(), kJournalFromBytes);

  record.jobs["job-7"].status = JobRecordStatus::kRunning;
  ASSERT_TRUE(store->SaveJobs(record, {"job-7"}).has_value());
  record.jobs["job-7"].status = JobRecordStatus::kCompleted;
  record.jobs["job-7"].result = JobResult::kFailure;
  record.jobs.erase("job-9");
  ASSERT_TRUE(store->SaveJobs(record, {"job-7", "job-9"}).has_value());

  EXPECT_EQ(Read(store->run_dir() + "/run.json"), base) << "run.json is not rewritten";
  const std::string entries = Read(journal());
  EXPECT_EQ(std::count(entries.begin(), entries.end(), '\n'), 3);
  auto loaded = RunStore::Load(state_, "big");
  ASSERT_TRUE(loaded.has_value()) << loaded.error();
  EXPECT_EQ(ToJson(*loaded), ToJson(record));
}

TEST_F(RunJournalTest, JournalIsFoldedIntoRunJsonWhenItOutgrowsIt) {
  auto store = RunStore::Create(state_, "big", nullptr);
  ASSERT_TRUE(store.has_value()) << store.error();
  RunRecord record = LargeRecord(400);
  ASSERT_TRUE(store->Save(record).has_value());
  size_t base = fs::file_size(store->run_dir() + "/run.json");
  size_t largest_journal = 0;
  for (int round = 0; round < 3; ++round) {
    for (auto& [key, job] : record.jobs) {
      job.started_at = "2026-01-01T00:00:0" + std::to_string(round) + ".000Z";
      ASSERT_TRUE(store->SaveJobs(record, {key}, /*durable=*/false).has_value());
      largest_journal = std::max<size_t>(largest_journal, fs::file_size(journal()));
    }
  }
  // run.json itself grows (the new started_at values), so the bound is a little above it.
  EXPECT_LE(largest_journal, base * 3 / 2) << "folded once it outgrew run.json";
  nlohmann::json on_disk = nlohmann::json::parse(Read(store->run_dir() + "/run.json"));
  EXPECT_GT(on_disk["journal_seq"].get<uint64_t>(), 0u);
  auto loaded = RunStore::Load(state_, "big");
  ASSERT_TRUE(loaded.has_value()) << loaded.error();
  EXPECT_EQ(ToJson(*loaded), ToJson(record));
  // A whole save (the run's end) leaves an empty journal.
  ASSERT_TRUE(store->Save(record).has_value());
  EXPECT_EQ(fs::file_size(journal()), 0u);
}

TEST_F(RunJournalTest, EntriesAlreadyInRunJsonAreNotReplayed) {
  // A crash between rewriting run.json and emptying the journal leaves entries that run.json
  // already holds; replaying an older one would take a job back in time.
  auto store = RunStore::Create(state_, "big", nullptr);
  ASSERT_TRUE(store.has_value()) << store.error();
  RunRecord record = LargeRecord(400);
  ASSERT_TRUE(store->Save(record).has_value());
  record.jobs["job-3"].status = JobRecordStatus::kRunning;
  ASSERT_TRUE(store->SaveJobs(record, {"job-3"}).has_value());
  const std::string stale = Read(journal());
  record.jobs["job-3"].status = JobRecordStatus::kCompleted;
  record.jobs["job-3"].result = JobResult::kSuccess;
  ASSERT_TRUE(store->Save(record).has_value());
  std::ofstream(journal()) << stale;  // as if the emptying never happened
  auto loaded = RunStore::Load(state_, "big");
  ASSERT_TRUE(loaded.has_value()) << loaded.error();
  EXPECT_EQ(loaded->jobs["job-3"].result, JobResult::kSuccess);
}

TEST_F(RunJournalTest, ATornLastLineIsIgnoredAndAnyOtherBadLineIsAnError) {
  auto store = RunStore::Create(state_, "big", nullptr);
  ASSERT_TRUE(store.has_value()) << store.error();
  RunRecord record = LargeRecord(400);
  ASSERT_TRUE(store->Save(record).has_value());
  record.jobs["job-5"].status = JobRecordStatus::kRunning;
  ASSERT_TRUE(store->SaveJobs(record, {"job-5"}).has_value());
  std::string good = Read(journal());
  std::ofstream(journal()) << good << R"({"seq": 99, "job": "job-6", "rec)";
  auto loaded = RunStore::Load(state_, "big");
  ASSERT_TRUE(loaded.has_value()) << loaded.error();
  EXPECT_EQ(ToJson(*loaded), ToJson(record));
  std::ofstream(journal()) << "garbage\n" << good;
  auto broken = RunStore::Load(state_, "big");
  ASSERT_FALSE(broken.has_value());
  EXPECT_NE(broken.error().find("line 1: not a journal entry"), std::string::npos) << broken.error();
}

TEST_F(RunJournalTest, ResumeContinuesAfterTheDeadRunsEntries) {
  {
    auto store = RunStore::Create(state_, "big", nullptr);
    ASSERT_TRUE(store.has_value()) << store.error();
    RunRecord record = LargeRecord(400);
    ASSERT_TRUE(store->Save(record).has_value());
    record.jobs["job-1"].status = JobRecordStatus::kCompleted;
    record.jobs["job-1"].result = JobResult::kSuccess;
    ASSERT_TRUE(store->SaveJobs(record, {"job-1"}).has_value());
  }  // the run dies here
  RunRecord resumed;
  auto store = RunStore::Open(state_, "big", nullptr, &resumed);
  ASSERT_TRUE(store.has_value()) << store.error();
  EXPECT_EQ(resumed.jobs["job-1"].result, JobResult::kSuccess);
  ASSERT_TRUE(store->Save(resumed).has_value());
  resumed.jobs["job-2"].status = JobRecordStatus::kRunning;
  ASSERT_TRUE(store->SaveJobs(resumed, {"job-2"}).has_value());
  auto loaded = RunStore::Load(state_, "big");
  ASSERT_TRUE(loaded.has_value()) << loaded.error();
  EXPECT_EQ(ToJson(*loaded), ToJson(resumed));
}

TEST_F(RunJournalTest, EntriesAreMasked) {
  Masker masker;
  masker.Add("s3cr3t-value");
  auto store = RunStore::Create(state_, "big", &masker);
  ASSERT_TRUE(store.has_value()) << store.error();
  RunRecord record = LargeRecord(400);
  ASSERT_TRUE(store->Save(record).has_value());
  record.jobs["job-1"].outputs["token"] = "s3cr3t-value";
  ASSERT_TRUE(store->SaveJobs(record, {"job-1"}).has_value());
  std::string text = Read(journal());
  EXPECT_EQ(text.find("s3cr3t-value"), std::string::npos) << text;
  EXPECT_NE(text.find("***"), std::string::npos) << text;
}

}  // namespace
}  // namespace slipway::exec
