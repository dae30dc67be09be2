// A reusable-workflow call's state on the PostgreSQL backend (built CLI, real PostgreSQL 15):
// `wait` and `show` say a calling job whose call started is running, as a local run records
// it, and `run --resume` of a run with calls follows the local resume's rules — a calling job's
// call starts again, its called jobs that succeeded keep their results, the others run again.
#include <algorithm>
#include <pqxx/pqxx>
#include <regex>

#include "tests/unit/backend/backend_cli_fixture.h"

namespace slipway::backend {
namespace {

using testing::CliResult;

TEST_F(BackendCli, WaitAndShowSayACallingJobIsRunningWhileItsCallRuns) {
  Write("wf.yml", R"(on: push
jobs:
  call:
    uses: ./.github/workflows/called.yml
)");
  Write(".github/workflows/called.yml", R"(on: workflow_call
jobs:
  work:
    runs-on: elsewhere
    steps:
      - run: echo hi
)");
  CliResult submitted = Submit("w");
  ASSERT_EQ(submitted.exit_code, 0) << submitted.out << submitted.err;
  // A worker that does not serve the called job's labels starts the call, and only that.
  CliResult started = Cli({"worker", "--backend", dsn_, "--once", "--labels", "linux"}, env_);
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  CliResult waiting = Cli({"wait", "w", "--backend", dsn_, "--timeout", "1"}, env_);
  EXPECT_EQ(waiting.exit_code, 1) << waiting.out << waiting.err;
  EXPECT_NE(waiting.out.find("call: running\n"), std::string::npos) << waiting.out;
  EXPECT_NE(waiting.out.find("call/work: ready\n"), std::string::npos) << waiting.out;
  Expected<std::unique_ptr<exec::Store>> store = OpenPgStore(dsn_, testing_util::kAuditKey);
  ASSERT_TRUE(store) << store.error();
  Expected<exec::RunRecord> record = (*store)->LoadRun("w");
  ASSERT_TRUE(record) << record.error();
  EXPECT_EQ(record->jobs["call"].status, exec::JobRecordStatus::kRunning);
  EXPECT_EQ(record->jobs["call/work"].status, exec::JobRecordStatus::kQueued);
  CliResult shown = Cli({"show", "w", "--backend", dsn_}, env_);
  EXPECT_EQ(shown.exit_code, 0) << shown.out << shown.err;
  EXPECT_TRUE(std::regex_search(shown.out, std::regex("\n\\S+ +call +running ")))
      << shown.out;
  EXPECT_TRUE(std::regex_search(shown.out, std::regex("\n\\S+ +call/work +queued ")))
      << shown.out;

  CliResult worked = Cli({"worker", "--backend", dsn_, "--once", "--labels", "elsewhere"}, env_);
  ASSERT_EQ(worked.exit_code, 0) << worked.out << worked.err;
  // The call ends on the next claim; the calling job keeps the time its call started.
  const std::string call_started = (*store)->LoadRun("w")->jobs["call"].started_at;
  CliResult ended = Cli({"worker", "--backend", dsn_, "--once", "--labels", "linux"}, env_);
  ASSERT_EQ(ended.exit_code, 0) << ended.out << ended.err;
  CliResult done = Cli({"wait", "w", "--backend", dsn_, "--timeout", "10"}, env_);
  EXPECT_EQ(done.exit_code, 0) << done.out << done.err;
  EXPECT_NE(done.out.find("call: success\n"), std::string::npos) << done.out;
  EXPECT_EQ((*store)->LoadRun("w")->jobs["call"].started_at, call_started);
}

constexpr char kResumeCaller[] = R"(on: push
jobs:
  call:
    uses: ./.github/workflows/called.yml
    with:
      word: hi
  after:
    needs: call
    runs-on: linux
    steps:
      - run: echo "${{ needs.call.outputs.out }}" > "after-${{ github.run_id }}.txt"
)";

// `second` fails until the file "fixed" exists.
constexpr char kResumeCalled[] = R"(on:
  workflow_call:
    inputs:
      word:
        type: string
        required: true
    outputs:
      out:
        value: ${{ jobs.second.outputs.o }}
jobs:
  first:
    runs-on: linux
    outputs:
      o: ${{ steps.s.outputs.o }}
    steps:
      - id: s
        run: |
          echo "first ${{ inputs.word }}" >> "ran-${{ github.run_id }}.txt"
          echo "o=${{ inputs.word }}-first" >> "$GITHUB_OUTPUT"
  second:
    needs: first
    runs-on: linux
    outputs:
      o: ${{ steps.s.outputs.o }}
    steps:
      - id: s
        run: |
          echo "second ${{ inputs.word }}" >> "ran-${{ github.run_id }}.txt"
          test -f fixed
          echo "o=${{ needs.first.outputs.o }}-second" >> "$GITHUB_OUTPUT"
)";

