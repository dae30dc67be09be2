// Static facts for the validator: accesses with paths, calls, status functions.
#include "interpreter/expr/analysis.h"

#include <gtest/gtest.h>

#include "interpreter/expr/parser.h"

namespace slipway::expr {
namespace {

Analysis Of(const char* text) {
  ParseOptions options;
  options.allow_any_name = true;
  options.allow_unknown_functions = true;
  Expected<Expr, Error> e = Parse(text, options);
  EXPECT_TRUE(e.has_value()) << text;
  return e ? Analyze(*e) : Analysis{};
}

std::vector<std::string> Paths(const Analysis& a) {
  std::vector<std::string> out;
  for (const NamedValueAccess& x : a.accesses) out.push_back(x.Path());
  return out;
}

TEST(Analysis, ReportsAccessPaths) {
  const struct {
    const char* in;
    std::vector<std::string> paths;
  } kCases[] = {
      {"inputs.foo", {"inputs.foo"}},
      {"needs.build.outputs.x == steps.a.outputs.b",
       {"needs.build.outputs.x", "steps.a.outputs.b"}},
      {"github.event.issue.title", {"github.event.issue.title"}},
      {"matrix.os", {"matrix.os"}},
      {"needs['build'].outputs[0]", {"needs.build.outputs.0"}},
      {"github.event.issue.labels.*.name", {"github.event.issue.labels.*.name"}},
      {"matrix[env.KEY].x", {"matrix", "env.KEY"}},
      {"format('{0}', inputs.a, fromJSON(vars.b).c)", {"inputs.a", "vars.b"}},
      {"'literal'", {}},
  };
  for (const auto& c : kCases) EXPECT_EQ(Paths(Of(c.in)), c.paths) << c.in;
}

TEST(Analysis, OffsetsAndSegments) {
  Analysis a = Of("x && needs.build.outputs.version");
  ASSERT_EQ(a.accesses.size(), 2u);
  const NamedValueAccess& n = a.accesses[1];
  EXPECT_EQ(n.offset, 5u);
  EXPECT_EQ(n.length, 27u);
  ASSERT_EQ(n.segments.size(), 4u);
  EXPECT_EQ(n.segments[1].name, "build");
  EXPECT_EQ(n.segments[1].offset, 11u);
  EXPECT_EQ(n.segments[3].offset, 25u);
  Analysis d = Of("matrix[env.KEY]");
  EXPECT_TRUE(d.accesses[0].dynamic);
}

TEST(Analysis, Calls) {
  Analysis a = Of("always() && contains(github.ref, 'x') && mystery(1, 2, 3)");
  ASSERT_EQ(a.calls.size(), 3u);
  EXPECT_EQ(a.calls[0].name, "always");
  EXPECT_EQ(a.calls[1].name, "contains");
  EXPECT_EQ(a.calls[1].arg_count, 2u);
  EXPECT_EQ(a.calls[1].offset, 12u);
  EXPECT_TRUE(a.calls[1].known);
  EXPECT_FALSE(a.calls[2].known);
  EXPECT_TRUE(a.calls_status_function);
  EXPECT_FALSE(Of("contains(a, b)").calls_status_function);
  EXPECT_TRUE(Of("!CANCELLED()").calls_status_function);
}

}  // namespace
}  // namespace slipway::expr
