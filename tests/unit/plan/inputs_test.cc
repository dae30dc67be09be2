#include "interpreter/plan/inputs.h"

#include "tests/unit/plan/plan_test_util.h"

namespace slipway::plan {
namespace {

using testing::Fixture;

const char kDispatch[] = R"(
on:
  workflow_dispatch:
    inputs:
      confirm:
        description: type DEPLOY TO PRODUCTION
        required: true
        type: string
        pattern: 'DEPLOY TO PRODUCTION'
      component:
        type: choice
        options: [all, frontend, backend]
        default: all
      dry_run:
        type: boolean
        default: false
      replicas:
        type: number
        default: 2
      target:
        type: environment
        default: staging
      note:
        type: string
jobs: {a: {runs-on: x, steps: [{run: echo}]}}
)";

const char kEnvironments[] = R"(
environments:
  staging: {}
  production: {}
)";

struct Result {
  nlohmann::ordered_json inputs;
  std::string messages;
  size_t errors = 0;
};

Result Resolve(const KeyValues& given) {
  Fixture f;
  f.Workflow(kDispatch);
  f.Environments(kEnvironments);
  const model::Trigger* trigger = f.workflow->FindTrigger("workflow_dispatch");
  Result r;
  r.inputs = ResolveInputs(trigger, "workflow_dispatch", given, &*f.environments, f.diagnostics);
  r.messages = f.Messages();
  r.errors = f.diagnostics.error_count();
  return r;
}

TEST(InputsTest, DefaultsAndTyping) {
  Result r = Resolve({{"confirm", "DEPLOY TO PRODUCTION"}, {"replicas", "3"}, {"dry_run", "true"}});
  EXPECT_EQ(r.errors, 0u) << r.messages;
  EXPECT_EQ(r.inputs["confirm"], "DEPLOY TO PRODUCTION");
  EXPECT_EQ(r.inputs["component"], "all");
  EXPECT_EQ(r.inputs["dry_run"], true);
  EXPECT_EQ(r.inputs["replicas"], 3);
  EXPECT_EQ(r.inputs["target"], "staging");
  EXPECT_EQ(r.inputs["note"], "");
}

struct BadInput {
  KeyValues given;
  const char* message;
};

TEST(InputsTest, ErrorsNameTheInputTheValueAndWhatIsAllowed) {
  const BadInput cases[] = {
      {{{"confirm", "deploy to production"}},
       "input \"confirm\": \"deploy to production\" does not match the "
       "required pattern "
       "\"DEPLOY TO PRODUCTION\" [input]"},
      {{},
       "input \"confirm\" is required and has no default: pass --input "
       "confirm=VALUE; it must "
       "match the pattern \"DEPLOY TO PRODUCTION\" [input]"},
      {{{"confirm", "DEPLOY TO PRODUCTION"}, {"component", "frontnd"}},
       "input \"component\": \"frontnd\" is not one of the options \"all\", "
       "\"frontend\", "
       "\"backend\"; did you mean \"frontend\"? [input]"},
      {{{"confirm", "DEPLOY TO PRODUCTION"}, {"dry_run", "yes"}},
       "input \"dry_run\": \"yes\" is not a boolean; expected true or false "
       "[input]"},
      {{{"confirm", "DEPLOY TO PRODUCTION"}, {"replicas", "two"}},
       "input \"replicas\": \"two\" is not a number; expected a decimal such "
       "as 3 or 2.5 [input]"},
      {{{"confirm", "DEPLOY TO PRODUCTION"}, {"target", "prod"}},
       "input \"target\": \"prod\" is not a configured environment; expected "
       "one of \"staging\", "
       "\"production\" [input]"},
      {{{"confirm", "DEPLOY TO PRODUCTION"}, {"componnent", "all"}},
       "unknown input \"componnent\"; declared inputs are \"confirm\", "
       "\"component\", \"dry_run\", "
       "\"replicas\", \"target\", \"note\"; did you mean \"component\"? "
       "[input]"},
      {{{"confirm", ""}}, "input \"confirm\" is required, but an empty value was given [input]"},
      {{{"confirm", "DEPLOY TO PRODUCTION"}, {"note", "a"}, {"note", "b"}},
       "input \"note\" is given more than once [input]"},
  };
  for (const BadInput& c : cases) {
    Result r = Resolve(c.given);
    EXPECT_EQ(r.errors, 1u) << r.messages;
    EXPECT_EQ(r.messages, std::string(c.message) + "\n");
  }
}

TEST(InputsTest, InputsForAnEventWithoutInputsAreErrors) {
  Fixture f;
  f.Workflow("on: push\njobs: {a: {runs-on: x, steps: [{run: echo}]}}\n");
  nlohmann::ordered_json inputs =
      ResolveInputs(nullptr, "push", {{"x", "1"}}, nullptr, f.diagnostics);
  EXPECT_TRUE(inputs.empty());
  EXPECT_EQ(f.Messages(),
            "unknown input \"x\": the push event of this "
            "workflow declares no inputs [input]\n");
}

TEST(InputsTest, EnvironmentInputWithoutConfiguration) {
  Fixture f;
  f.Workflow(kDispatch);
  ResolveInputs(f.workflow->FindTrigger("workflow_dispatch"), "workflow_dispatch",
                {{"confirm", "DEPLOY TO PRODUCTION"}}, nullptr, f.diagnostics);
  EXPECT_NE(f.Messages().find("no environments are configured"), std::string::npos) << f.Messages();
}

TEST(InputsTest, SplitKeyValue) {
  std::pair<std::string, std::string> kv;
  ASSERT_TRUE(SplitKeyValue("a=b=c", &kv));
  EXPECT_EQ(kv.first, "a");
  EXPECT_EQ(kv.second, "b=c");
  EXPECT_TRUE(SplitKeyValue("a=", &kv));
  EXPECT_EQ(kv.second, "");
  EXPECT_FALSE(SplitKeyValue("=b", &kv));
  EXPECT_FALSE(SplitKeyValue("ab", &kv));
}

}  // namespace
}  // namespace slipway::plan
