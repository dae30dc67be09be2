#include "interpreter/exec/problem_matchers.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "interpreter/exec/annotations.h"
#include "interpreter/exec/container_runtime.h"
#include "interpreter/exec/job_containers.h"

namespace slipway::exec {
namespace {

MatcherConfigs MustParse(const std::string& text) {
  Expected<MatcherConfigs> parsed = ParseMatchers(text);
  EXPECT_TRUE(parsed.has_value()) << (parsed ? "" : parsed.error());
  return parsed ? *parsed : MatcherConfigs{};
}

// IssueMatchersConfig.Validate / IssueMatcherConfig.Validate / IssuePatternConfig.Validate,
// with the runner's messages.
TEST(ProblemMatchersTest, InvalidFilesWithTheRunnersMessages) {
  struct Case {
    std::string json;
    std::string error;
  };
  const Case cases[] = {
      {R"j({"problemMatcher": [{"pattern": [{"regexp": "x(.*)", "message": 1}]}]})j",
       "Owner must not be empty"},
      {R"j({"problemMatcher": [{"owner": "a", "severity": "fatal", "pattern": [{"regexp": "(x)", "message": 1}]}]})j",
       "Matcher 'a' contains unexpected default severity 'fatal'"},
      {R"j({"problemMatcher": [{"owner": "a", "pattern": []}]})j",
       "Matcher 'a' does not contain any patterns"},
      {R"j({"problemMatcher": [{"owner": "a", "pattern": [{"regexp": "(x)", "line": 1}]}]})j",
       "At least one pattern must set 'message'"},
      {R"j({"problemMatcher": [{"owner": "a", "pattern": [{"regexp": "(x)", "message": 2}]}]})j",
       "The property 'message' is set to 2 which is out of range"},
      {R"j({"problemMatcher": [{"owner": "a", "pattern": [{"regexp": "(x)", "message": 1}, {"regexp": "(y)", "message": 1}]}]})j",
       "The property 'message' is set twice"},
      {R"j({"problemMatcher": [{"owner": "a", "pattern": [{"regexp": "(x)", "message": 1, "loop": true}]}]})j",
       "Only the last pattern in a multiline matcher may set 'loop'"},
      {R"j({"problemMatcher": [{"owner": "a", "pattern": [{"regexp": "(x)", "line": 1}, {"regexp": "(y)", "loop": true}]}]})j",
       "The loop pattern must set 'message'"},
      {R"j({"problemMatcher": [{"owner": "a", "pattern": [{"regexp": "(x)", "message": 1}]},
                              {"owner": "A", "pattern": [{"regexp": "(x)", "message": 1}]}]})j",
       "Duplicate owner name 'A'"},
      {R"j({"problemMatcher": )j", "The matcher file is not valid JSON"},
  };
  for (const Case& c : cases) {
    Expected<MatcherConfigs> parsed = ParseMatchers(c.json);
    ASSERT_FALSE(parsed.has_value()) << c.json;
    EXPECT_EQ(parsed.error(), c.error) << c.json;
  }
}

// What the runner reads as no matchers at all (nothing is added, nothing fails).
TEST(ProblemMatchersTest, EmptyFilesHoldNoMatchers) {
  for (const char* text : {"", "  \n", "null", "{}", R"j({"problemMatcher": null})j",
                           R"j({"problemMatcher": []})j", "\xEF\xBB\xBF{}"}) {
    Expected<MatcherConfigs> parsed = ParseMatchers(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    EXPECT_TRUE(parsed->empty()) << text;
  }
}

// .NET syntax RE2 cannot run is refused with a message that says why.
TEST(ProblemMatchersTest, RegexpsRe2CannotRunAreRefusedClearly) {
  Expected<MatcherConfigs> parsed = ParseMatchers(
      R"j({"problemMatcher": [{"owner": "a", "pattern": [{"regexp": "^(?=x)(.*)$", "message": 1}]}]})j");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_NE(parsed.error().find("Matcher 'a' pattern 0: the regexp '^(?=x)(.*)$' cannot be run"),
            std::string::npos)
      << parsed.error();
  EXPECT_NE(parsed.error().find("lookaround"), std::string::npos);
}

// Member names match ignoring case (Newtonsoft); numbers may be strings; comments are read.
TEST(ProblemMatchersTest, LenientJsonAsNewtonsoftReadsIt) {
  MatcherConfigs configs = MustParse(R"j({
    // a comment
    "ProblemMatcher": [{"Owner": "x", "pattern": [{"REGEXP": "^(\\w+): (.*)$", "severity": "1", "Message": 2}]}]
  })j");
  ASSERT_EQ(configs.size(), 1u);
  IssueMatcher matcher(configs[0]);
  std::optional<IssueMatch> match = matcher.Match("warning: look out");
  ASSERT_TRUE(match.has_value());
  EXPECT_EQ(match->severity, "warning");
  EXPECT_EQ(match->message, "look out");
}

