// `slipway test` as a user runs it: scenarios against a small workflow with a protected
// environment — a passing suite exits 0; a stub that is never called, an unstubbed call and a
// wrong expectation each fail with a readable expected-vs-actual line; a scenario that must fail
// does; a 48 h approval timeout passes in virtual time; JSON and JUnit output; a bad test file
// is a file:line:col diagnostic.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/cli_workspace.h"

namespace slipway {
namespace {

constexpr const char* kWorkflow = R"Y(name: Mini
on:
  workflow_dispatch:
    inputs:
      target: {type: string, required: true}
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      account: ${{ steps.who.outputs.account }}
    steps:
      - id: who
        run: echo "account=$(aws sts get-caller-identity --query Account --output text)" >> "$GITHUB_OUTPUT"
      - id: when
        run: echo "started ${{ github.run_started_at }} now $(date -u +%Y-%m-%dT%H:%M)"
      - id: leak
        run: echo "token is $API_TOKEN"
        env:
          API_TOKEN: ${{ secrets.API_TOKEN }}
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment: production
    steps:
      - id: ship
        run: aws s3 sync dist "s3://bucket/${{ inputs.target }}"
      - id: smoke
        uses: slipway/smoke-test@v1
        with:
          base-url: https://app.example.com
          retries: 5
          retry-delay: 10s
          checks: |
            - name: health
              path: /health
              expect-status: 200
  notify:
    needs: deploy
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - run: echo "deploy failed"
)Y";

constexpr const char* kEnvironments = R"Y(environments:
  production:
    required_reviewers:
      count: 1
      users: [alice]
    wait_timer: 5m
    approval_timeout: 48h
)Y";

// The shared part of every test file: the workflow, the trigger and the stubs of a good run.
constexpr const char* kHeader = R"Y(workflow: mini.yml
trigger:
  event: workflow_dispatch
  actor: carol
  inputs: {target: blue}
  secrets: {API_TOKEN: s3cr3t-t0ken-value}
stubs:
  commands:
    - {argv: "aws sts get-caller-identity *", stdout: "123456789012\n"}
    - {argv: "aws s3 sync dist s3://bucket/*", stdout: "upload: dist/index.html\n"}
  http:
    - {host: app.example.com, path: /health, body: ok}
)Y";

