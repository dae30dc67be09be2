#include "interpreter/base/diagnostic.h"

#include <gtest/gtest.h>

namespace slipway {
namespace {

TEST(Diagnostics, SortsByPositionAndDropsDuplicates) {
  Diagnostics d;
  d.Error("b", SourceRange{0, {3, 1}, 1}, "third");
  d.Warning("a", SourceRange{0, {1, 5}, 1}, "first");
  d.Error("b", SourceRange{0, {3, 1}, 1}, "third");
  d.Sort();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d.items()[0].message, "first");
  EXPECT_EQ(d.error_count(), 1u);
}

TEST(ClosestMatch, SuggestsNearbyNames) {
  std::vector<std::string> keys = {"environment", "env", "needs", "steps"};
  EXPECT_EQ(ClosestMatch("enviroment", keys), "environment");
  EXPECT_EQ(ClosestMatch("neds", keys), "needs");
  EXPECT_EQ(ClosestMatch("zzzzzz", keys), "");
  EXPECT_EQ(DidYouMean("step", keys), "; did you mean \"steps\"?");
}

TEST(SourceManager, ReturnsLinesWithoutNewlines) {
  SourceManager sources;
  FileId f = sources.Add("x.yml", "one\r\ntwo\nthree");
  EXPECT_EQ(sources.Line(f, 1), "one");
  EXPECT_EQ(sources.Line(f, 3), "three");
  EXPECT_EQ(sources.Line(f, 4), "");
}

}  // namespace
}  // namespace slipway