// .NET numbers unnamed groups first, then named ones: (?<file>...) after two unnamed groups
// is group 3 even though it comes first.
TEST(ProblemMatchersTest, NamedGroupsAreNumberedAsDotNetNumbersThem) {
  MatcherConfigs configs = MustParse(
      R"j({"problemMatcher": [{"owner": "n", "pattern": [{"regexp": "^(?<file>[^:]+):(\\d+):(.*)$", "file": 3, "line": 1, "message": 2}]}]})j");
  ASSERT_EQ(configs.size(), 1u);
  IssueMatcher matcher(configs[0]);
  std::optional<IssueMatch> match = matcher.Match("src/a.c:12:boom");
  ASSERT_TRUE(match.has_value());
  EXPECT_EQ(match->file, "src/a.c");
  EXPECT_EQ(match->line, "12");
  EXPECT_EQ(match->message, "boom");
}

// The multi-line example of actions/toolkit docs/problem-matchers.md (eslint-stylish): a file
// line, then one line per problem (loop), each an issue of that file.
TEST(ProblemMatchersTest, MultiLineLoopMatcher) {
  MatcherConfigs configs = MustParse(R"j({"problemMatcher": [{"owner": "eslint-stylish",
    "pattern": [
      {"regexp": "^([^\\s].*)$", "file": 1},
      {"regexp": "^\\s+(\\d+):(\\d+)\\s+(error|warning|info)\\s+(.*)\\s\\s+(.*)$",
       "line": 1, "column": 2, "severity": 3, "message": 4, "code": 5, "loop": true}
    ]}]})j");
  ASSERT_EQ(configs.size(), 1u);
  IssueMatcher matcher(configs[0]);
  EXPECT_FALSE(matcher.Match("test.js").has_value());
  std::optional<IssueMatch> first = matcher.Match("  1:0   error  Missing semicolon  semi");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->file, "test.js");
  EXPECT_EQ(first->line, "1");
  EXPECT_EQ(first->column, "0");
  EXPECT_EQ(first->severity, "error");
  EXPECT_EQ(first->message, "Missing semicolon");
  EXPECT_EQ(first->code, "semi");
  std::optional<IssueMatch> second = matcher.Match("  2:5   warning  Extra space  no-space");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->file, "test.js");
  EXPECT_EQ(second->line, "2");
  // A line that matches neither pattern breaks the run.
  EXPECT_FALSE(matcher.Match("").has_value());
  EXPECT_FALSE(matcher.Match("  3:1   error  Orphan  x").has_value());
}

