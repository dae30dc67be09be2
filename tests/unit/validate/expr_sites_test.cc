#include "interpreter/validate/expr_sites.h"

#include <gtest/gtest.h>

namespace slipway::validate {
namespace {

TEST(IsIfPath, OnlyJobAndStepIf) {
  EXPECT_TRUE(IsIfPath({"jobs", "a", "if"}));
  EXPECT_TRUE(IsIfPath({"jobs", "a", "steps", "0", "if"}));
  EXPECT_FALSE(IsIfPath({"jobs", "a", "env", "if"}));
  EXPECT_FALSE(IsIfPath({"if"}));
}

}  // namespace
}  // namespace slipway::validate