TEST_F(BackendCli, ResumingARunWithCallsFollowsTheLocalRules) {
  Write("wf.yml", kResumeCaller);
  Write(".github/workflows/called.yml", kResumeCalled);
  Write(".slipway/runners.yml", "add: [linux]\n");
  std::vector<std::string> common = {"--ref", "refs/heads/main", "--sha", "1", "--progress",
                                     "plain"};
  std::vector<std::string> local = {"run", "wf.yml", "--state-dir", "state", "--run-id", "r"};
  local.insert(local.end(), common.begin(), common.end());
  CliResult local_run = Cli(local, env_);
  ASSERT_EQ(local_run.exit_code, 1) << local_run.out << local_run.err;
  Write("fixed", "");
  CliResult local_resumed =
      Cli({"run", "wf.yml", "--state-dir", "state", "--resume", "r", "--progress", "plain"}, env_);
  ASSERT_EQ(local_resumed.exit_code, 0) << local_resumed.out << local_resumed.err;
  std::filesystem::rename(dir_ / "ran-r.txt", dir_ / "ran-local.txt");
  std::filesystem::rename(dir_ / "after-r.txt", dir_ / "after-local.txt");
  std::filesystem::remove(dir_ / "fixed");

  std::vector<std::string> remote = {"run", "wf.yml", "--backend", dsn_, "--run-id", "r"};
  remote.insert(remote.end(), common.begin(), common.end());
  CliResult remote_run = Cli(remote, env_);
  ASSERT_EQ(remote_run.exit_code, 1) << remote_run.out << remote_run.err;
  Write("fixed", "");
  CliResult remote_resumed =
      Cli({"run", "wf.yml", "--backend", dsn_, "--resume", "r", "--progress", "plain"}, env_);
  ASSERT_EQ(remote_resumed.exit_code, 0) << remote_resumed.out << remote_resumed.err;

  // `first` succeeded and kept its result; `second` ran again, with the call's inputs.
  EXPECT_EQ(Read("ran-local.txt"), "first hi\nsecond hi\nsecond hi\n");
  EXPECT_EQ(Read("ran-r.txt"), Read("ran-local.txt"));
  EXPECT_EQ(Read("after-local.txt"), "hi-first-second\n");
  EXPECT_EQ(Read("after-r.txt"), Read("after-local.txt"));
  ExpectSameRunRecord("state", "r");
}

// Two legs of a calling matrix, each calling a workflow that calls another: only leg "b"'s
// innermost job fails, so only it runs again; every call starts again.
TEST_F(BackendCli, ResumingNestedCallsOfACallingMatrixRunsOnlyWhatFailed) {
  Write("wf.yml", R"(on: push
jobs:
  call:
    strategy:
      fail-fast: false
      matrix:
        w: [a, b]
    uses: ./.github/workflows/called.yml
    with:
      word: ${{ matrix.w }}
)");
  Write(".github/workflows/called.yml", R"(on:
  workflow_call:
    inputs:
      word:
        type: string
        required: true
jobs:
  first:
    runs-on: linux
    steps:
      - run: echo "first ${{ inputs.word }}" >> "ran-${{ github.run_id }}.txt"
  inner:
    needs: first
    uses: ./.github/workflows/inner.yml
    with:
      word: ${{ inputs.word }}
)");
  Write(".github/workflows/inner.yml", R"(on:
  workflow_call:
    inputs:
      word:
        type: string
        required: true
jobs:
  leaf:
    runs-on: linux
    steps:
      - run: |
          echo "leaf ${{ inputs.word }}" >> "ran-${{ github.run_id }}.txt"
          test -f fixed || test "${{ inputs.word }}" = a
)");
  Write(".slipway/runners.yml", "add: [linux]\n");
  std::vector<std::string> common = {"--ref", "refs/heads/main", "--sha", "1", "--progress",
                                     "plain"};
  std::vector<std::string> local = {"run", "wf.yml", "--state-dir", "state", "--run-id", "n"};
  local.insert(local.end(), common.begin(), common.end());
  ASSERT_EQ(Cli(local, env_).exit_code, 1);
  Write("fixed", "");
  CliResult local_resumed =
      Cli({"run", "wf.yml", "--state-dir", "state", "--resume", "n", "--progress", "plain"}, env_);
  ASSERT_EQ(local_resumed.exit_code, 0) << local_resumed.out << local_resumed.err;
  std::filesystem::rename(dir_ / "ran-n.txt", dir_ / "ran-local.txt");
  std::filesystem::remove(dir_ / "fixed");

  std::vector<std::string> remote = {"run", "wf.yml", "--backend", dsn_, "--run-id", "n"};
  remote.insert(remote.end(), common.begin(), common.end());
  ASSERT_EQ(Cli(remote, env_).exit_code, 1);
  Write("fixed", "");
  CliResult remote_resumed =
      Cli({"run", "wf.yml", "--backend", dsn_, "--resume", "n", "--progress", "plain"}, env_);
  ASSERT_EQ(remote_resumed.exit_code, 0) << remote_resumed.out << remote_resumed.err;

  auto sorted = [](std::string text) {
    std::vector<std::string> lines;
    for (size_t at; (at = text.find('\n')) != std::string::npos; text.erase(0, at + 1)) {
      lines.push_back(text.substr(0, at));
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  };
  EXPECT_EQ(sorted(Read("ran-local.txt")),
            (std::vector<std::string>{"first a", "first b", "leaf a", "leaf b", "leaf b"}));
  EXPECT_EQ(sorted(Read("ran-n.txt")), sorted(Read("ran-local.txt")));
  ExpectSameRunRecord("state", "n");
  EXPECT_EQ(JobState("n", "call (b)/inner/leaf"), "success");
}

}  // namespace
}  // namespace slipway::backend