// OutputManager.ConvertToIssue: severity, digits-only line/column, trimmed code, and a file
// kept only when it exists under the workspace, relative to it.
TEST(ProblemMatchersTest, ConvertToIssue) {
  const std::filesystem::path workspace =
      std::filesystem::temp_directory_path() / ("slipway-pm-" + std::to_string(getpid()));
  std::filesystem::create_directories(workspace / "src");
  std::ofstream(workspace / "src" / "app.js") << "x";
  IssueFiles files{workspace.string(), {}};

  IssueMatch match;
  match.message = "bad";
  match.line = "12";
  match.column = "+3";
  match.code = "  E1 ";
  match.file = "src/./../src/app.js";
  std::optional<Issue> issue = ConvertToIssue(match, files);
  ASSERT_TRUE(issue.has_value());
  EXPECT_EQ(issue->kind, IssueKind::kError);
  EXPECT_EQ(issue->properties,
            (std::map<std::string, std::string>{{"line", "12"}, {"code", "E1"}, {"file", "src/app.js"}}));

  match.file = (workspace / "src" / "app.js").string();
  match.severity = "Warning";
  issue = ConvertToIssue(match, files);
  ASSERT_TRUE(issue.has_value());
  EXPECT_EQ(issue->kind, IssueKind::kWarning);
  EXPECT_EQ(issue->properties.at("file"), "src/app.js");

  match.file = "app.js";
  match.from_path = "src/package.json";  // rooted at the fromPath's directory
  issue = ConvertToIssue(match, files);
  ASSERT_TRUE(issue.has_value());
  EXPECT_EQ(issue->properties.at("file"), "src/app.js");

  match.from_path.reset();
  match.file = "missing.js";
  issue = ConvertToIssue(match, files);
  ASSERT_TRUE(issue.has_value());
  EXPECT_FALSE(issue->properties.contains("file"));

  match.severity = "fatal";
  EXPECT_FALSE(ConvertToIssue(match, files).has_value());
  match.severity = "notice";
  match.message = "   ";
  EXPECT_FALSE(ConvertToIssue(match, files).has_value());
  std::filesystem::remove_all(workspace);
}

// The runner's pattern `\x0033\[...` reads as NUL "33[" in .NET: ESC sequences stay.
TEST(ProblemMatchersTest, StripColorCodesAsTheRunnerDoes) {
  EXPECT_EQ(StripColorCodes("\x1b[31merror\x1b[0m"), "\x1b[31merror\x1b[0m");
  EXPECT_EQ(StripColorCodes(std::string("a\0" "33[1;31mb\0" "33[c", 16)), "abc");
}

// The job's list puts an added file's matchers first in file order; the step's list takes
// each as it comes (OnMatcherChanged), so the last added is tried first; removal by owner
// ignores case.
TEST(ProblemMatchersTest, AddAndRemoveFollowTheRunnersOrder) {
  MatcherConfigs configs = MustParse(R"j({"problemMatcher": [
    {"owner": "first", "severity": "warning", "pattern": [{"regexp": "^(.*)$", "message": 1}]},
    {"owner": "second", "pattern": [{"regexp": "^(.*)$", "message": 1}]}]})j");
  ProblemMatchers matchers;
  matchers.BeginStep();
  EXPECT_TRUE(matchers.empty());
  matchers.Add(configs);
  IssueFiles files{"/nonexistent", {}};
  std::optional<Issue> issue = matchers.Match("x", files);
  ASSERT_TRUE(issue.has_value());
  EXPECT_EQ(issue->kind, IssueKind::kError);  // "second" first in this step
  matchers.BeginStep();
  issue = matchers.Match("x", files);
  ASSERT_TRUE(issue.has_value());
  EXPECT_EQ(issue->kind, IssueKind::kWarning);  // the job's order in the next step
  matchers.Remove({"FIRST"});
  issue = matchers.Match("x", files);
  ASSERT_TRUE(issue.has_value());
  EXPECT_EQ(issue->kind, IssueKind::kError);
  matchers.Remove({"second"});
  EXPECT_TRUE(matchers.empty());
  matchers.BeginStep();
  EXPECT_TRUE(matchers.empty());
}

// ExecutionContext.AddIssue cuts a message to 4096 UTF-16 code units.
TEST(AnnotationsTest, CutToUtf16Units) {
  EXPECT_EQ(CutToUtf16Units("abcdef", 4), "abcd");
  EXPECT_EQ(CutToUtf16Units("abc", 4), "abc");
  EXPECT_EQ(CutToUtf16Units("a\xC3\xA9" "b", 2), "a\xC3\xA9");       // é is one unit
  EXPECT_EQ(CutToUtf16Units("a\xF0\x9F\x98\x80" "b", 2), "a");      // 😀 is two: not split
  EXPECT_EQ(CutToUtf16Units("a\xF0\x9F\x98\x80" "b", 3), "a\xF0\x9F\x98\x80");
}

