// Reusable workflows (`jobs.<id>.uses`) through the CLI, written from GitHub's documentation
// (https://docs.github.com/actions/using-workflows/reusing-workflows and the workflow syntax of
// `on.workflow_call`): the called workflow's jobs run as part of the run, named "call/inner";
// `with:` is typed per the callee's inputs (defaults: false, 0, "" when none is declared);
// only the secrets passed (or all, with `inherit`) reach the callee; its `outputs` reach the
// caller's dependants as `needs.<call>.outputs`; the caller's result is the callee's; the
// github context is the caller's; ten levels of workflows at most; no cycles.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/cli_workspace.h"
#include "tests/support/golden.h"

namespace slipway {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;

class Reusable : public testing::CliWorkspaceTest {
 protected:
  void SetUp() override {
    CliWorkspaceTest::SetUp();
    fs::create_directories(dir_ / "scratch");
    fs::create_directories(dir_ / ".github" / "workflows");
  }
  CliResult Run(std::vector<std::string> extra = {}, const std::string& run_id = "r1") {
    std::vector<std::string> args = {"run",   "wf.yml",   "--state-dir", "state",
                                     "--ref", "refs/heads/main", "--sha", "0123abcd",
                                     "--actor", "alice",  "--run-id",    run_id};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args, {{"TMPDIR", (dir_ / "scratch").string()}});
  }
  CliResult Plan(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"plan",  "wf.yml", "--ref", "refs/heads/main",
                                     "--sha", "0123abcd", "--actor", "alice"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  }
};

const char* kTypedCallee = R"(on:
  workflow_call:
    inputs:
      name:
        type: string
        required: true
      count:
        type: number
        default: 3
      flag:
        type: boolean
        default: false
      label:
        type: string
      shout:
        type: boolean
jobs:
  inner:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo '${{ toJSON(inputs) }}' > inputs.json
          echo '${{ github.workflow }} ${{ github.job }} ${{ github.event_name }}' > github.txt
)";

// Inputs as the callee declares them: given values typed (a boolean true, not "true"), the
// default of one not given, and false / 0 / "" for one with neither.
TEST_F(Reusable, InputsAreTypedWithDefaultsAndTheGithubContextIsTheCallers) {
  Write(".github/workflows/typed.yml", kTypedCallee);
  Write("wf.yml", R"(name: Caller
on: push
jobs:
  call:
    uses: ./.github/workflows/typed.yml
    with:
      name: world
      flag: true
)");
  CliResult r = Run();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json inputs = nlohmann::json::parse(Read("inputs.json"));
  EXPECT_EQ(inputs, nlohmann::json::parse(
                        R"({"name":"world","count":3,"flag":true,"label":"","shout":false})"))
      << inputs.dump();
  EXPECT_EQ(Read("github.txt"), "Caller inner push\n");
  nlohmann::json run = RunJson("r1");
  EXPECT_EQ(run["jobs"]["call/inner"]["result"], "success") << run.dump(1);
  EXPECT_EQ(run["jobs"]["call"]["result"], "success");
  EXPECT_NE(r.out.find("call/inner"), std::string::npos) << r.out;
}

TEST_F(Reusable, MissingRequiredInputAndWrongTypeAreRefusedWithPositions) {
  Write(".github/workflows/typed.yml", kTypedCallee);
  Write("wf.yml", R"(on: push
jobs:
  call:
    uses: ./.github/workflows/typed.yml
    with:
      count: many
)");
  CliResult r = Plan();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("wf.yml:4:11: error: input \"name\" is required by the called workflow"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("wf.yml:6:14: error: input \"count\" of the called workflow is a number"),
            std::string::npos)
      << r.err;

  // A value known when planning that does not fit its type: refused by the plan.
  Write("wf.yml", R"(on: push
jobs:
  call:
    uses: ./.github/workflows/typed.yml
    with:
      name: x
      count: ${{ github.actor }}
)");
  r = Plan();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("input \"count\" of the called workflow is a number; \"alice\" is not a "
                       "number"),
            std::string::npos)
      << r.err;
}

