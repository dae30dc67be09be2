// Reusable-workflow calls in the plan (plan/workflow_call.h, plan_units.cc): the typing of a
// call's inputs, the names of called jobs, and how the called jobs are planned — per leg of the
// caller's matrix, after the caller's needs, skipped with a skipped caller, blocking the caller
// when blocked. From GitHub's documentation of `on.workflow_call` and reusable workflows.
#include "interpreter/plan/workflow_call.h"

#include "tests/unit/plan/plan_test_util.h"

namespace slipway::plan {
namespace {

using json = nlohmann::ordered_json;
using testing::Fixture;
using testing::On;

const char* kCallee = R"(
on:
  workflow_call:
    inputs:
      name: {type: string, required: true}
      count: {type: number, default: 3}
      flag: {type: boolean, default: false}
      note: {type: string}
      enabled: {type: boolean}
      size: {type: number}
    outputs:
      url: {value: '${{ jobs.deploy.outputs.url }}'}
jobs:
  deploy:
    runs-on: x
    environment: production
    steps: [{run: 'echo ${{ inputs.name }}'}]
  verify:
    needs: deploy
    runs-on: x
    steps: [{run: v}]
)";

/// Loads `callee` as the workflow job `job` of the fixture's workflow calls.
struct CallFixture : Fixture {
  WorkflowSet set;
  void Call(uint32_t job, const std::string& callee_text) {
    FileId file = sources.Add("callee.yml", callee_text);
    auto callee = std::make_unique<model::Workflow>(*model::LoadWorkflowText(sources, file,
                                                                             diagnostics));
    set.sources.resize(2);
    set.sources[0].workflow = &*workflow;
    set.sources[0].calls[job] = 1;
    set.sources[1].uses = "./callee.yml";
    set.sources[1].path = "callee.yml";
    set.sources[1].workflow = callee.get();
    set.owned.push_back(std::move(callee));
    workflows = &set;
  }
};

TEST(WorkflowCallTest, InputsAreTypedPerTheCallee) {
  Fixture f;
  f.Workflow(R"(
on: push
jobs:
  call:
    uses: ./callee.yml
    with: {name: 7, count: '12', flag: 'true'}
)");
  FileId file = f.sources.Add("callee.yml", kCallee);
  std::optional<model::Workflow> callee = model::LoadWorkflowText(f.sources, file, f.diagnostics);
  ASSERT_TRUE(callee);
  Scope scope;
  CallInputs inputs =
      EvaluateCallInputs(f.workflow->jobs[0], callee->FindTrigger("workflow_call"), scope, scope);
  EXPECT_EQ(inputs.error, "");
  // Given values typed; defaults; false, 0 and "" for inputs with neither (GitHub's docs).
  EXPECT_EQ(inputs.inputs, json::parse(R"({"name": "7", "count": 12, "flag": true, "note": "",
                                           "enabled": false, "size": 0})"))
      << inputs.inputs.dump();
}

TEST(WorkflowCallTest, AValueThatDoesNotFitItsTypeIsAnErrorAndAnUnknownOneIsListed) {
  Fixture f;
  f.Workflow(R"(
on: push
jobs:
  call:
    uses: ./callee.yml
    with: {name: '${{ needs.a.outputs.x }}', flag: maybe}
)");
  FileId file = f.sources.Add("callee.yml", kCallee);
  std::optional<model::Workflow> callee = model::LoadWorkflowText(f.sources, file, f.diagnostics);
  Scope scope;
  scope.MarkUnknown("needs");
  CallInputs inputs =
      EvaluateCallInputs(f.workflow->jobs[0], callee->FindTrigger("workflow_call"), scope, scope);
  EXPECT_EQ(inputs.error,
            "input \"flag\" of the called workflow is a boolean; \"maybe\" is not true or false");
  EXPECT_EQ(inputs.unknown, std::vector<std::string>{"name"});
}

// A value from an expression keeps its type: a string is not a boolean or a number (the
// runner's TemplateEvaluator.Validate: "Unexpected value 'true'"); a literal is typed by its text.
// (`${{ 'true' }}` alone is no expression: the template reader makes it the literal 'true'.)
TEST(WorkflowCallTest, AStringFromAnExpressionIsNotABooleanOrANumber) {
  for (const char* with : {"{name: n, flag: \"${{ format('true') }}\"}",
                           "{name: n, count: \"${{ format('{0}', 3) }}\"}"}) {
    Fixture f;
    f.Workflow(std::string(R"(
on: push
jobs:
  call:
    uses: ./callee.yml
    with: )") + with + "\n");
    FileId file = f.sources.Add("callee.yml", kCallee);
    std::optional<model::Workflow> callee =
        model::LoadWorkflowText(f.sources, file, f.diagnostics);
    ASSERT_TRUE(callee);
    Scope scope;
    CallInputs inputs =
        EvaluateCallInputs(f.workflow->jobs[0], callee->FindTrigger("workflow_call"), scope, scope);
    EXPECT_NE(inputs.error, "") << with << " → " << inputs.inputs.dump();
  }
}

TEST(WorkflowCallTest, NamesOfCalledJobs) {
  EXPECT_EQ(CalledJobId(InstanceKey("call", json()), "inner"), "call/inner");
  EXPECT_EQ(CalledJobId(InstanceKey("call", json{{"os", "linux"}, {"n", 1}}), "inner"),
            "call (linux, 1)/inner");
}

TEST(WorkflowCallTest, CalledJobsArePlannedPerLegWithTheirGates) {
  CallFixture f;
  f.Workflow(R"(
on: push
jobs:
  build: {runs-on: x, steps: [{run: b}]}
  call:
    needs: build
    strategy: {matrix: {region: [eu, us]}}
    uses: ./callee.yml
    with: {name: '${{ matrix.region }}'}
  after: {needs: call, runs-on: x, steps: [{run: a}]}
)");
  f.Environments(R"(
environments:
  production:
    required_reviewers: {users: [bob]}
)");
  f.Call(1, kCallee);
  Plan plan = f.MakePlan(On("push", "refs/heads/main"));
  ASSERT_FALSE(f.diagnostics.has_errors()) << f.Messages();
  std::vector<std::string> ids;
  for (const PlannedJob& job : plan.jobs) ids.push_back(job.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"build", "call", "after", "call (eu)/deploy",
                                           "call (eu)/verify", "call (us)/deploy",
                                           "call (us)/verify"}));
  const PlannedJob* deploy = plan.FindJob("call (us)/deploy");
  ASSERT_TRUE(deploy);
  EXPECT_EQ(deploy->wave, 2);  // with its caller, after the caller's needs
  ASSERT_TRUE(deploy->environment);
  EXPECT_EQ(deploy->environment->required_reviewers, 1);
  EXPECT_EQ(ToInt(*deploy->caller), 1u);
  EXPECT_EQ(deploy->caller_leg, 1u);
  EXPECT_EQ(deploy->local_id, "deploy");
  // The input from the leg reaches the called job's steps.
  ASSERT_EQ(deploy->steps.size(), 1u);
  EXPECT_EQ(deploy->steps[0].run->text, "echo us");
  EXPECT_EQ(plan.FindJob("call (us)/verify")->wave, 3);
  EXPECT_EQ(plan.FindJob("after")->wave, 4);  // after the last called job
  EXPECT_EQ(plan.FindJob("call")->callee, 1u);
}

