#include "interpreter/model/matrix_values.h"

#include <gtest/gtest.h>

#include <chrono>

namespace slipway::model {
namespace {

using json = nlohmann::ordered_json;

std::vector<json> Values(int n) {
  std::vector<json> out;
  for (int i = 0; i < n; ++i) out.push_back(i);
  return out;
}

TEST(MatrixValues, ProductFirstAxisOutermostThenExcludeThenInclude) {
  // The docs' example: include entries extend matching combinations or add their own.
  MatrixAxes axes = {{"fruit", {"apple", "pear"}}, {"animal", {"cat", "dog"}}};
  std::vector<json> include = {json{{"color", "green"}}, json{{"color", "pink"}, {"animal", "cat"}},
                               json{{"fruit", "apple"}, {"shape", "circle"}},
                               json{{"fruit", "banana"}},
                               json{{"fruit", "banana"}, {"animal", "cat"}}};
  auto out = ExpandMatrixBounded(axes, include, {}, kMaxMatrixCombinations, nullptr);
  ASSERT_TRUE(out);
  ASSERT_EQ(out->size(), 6u);
  EXPECT_EQ((*out)[0],
            (json{{"fruit", "apple"}, {"animal", "cat"}, {"color", "pink"}, {"shape", "circle"}}));
  EXPECT_EQ((*out)[3], (json{{"fruit", "pear"}, {"animal", "dog"}, {"color", "green"}}));
  EXPECT_EQ((*out)[4], (json{{"fruit", "banana"}}));
  EXPECT_EQ((*out)[5], (json{{"fruit", "banana"}, {"animal", "cat"}}));
}

TEST(MatrixValues, ExcludeIsAPartialMatchAndKeepsOrder) {
  MatrixAxes axes = {{"os", {"linux", "mac", "win"}}, {"v", {1, 2}}};
  auto out = ExpandMatrixBounded(axes, {}, {json{{"os", "mac"}}, json{{"v", 1}, {"os", "win"}}},
                                 kMaxMatrixCombinations, nullptr);
  ASSERT_TRUE(out);
  EXPECT_EQ(*out,
            (std::vector<json>{json{{"os", "linux"}, {"v", 1}}, json{{"os", "linux"}, {"v", 2}},
                               json{{"os", "win"}, {"v", 2}}}));
}

TEST(MatrixValues, TwelveAxesOfTenAreRefusedWithoutExpanding) {
  MatrixAxes axes;
  for (char c = 'a'; c < 'a' + 12; ++c) axes.emplace_back(std::string(1, c), Values(10));
  MatrixSize size;
  auto start = std::chrono::steady_clock::now();
  auto out = ExpandMatrixBounded(axes, {}, {}, kMaxMatrixCombinations, &size);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(out);
  EXPECT_TRUE(size.at_least);
  EXPECT_GT(size.count, kMaxMatrixCombinations);
  EXPECT_EQ(MatrixSizeMessage(size),
            "the matrix has more than 256 combinations; GitHub allows at most 256");
  // Not a timing assertion of speed, only of "nothing like 10^12 work": a second is plenty.
  EXPECT_LT(elapsed, std::chrono::seconds(1));
}

TEST(MatrixValues, ExcludesCanBringAHugeProductUnderTheLimit) {
  // 10^12 combinations, of which every one with a != 0 or b != 0 ... is excluded: the walk
  // visits the excluded subtrees at the axes the excludes name, never the product.
  MatrixAxes axes;
  for (char c = 'a'; c < 'a' + 12; ++c) axes.emplace_back(std::string(1, c), Values(10));
  std::vector<json> exclude;
  for (char c = 'c'; c < 'a' + 12; ++c) {
    for (int v = 1; v < 10; ++v) exclude.push_back(json{{std::string(1, c), v}});
  }
  MatrixSize size;
  auto out = ExpandMatrixBounded(axes, {}, exclude, kMaxMatrixCombinations, &size);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->size(), 100u);  // a and b free, every other axis 0
  EXPECT_EQ((*out)[1]["b"], 1);
}

TEST(MatrixValues, IncludesCountTowardsTheLimit) {
  MatrixAxes axes = {{"a", Values(16)}, {"b", Values(16)}};
  MatrixSize size;
  EXPECT_TRUE(ExpandMatrixBounded(axes, {}, {}, kMaxMatrixCombinations, &size));
  EXPECT_EQ(size.count, 256u);
  EXPECT_FALSE(ExpandMatrixBounded(axes, {json{{"a", 99}}}, {}, kMaxMatrixCombinations, &size));
  EXPECT_EQ(size.count, 257u);
  EXPECT_FALSE(size.at_least);
  EXPECT_EQ(MatrixSizeMessage(size), "the matrix has 257 combinations; GitHub allows at most 256");
}

TEST(MatrixValues, NoAxesMeansOnlyIncludes) {
  auto out = ExpandMatrixBounded({}, {json{{"a", 1}}, json{{"a", 2}}}, {}, 256, nullptr);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->size(), 2u);
  MatrixAxes empty_axis = {{"a", {}}, {"b", Values(3)}};
  out = ExpandMatrixBounded(empty_axis, {}, {}, 256, nullptr);
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->empty());
}

}  // namespace
}  // namespace slipway::model