TEST_F(Reusable, OnlyPassedSecretsReachTheCalleeOrAllWithInherit) {
  Write(".github/workflows/secret.yml", R"(on:
  workflow_call:
    inputs:
      tag:
        type: string
        required: true
    secrets:
      token:
        required: false
jobs:
  inner:
    runs-on: ubuntu-latest
    steps:
      - run: echo "[$TOKEN][$OTHER]" > "secrets-${{ inputs.tag }}.txt"
        env:
          TOKEN: ${{ secrets.token }}
          OTHER: ${{ secrets.OTHER }}
)");
  Write("wf.yml", R"(on: push
jobs:
  mapped:
    uses: ./.github/workflows/secret.yml
    with:
      tag: mapped
    secrets:
      token: ${{ secrets.MAIN_TOKEN }}
  inherited:
    uses: ./.github/workflows/secret.yml
    with:
      tag: inherited
    secrets: inherit
)");
  Write("secrets.env", "MAIN_TOKEN=t-123\nOTHER=o-456\ntoken=lower-789\n");
  CliResult r = Run({"--secrets-file", "secrets.env"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // Mapped: only `token`; OTHER, not passed, is empty in the callee.
  EXPECT_EQ(Read("secrets-mapped.txt"), "[t-123][]\n");
  // Inherited: every secret of the caller, under its own name.
  EXPECT_EQ(Read("secrets-inherited.txt"), "[lower-789][o-456]\n");
  // Masked in the logs like any secret.
  EXPECT_EQ(AllFiles("state").find("t-123"), std::string::npos);
}

const char* kOutputsCallee = R"(on:
  workflow_call:
    inputs:
      who:
        type: string
        default: world
    outputs:
      greeting:
        value: ${{ jobs.inner.outputs.text }}
      status:
        value: ${{ jobs.inner.result }}
jobs:
  inner:
    runs-on: ubuntu-latest
    outputs:
      text: ${{ steps.say.outputs.text }}
    steps:
      - id: say
        run: echo "text=hello ${{ inputs.who }}" >> "$GITHUB_OUTPUT"
)";

TEST_F(Reusable, OutputsReachTheCallersDependants) {
  Write(".github/workflows/greet.yml", kOutputsCallee);
  Write("wf.yml", R"(on: push
jobs:
  call:
    uses: ./.github/workflows/greet.yml
  after:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ needs.call.outputs.greeting }}|${{ needs.call.outputs.status }}|${{ needs.call.result }}" > after.txt
)");
  CliResult r = Run();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Read("after.txt"), "hello world|success|success\n");
  nlohmann::json run = RunJson("r1");
  EXPECT_EQ(run["jobs"]["call"]["outputs"]["greeting"], "hello world") << run.dump(1);
}

