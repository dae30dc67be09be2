#include "interpreter/exec/step_log.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "interpreter/base/fd_io.h"
#include "interpreter/exec/console.h"
#include "interpreter/exec/event_stream.h"
#include "interpreter/exec/masker.h"
#include "interpreter/exec/run_store.h"
#include "tests/support/fake_clock.h"

namespace slipway::exec {
namespace {

// Splits `chunks` of stdout and returns the lines (Flush included).
std::vector<std::string> Split(const std::vector<std::string>& chunks, const Masker& masker) {
  std::vector<std::string> lines;
  LineSplitter splitter([&](std::string_view line) { lines.emplace_back(line); }, masker);
  for (const std::string& chunk : chunks) splitter.Write(OutputStream::kStdout, chunk);
  splitter.Flush();
  return lines;
}

// .NET's StreamReader.ReadLine (the runner's ProcessInvoker): "\n", "\r\n" or a lone "\r" ends a
// line, and the terminator is not part of it.
TEST(LineSplitterTest, LineEndsAsDotNetReadsThem) {
  Masker masker;
  struct Case {
    std::vector<std::string> chunks;
    std::vector<std::string> lines;
  };
  const Case cases[] = {
      {{"a\nb\n"}, {"a", "b"}},
      {{"a\r\nb\r\n"}, {"a", "b"}},
      {{"one\rtwo\n"}, {"one", "two"}},
      {{"a\r\r\nb"}, {"a", "", "b"}},
      {{"a\n\rb"}, {"a", "", "b"}},
      // A CR last in one chunk and an LF first in the next are one line end.
      {{"a\r", "\nb\n"}, {"a", "b"}},
      {{"a\r", "", "\nb\n"}, {"a", "b"}},
      {{"a\r", "b\n"}, {"a", "b"}},
      {{"a\r", "\r\n"}, {"a", ""}},
      {{"tail"}, {"tail"}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Split(c.chunks, masker), c.lines) << ::testing::PrintToString(c.chunks);
  }
}

// A line ended by a CR is given at once, complete, before the next chunk arrives.
TEST(LineSplitterTest, CarriageReturnLineIsNotHeldBack) {
  Masker masker;
  std::vector<std::string> lines;
  LineSplitter splitter([&](std::string_view line) { lines.emplace_back(line); }, masker);
  splitter.Write(OutputStream::kStdout, "::set-output name=a::1\r");
  EXPECT_EQ(lines, std::vector<std::string>{"::set-output name=a::1"});
  splitter.Write(OutputStream::kStderr, "\nerr\n");  // another stream: its LF is its own line end
  EXPECT_EQ(lines, (std::vector<std::string>{"::set-output name=a::1", "", "err"}));
}

// The whole contents of `file` (a std::tmpfile).
std::string Contents(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) text.append(buffer, n);
  return text;
}

// A step that prints past its limits leaves its first head_bytes, a line saying the output was
// truncated, and, at Finish(), how much was left out and its last tail_bytes; long lines are
// cut. The console (and so the event stream) gets the same bounded lines.
TEST(StepLogTest, OutputPastTheLimitsKeepsHeadAndTail) {
  Masker masker;
  masker.Add("s3cr3t");
  testing::FakeClock clock;
  std::FILE* console_out = std::tmpfile();
  ASSERT_NE(console_out, nullptr);
  Console console(masker, clock, console_out);
  const std::string path =
      (std::filesystem::temp_directory_path() / ("step_log_test_" + std::to_string(getpid())))
          .string();
  std::filesystem::remove(path);
  {
    StepLog log(masker, console, "job", path,
                StepLogLimits{.max_line_bytes = 20, .head_bytes = 77, .tail_bytes = 12});
    log.Line("first");  // 6 bytes of the 77 of the head
    log.Line("a long line with the s3cr3t in it");  // masked, cut: 71 bytes, the head is full
    log.Line("dropped-1");
    log.Line("dropped-2");
    log.Line("end-1");
    log.Line("end-2");
    log.Finish();
    EXPECT_EQ(log.error(), "");
  }
  std::string text, error;
  ASSERT_TRUE(ReadStateLog(path, &text, &error)) << error;
  std::filesystem::remove(path);
  EXPECT_EQ(text,
            "first\n"
            "a long line with the [slipway: line truncated, 10 more bytes not kept]\n"
            "[slipway: output truncated: the step printed more than 0 KiB; the rest is not kept "
            "but for its last 0 KiB, shown when the step ends]\n"
            "[slipway: output truncated: 2 lines (20 bytes) not kept; the last 2 lines follow]\n"
            "end-1\n"
            "end-2\n");
  const std::string shown = Contents(console_out);
  std::fclose(console_out);
  EXPECT_EQ(shown.find("dropped-"), std::string::npos) << shown;
  EXPECT_NE(shown.find("end-2"), std::string::npos) << shown;
}

// A log within its limits is written as it came, with no truncation line, even after Finish().
TEST(StepLogTest, OutputWithinTheLimitsIsWhole) {
  Masker masker;
  testing::FakeClock clock;
  std::FILE* console_out = std::tmpfile();
  Console console(masker, clock, console_out);
  const std::string path =
      (std::filesystem::temp_directory_path() / ("step_log_whole_" + std::to_string(getpid())))
          .string();
  std::filesystem::remove(path);
  {
    StepLog log(masker, console, "job", path);
    log.Line("one");
    log.Line("two");
    log.Finish();
  }
  std::string text, error;
  ASSERT_TRUE(ReadStateLog(path, &text, &error)) << error;
  std::filesystem::remove(path);
  std::fclose(console_out);
  EXPECT_EQ(text, "one\ntwo\n");
}

// The event stream carries at most max_step_output_bytes() of a step's output records, then one
// record saying where the rest is; the next step starts a new allowance.
TEST(EventStreamTest, StepOutputIsBoundedInTheStream) {
  Masker masker;
  testing::FakeClock clock;
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  EventStream stream(masker, clock, nullptr);
  stream.AddSink(out);
  stream.set_max_step_output_bytes(1000);
  StepRecord step;
  step.id = "flood";
  step.name = "flood";
  stream.JobStarted("job");
  stream.JobRunning("job");
  stream.StepStarted("job", step);
  for (int i = 0; i < 100; ++i) stream.OutputLine("job", "line " + std::to_string(i));
  StepRecord next;
  next.id = "after";
  stream.StepFinished("job", step);
  stream.StepStarted("job", next);
  stream.OutputLine("job", "after the flood");
  const std::string text = Contents(out);
  std::fclose(out);
  EXPECT_NE(text.find("line 3\""), std::string::npos);
  EXPECT_EQ(text.find("line 99\""), std::string::npos) << "past the allowance";
  EXPECT_NE(text.find("output truncated in the event stream after 0 KiB"), std::string::npos);
  EXPECT_NE(text.find("after the flood"), std::string::npos);
  EXPECT_LT(text.size(), 3000u);
}

}  // namespace
}  // namespace slipway::exec