TEST(WorkflowCallTest, ASkippedCallerSkipsItsJobsAndABlockedCalledJobBlocksTheCaller) {
  CallFixture f;
  f.Workflow(R"(
on: push
jobs:
  call:
    uses: ./callee.yml
    with: {name: x}
  after: {needs: call, runs-on: x, steps: [{run: a}]}
)");
  f.Environments(R"(
environments:
  production:
    deployment_branches: {branches: [main]}
)");
  f.Call(0, kCallee);
  Plan plan = f.MakePlan(On("push", "refs/heads/feature"));
  EXPECT_EQ(plan.FindJob("call/deploy")->status, JobStatus::kBlocked);
  EXPECT_EQ(plan.FindJob("call/verify")->status, JobStatus::kSkipped);
  EXPECT_EQ(plan.FindJob("call")->status, JobStatus::kBlocked);
  EXPECT_EQ(plan.FindJob("call")->reason, "its called job \"call/deploy\" is blocked");
  EXPECT_EQ(plan.FindJob("after")->status, JobStatus::kSkipped);

  CallFixture g;
  g.Workflow(R"(
on: push
jobs:
  call:
    if: false
    uses: ./callee.yml
    with: {name: x}
)");
  g.Call(0, kCallee);
  Plan skipped = g.MakePlan(On("push", "refs/heads/main"));
  EXPECT_EQ(skipped.FindJob("call/deploy")->status, JobStatus::kSkipped);
  EXPECT_EQ(skipped.FindJob("call/deploy")->reason, "its calling job \"call\" is skipped");
}

}  // namespace
}  // namespace slipway::plan