// A matrix on the calling job: the called workflow runs once per leg, its jobs named after the
// leg ("call (a)/inner"; GitHub shows "call (a) / inner").
TEST_F(Reusable, MatrixCallerRunsTheCalleeOncePerLeg) {
  Write(".github/workflows/greet.yml", kOutputsCallee);
  Write("wf.yml", R"(on: push
jobs:
  call:
    strategy:
      matrix:
        who: [ann, bo]
    uses: ./.github/workflows/greet.yml
    with:
      who: ${{ matrix.who }}
  after:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ needs.call.result }}" > after.txt
)");
  CliResult r = Run();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json run = RunJson("r1");
  EXPECT_EQ(run["jobs"]["call (ann)/inner"]["outputs"]["text"], "hello ann") << run.dump(1);
  EXPECT_EQ(run["jobs"]["call (bo)/inner"]["outputs"]["text"], "hello bo");
  EXPECT_EQ(run["jobs"]["call (ann)"]["result"], "success");
  EXPECT_EQ(run["jobs"]["call (bo)"]["result"], "success");
  EXPECT_EQ(Read("after.txt"), "success\n");

  CliResult plan = Plan({"--format", "json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  nlohmann::json json = nlohmann::json::parse(plan.out);
  EXPECT_EQ(json["waves"], nlohmann::json::parse(
                               R"([["call", "call (ann)/inner", "call (bo)/inner"], ["after"]])"))
      << json["waves"].dump();
}

// strategy.max-parallel bounds a calling matrix too (workflow syntax: "the maximum number of
// jobs that can run simultaneously when using a matrix job strategy"): with 1, the second leg's
// called job starts after the first leg's has finished.
TEST_F(Reusable, MaxParallelRunsOneLegOfACallingMatrixAtATime) {
  Write(".github/workflows/slow.yml", R"(on: workflow_call
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 1
)");
  Write("wf.yml", R"(on: push
jobs:
  call:
    strategy:
      max-parallel: 1
      matrix:
        n: [1, 2]
    uses: ./.github/workflows/slow.yml
)");
  CliResult r = Run();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json run = RunJson("r1");
  const nlohmann::json& first = run["jobs"]["call (1)/j"];
  const nlohmann::json& second = run["jobs"]["call (2)/j"];
  ASSERT_EQ(second["result"], "success") << run.dump(1);
  // UTC timestamps of one format compare as text.
  EXPECT_GE(second["started_at"].get<std::string>(), first["finished_at"].get<std::string>())
      << run.dump(1);
}

TEST_F(Reusable, AFailingCalledJobFailsTheCallerAndSkipsItsDependants) {
  Write(".github/workflows/fail.yml", R"(on: workflow_call
jobs:
  ok:
    runs-on: ubuntu-latest
    steps:
      - run: touch ok-ran
  boom:
    runs-on: ubuntu-latest
    steps:
      - run: exit 3
  later:
    needs: boom
    runs-on: ubuntu-latest
    steps:
      - run: touch later-ran
)");
  Write("wf.yml", R"(on: push
jobs:
  call:
    uses: ./.github/workflows/fail.yml
  after:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: touch after-ran
  report:
    needs: call
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ needs.call.result }}" > report.txt
)");
  CliResult r = Run();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Exists("ok-ran"));
  EXPECT_FALSE(Exists("later-ran"));
  EXPECT_FALSE(Exists("after-ran"));
  EXPECT_EQ(Read("report.txt"), "failure\n");
  nlohmann::json run = RunJson("r1");
  EXPECT_EQ(run["jobs"]["call/boom"]["result"], "failure") << run.dump(1);
  EXPECT_EQ(run["jobs"]["call/later"]["result"], "skipped");
  EXPECT_EQ(run["jobs"]["call"]["result"], "failure");
  EXPECT_EQ(run["jobs"]["after"]["result"], "skipped");
  EXPECT_EQ(run["status"], "failure");
}

TEST_F(Reusable, ASkippedCallerSkipsItsCalledJobs) {
  Write(".github/workflows/greet.yml", kOutputsCallee);
  Write("wf.yml", R"(on: push
jobs:
  call:
    if: github.ref == 'refs/heads/other'
    uses: ./.github/workflows/greet.yml
)");
  CliResult r = Run();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json run = RunJson("r1");
  EXPECT_EQ(run["jobs"]["call/inner"]["result"], "skipped") << run.dump(1);
  EXPECT_EQ(run["jobs"]["call"]["result"], "skipped");
}

const char* kGatedCallee = R"(on: workflow_call
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: touch deployed
)";

