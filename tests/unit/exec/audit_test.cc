#include "interpreter/exec/audit.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "interpreter/exec/masker.h"

namespace slipway::exec {
namespace {

namespace fs = std::filesystem;

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("SLIPWAY_AUDIT_KEY");
    state_ = (fs::temp_directory_path() /
              ("slipway-audit-" + std::to_string(getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                 .string();
    fs::remove_all(state_);
    fs::create_directories(state_);
    // The key lives in $XDG_CONFIG_HOME/slipway, outside the state directory.
    config_ = state_ + "-config";
    fs::remove_all(config_);
    setenv("XDG_CONFIG_HOME", config_.c_str(), 1);
  }
  void TearDown() override {
    fs::remove_all(state_);
    fs::remove_all(config_);
    unsetenv("XDG_CONFIG_HOME");
  }

  void WriteEntries(int count) {
    auto log = AuditLog::Open(state_, nullptr);
    ASSERT_TRUE(log.has_value()) << log.error();
    for (int i = 0; i < count; ++i) {
      ASSERT_TRUE(
          log->Append({{"kind", "job-result"}, {"job", "job" + std::to_string(i)}}).has_value());
    }
  }
  std::vector<std::string> Lines() {
    std::ifstream in(state_ + "/audit.jsonl");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  void SetLines(const std::vector<std::string>& lines) {
    std::ofstream out(state_ + "/audit.jsonl", std::ios::trunc);
    for (const std::string& line : lines) out << line << "\n";
  }
  AuditVerification Verify() {
    auto result = VerifyAudit(state_);
    EXPECT_TRUE(result.has_value()) << result.error();
    return result.has_value() ? *result : AuditVerification{};
  }
  std::string state_;
  std::string config_;
};

TEST_F(AuditTest, IntactLogVerifies) {
  WriteEntries(4);
  AuditVerification result = Verify();
  EXPECT_TRUE(result.ok) << result.message;
  EXPECT_EQ(result.entries, 4u);
}

TEST_F(AuditTest, KeyFileIsPrivateAndOutsideTheStateDirectory) {
  WriteEntries(1);
  EXPECT_EQ(AuditKeyPath(), config_ + "/slipway/audit.key");
  struct stat st {};
  ASSERT_EQ(stat(AuditKeyPath().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  ASSERT_EQ(stat((config_ + "/slipway").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700);
  EXPECT_FALSE(fs::exists(state_ + "/audit.key"));
  // A key planted in the state directory (by a step) is never used.
  std::ofstream(state_ + "/audit.key") << "planted\n";
  fs::remove(AuditKeyPath());
  EXPECT_FALSE(VerifyAudit(state_).has_value());
}

// A step can write into the state directory: an audit log replaced by a FIFO is reported as
// unreadable at once, never waited on.
TEST_F(AuditTest, AnAuditLogThatIsNotARegularFileIsUnreadable) {
  ASSERT_EQ(mkfifo((state_ + "/audit.jsonl").c_str(), 0600), 0);
  auto result = VerifyAudit(state_);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().find("is unreadable: is not a regular file"), std::string::npos)
      << result.error();
}

TEST_F(AuditTest, FailedAppendsAreRemembered) {
  auto log = AuditLog::Open(state_, nullptr);
  ASSERT_TRUE(log.has_value());
  EXPECT_EQ(log->write_error(), "");
  fs::create_directories(state_ + "/audit.jsonl");
  EXPECT_FALSE(log->Append({{"kind", "x"}}).has_value());
  EXPECT_NE(log->write_error().find("audit.jsonl"), std::string::npos) << log->write_error();
}

TEST_F(AuditTest, DuplicateKeysNonCanonicalEntriesAndRunsWithoutStartAreFound) {
  WriteEntries(2);
  std::vector<std::string> lines = Lines();
  std::vector<std::string> duplicated = lines;
  duplicated[1].insert(1, "\"job\":\"forged\",");
  SetLines(duplicated);
  AuditVerification dup = Verify();
  EXPECT_FALSE(dup.ok);
  EXPECT_EQ(dup.line, 2u);
  EXPECT_NE(dup.message.find("has the key \"job\" twice"), std::string::npos) << dup.message;
  std::vector<std::string> spaced = lines;
  spaced[0].insert(1, " ");
  SetLines(spaced);
  AuditVerification canonical = Verify();
  EXPECT_FALSE(canonical.ok);
  EXPECT_NE(canonical.message.find("not in canonical form"), std::string::npos);
  SetLines(lines);
  EXPECT_TRUE(Verify().ok);
  fs::create_directories(state_ + "/runs/planted");
  AuditVerification planted = Verify();
  EXPECT_FALSE(planted.ok);
  EXPECT_NE(planted.message.find("\"runs/planted\" has no run-start entry"), std::string::npos)
      << planted.message;
}

TEST_F(AuditTest, EditedEntry) {
  WriteEntries(4);
  std::vector<std::string> lines = Lines();
  size_t at = lines[2].find("job2");
  ASSERT_NE(at, std::string::npos);
  lines[2].replace(at, 4, "jobX");
  SetLines(lines);
  AuditVerification result = Verify();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.line, 3u);
  EXPECT_EQ(result.message, "entry 3 was edited or forged: its MAC does not match");
}

TEST_F(AuditTest, RemovedEntry) {
  WriteEntries(4);
  std::vector<std::string> lines = Lines();
  lines.erase(lines.begin() + 1);
  SetLines(lines);
  AuditVerification result = Verify();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.line, 2u);
  EXPECT_EQ(result.message, "entry 2 is missing: line 2 holds entry 3 (entries removed)");
}

TEST_F(AuditTest, RemovedLastEntry) {
  WriteEntries(3);
  std::vector<std::string> lines = Lines();
  lines.pop_back();
  SetLines(lines);
  AuditVerification result = Verify();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.line, 3u);
  EXPECT_EQ(result.message, "entry 3 is missing: the log ends at entry 2 but 3 were written");
}

TEST_F(AuditTest, ReorderedEntries) {
  WriteEntries(4);
  std::vector<std::string> lines = Lines();
  std::swap(lines[1], lines[2]);
  SetLines(lines);
  AuditVerification result = Verify();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.line, 2u);
}

TEST_F(AuditTest, InsertedEntry) {
  WriteEntries(3);
  std::vector<std::string> lines = Lines();
  lines.insert(lines.begin() + 1, R"({"kind":"approval","mac":"00","prev":"","seq":2})");
  SetLines(lines);
  AuditVerification result = Verify();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.line, 2u);
  EXPECT_EQ(result.message, "entry 2 was edited or forged: its MAC does not match");
}

TEST_F(AuditTest, WrongKeyFailsAndEnvKeyWins) {
  setenv("SLIPWAY_AUDIT_KEY", "first-key", 1);
  WriteEntries(2);
  EXPECT_FALSE(fs::exists(state_ + "/audit.key"));
  EXPECT_TRUE(Verify().ok);
  setenv("SLIPWAY_AUDIT_KEY", "other-key", 1);
  AuditVerification result = Verify();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.line, 1u);
  unsetenv("SLIPWAY_AUDIT_KEY");
}

TEST_F(AuditTest, EntriesAreMasked) {
  Masker masker;
  masker.Add("hunter2");
  auto log = AuditLog::Open(state_, &masker);
  ASSERT_TRUE(log.has_value());
  ASSERT_TRUE(log->Append({{"kind", "run-start"}, {"why", "token hunter2"}}).has_value());
  std::ifstream in(state_ + "/audit.jsonl");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().find("hunter2"), std::string::npos);
  EXPECT_TRUE(Verify().ok);
}

TEST_F(AuditTest, MissingLogAndKeyAreErrors) {
  auto none = VerifyAudit(state_);
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error(), "no audit log at \"" + state_ + "/audit.jsonl\"");
  WriteEntries(1);
  fs::remove(AuditKeyPath());
  auto no_key = VerifyAudit(state_);
  ASSERT_FALSE(no_key.has_value());
  EXPECT_NE(no_key.error().find("no audit key"), std::string::npos);
}

TEST(HashTest, KnownVectors) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace slipway::exec
