#include "interpreter/yaml/loader.h"

#include <gtest/gtest.h>

#include <string>

namespace slipway::yaml {
namespace {

struct Loaded {
  std::optional<Node> root;
  Diagnostics diagnostics;
  std::string first;  // "line:col: message" of the first diagnostic
};

Loaded Load(std::string text) {
  static SourceManager sources;  // outlives the nodes' ranges
  Loaded out;
  FileId file = sources.Add("test.yml", std::move(text));
  out.root = LoadYaml(sources, file, out.diagnostics);
  if (!out.diagnostics.empty()) {
    const Diagnostic& d = out.diagnostics.items()[0];
    out.first = std::to_string(d.where.begin.line) + ":" + std::to_string(d.where.begin.col) +
                ": " + d.message;
  }
  return out;
}

TEST(LoadYaml, KeepsOneBasedPositions) {
  Loaded l = Load("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n");
  ASSERT_TRUE(l.root) << l.first;
  const Node* jobs = l.root->Find("jobs");
  ASSERT_NE(jobs, nullptr);
  const Node* runs_on = jobs->Find("build")->Find("runs-on");
  EXPECT_EQ(runs_on->value, "ubuntu-latest");
  EXPECT_EQ(runs_on->where.begin, (SourcePos{4, 14}));
  EXPECT_EQ(runs_on->where.length, 13u);
  EXPECT_EQ(jobs->FindKey("build")->where.begin, (SourcePos{3, 3}));
}

TEST(LoadYaml, ScalarStylesAndQuotedLength) {
  Loaded l = Load("a: 'x''y'\nb: \"q\\n\"\nc: |\n  line1\n  ${{ x }}\nd: >\n  folded\ne: plain\n");
  ASSERT_TRUE(l.root) << l.first;
  EXPECT_EQ(l.root->Find("a")->style, ScalarStyle::kSingleQuoted);
  EXPECT_EQ(l.root->Find("a")->value, "x'y");
  EXPECT_EQ(l.root->Find("a")->where.length, 6u);
  EXPECT_EQ(l.root->Find("b")->style, ScalarStyle::kDoubleQuoted);
  const Node* c = l.root->Find("c");
  EXPECT_EQ(c->style, ScalarStyle::kLiteral);
  EXPECT_EQ(c->where.begin, (SourcePos{3, 4}));
  EXPECT_EQ(c->content, (SourcePos{4, 3}));
  EXPECT_EQ(c->PositionOf(c->value.find("${{")), (SourcePos{5, 3}));
  EXPECT_EQ(l.root->Find("d")->style, ScalarStyle::kFolded);
  EXPECT_TRUE(l.root->Find("e")->is_plain());
}

TEST(LoadYaml, CoreSchemaResolution) {
  Loaded l = Load("t: true\nf: False\nn: ~\ni: 0x1F\nx: 1.5e3\ns: '1'\ne:\n");
  ASSERT_TRUE(l.root) << l.first;
  bool b = false;
  double d = 0;
  EXPECT_TRUE(IsBoolScalar(*l.root->Find("t"), &b) && b);
  EXPECT_TRUE(IsBoolScalar(*l.root->Find("f"), &b) && !b);
  EXPECT_TRUE(IsNullScalar(*l.root->Find("n")));
  EXPECT_TRUE(IsNumberScalar(*l.root->Find("i"), &d) && d == 31);
  EXPECT_TRUE(IsNumberScalar(*l.root->Find("x"), &d) && d == 1500);
  EXPECT_FALSE(IsNumberScalar(*l.root->Find("s")));
  EXPECT_TRUE(IsNullScalar(*l.root->Find("e")));
}

TEST(LoadYaml, AliasesExpand) {
  Loaded l = Load("a: &x {k: v}\nb: *x\n");
  ASSERT_TRUE(l.root) << l.first;
  EXPECT_EQ(l.root->Find("b")->Find("k")->value, "v");
}

struct BadCase {
  const char* text;
  const char* expected;  // "line:col: message" prefix
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.expected; }

class LoadYamlBad : public testing::TestWithParam<BadCase> {};

TEST_P(LoadYamlBad, ReportsPositionedError) {
  Loaded l = Load(GetParam().text);
  EXPECT_FALSE(l.root.has_value() && !l.diagnostics.has_errors());
  EXPECT_TRUE(l.diagnostics.has_errors());
  EXPECT_EQ(l.first.substr(0, std::string(GetParam().expected).size()), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, LoadYamlBad,
    testing::Values(
        BadCase{"a: 1\na: 2\n", "2:1: key \"a\" is duplicated in this mapping; previously defined at 1:1"},
        BadCase{"", "1:1: file is empty"},
        BadCase{"# only a comment\n", "1:1: file is empty"},
        BadCase{"a: *nope\n", "1:4: invalid YAML: the referenced anchor is not defined"},
        BadCase{"a: 1\n---\nb: 2\n", "2:1: file holds more than one YAML document"},
        BadCase{"a: \xff\n", "1:4: invalid UTF-8 byte 0xFF"},
        BadCase{"a:\n\tb: 1\n", "2:1: tab character used for indentation"},
        BadCase{"a: [1, 2\n", "2:1: invalid YAML"},
        BadCase{"a: b: c\n", "1:5: invalid YAML"}));

TEST(LoadYaml, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '[');
  Loaded l = Load("a: " + deep + "\n");
  EXPECT_TRUE(l.diagnostics.has_errors());
  EXPECT_NE(l.first.find("nest"), std::string::npos) << l.first;
}

TEST(LoadYaml, AliasBombIsBounded) {
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'k'; ++c) {
    text += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) text += std::string(i ? ", *" : "*") + prev;
    text += "]\n";
    prev = c;
  }
  Loaded l = Load(text);
  EXPECT_TRUE(l.diagnostics.has_errors());
  EXPECT_NE(l.first.find("more than"), std::string::npos) << l.first;
}

}  // namespace
}  // namespace slipway::yaml
