#include "interpreter/exec/step_log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "interpreter/exec/masker.h"

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

}  // namespace
}  // namespace slipway::exec
