#include "interpreter/plan/glob.h"

#include <gtest/gtest.h>

namespace slipway::plan {
namespace {

struct GlobCase {
  const char* pattern;
  const char* text;
  bool matches;
};

// Examples from GitHub's filter pattern cheat sheet, plus edge cases.
const GlobCase kCases[] = {
    {"feature/*", "feature/my-branch", true},
    {"feature/*", "feature/your/branch", false},
    {"feature/**", "feature/beta-a/my-branch", true},
    {"feature/**", "feature/mona/the/octocat", true},
    {"main", "main", true},
    {"main", "main2", false},
    {"*", "main", true},
    {"*", "releases/x", false},
    {"**", "releases/x/y", true},
    {"*feature", "mona-feature", true},
    {"*feature", "feature", true},
    {"*feature", "ver-10-feature", true},
    {"v2*", "v2", true},
    {"v2*", "v2.0.9", true},
    {"v2*", "v3", false},
    {"v[12].[0-9]+.[0-9]+", "v1.10.1", true},
    {"v[12].[0-9]+.[0-9]+", "v2.0.0", true},
    {"v[12].[0-9]+.[0-9]+", "v3.0.0", false},
    {"v[12].[0-9]+.[0-9]+", "v1.x.0", false},
    {"v[12].[0-9]+.[0-9]+", "v1a0.0", false},  // "." is literal
    {"*.jsx?", "page.js", true},
    {"*.jsx?", "page.jsx", true},
    {"*.jsx?", "page.jsxx", false},
    {"**.js", "index.js", true},
    {"**.js", "src/js/app.js", true},
    {"docs/*", "docs/README.md", true},
    {"docs/*", "docs/a/b.md", false},
    {"docs/**/*.md", "docs/README.md", true},
    {"docs/**/*.md", "docs/a/markdown/file.md", true},
    {"docs/**/*.md", "docs/a/file.txt", false},
    {"**/docs/**", "docs/hello.md", true},
    {"**/docs/**", "space/docs/plan/space.doc", true},
    {"**/README.md", "README.md", true},
    {"**/README.md", "js/README.md", true},
    {"**/*src/**", "my-src/code/js/app.js", true},
    {"**/migrate-*.sql", "db/sept/migrate-v1.sql", true},
    {"**/migrate-*.sql", "db/migrate-v1.sql.bak", false},
    {"release/v+", "release/vvv", true},
    {"release/v+", "release/", false},
    {"a\\*b", "a*b", true},
    {"a\\*b", "axb", false},
    {"(x)", "(x)", true},  // regex characters are literal
    {"a.b", "axb", false},
    {"?x", "?x", true},  // nothing to repeat: a literal
};

TEST(GlobTest, MatchesGithubCheatSheet) {
  for (const GlobCase& c : kCases) {
    GlobPattern pattern(c.pattern);
    ASSERT_TRUE(pattern.ok()) << c.pattern << ": " << pattern.error();
    EXPECT_EQ(pattern.Matches(c.text), c.matches)
        << "pattern \"" << c.pattern << "\" (regex " << pattern.regex() << ") against \"" << c.text
        << "\"";
  }
}

TEST(GlobTest, BadPatternsReportErrors) {
  GlobPattern unclosed("v[12");
  EXPECT_FALSE(unclosed.ok());
  EXPECT_NE(unclosed.error().find("unclosed"), std::string::npos);
  EXPECT_FALSE(unclosed.Matches("v1"));
  GlobPattern escape("abc\\");
  EXPECT_FALSE(escape.ok());
}

struct ListCase {
  std::vector<std::string> patterns;
  const char* value;
  bool included;
  const char* deciding;
};

TEST(PatternListTest, NegationOrderMatters) {
  const ListCase cases[] = {
      {{"*.md", "!README.md"}, "hello.md", true, "*.md"},
      {{"*.md", "!README.md"}, "README.md", false, "!README.md"},
      {{"*.md", "!README.md", "README*"}, "README.md", true, "README*"},
      {{"*.md", "!README.md", "README*"}, "README.doc", true, "README*"},
      {{"!README.md", "*.md"}, "README.md", true, "*.md"},  // later positive wins
      {{"v*", "!v*-rc*"}, "v1.2.0", true, "v*"},
      {{"v*", "!v*-rc*"}, "v1.2.0-rc1", false, "!v*-rc*"},
      {{"main", "release/**"}, "feature/x", false, ""},
      {{}, "main", false, ""},
  };
  for (const ListCase& c : cases) {
    PatternList list(c.patterns);
    std::string deciding;
    EXPECT_EQ(list.Includes(c.value, &deciding), c.included)
        << c.value << " in " << list.Describe();
    EXPECT_EQ(deciding, c.deciding) << c.value;
  }
}

TEST(PatternListTest, ReportsFirstBadPattern) {
  PatternList list({"main", "[", "dev"});
  ASSERT_NE(list.first_error(), nullptr);
  EXPECT_EQ(list.first_error()->text(), "[");
  EXPECT_TRUE(list.Includes("dev"));
}

}  // namespace
}  // namespace slipway::plan
