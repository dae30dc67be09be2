#include "interpreter/plan/planner.h"

#include "interpreter/plan/matrix.h"
#include "tests/unit/plan/plan_test_util.h"

namespace slipway::plan {
namespace {

using testing::Fixture;
using testing::On;

const PlannedJob& Job(const Plan& plan, const std::string& id) {
  const PlannedJob* job = plan.FindJob(id);
  if (!job) {
    ADD_FAILURE() << "no job " << id;
    static const PlannedJob kNone;
    return kNone;
  }
  return *job;
}

std::string WaveIds(const Plan& plan) {
  std::string out;
  for (const std::vector<JobIndex>& wave : plan.waves) {
    out += "[";
    for (size_t i = 0; i < wave.size(); ++i) out += (i ? " " : "") + plan.jobs[ToInt(wave[i])].id;
    out += "]";
  }
  return out;
}

TEST(PlannerTest, WavesFollowNeedsAndFileOrder) {
  Fixture f;
  f.Workflow(R"(
on: push
jobs:
  deploy: {needs: [build, test], runs-on: x, steps: [{run: d}]}
  build: {runs-on: x, steps: [{run: b}]}
  lint: {runs-on: x, steps: [{run: l}]}
  test: {needs: build, runs-on: x, steps: [{run: t}]}
  notify: {needs: [deploy, lint], runs-on: x, steps: [{run: n}]}
)");
  Plan plan = f.MakePlan(On("push", "refs/heads/main"));
  EXPECT_EQ(WaveIds(plan), "[build lint][test][deploy][notify]");
  EXPECT_EQ(Job(plan, "deploy").wave, 3);
  ASSERT_EQ(Job(plan, "deploy").needs.size(), 2u);
  EXPECT_EQ(ToInt(Job(plan, "deploy").needs[0]),
            1u);  // indices are file positions
  EXPECT_FALSE(f.diagnostics.has_errors()) << f.Messages();
}

TEST(PlannerTest, CyclesAndUnknownNeedsAreDiagnostics) {
  Fixture f;
  f.Workflow(R"(
on: push
jobs:
  a: {needs: c, runs-on: x, steps: [{run: a}]}
  b: {needs: a, runs-on: x, steps: [{run: b}]}
  c: {needs: [b, nope], runs-on: x, steps: [{run: c}]}
  d: {runs-on: x, steps: [{run: d}]}
)");
  Plan plan = f.MakePlan(On("push", "refs/heads/main"));
  EXPECT_NE(f.Messages().find("cycle in \"needs\": \"a\" -> \"c\" -> \"b\" -> \"a\""),
            std::string::npos)
      << f.Messages();
  EXPECT_NE(f.Messages().find("job \"c\" depends on unknown job \"nope\""), std::string::npos);
  EXPECT_EQ(Job(plan, "a").status, JobStatus::kSkipped);
  EXPECT_EQ(Job(plan, "d").status, JobStatus::kWillRun);
  EXPECT_EQ(WaveIds(plan), "[d]");
}

const char kSkipWorkflow[] = R"(
on:
  push:
  workflow_dispatch:
jobs:
  build: {runs-on: x, steps: [{run: b}]}
  release:
    needs: build
    if: startsWith(github.ref, 'refs/tags/')
    runs-on: x
    steps: [{run: r}]
  publish: {needs: release, runs-on: x, steps: [{run: p}]}
  announce:
    needs: publish
    if: always()
    runs-on: x
    steps: [{run: a}]
  report:
    needs: publish
    if: ${{ !cancelled() && needs.publish.result == 'skipped' }}
    runs-on: x
    steps: [{run: r}]
  rollback:
    needs: [build, release]
    if: failure()
    runs-on: x
    steps: [{run: rb}]
  cleanup:
    needs: rollback
    runs-on: x
    steps: [{run: c}]
)";

TEST(PlannerTest, SkippingPropagatesUnlessAStatusFunctionIsUsed) {
  Fixture f;
  f.Workflow(kSkipWorkflow);
  Plan plan = f.MakePlan(On("push", "refs/heads/main"));
  EXPECT_EQ(Job(plan, "build").status, JobStatus::kWillRun);
  EXPECT_EQ(Job(plan, "release").status, JobStatus::kSkipped);
  EXPECT_EQ(Job(plan, "release").reason, "if \"startsWith(github.ref, 'refs/tags/')\" is false");
  EXPECT_EQ(Job(plan, "publish").status, JobStatus::kSkipped);
  EXPECT_EQ(Job(plan, "publish").reason, "needs \"release\", which is skipped");
  EXPECT_EQ(Job(plan, "announce").status, JobStatus::kWillRun);
  EXPECT_EQ(Job(plan, "report").status, JobStatus::kWillRun);
  EXPECT_EQ(Job(plan, "rollback").status, JobStatus::kConditional);
  EXPECT_EQ(Job(plan, "rollback").reason, "runs if an upstream job fails");
  // Its implicit success() asks the whole chain (GitHub's docs: "a failure or skip applies to
  // all jobs in the dependency chain"): rollback runs only after a failure, so cleanup never does.
  EXPECT_EQ(Job(plan, "cleanup").status, JobStatus::kSkipped);
  EXPECT_EQ(Job(plan, "cleanup").reason,
            "needs \"rollback\", which runs only after an earlier job fails or is skipped "
            "(success() asks the whole chain)");
  EXPECT_FALSE(f.diagnostics.has_errors()) << f.Messages();
}

TEST(PlannerTest, TagPushRunsTheReleasePath) {
  Fixture f;
  f.Workflow(kSkipWorkflow);
  Plan plan = f.MakePlan(On("push", "refs/tags/v1.2.0"));
  EXPECT_EQ(Job(plan, "release").status, JobStatus::kWillRun);
  EXPECT_EQ(Job(plan, "publish").status, JobStatus::kWillRun);
  EXPECT_EQ(Job(plan, "report").status, JobStatus::kSkipped);
}

TEST(PlannerTest, RunTimeValuesStaySymbolic) {
  Fixture f;
  f.Workflow(R"(
on: push
env:
  STAGE: prod-${{ github.ref_name }}
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      version: ${{ steps.v.outputs.version }}
    steps:
      - id: v
        run: echo "version=1" >> "$GITHUB_OUTPUT"
  deploy:
    needs: build
    if: needs.build.outputs.version != ''
    runs-on: ubuntu-latest
    steps:
      - run: deploy --version ${{ needs.build.outputs.version }} --stage $STAGE ${{ env.STAGE }} --sha ${{ github.sha }}
      - if: steps.x.outputs.ok == 'true'
        run: echo ok
      - if: failure()
        run: echo failed
      - env: {TOKEN: '${{ secrets.TOKEN }}'}
        run: echo ${{ env.TOKEN }}
)");
  Plan plan = f.MakePlan(On("push", "refs/heads/main"));
  const PlannedJob& deploy = Job(plan, "deploy");
  EXPECT_EQ(deploy.status, JobStatus::kConditional);
  EXPECT_EQ(deploy.reason, "depends on needs.build.outputs.version, known only at run time");
  ASSERT_EQ(deploy.steps.size(), 4u);
  ASSERT_TRUE(deploy.steps[0].run);
  EXPECT_EQ(deploy.steps[0].run->text,
            "deploy --version ${{ needs.build.outputs.version }} --stage "
            "$STAGE prod-main --sha "
            "1111111111111111111111111111111111111111");
  EXPECT_FALSE(deploy.steps[0].run->resolved);
  EXPECT_EQ(deploy.steps[1].status, JobStatus::kConditional);
  EXPECT_EQ(deploy.steps[2].status, JobStatus::kConditional);
  EXPECT_EQ(deploy.steps[2].reason, "runs if an earlier step fails");
  EXPECT_EQ(deploy.steps[3].run->text, "echo ${{ env.TOKEN }}");
  EXPECT_EQ(Job(plan, "build").outputs[0].second.text, "${{ steps.v.outputs.version }}");
  EXPECT_FALSE(f.diagnostics.has_errors()) << f.Messages();
}

TEST(PlannerTest, NotTriggeredSkipsEveryJob) {
  Fixture f;
  f.Workflow(R"(
on:
  push:
    branches: [main]
jobs:
  a: {runs-on: x, steps: [{run: a}]}
)");
  Plan plan = f.MakePlan(On("push", "refs/heads/feature/x"));
  EXPECT_FALSE(plan.triggered);
  EXPECT_NE(plan.reason.find("feature/x"), std::string::npos);
  EXPECT_EQ(Job(plan, "a").status, JobStatus::kSkipped);
}

TEST(PlannerTest, MatrixAndConcurrency) {
  Fixture f;
  f.Workflow(R"(
on: workflow_dispatch
concurrency: deploy-${{ github.ref }}
jobs:
  test:
    runs-on: ${{ matrix.os }}
    concurrency:
      group: test-${{ github.ref_name }}
      cancel-in-progress: true
    strategy:
      fail-fast: false
      max-parallel: 2
      matrix:
        os: [ubuntu, macos]
        node: [18, 20]
        exclude:
          - {os: macos, node: 18}
        include:
          - {os: ubuntu, experimental: true}
          - {os: windows, node: 20}
    steps: [{run: 'npm test # ${{ matrix.node }}'}]
  dynamic:
    needs: test
    runs-on: x
    strategy:
      matrix: ${{ fromJSON(needs.test.outputs.targets) }}
    steps: [{run: x}]
  fixed:
    runs-on: x
    strategy:
      matrix:
        region: ${{ fromJSON('["us-east-1", "eu-west-1"]') }}
    steps: [{run: x}]
)");
  Plan plan = f.MakePlan(On("workflow_dispatch"));
  EXPECT_FALSE(f.diagnostics.has_errors()) << f.Messages();
  const PlannedJob& test = Job(plan, "test");
  std::string instances;
  for (const auto& m : test.matrix) instances += m.dump() + "\n";
  EXPECT_EQ(instances,
            "{\"os\":\"ubuntu\",\"node\":18,\"experimental\":true}\n"
            "{\"os\":\"ubuntu\",\"node\":20,\"experimental\":true}\n"
            "{\"os\":\"macos\",\"node\":20}\n"
            "{\"os\":\"windows\",\"node\":20}\n");
  EXPECT_FALSE(test.fail_fast);
  EXPECT_EQ(test.max_parallel, 2);
  ASSERT_TRUE(test.concurrency_group);
  EXPECT_EQ(test.concurrency_group->text, "test-main");
  EXPECT_TRUE(test.cancel_in_progress);
  EXPECT_EQ(test.steps[0].run->text, "npm test # ${{ matrix.node }}");
  ASSERT_TRUE(plan.concurrency_group);
  EXPECT_EQ(plan.concurrency_group->text, "deploy-refs/heads/main");
  const PlannedJob& dynamic = Job(plan, "dynamic");
  EXPECT_FALSE(dynamic.matrix_known);
  EXPECT_EQ(dynamic.matrix_expression, "${{ fromJSON(needs.test.outputs.targets) }}");
  EXPECT_EQ(Job(plan, "fixed").matrix.size(), 2u);
}

TEST(MatrixTest, IncludeFollowsGithubsDocumentedExample) {
  // https://docs.github.com/en/actions/using-jobs/using-a-matrix-for-your-jobs#example-expanding-configurations
  using json = nlohmann::ordered_json;
  std::vector<json> out =
      ExpandMatrixValues({{"fruit", {"apple", "pear"}}, {"animal", {"cat", "dog"}}},
                         {json{{"color", "green"}}, json{{"color", "pink"}, {"animal", "cat"}},
                          json{{"fruit", "apple"}, {"shape", "circle"}}, json{{"fruit", "banana"}},
                          json{{"fruit", "banana"}, {"animal", "cat"}}},
                         {});
  std::string text;
  for (const json& m : out) text += m.dump() + "\n";
  EXPECT_EQ(text,
            "{\"fruit\":\"apple\",\"animal\":\"cat\",\"color\":\"pink\","
            "\"shape\":\"circle\"}\n"
            "{\"fruit\":\"apple\",\"animal\":\"dog\",\"color\":\"green\","
            "\"shape\":\"circle\"}\n"
            "{\"fruit\":\"pear\",\"animal\":\"cat\",\"color\":\"pink\"}\n"
            "{\"fruit\":\"pear\",\"animal\":\"dog\",\"color\":\"green\"}\n"
            "{\"fruit\":\"banana\"}\n"
            "{\"fruit\":\"banana\",\"animal\":\"cat\"}\n");
}

TEST(MatrixTest, ExcludeIsAPartialMatchAndIncludeOnlyMatrixStandsAlone) {
  using json = nlohmann::ordered_json;
  std::vector<json> out =
      ExpandMatrixValues({{"os", {"linux", "mac"}}, {"v", {1, 2}}}, {}, {json{{"os", "mac"}}});
  EXPECT_EQ(out.size(), 2u);
  out = ExpandMatrixValues({}, {json{{"a", 1}}, json{{"a", 2}}}, {});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].dump(), "{\"a\":2}");
}