// @actions/core's escapeData / escapeProperty, which the runner's parser undoes.
TEST(AnnotationsTest, EscapeCommand) {
  EXPECT_EQ(EscapeCommand("50% done\r\nnext: a,b", false), "50%25 done%0D%0Anext: a,b");
  EXPECT_EQ(EscapeCommand("C:\\x,y", true), "C%3A\\x%2Cy");
}

// IOUtil.MakeRelative on Linux (ordinal comparison).
TEST(AnnotationsTest, MakeRelative) {
  EXPECT_EQ(MakeRelative("/w/repo/src/a.js", "/w/repo"), "src/a.js");
  EXPECT_EQ(MakeRelative("/w/repo/src/a.js", "/w/repo/"), "src/a.js");
  EXPECT_EQ(MakeRelative("/w/repo", "/w/repo"), "");
  EXPECT_EQ(MakeRelative("/w/repository/a.js", "/w/repo"), "/w/repository/a.js");
  EXPECT_EQ(MakeRelative("/W/repo/a.js", "/w/repo"), "/W/repo/a.js");
  EXPECT_EQ(MakeRelative("src/a.js", "/w/repo"), "src/a.js");
}

}  // namespace
}  // namespace slipway::exec

namespace slipway::exec {
namespace {

// ContainerInfo.TranslateToHostPath: a path under a mount is the host's; others as written.
TEST(ContainerPathsTest, ToHostPathReversesTheMounts) {
  ContainerMounts mounts{"/h/ws", "/h/tmp", "/h/tmp/_github_workflow/event.json", "o/repo"};
  JobContainers containers(ContainerRuntime{RuntimeKind::kPodman, "/bin/false"}, {}, "t",
                           "/nonexistent/record.json", mounts, [](std::string_view) {});
  EXPECT_EQ(containers.ToHostPath("/__w/repo/repo/src/a.c", false), "/h/ws/src/a.c");
  EXPECT_EQ(containers.ToHostPath("/__w/repo/repo", false), "/h/ws");
  EXPECT_EQ(containers.ToHostPath("/__w/_temp/m.json", false), "/h/tmp/m.json");
  EXPECT_EQ(containers.ToHostPath("/__w/repo/repository/a", false), "/__w/repo/repository/a");
  EXPECT_EQ(containers.ToHostPath("/github/workspace/a.c", true), "/h/ws/a.c");
  EXPECT_EQ(containers.ToHostPath("/github/workspace/a.c", false), "/github/workspace/a.c");
  EXPECT_EQ(containers.ToHostPath("/etc/passwd", false), "/etc/passwd");
}

// OutputManager.ConvertToIssue in a container: an absolute matched path is the container's;
// a relative one is rooted at the (host's) workspace and not translated.
TEST(ProblemMatchersTest, MatchedFilesOfAContainerStep) {
  const std::filesystem::path workspace =
      std::filesystem::temp_directory_path() / ("slipway-pmc-" + std::to_string(getpid()));
  std::filesystem::create_directories(workspace / "src");
  std::ofstream(workspace / "src" / "app.js") << "x";
  IssueFiles files{workspace.string(), [&](const std::string& path) {
                     const std::string inside = "/__w/repo/repo";
                     return path.rfind(inside, 0) == 0 ? workspace.string() + path.substr(inside.size())
                                                       : path;
                   }};
  IssueMatch match;
  match.message = "bad";
  match.file = "/__w/repo/repo/src/app.js";
  std::optional<Issue> issue = ConvertToIssue(match, files);
  ASSERT_TRUE(issue.has_value());
  EXPECT_EQ(issue->properties.at("file"), "src/app.js");
  match.file = "src/app.js";
  issue = ConvertToIssue(match, files);
  ASSERT_TRUE(issue.has_value());
  EXPECT_EQ(issue->properties.at("file"), "src/app.js");
  std::filesystem::remove_all(workspace);
}

}  // namespace
}  // namespace slipway::exec
