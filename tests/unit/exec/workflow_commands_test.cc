#include "interpreter/exec/workflow_commands.h"

#include <gtest/gtest.h>

namespace slipway::exec {
namespace {

using Kind = WorkflowCommandKind;

TEST(WorkflowCommandsTest, ParsesCommandsTable) {
  struct Case {
    std::string line;
    Kind kind;
    std::map<std::string, std::string> properties;
    std::string data;
  };
  const Case cases[] = {
      {"::add-mask::s3cr3t", Kind::kAddMask, {}, "s3cr3t"},
      {"::error file=app.js,line=10,col=15::Something went wrong",
       Kind::kError,
       {{"file", "app.js"}, {"line", "10"}, {"col", "15"}},
       "Something went wrong"},
      {"::warning title=A%3AB%2CC::multi%0Aline%25",
       Kind::kWarning,
       {{"title", "A:B,C"}},
       "multi\nline%"},
      {"::notice::just a note", Kind::kNotice, {}, "just a note"},
      {"::debug::dbg", Kind::kDebug, {}, "dbg"},
      {"::group::My title", Kind::kGroup, {}, "My title"},
      {"::endgroup::", Kind::kEndGroup, {}, ""},
      {"::set-output name=version::1.2.3", Kind::kSetOutput, {{"name", "version"}}, "1.2.3"},
      {"  ::notice::indented\r", Kind::kNotice, {}, "indented"},
      {"::set-env name=A::b", Kind::kDisabled, {{"name", "A"}}, "b"},
  };
  for (const Case& c : cases) {
    WorkflowCommandParser parser;
    std::optional<WorkflowCommand> command = parser.ParseLine(c.line);
    ASSERT_TRUE(command.has_value()) << c.line;
    EXPECT_EQ(command->kind, c.kind) << c.line;
    EXPECT_EQ(command->properties, c.properties) << c.line;
    EXPECT_EQ(command->data, c.data) << c.line;
  }
}

TEST(WorkflowCommandsTest, PlainLinesAreNotCommands) {
  for (const char* line :
       {"hello", "::", "::unknown-thing::x", ":: spaced::x", "echo ::error::x", "::error no end"}) {
    WorkflowCommandParser parser;
    EXPECT_FALSE(parser.ParseLine(line).has_value()) << line;
  }
}

TEST(WorkflowCommandsTest, StopCommandsUntilToken) {
  WorkflowCommandParser parser;
  auto stop = parser.ParseLine("::stop-commands::pause-42");
  ASSERT_TRUE(stop.has_value());
  EXPECT_EQ(stop->kind, Kind::kStopCommands);
  EXPECT_TRUE(parser.commands_stopped());
  EXPECT_FALSE(parser.ParseLine("::add-mask::not-a-command").has_value());
  EXPECT_FALSE(parser.ParseLine("::other-token::").has_value());
  EXPECT_FALSE(parser.ParseLine("::pause-42::").has_value());
  EXPECT_FALSE(parser.commands_stopped());
  auto after = parser.ParseLine("::add-mask::now-a-command");
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->data, "now-a-command");
}

// ActionCommandManager.ValidateStopToken: an empty token, "pause-logging" (any case) or a
// registered command's name is refused (the caller fails the step) and commands go on.
TEST(WorkflowCommandsTest, StopTokensTheRunnerRefuses) {
  for (const char* token : {"", "pause-logging", "PAUSE-Logging", "set-output", "ADD-MASK",
                            "stop-commands", "add-matcher", "remove-matcher", "echo"}) {
    WorkflowCommandParser parser;
    auto stop = parser.ParseLine(std::string("::stop-commands::") + token);
    ASSERT_TRUE(stop.has_value()) << token;
    EXPECT_TRUE(stop->refused_stop_token) << token;
    EXPECT_FALSE(parser.commands_stopped()) << token;
    EXPECT_TRUE(parser.ParseLine("::add-mask::still-a-command").has_value()) << token;
  }
  WorkflowCommandParser parser;
  auto fine = parser.ParseLine("::stop-commands::pause-logging-2");
  ASSERT_TRUE(fine.has_value());
  EXPECT_FALSE(fine->refused_stop_token);
  EXPECT_TRUE(parser.commands_stopped());
}

// With ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS the token is taken; an empty one never
// resumes (the runner's resume check wants a non-empty token).
TEST(WorkflowCommandsTest, UnsecureStopTokensWhenAllowed) {
  WorkflowCommandParser parser(/*allow_unsecure_stop_tokens=*/true);
  auto stop = parser.ParseLine("::stop-commands::pause-logging");
  ASSERT_TRUE(stop.has_value());
  EXPECT_FALSE(stop->refused_stop_token);
  EXPECT_FALSE(parser.ParseLine("::set-output name=a::b").has_value());
  EXPECT_FALSE(parser.ParseLine("::PAUSE-LOGGING::").has_value());
  EXPECT_FALSE(parser.commands_stopped());
  EXPECT_TRUE(parser.ParseLine("::set-output name=a::b").has_value());

  WorkflowCommandParser empty(/*allow_unsecure_stop_tokens=*/true);
  ASSERT_TRUE(empty.ParseLine("::stop-commands::").has_value());
  EXPECT_TRUE(empty.commands_stopped());
  EXPECT_FALSE(empty.ParseLine("::::").has_value());
  EXPECT_FALSE(empty.ParseLine("::set-output name=a::b").has_value());
  EXPECT_TRUE(empty.commands_stopped());
}

TEST(WorkflowCommandsTest, MatcherCommandsAreCommands) {
  WorkflowCommandParser parser;
  auto add = parser.ParseLine("::add-matcher::.github/m.json");
  ASSERT_TRUE(add.has_value());
  EXPECT_EQ(add->kind, Kind::kAddMatcher);
  EXPECT_EQ(add->data, ".github/m.json");
  auto remove = parser.ParseLine("::remove-matcher owner=eslint::");
  ASSERT_TRUE(remove.has_value());
  EXPECT_EQ(remove->kind, Kind::kRemoveMatcher);
  EXPECT_EQ(remove->properties.at("owner"), "eslint");
}

TEST(FileCommandsTest, ParsesSimpleAndMultiLineForms) {
  auto parsed = ParseFileCommands(
      "a=1\n"
      "b=x=y\n"
      "\n"
      "json<<EOF\n"
      "{\n"
      "  \"k\": 1\n"
      "}\n"
      "EOF\n"
      "empty<<END\r\n"
      "END\r\n"
      "a=2\n");
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  std::vector<std::pair<std::string, std::string>> expected = {
      {"a", "1"}, {"b", "x=y"}, {"json", "{\n  \"k\": 1\n}"}, {"empty", ""}, {"a", "2"}};
  EXPECT_EQ(*parsed, expected);
}

// Linux runners end lines at LF only (FileCommandManager.ReadLine: CRLF only on Windows).
TEST(FileCommandsTest, CarriageReturnsStayInValues) {
  auto parsed = ParseFileCommands("plain=v\r\nmulti<<EOF\r\nline\r\nEOF\r\n");
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  std::vector<std::pair<std::string, std::string>> expected = {{"plain", "v\r"},
                                                               {"multi", "line\r"}};
  EXPECT_EQ(*parsed, expected);
}

TEST(FileCommandsTest, Errors) {
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      // The runner's messages (FileCommandManager.cs).
      {"a=1\nnoequals\n", "Invalid format 'noequals'"},
      {"x<<EOF\nvalue\n", "Invalid value. Matching delimiter not found 'EOF'"},
      {"x<<EOF\nvalue", "Invalid value. EOF marker missing new line."},
      {"=v\n", "Invalid format '=v'. Name must not be empty"},
      {"x<<\n", "Invalid format 'x<<'. Name must not be empty and delimiter must not be empty"},
      // Only empty lines are skipped; one of spaces is "Invalid format" on the runner.
      {"a=1\n   \n", "Invalid format '   '"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseFileCommands(c.text);
    ASSERT_FALSE(parsed.has_value()) << c.text;
    EXPECT_EQ(parsed.error(), c.error);
  }
}

// FileCommandManager.AddPathFileCommand reads File.ReadAllLines: CRLF, CR and LF end lines,
// only empty lines are skipped, nothing is trimmed.
TEST(FileCommandsTest, PathFile) {
  EXPECT_EQ(ParsePathFile("/opt/a/bin\n\n  /opt/b \ncr1\rcr2\r\n/last"),
            (std::vector<std::string>{"/opt/a/bin", "  /opt/b ", "cr1", "cr2", "/last"}));
}

// The runner applies each pair as it reads it: those before a bad line are set.
TEST(FileCommandsTest, PairsBeforeABadLineAreKept) {
  std::vector<std::pair<std::string, std::string>> before;
  auto parsed = ParseFileCommands("kept=1\nx<<EOF\nno end\n", &before);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(before, (std::vector<std::pair<std::string, std::string>>{{"kept", "1"}}));
}

// Command and property names ignore case (ActionCommandManager's OrdinalIgnoreCase sets); the
// older `##[name k=v;k=v]data` form is still read anywhere in a line.
TEST(WorkflowCommandParserTest, NamesIgnoreCaseAndTheLegacyFormIsRead) {
  WorkflowCommandParser parser;
  auto upper = parser.ParseLine("::SET-OUTPUT NAME=x::v");
  ASSERT_TRUE(upper.has_value());
  EXPECT_EQ(upper->kind, WorkflowCommandKind::kSetOutput);
  EXPECT_EQ(upper->properties.at("name"), "x");
  auto legacy = parser.ParseLine("prefix ##[set-output name=y;]a%3Bb%5D");
  ASSERT_TRUE(legacy.has_value());
  EXPECT_EQ(legacy->kind, WorkflowCommandKind::kSetOutput);
  EXPECT_EQ(legacy->properties.at("name"), "y");
  EXPECT_EQ(legacy->data, "a;b]");
  EXPECT_FALSE(parser.ParseLine("##[nosuchcommand]x").has_value());
}

}  // namespace
}  // namespace slipway::exec