const char kGatedWorkflow[] = R"(
on:
  push:
  workflow_dispatch:
jobs:
  staging:
    runs-on: x
    environment: staging
    steps: [{run: deploy staging}]
  production:
    needs: staging
    runs-on: x
    environment:
      name: production
      url: https://app.example.com/${{ github.ref_name }}
    steps: [{run: 'deploy ${{ vars.APP_ID }}'}]
  after:
    needs: production
    runs-on: x
    steps: [{run: echo}]
  alert:
    needs: production
    if: failure()
    runs-on: x
    steps: [{run: page}]
  typo:
    runs-on: x
    environment: prodution
    steps: [{run: x}]
)";

const char kGatedEnvironments[] = R"(
teams:
  leads: [alice, dave]
environments:
  staging: {}
  production:
    required_reviewers:
      count: 2
      users: [alice, bob]
      teams: [leads]
      prevent_self_review: true
    wait_timer: 5m
    deployment_branches:
      branches: [main]
      tags: ['v*']
    vars: {APP_ID: d123}
)";

TEST(PlannerTest, EnvironmentGates) {
  Fixture f;
  f.Workflow(kGatedWorkflow);
  f.Environments(kGatedEnvironments);
  Plan plan = f.MakePlan(On("push", "refs/tags/v1.2.0"));
  const PlannedJob& production = Job(plan, "production");
  EXPECT_EQ(production.status, JobStatus::kWillRun);
  ASSERT_TRUE(production.environment);
  const EnvironmentGate& gate = *production.environment;
  EXPECT_EQ(gate.required_reviewers, 2);
  EXPECT_EQ(gate.eligible_reviewers, (std::vector<std::string>{"alice", "bob", "dave"}));
  EXPECT_TRUE(gate.prevent_self_review);
  EXPECT_EQ(gate.wait_timer_s, 300);
  EXPECT_EQ(gate.approval_timeout_s, 48 * 3600);
  EXPECT_TRUE(gate.ref_allowed);
  EXPECT_EQ(gate.url, "https://app.example.com/v1.2.0");
  EXPECT_EQ(production.steps[0].run->text, "deploy d123");  // environment vars
  EXPECT_EQ(production.reason,
            "environment \"production\": waits for 2 distinct approvals from "
            "alice, bob, dave "
            "(self-review not allowed), then waits 5m (wait timer)");
  EXPECT_NE(f.Messages().find("environment \"prodution\" of job \"typo\" is not configured in the "
                              "environments file; did you mean \"production\"? [env-gate]"),
            std::string::npos)
      << f.Messages();
}

