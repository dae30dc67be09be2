// Default step ids as GitHub's workflow parser gives them (WorkflowTemplateConverter + IdBuilder;
// the "Default environment variables" docs: "the first script you run will have the name __run,
// and the second script will be named __run_2").
#include "interpreter/model/step_ids.h"

#include <gtest/gtest.h>

namespace slipway::model {
namespace {

Step Script() { return Step{}; }
Step Uses(const std::string& uses) {
  Step step;
  step.uses = Str{uses, {}};
  return step;
}
Step WithId(const std::string& id) {
  Step step;
  step.id = Str{id, {}};
  return step;
}

TEST(StepIds, ScriptsAreRunThenRun2NotTheirPosition) {
  EXPECT_EQ(StepIds({Script(), WithId("build"), Script(), Script()}),
            (std::vector<std::string>{"__run", "build", "__run_2", "__run_3"}));
}

TEST(StepIds, ActionsAreNamedByOwnerAndRepository) {
  EXPECT_EQ(StepIds({Uses("actions/checkout@v4"), Uses("actions/checkout@v4"),
                     Uses("aws-actions/configure-aws-credentials/sub/dir@main"), Uses("./local"),
                     Uses("docker://alpine:3.20"), Uses("actions/checkout")}),
            (std::vector<std::string>{"__actions_checkout", "__actions_checkout_2",
                                      "__aws-actions_configure-aws-credentials", "__self",
                                      "__alpine_3_20", "__run"}));
}

TEST(StepIds, ExplicitIdsAreTakenIgnoringCase) {
  EXPECT_EQ(StepIds({WithId("__RUN"), Script()}), (std::vector<std::string>{"__RUN", "__run_2"}));
}

TEST(StepIds, LongNamesAreCutBelowOneHundredCharacters) {
  std::string image(150, 'a');
  std::vector<std::string> ids = StepIds({Uses("docker://" + image), Uses("docker://" + image)});
  EXPECT_EQ(ids[0].size(), 99u);
  EXPECT_EQ(ids[1], std::string(2, '_') + std::string(95, 'a') + "_2");
}

}  // namespace
}  // namespace slipway::model