// The callee's environment gates its job exactly as in a caller: reviewers, and the plan shows
// the gate on "call/deploy".
TEST_F(Reusable, TheCalleesEnvironmentIsGated) {
  Write(".github/workflows/deploy.yml", kGatedCallee);
  Write("wf.yml", R"(on: push
jobs:
  call:
    uses: ./.github/workflows/deploy.yml
)");
  Write("envs.yml", R"(environments:
  production:
    required_reviewers:
      users: [bob]
    approval_timeout: 1s
)");
  CliResult plan = Plan({"--env-config", "envs.yml"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("call/deploy"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("environment: production; reviewers: 1 of bob"), std::string::npos)
      << plan.out;

  CliResult refused = Run({"--env-config", "envs.yml"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_FALSE(Exists("deployed"));
  EXPECT_NE(refused.out.find("approval for environment \"production\" timed out"),
            std::string::npos)
      << refused.out;
  EXPECT_EQ(RunJson("r1")["jobs"]["call"]["result"], "failure");

  CliResult approved = Run({"--env-config", "envs.yml", "--approve", "production", "--as", "bob"},
                           "r2");
  EXPECT_EQ(approved.exit_code, 0) << approved.out << approved.err;
  EXPECT_TRUE(Exists("deployed"));
  std::string audit = Read("state/audit.jsonl");
  EXPECT_NE(audit.find("\"job\":\"call/deploy\""), std::string::npos) << audit;
}

TEST_F(Reusable, ABranchPolicyBlocksTheCalledJobAndTheCallerInThePlan) {
  Write(".github/workflows/deploy.yml", kGatedCallee);
  Write("wf.yml", R"(on: push
jobs:
  call:
    uses: ./.github/workflows/deploy.yml
  after:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: 'true'
)");
  Write("envs.yml", R"(environments:
  production:
    deployment_branches:
      branches: [main]
)");
  CliResult plan = Cli({"plan", "wf.yml", "--ref", "refs/heads/feature", "--sha", "1", "--actor",
                        "alice", "--env-config", "envs.yml", "--format", "json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  nlohmann::json json = nlohmann::json::parse(plan.out);
  std::map<std::string, std::string> status;
  for (const nlohmann::json& job : json["jobs"]) status[job["id"]] = job["status"];
  EXPECT_EQ(status["call/deploy"], "blocked") << plan.out;
  EXPECT_EQ(status["call"], "blocked");
  EXPECT_EQ(status["after"], "skipped");
}

TEST_F(Reusable, NestedCallsRunAndPassOutputsUp) {
  Write(".github/workflows/mid.yml", R"(on:
  workflow_call:
    outputs:
      word:
        value: ${{ jobs.mid.outputs.word }}
jobs:
  mid:
    uses: ./.github/workflows/leaf.yml
    with:
      word: nested
)");
  Write(".github/workflows/leaf.yml", R"(on:
  workflow_call:
    inputs:
      word:
        type: string
        required: true
    outputs:
      word:
        value: ${{ jobs.leaf.outputs.word }}
jobs:
  leaf:
    runs-on: ubuntu-latest
    outputs:
      word: ${{ steps.w.outputs.word }}
    steps:
      - id: w
        run: echo "word=${{ inputs.word }}" >> "$GITHUB_OUTPUT"
)");
  Write("wf.yml", R"(on: push
jobs:
  outer:
    uses: ./.github/workflows/mid.yml
  after:
    needs: outer
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ needs.outer.outputs.word }}" > after.txt
)");
  CliResult r = Run();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Read("after.txt"), "nested\n");
  nlohmann::json run = RunJson("r1");
  EXPECT_EQ(run["jobs"]["outer/mid/leaf"]["result"], "success") << run.dump(1);
  EXPECT_EQ(run["jobs"]["outer/mid"]["result"], "success");
}

TEST_F(Reusable, ACycleOfCallsIsRefusedWithItsPosition) {
  Write(".github/workflows/a.yml", R"(on: workflow_call
jobs:
  a:
    uses: ./.github/workflows/b.yml
)");
  Write(".github/workflows/b.yml", R"(on: workflow_call
jobs:
  b:
    uses: ./.github/workflows/a.yml
)");
  Write("wf.yml", R"(on: push
jobs:
  start:
    uses: ./.github/workflows/a.yml
)");
  CliResult r = Run();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find(".github/workflows/b.yml:4:11: error: reusable workflow calls form a cycle: "
                       "\"./.github/workflows/a.yml\" -> \"./.github/workflows/b.yml\" -> "
                       "\"./.github/workflows/a.yml\""),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(Exists("state/runs/r1"));
}

// GitHub: "the top-level caller workflow and up to nine levels of reusable workflows".
TEST_F(Reusable, TenLevelsOfWorkflowsRunAndAnEleventhIsRefused) {
  auto chain = [&](int files) {
    for (int i = 1; i <= files; ++i) {
      std::string body =
          i == files ? "  leaf:\n    runs-on: ubuntu-latest\n    steps:\n      - run: touch leaf\n"
                     : "  next:\n    uses: ./.github/workflows/l" + std::to_string(i + 1) +
                           ".yml\n";
      Write(".github/workflows/l" + std::to_string(i) + ".yml", "on: workflow_call\njobs:\n" + body);
    }
    Write("wf.yml", "on: push\njobs:\n  top:\n    uses: ./.github/workflows/l1.yml\n");
  };
  chain(9);  // the caller and nine levels
  CliResult r = Run();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Exists("leaf"));
  EXPECT_EQ(RunJson("r1")["jobs"]["top/next/next/next/next/next/next/next/next/leaf"]["result"],
            "success");

  chain(10);
  r = Run({}, "r2");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find(".github/workflows/l9.yml:4:11: error: job \"next\" calls "
                       "\"./.github/workflows/l10.yml\" at level 11 of nested workflows; GitHub "
                       "connects at most 10 levels"),
            std::string::npos)
      << r.err;
}

TEST_F(Reusable, ARemoteCallIsRefusedUnlessACheckoutIsNamed) {
  Write("wf.yml", R"(on: push
jobs:
  call:
    uses: acme/tools/.github/workflows/greet.yml@v1
    with:
      who: remote
  after:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ needs.call.outputs.greeting }}" > after.txt
)");
  CliResult r = Plan();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("wf.yml:4:11: error: job \"call\" calls "
                       "\"acme/tools/.github/workflows/greet.yml@v1\" in another repository, "
                       "which slipway does not fetch; name a local checkout of it with "
                       "--workflow-path acme/tools=DIR"),
            std::string::npos)
      << r.err;
  r = Run();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(Exists("after.txt"));

  fs::create_directories(dir_ / "vendor" / "tools" / ".github" / "workflows");
  Write("vendor/tools/.github/workflows/greet.yml", kOutputsCallee);
  r = Run({"--workflow-path", "acme/tools=vendor/tools"}, "r2");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Read("after.txt"), "hello remote\n");

  CliResult bad = Plan({"--workflow-path", "acme=vendor/tools"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("is not of the form OWNER/REPO=DIR"), std::string::npos) << bad.err;
}