TEST(PlannerTest, BranchPolicyBlocksAndFailurePathRuns) {
  Fixture f;
  f.Workflow(kGatedWorkflow);
  f.Environments(kGatedEnvironments);
  Plan plan = f.MakePlan(On("push", "refs/heads/feature/x"));
  const PlannedJob& production = Job(plan, "production");
  EXPECT_EQ(production.status, JobStatus::kBlocked);
  EXPECT_FALSE(production.environment->ref_allowed);
  EXPECT_EQ(production.environment->refused_by, "branches");
  EXPECT_EQ(production.reason,
            "\"refs/heads/feature/x\" may not deploy to \"production\": environment "
            "\"production\" refuses this ref: deployment_branches.branches (main) "
            "does not match");
  EXPECT_EQ(Job(plan, "after").status, JobStatus::kSkipped);
  EXPECT_EQ(Job(plan, "after").reason, "needs \"production\", which fails (it is blocked)");
  EXPECT_EQ(Job(plan, "alert").status, JobStatus::kWillRun);
  EXPECT_EQ(Job(plan, "staging").status, JobStatus::kWillRun);
}

TEST(PlannerTest, SelfReviewCanMakeAGateUnapprovable) {
  Fixture f;
  f.Workflow(R"(
on: push
jobs:
  deploy: {runs-on: x, environment: production, steps: [{run: x}]}
)");
  f.Environments(R"(
environments:
  production:
    required_reviewers: {count: 2, users: [octocat, bob], prevent_self_review: true}
)");
  Plan plan = f.MakePlan(On("push", "refs/heads/main"));  // actor: octocat
  EXPECT_EQ(Job(plan, "deploy").status, JobStatus::kBlocked);
  EXPECT_FALSE(Job(plan, "deploy").environment->approvable);
}

}  // namespace
}  // namespace slipway::plan