class RehearseCli : public testing::CliWorkspaceTest {
 protected:
  void SetUp() override {
    CliWorkspaceTest::SetUp();
    Write("mini.yml", kWorkflow);
    Write(".slipway/environments.yml", kEnvironments);
  }
  testing::CliResult Test(const std::string& scenarios, std::vector<std::string> extra = {}) {
    Write("mini.test.yml", std::string(kHeader) + "scenarios:\n" + scenarios);
    std::vector<std::string> args = {"test", "mini.test.yml", "--jobs", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  }
};

TEST_F(RehearseCli, PassingScenarioExitsZero) {
  testing::CliResult r = Test(R"Y(
  - name: approved and healthy
    approvals:
      - {environment: production, by: alice, at: 1h}
    expect:
      result: success
      exit-code: 0
      jobs:
        build: {result: success, outputs: {account: "123456789012"}}
        deploy:
          result: success
          steps: {ship: success, smoke: {outcome: success, conclusion: success}}
        notify: skipped
      order: [[build, deploy]]
      calls:
        - {argv: "aws s3 sync dist s3://bucket/blue", count: 1, env: [GITHUB_SHA, AWS_REGION_UNSET_OK]}
      gates:
        - {environment: production, decision: approved}
      audit:
        - {kind: approval, reviewer: alice, counted: true}
      http:
        - {host: app.example.com, path: /health, count: 1}
)Y");
  // The env expectation names a variable no step has: the one deliberate mismatch.
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("FAIL mini.test.yml › approved and healthy"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("expected environment variable AWS_REGION_UNSET_OK to be set"),
            std::string::npos)
      << r.out;

  r = Test(R"Y(
  - name: approved and healthy
    approvals:
      - {environment: production, by: alice, at: 1h}
    expect:
      result: success
      jobs:
        build: {result: success, outputs: {account: "123456789012"}}
        deploy: success
        notify: skipped
      order: [[build, deploy]]
      calls:
        - {argv: "aws s3 sync dist s3://bucket/blue", count: 1, env: [GITHUB_SHA]}
      gates:
        - {environment: production, decision: approved}
)Y");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS mini.test.yml › approved and healthy"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 scenario: 1 passed, 0 failed"), std::string::npos) << r.out;
}

TEST_F(RehearseCli, TimeAndHttpAnswersFollowTheVirtualClock) {
  testing::CliResult r = Test(R"Y(
  - name: healthy after half a minute
    approvals: [{environment: production, by: alice, at: 2h}]
    stubs:
      http:
        - {host: app.example.com, path: /health, until: 2h5m30s, status: 503, body: starting}
    expect:
      result: success
      logs:
        - {job: build, step: when, contains: "started 2026-01-01T00:00:00.000Z now 2026-01-01T00:00"}
      http:
        - {host: app.example.com, path: /health, min: 3}
  - name: the first call fails, the retry passes
    approvals: [{environment: production, by: alice}]
    stubs:
      http:
        - {host: app.example.com, path: /health, calls: [1], status: 500, body: cold}
    expect:
      result: success
      http:
        - {host: app.example.com, path: /health, count: 2}
)Y");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("2 scenarios: 2 passed, 0 failed"), std::string::npos) << r.out;
}

TEST_F(RehearseCli, StubNeverCalledFailsWithExpectedVersusActual) {
  testing::CliResult r = Test(R"Y(
  - name: expects a call that never happens
    approvals: [{environment: production, by: alice}]
    expect:
      calls:
        - {argv: "aws s3 rm *", count: 1}
)Y");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("calls \"aws s3 rm *\": expected 1 call, got 0 calls; calls made:"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("aws s3 sync dist s3://bucket/blue"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("run record: "), std::string::npos) << r.out;
}

TEST_F(RehearseCli, UnstubbedCallFailsTheStepAndTheScenario) {
  Write("mini.test.yml", "");
  std::string header = kHeader;
  header.replace(header.find("    - {argv: \"aws s3 sync"), std::string::npos,
                 "  http:\n    - {host: app.example.com, path: /health, body: ok}\n");
  Write("mini.test.yml", header + R"Y(scenarios:
  - name: s3 sync has no rule
    approvals: [{environment: production, by: alice}]
    expect:
      jobs:
        deploy: {result: failure, steps: {ship: failure, smoke: skipped}}
        notify: success
      logs:
        - {job: deploy, step: ship, contains: "unstubbed call: aws s3 sync dist s3://bucket/blue (add a rule or allow passthrough)"}
)Y");
  testing::CliResult r = Cli({"test", "mini.test.yml"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  // Every expectation holds, but a run that reached for an unstubbed program never passes.
  EXPECT_NE(r.out.find("FAIL mini.test.yml › s3 sync has no rule"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("- unstubbed call: aws s3 sync dist s3://bucket/blue (add a rule or allow "
                       "passthrough)"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("jobs.deploy"), std::string::npos) << r.out;
}

TEST_F(RehearseCli, ScenarioThatMustFailDoesAndPasses) {
  testing::CliResult r = Test(R"Y(
  - name: unhealthy after deploy
    approvals: [{environment: production, by: alice}]
    stubs:
      http:
        - {host: app.example.com, path: /health, status: 503, body: down}
    expect:
      result: failure
      exit-code: 1
      jobs:
        deploy: {result: failure, steps: {ship: success, smoke: failure}}
        notify: success
      order: [[deploy, notify]]
      logs:
        - {job: build, step: leak, contains: "token is ***", not-contains: "s3cr3t-t0ken-value"}
  - name: the same scenario expecting success fails
    approvals: [{environment: production, by: alice}]
    stubs:
      http:
        - {host: app.example.com, path: /health, status: 503, body: down}
    expect:
      result: success
      jobs:
        deploy: success
)Y");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS mini.test.yml › unhealthy after deploy"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL mini.test.yml › the same scenario expecting success fails"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("result: expected success, got failure"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("jobs.deploy.result: expected success, got failure"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("2 scenarios: 1 passed, 1 failed"), std::string::npos) << r.out;
}

TEST_F(RehearseCli, ApprovalTimeoutOf48HoursTakesVirtualTimeOnly) {
  auto started = std::chrono::steady_clock::now();
  testing::CliResult r = Test(R"Y(
  - name: nobody approves
    expect:
      result: failure
      jobs:
        deploy: failure
        notify: success
      gates:
        - {environment: production, job: deploy, decision: timed-out}
      calls:
        - {argv: "aws s3 sync *", count: 0}
)Y",
                              {"--format", "json"});
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json report = nlohmann::json::parse(r.out);
  ASSERT_EQ(report["scenarios"].size(), 1u);
  EXPECT_EQ(report["scenarios"][0]["status"], "pass");
  EXPECT_GE(report["scenarios"][0]["virtual_ms"].get<int64_t>(), 48LL * 3600 * 1000);
  // 48 hours of gate polling on the virtual clock, not on the wall clock.
  EXPECT_LT(seconds, 60) << "virtual time did not stay virtual";
}

TEST_F(RehearseCli, ScriptedRejectionStopsTheGate) {
  testing::CliResult r = Test(R"Y(
  - name: rejected after an hour
    approvals: [{environment: production, by: alice, at: 1h, decision: reject, comment: freeze}]
    expect:
      result: failure
      jobs: {deploy: failure, notify: success}
      gates: [{environment: production, decision: rejected}]
      calls: [{argv: "aws s3 sync *", count: 0}]
)Y");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS mini.test.yml › rejected after an hour"), std::string::npos) << r.out;
}

TEST_F(RehearseCli, JunitReportsEachScenario) {
  testing::CliResult r = Test(R"Y(
  - name: good
    approvals: [{environment: production, by: alice}]
    expect: {result: success}
  - name: "bad <one>"
    approvals: [{environment: production, by: alice}]
    expect: {result: cancelled}
)Y",
                              {"--format", "junit"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("<testsuites name=\"slipway test\" tests=\"2\" failures=\"1\">"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("<testcase classname=\"mini.test.yml\" name=\"good\""), std::string::npos);
  EXPECT_NE(r.out.find("name=\"bad &lt;one&gt;\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<failure message=\"result: expected cancelled, got success\">"),
            std::string::npos)
      << r.out;
}

TEST_F(RehearseCli, RunScenarioShowsOneScenariosRun) {
  Test(R"Y(
  - name: good
    approvals: [{environment: production, by: alice}]
    expect: {result: success}
  - name: other
    expect: {result: success}
)Y");
  testing::CliResult r = Cli({"run", "--scenario", "mini.test.yml#good"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // The run's own console (not a terminal here: plain lines), then the one scenario's result.
  EXPECT_NE(r.out.find("[deploy] wait timer of 5m"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("PASS mini.test.yml › good"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("other"), std::string::npos) << r.out;
  r = Cli({"run", "--scenario", "mini.test.yml#missing"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("no scenario named \"missing\""), std::string::npos) << r.err;
  r = Cli({"run", "--scenario", "mini.test.yml"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
}

TEST_F(RehearseCli, BadTestFileIsAPositionedDiagnostic) {
  Write("bad.test.yml", R"Y(workflow: mini.yml
scenarios:
  - name: typo
    expct: {result: success}
  - name: bad regex
    stubs:
      commands:
        - {regex: "aws (s3", stdout: x}
)Y");
  testing::CliResult r = Cli({"test", "bad.test.yml"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("bad.test.yml:4:5:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("expct"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  Write("bad.test.yml", R"Y(workflow: mini.yml
scenarios:
  - name: bad regex
    stubs:
      commands:
        - {regex: "aws (s3", stdout: x}
)Y");
  r = Cli({"test", "bad.test.yml"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("bad.test.yml:6:19: error: invalid RE2 pattern"), std::string::npos) << r.err;
  r = Cli({"test", "missing-dir"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
}

TEST_F(RehearseCli, ScriptedCloudFormationCreatesAndRollsBackStacks) {
  Write("cfn.yml", R"Y(name: Cfn
on: workflow_dispatch
jobs:
  deploy:
    runs-on: ubuntu-latest
    outputs:
      bucket: ${{ steps.stack.outputs.BucketName }}
    steps:
      - id: stack
        uses: slipway/stack-deploy@v1
        with:
          tool: cloudformation
          stack-name: web
          template: template.json
          region: us-east-1
)Y");
  Write("cfn.test.yml", R"Y(workflow: cfn.yml
files:
  template.json: '{"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}'
scenarios:
  - name: a new stack is created through a change set
    stubs:
      stacks:
        - {name: web, status: absent, resources: {Bucket: AWS::S3::Bucket}, deploy-outputs: {BucketName: web-bucket-1}}
    expect:
      result: success
      jobs:
        deploy: {result: success, outputs: {bucket: web-bucket-1}}
      stacks:
        - {name: web, status: CREATE_COMPLETE, actions: [DescribeStacks, CreateChangeSet, DescribeChangeSet, ExecuteChangeSet]}
  - name: a failing update rolls back
    stubs:
      stacks:
        - {name: web, status: UPDATE_COMPLETE, outputs: {BucketName: old}, resources: {Bucket: AWS::S3::Bucket}, deploy: failure}
    expect:
      result: failure
      jobs:
        deploy: {result: failure, steps: {stack: failure}}
      stacks:
        - {name: web, status: UPDATE_ROLLBACK_COMPLETE}
      logs:
        - {job: deploy, contains: "Invalid request"}
)Y");
  testing::CliResult r = Cli({"test", "cfn.test.yml"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("2 scenarios: 2 passed, 0 failed"), std::string::npos) << r.out;
}

TEST_F(RehearseCli, SchemaTestIsPrinted) {
  testing::CliResult r = Cli({"schema", "test"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json schema = nlohmann::json::parse(r.out);
  EXPECT_TRUE(schema["properties"].contains("scenarios"));
}

}  // namespace
}  // namespace slipway