// A reviewed plan digests the called files: a callee changed after the review is refused like a
// changed workflow; an unchanged one runs from the plan, and --resume keeps working.
TEST_F(Reusable, FromPlanRefusesAChangedCalleeAndResumeKeepsTheCall) {
  Write(".github/workflows/greet.yml", kOutputsCallee);
  Write("wf.yml", R"(on: push
jobs:
  call:
    uses: ./.github/workflows/greet.yml
  after:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ needs.call.outputs.greeting }}" >> after.txt
)");
  CliResult plan = Plan({"--format", "json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  Write("plan.json", plan.out);
  nlohmann::json json = nlohmann::json::parse(plan.out);
  ASSERT_EQ(json["called_workflows"].size(), 1u) << plan.out;
  EXPECT_EQ(json["called_workflows"][0]["path"], "./.github/workflows/greet.yml");

  CliResult ok = Cli({"run", "--from-plan", "plan.json", "--state-dir", "state", "--run-id", "p1"},
                     {{"TMPDIR", (dir_ / "scratch").string()}});
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_EQ(Read("after.txt"), "hello world\n");

  Write(".github/workflows/greet.yml", std::string(kOutputsCallee) + "# changed\n");
  CliResult changed =
      Cli({"run", "--from-plan", "plan.json", "--state-dir", "state", "--run-id", "p2"},
          {{"TMPDIR", (dir_ / "scratch").string()}});
  EXPECT_EQ(changed.exit_code, 2) << changed.out << changed.err;
  EXPECT_NE(changed.err.find("the called workflow \"./.github/workflows/greet.yml\" changed since "
                             "the plan was made"),
            std::string::npos)
      << changed.err;

  // --resume of a finished run: the called job is restored, not run again, and the caller's
  // outputs are made again from it.
  CliResult resumed = Cli({"run", "--resume", "p1", "--state-dir", "state"},
                          {{"TMPDIR", (dir_ / "scratch").string()}});
  EXPECT_EQ(resumed.exit_code, 2) << resumed.out << resumed.err;
  EXPECT_NE(resumed.err.find("the called workflow \"./.github/workflows/greet.yml\" changed "
                             "since run \"p1\" started"),
            std::string::npos)
      << resumed.err;
  Write(".github/workflows/greet.yml", kOutputsCallee);
  resumed = Cli({"run", "--resume", "p1", "--state-dir", "state"},
                {{"TMPDIR", (dir_ / "scratch").string()}});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(RunJson("p1")["jobs"]["call"]["outputs"]["greeting"], "hello world");
}

// `slipway test` rehearses a workflow with a call: a job stub is keyed by the called job's id,
// and expectations read called jobs and the caller by their ids.
TEST_F(Reusable, RehearsalsStubCalledJobsByTheirIds) {
  Write(".github/workflows/greet.yml", kOutputsCallee);
  Write("wf.yml", R"(on: push
jobs:
  call:
    uses: ./.github/workflows/greet.yml
  after:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ needs.call.outputs.greeting }}"
)");
  Write("wf.test.yml", R"(workflow: wf.yml
trigger:
  event: push
scenarios:
  - name: stubbed call
    stubs:
      jobs:
        - {job: call/inner, result: success, outputs: {text: stubbed}}
    expect:
      result: success
      jobs:
        call/inner: success
        call: {result: success, outputs: {greeting: stubbed}}
        after: success
)");
  CliResult r = Cli({"test", "wf.test.yml"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS"), std::string::npos) << r.out;
}

// A local `uses:` resolves inside the repository, as on GitHub: a reusable workflow or a
// composite action reached through "./../" is refused before anything runs, never read or run.
TEST_F(Reusable, LocalUsesOutsideTheRepositoryIsRefusedBeforeAnythingRuns) {
  const fs::path outside = dir_.parent_path() / (dir_.filename().string() + "-outside");
  fs::create_directories(outside / "act");
  struct Cleanup {
    fs::path path;
    ~Cleanup() { fs::remove_all(path); }
  } cleanup{outside};
  const std::string marker = (dir_ / "ran-outside").string();
  testing::WriteFile((outside / "r.yml").string(),
                     "on: workflow_call\njobs:\n  inner:\n    runs-on: ubuntu-latest\n"
                     "    steps:\n      - run: touch " +
                         marker + "\n");
  testing::WriteFile((outside / "act" / "action.yml").string(),
                     "name: x\nruns:\n  using: composite\n  steps:\n    - run: touch " + marker +
                         "\n      shell: bash\n");
  const std::string name = outside.filename().string();
  for (const std::string& workflow :
       {"on: push\njobs:\n  call:\n    uses: ./../" + name + "/r.yml\n",
        "on: push\njobs:\n  comp:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: ./scratch/../../" +
            name + "/act\n"}) {
    Write("wf.yml", workflow);
    CliResult validate = Cli({"validate", "wf.yml"});
    EXPECT_EQ(validate.exit_code, 1) << workflow << validate.out << validate.err;
    EXPECT_NE(validate.out.find("leaves the repository; a \"./\" path is resolved inside it"),
              std::string::npos)
        << validate.out << validate.err;
    CliResult run = Run({"--progress", "plain"});
    EXPECT_EQ(run.exit_code, 1) << workflow << run.out << run.err;
    EXPECT_NE((run.out + run.err).find("leaves the repository"), std::string::npos)
        << run.out << run.err;
    EXPECT_FALSE(fs::exists(marker)) << workflow;
  }
}

}  // namespace
}  // namespace slipway