namespace slipway::plan {
namespace {

// A timeout resolved in the plan is whole minutes in GitHub's Int32 range: a job's 0.5 (a
// 0-minute job) or 1e26 (an overflow) is an error at the key, never a planned timeout; a
// step's 0.5 is 0, no step timeout, as on GitHub.
TEST(PlannerTest, ResolvedTimeoutsOutOfRangeAreErrorsAtTheKey) {
  testing::Fixture f;
  f.Workflow(R"(
on: push
jobs:
  half:
    runs-on: x
    timeout-minutes: ${{ fromJSON('0.5') }}
    steps: [{run: a}]
  huge:
    runs-on: x
    timeout-minutes: ${{ fromJSON('1e26') }}
    cancel-timeout-minutes: ${{ fromJSON('-2') }}
    steps: [{run: a, timeout-minutes: "${{ fromJSON('1e26') }}"}]
  fine:
    runs-on: x
    timeout-minutes: ${{ fromJSON('2.7') }}
    steps: [{run: a, timeout-minutes: "${{ fromJSON('0.5') }}"}]
)");
  Plan plan = f.MakePlan(testing::On("push", "refs/heads/main"));
  const std::string messages = f.Messages();
  auto at = [&](uint32_t line, const std::string& text) {
    for (const Diagnostic& d : f.diagnostics.items()) {
      if (d.rule == "timeout-minutes" && d.where.begin.line == line &&
          d.message.find(text) != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(at(6, "job timeout-minutes \"0.5\" is less than one minute")) << messages;
  EXPECT_TRUE(at(10, "is out of range: GitHub takes whole minutes up to 2147483647")) << messages;
  EXPECT_TRUE(at(11, "job cancel-timeout-minutes \"-2\" is negative")) << messages;
  EXPECT_TRUE(at(12, "step timeout-minutes")) << messages;
  EXPECT_FALSE(at(15, "") || at(16, "")) << messages;
  EXPECT_FALSE(plan.FindJob("half")->timeout_minutes.has_value());
  EXPECT_FALSE(plan.FindJob("huge")->timeout_minutes.has_value());
  EXPECT_EQ(plan.FindJob("fine")->timeout_minutes, 2.0);
  ASSERT_EQ(plan.FindJob("fine")->steps.size(), 1u);
  EXPECT_EQ(plan.FindJob("fine")->steps[0].timeout_minutes, 0.0);
}

}  // namespace
}  // namespace slipway::plan
