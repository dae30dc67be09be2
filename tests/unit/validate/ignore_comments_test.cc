#include "interpreter/validate/ignore_comments.h"

#include <gtest/gtest.h>

namespace slipway::validate {
namespace {

Diagnostics Findings() {
  Diagnostics d;
  d.Error("job-id", SourceRange{0, {2, 1}, 1}, "a");
  d.Error("cron", SourceRange{0, {3, 1}, 1}, "b");
  d.Error("job-id", SourceRange{0, {5, 1}, 1}, "c");
  return d;
}

TEST(IgnoreComments, LineAboveAndSameLine) {
  Diagnostics d = Findings();
  ApplyIgnoreComments("x\n  # slipway-ignore: cron\nbad  # slipway-ignore: job-id\nx\nx\n", d);
  // Line 2 is a comment-only line: it silences line 3 (cron) only. Line 3's trailing comment
  // silences job-id on line 3, not on line 4 or 5.
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d.items()[0].message, "a");
  EXPECT_EQ(d.items()[1].message, "c");
}

TEST(IgnoreComments, OtherRuleAndStringsDoNotSilence) {
  Diagnostics d = Findings();
  ApplyIgnoreComments("# slipway-ignore: cron\nx\nrun: \"a#slipway-ignore: cron\"\n", d);
  EXPECT_EQ(d.size(), 3u);
}

TEST(IgnoreComments, AllAndLists) {
  Diagnostics d = Findings();
  ApplyIgnoreComments("# slipway-ignore: all\nx\n# slipway-ignore: cron, job-id\nx\nx\n", d);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d.items()[0].message, "c");
}

}  // namespace
}  // namespace slipway::validate
