// The table of third-party actions that run locally (step_api/local_equivalents.h), as the plan
// reports it.
#include "interpreter/step_api/local_equivalents.h"

#include <gtest/gtest.h>

namespace slipway::step_api {
namespace {

TEST(LocalEquivalent, KnownActionsWhateverTheirRef) {
  EXPECT_NE(LocalEquivalent("actions/checkout@v4"), "");
  EXPECT_NE(LocalEquivalent("actions/checkout@8f4b7f84864484a7bf31766abe9204da3cbe65b3"), "");
  EXPECT_NE(LocalEquivalent("aws-actions/configure-aws-credentials@v4"), "");
  EXPECT_NE(LocalEquivalent("actions/upload-artifact@v4"), "");
  EXPECT_NE(LocalEquivalent("slackapi/slack-github-action@v2.0.0"), "");
}

TEST(LocalEquivalent, SetupActionsOfAnyOwnerAndNamesIgnoringCase) {
  EXPECT_EQ(LocalEquivalent("hashicorp/setup-terraform@v3"), LocalEquivalent("actions/setup-node"));
  EXPECT_NE(LocalEquivalent("aws-actions/setup-sam@v2"), "");
  EXPECT_NE(LocalEquivalent("RTCAMP/Action-Slack-Notify@v2"), "");
}

TEST(LocalEquivalent, EverythingElseHasNone) {
  EXPECT_EQ(LocalEquivalent("someone/unknown-action@v1"), "");
  EXPECT_EQ(LocalEquivalent("actions/checkoutx@v4"), "");  // not a prefix match
  EXPECT_EQ(LocalEquivalent("actions/cache@v4"), "");
  EXPECT_EQ(LocalEquivalent("setup-node"), "");  // no owner
  EXPECT_EQ(ActionName("actions/checkout@v4"), "actions/checkout");
  EXPECT_EQ(ActionName("./local"), "./local");
}

}  // namespace
}  // namespace slipway::step_api
