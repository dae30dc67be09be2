// End-to-end tests of the bounds on outside input: an event payload (or expression context)
// nested deeper than kMaxJsonNesting is refused with its file and the limit, not a crash of
// the recursive walks that follow the parse; a step that prints without end leaves a bounded
// log, a bounded events.jsonl and a bounded report, keeping the start and the end of its output.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/cli_workspace.h"

namespace slipway {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;

constexpr char kDispatch[] = R"(name: dispatch
on: repository_dispatch
jobs:
  show:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.client_payload.kind }}"
)";

// 50,000 nested arrays in 100 KB: a stack overflow in recursive JSON handling before the bound.
std::string DeepPayload(size_t depth) {
  return R"({"action":"deploy","client_payload":{"kind":"x","extra":)" + std::string(depth, '[') +
         std::string(depth, ']') + "}}";
}

using LimitsE2E = testing::CliWorkspaceTest;

TEST_F(LimitsE2E, DeepEventPayloadIsAnInputError) {
  Write("wf.yml", kDispatch);
  Write("event.json", DeepPayload(50'000));
  for (const char* command : {"plan", "run"}) {
    std::vector<std::string> args = {command,         "wf.yml",     "--event",
                                     "repository_dispatch", "--event-file", "event.json",
                                     "--ref",         "refs/heads/main", "--sha", "0123abcd"};
    if (std::string(command) == "run") {
      args.insert(args.end(), {"--state-dir", "state", "--progress", "plain"});
    }
    CliResult r = Cli(args);
    EXPECT_EQ(r.exit_code, 2) << command << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find("event file \"event.json\" nests arrays and objects deeper than 512 "
                         "levels (at byte "),
              std::string::npos)
        << command << "\n" << r.err;
  }
  // Real payloads nest a few levels; a few hundred still pass.
  Write("event.json", DeepPayload(300));
  CliResult r = Cli({"plan", "wf.yml", "--event", "repository_dispatch", "--event-file",
                     "event.json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(LimitsE2E, DeepExpressionContextIsAnInputError) {
  Write("context.json", R"({"env":{"x":)" + std::string(20'000, '[') +
                            std::string(20'000, ']') + "}}");
  CliResult r = Cli({"expr", "--context", "context.json", "1"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("\"context.json\" nests arrays and objects deeper than 512 levels"),
            std::string::npos)
      << r.err;
}

// 12 MB of short lines, then a last line: the log keeps its first 8 MiB and its last 1 MiB with
// the truncation said in it; the event stream carries 4 MiB of it; the report shows 512 KiB.
TEST_F(LimitsE2E, EndlessStepOutputIsBoundedOnDiskAndInTheReport) {
  Write("wf.yml", R"Y(name: chatty
on: push
jobs:
  talk:
    runs-on: ubuntu-latest
    steps:
      - id: flood
        run: |
          echo "FIRST LINE"
          yes "a line of output that goes on" | head -c 12000000 || true
          echo "LAST LINE"
          echo "$(printf 'x%.0s' $(seq 1 100000))"
)Y");
  CliResult r = Cli({"run", "wf.yml", "--state-dir", "state", "--run-id", "r1", "--ref",
                     "refs/heads/main", "--sha", "0123abcd", "--progress", "plain"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path run = dir_ / "state/runs/r1";
  const fs::path log = run / "logs/talk/01-flood.log";
  ASSERT_TRUE(fs::exists(log)) << AllFiles("state/runs/r1/logs");
  EXPECT_LT(fs::file_size(log), 9u * 1024 * 1024 + 64 * 1024);
  const std::string text = Read("state/runs/r1/logs/talk/01-flood.log");
  EXPECT_NE(text.find("FIRST LINE"), std::string::npos);
  EXPECT_NE(text.find("LAST LINE"), std::string::npos) << "the end of the output is kept";
  EXPECT_NE(text.find("[slipway: output truncated: the step printed more than 8192 KiB"),
            std::string::npos);
  EXPECT_NE(text.find("lines follow]"), std::string::npos);
  EXPECT_NE(text.find("[slipway: line truncated, 34464 more bytes not kept]"), std::string::npos);
  EXPECT_LT(fs::file_size(run / "events.jsonl"), 5u * 1024 * 1024);
  EXPECT_NE(Read("state/runs/r1/events.jsonl").find("output truncated in the event stream"),
            std::string::npos);

  CliResult report = Cli({"report", "r1", "-o", "report.html", "--state-dir", "state"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_LT(fs::file_size(dir_ / "report.html"), 2u * 1024 * 1024);
  EXPECT_NE(Read("report.html").find("bytes of this log are not shown; `slipway logs r1`"),
            std::string::npos);
}

}  // namespace
}  // namespace slipway
