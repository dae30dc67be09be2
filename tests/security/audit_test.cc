// An audit trail steps cannot rewrite (issue 10 §3).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/security/security_fixture.h"

namespace slipway::security {
namespace {

constexpr char kTwoJobs[] = R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: find "$GITHUB_WORKSPACE" -name '*.key' > keys-seen.txt; env > env-seen.txt
)";

class AuditAttack : public SecurityTest {
 protected:
  CliResult RunOnce(const std::string& id) {
    return Slipway({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main", "--sha",
                    "0123abcd", "--run-id", id});
  }
  CliResult Verify() { return Slipway({"audit", "verify", "--state-dir", "state"}); }
  std::vector<std::string> LogLines() {
    std::vector<std::string> lines;
    std::stringstream in(Read("state/audit.jsonl"));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  void WriteLog(const std::vector<std::string>& lines) {
    std::string text;
    for (const std::string& line : lines) text += line + "\n";
    Write("state/audit.jsonl", text);
  }
};

// The key lives in $XDG_CONFIG_HOME/slipway/audit.key (0600), not in the state directory or
// the workspace, and no step sees it.
TEST_F(AuditAttack, KeyIsOutsideTheStateDirectoryAndHiddenFromSteps) {
  Write("wf.yml", kTwoJobs);
  ASSERT_EQ(RunOnce("k").exit_code, 0);
  EXPECT_FALSE(Exists("state/audit.key"));
  struct stat info {};
  ASSERT_EQ(stat((config_ / "slipway/audit.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(Read("keys-seen.txt"), "");
  std::string key = Read((config_ / "slipway/audit.key").string());
  key.pop_back();
  EXPECT_FALSE(Has(Read("env-seen.txt"), key));
  EXPECT_EQ(Verify().exit_code, 0);
}

// A step (or anyone without the key) rewrites an entry and "recomputes" what it can: found.
TEST_F(AuditAttack, RewrittenEntriesAreFound) {
  Write("wf.yml", kTwoJobs);
  ASSERT_EQ(RunOnce("r").exit_code, 0);
  std::vector<std::string> lines = LogLines();
  ASSERT_GE(lines.size(), 2u);
  nlohmann::json first = nlohmann::json::parse(lines[0]);
  first["who"]["actor"] = "mallory";
  lines[0] = first.dump();
  WriteLog(lines);
  CliResult r = Verify();
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(Has(r.out, "audit.jsonl:1:")) << r.out;
}

// A second "reviewer" key placed before the real one: nlohmann keeps one of them, so the MAC
// alone would not notice. Reported as a duplicate key.
TEST_F(AuditAttack, DuplicateKeysInsideAnEntryAreReported) {
  Write("wf.yml", kTwoJobs);
  ASSERT_EQ(RunOnce("d").exit_code, 0);
  std::vector<std::string> lines = LogLines();
  lines[0].insert(1, "\"run_id\":\"forged\",");
  WriteLog(lines);
  CliResult r = Verify();
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(Has(r.out, "has the key \"run_id\" twice")) << r.out;
}

// The same entry written non-canonically (spaces, other key order) is reported too.
TEST_F(AuditAttack, NonCanonicalEntriesAreReported) {
  Write("wf.yml", kTwoJobs);
  ASSERT_EQ(RunOnce("c").exit_code, 0);
  std::vector<std::string> lines = LogLines();
  lines[0] = nlohmann::ordered_json::parse(lines[0]).dump(1);
  for (char& c : lines[0]) {
    if (c == '\n') c = ' ';
  }
  WriteLog(lines);
  CliResult r = Verify();
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(Has(r.out, "not in canonical form")) << r.out;
}

// The log deleted and a new one started: the earlier run has no run-start entry any more.
TEST_F(AuditAttack, DeletedAndRestartedLogIsFound) {
  Write("wf.yml", kTwoJobs);
  ASSERT_EQ(RunOnce("before").exit_code, 0);
  fs::remove(dir_ / "state/audit.jsonl");
  fs::remove(dir_ / "state/audit.head");
  CliResult gone = Verify();
  EXPECT_EQ(gone.exit_code, 1) << gone.out << gone.err;
  ASSERT_EQ(RunOnce("after").exit_code, 0);
  CliResult r = Verify();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Has(r.out, "\"runs/before\" has no run-start entry")) << r.out;
}

// An audit log that cannot be written fails the run loudly instead of exiting 0.
TEST_F(AuditAttack, UnwritableAuditFailsTheRun) {
  Write("wf.yml", kTwoJobs);
  fs::create_directories(dir_ / "state/audit.jsonl");  // a directory where the file should be
  CliResult r = RunOnce("w");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Has(r.err, "audit.jsonl")) << r.err;
}

}  // namespace
}  // namespace slipway::security
