// End-to-end tests of local composite actions (`uses: ./path` with action.yml) through the
// built CLI: real bash, a temporary workspace per test, bounded waits only.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "interpreter/exec/process.h"
#include "tests/support/cli_workspace.h"

namespace slipway {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

using testing::CliResult;

class CompositeE2E : public testing::CliWorkspaceTest {
 protected:
  /// `slipway run wf.yml --run-id ID` with a fixed ref/sha/actor (the temp dir is no checkout).
  CliResult Run(const std::string& run_id, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run",      "wf.yml",   "--state-dir", "state",
                                     "--run-id", run_id,     "--ref",       "refs/heads/main",
                                     "--sha",    "0123abcd", "--actor",     "alice"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  }

  /// The log of step `index` (0-based) of job `job`.
  std::string StepLog(const std::string& run_id, const std::string& job, size_t index) {
    nlohmann::json run = RunJson(run_id);
    return Read("state/runs/" + run_id + "/" +
                run["jobs"][job]["steps"][index]["log"].get<std::string>());
  }

  /// A one-job workflow whose only step calls `uses` (with `with` lines already indented).
  void WriteCaller(const std::string& uses, const std::string& with = "") {
    Write("wf.yml",
          "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - id: call\n        uses: " +
              uses + "\n" + with);
  }
};

const char* kGreetAction = R"(name: Greet
description: says hello
inputs:
  who:
    description: whom to greet
    required: true
  greeting:
    description: what to say
    default: Hello from ${{ github.actor }} on ${{ github.ref_name }}
  unused:
    description: never given, no default
outputs:
  message:
    description: what was said
    value: ${{ steps.say.outputs.msg }}
runs:
  using: composite
  steps:
    - id: say
      name: Say it to ${{ inputs.who }}
      shell: bash
      run: |
        echo "${{ inputs.greeting }}, ${{ inputs.who }}!"
        echo "msg=${{ inputs.greeting }}, ${{ inputs.who }}![${{ inputs.unused }}]" >> "$GITHUB_OUTPUT"
)";

TEST_F(CompositeE2E, InputsDefaultsAndOutputsFlowToLaterStepsAndJobs) {
  Write(".github/actions/greet/action.yml", kGreetAction);
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      said: ${{ steps.g.outputs.message }}
    steps:
      - id: g
        uses: ./.github/actions/greet
        with:
          who: ${{ github.event_name == 'push' && 'world' || 'nobody' }}
          extar: typo
      - run: echo "${{ steps.g.outputs.message }}|${{ steps.g.outcome }}" > later.txt
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ needs.a.outputs.said }}" > needs.txt
)");
  CliResult r = Run("io");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string expected = "Hello from alice on main, world![]";
  EXPECT_EQ(Read("later.txt"), expected + "|success\n");
  EXPECT_EQ(Read("needs.txt"), expected + "\n");
  nlohmann::json run = RunJson("io");
  EXPECT_EQ(run["jobs"]["a"]["steps"][0]["outputs"]["message"], expected);
  std::string log = StepLog("io", "a", 0);
  EXPECT_NE(log.find(">> Say it to world\n"), std::string::npos) << log;
  EXPECT_NE(log.find("Hello from alice on main, world!\n"), std::string::npos) << log;
  EXPECT_NE(log.find("warning: Unexpected input(s) 'extar', valid inputs are "
                     "['who', 'greeting', 'unused']"),
            std::string::npos)
      << log;
}

TEST_F(CompositeE2E, NestedActionsSeeTheirOwnActionPathAndInputs) {
  Write("actions/outer/action.yml", R"(name: outer
inputs:
  word: {default: outer-default}
outputs:
  joined:
    value: ${{ steps.in.outputs.upper }}-${{ inputs.word }}
runs:
  using: composite
  steps:
    - shell: bash
      run: echo "outer=${{ github.action_path }}|$GITHUB_ACTION_PATH" > outer-path.txt
    - id: in
      uses: ./actions/inner
      with:
        text: ${{ inputs.word }}
    - shell: bash
      run: echo "back=$GITHUB_ACTION_PATH" > back-path.txt
)");
  Write("actions/inner/data.txt", "from-inner-dir\n");
  Write("actions/inner/action.yml", R"yml(name: inner
inputs:
  text: {required: true}
outputs:
  upper:
    value: ${{ steps.up.outputs.v }}
runs:
  using: composite
  steps:
    - id: up
      shell: bash
      run: |
        echo "v=$(echo '${{ inputs.text }}' | tr a-z A-Z)" >> "$GITHUB_OUTPUT"
        cat "$GITHUB_ACTION_PATH/data.txt" > inner-data.txt
)yml");
  WriteCaller("./actions/outer", "        with:\n          word: hi\n");
  Write("wf.yml",
        Read("wf.yml") + "      - run: echo '${{ steps.call.outputs.joined }}' > r.txt\n");
  CliResult r = Run("nested");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string outer = (dir_ / "actions/outer").string();
  EXPECT_EQ(Read("outer-path.txt"), "outer=" + outer + "|" + outer + "\n");
  EXPECT_EQ(Read("back-path.txt"), "back=" + outer + "\n");
  EXPECT_EQ(Read("inner-data.txt"), "from-inner-dir\n");
  EXPECT_EQ(Read("r.txt"), "HI-hi\n");
  std::string log = StepLog("nested", "a", 0);
  EXPECT_NE(log.find(">>> Run echo \"v="), std::string::npos) << log;
}

TEST_F(CompositeE2E, AFailingInnerStepFailsTheJobAndSkipsTheRest) {
  Write("act/action.yml", R"(name: failing
runs:
  using: composite
  steps:
    - shell: bash
      run: echo first > first.txt
    - name: Break
      shell: bash
      run: exit 3
    - shell: bash
      run: echo never > never.txt
    - if: failure()
      shell: bash
      run: echo cleanup > cleanup.txt
)");
  WriteCaller("./act");
  Write("wf.yml", Read("wf.yml") + "      - run: echo after > after.txt\n");
  CliResult r = Run("fail");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Exists("first.txt"));
  EXPECT_FALSE(Exists("never.txt"));
  EXPECT_TRUE(Exists("cleanup.txt"));
  EXPECT_FALSE(Exists("after.txt"));
  nlohmann::json run = RunJson("fail");
  EXPECT_EQ(run["jobs"]["a"]["result"], "failure");
  EXPECT_EQ(run["jobs"]["a"]["steps"][0]["outcome"], "failure");
  std::string log = StepLog("fail", "a", 0);
  EXPECT_NE(log.find("error: act/action.yml:7:7: step \"Break\" failed: Process completed with "
                     "exit code 3."),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("error: step \"Break\" of action \"./act\" failed: Process completed with "
                     "exit code 3."),
            std::string::npos)
      << log;
}

TEST_F(CompositeE2E, AnActionCalledAfterAFailureRunsItsOwnSteps) {
  // Inside an action, success() follows the action's own steps (github.action_status), not
  // the job's: a cleanup action called with if: always() runs its steps.
  Write("cleanup/action.yml", R"(name: cleanup
runs:
  using: composite
  steps:
    - shell: bash
      run: echo "${{ github.action_status }} ${{ job.status }}" > cleaned.txt
)");
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: exit 1
      - if: always()
        uses: ./cleanup
)");
  CliResult r = Run("always");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(Read("cleaned.txt"), "success failure\n");
}

TEST_F(CompositeE2E, InnerContinueOnErrorKeepsTheActionGoing) {
  Write("act/action.yml", R"(name: tolerant
outputs:
  seen:
    value: ${{ steps.bad.outcome }}/${{ steps.bad.conclusion }}
runs:
  using: composite
  steps:
    - id: bad
      shell: bash
      run: exit 4
      continue-on-error: true
    - shell: bash
      run: echo "ran ${{ steps.bad.outcome }}" > next.txt
)");
  WriteCaller("./act");
  Write("wf.yml",
        Read("wf.yml") + "      - run: echo '${{ steps.call.outputs.seen }}' > seen.txt\n");
  CliResult r = Run("coe");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Read("next.txt"), "ran failure\n");
  EXPECT_EQ(Read("seen.txt"), "failure/success\n");
  EXPECT_NE(StepLog("coe", "a", 0).find("(continue-on-error)"), std::string::npos);
}

TEST_F(CompositeE2E, GithubEnvAndPathFromInsideReachLaterSteps) {
  Write("act/action.yml", R"(name: env
runs:
  using: composite
  steps:
    - shell: bash
      run: |
        echo "FROM_ACTION=set-inside" >> "$GITHUB_ENV"
        mkdir -p "$GITHUB_WORKSPACE/tools"
        printf '#!/bin/sh\necho tool-ran\n' > "$GITHUB_WORKSPACE/tools/mytool"
        chmod +x "$GITHUB_WORKSPACE/tools/mytool"
        echo "$GITHUB_WORKSPACE/tools" >> "$GITHUB_PATH"
    - shell: bash
      run: echo "inner sees $FROM_ACTION ${{ env.FROM_ACTION }}" > inner.txt
)");
  WriteCaller("./act");
  Write("wf.yml", Read("wf.yml") +
                      "      - run: echo \"$FROM_ACTION ${{ env.FROM_ACTION }} $(mytool)\" > "
                      "outer.txt\n");
  CliResult r = Run("env");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Read("inner.txt"), "inner sees set-inside set-inside\n");
  EXPECT_EQ(Read("outer.txt"), "set-inside set-inside tool-ran\n");
}

// Problems slipway can see before the run are validate errors (rule local-action), so `run`
// refuses the workflow before any step; the same problems in an action that only exists once
// the run is under way (created by a step, or called from inside another action) fail the
// step that calls it, with positions.

TEST_F(CompositeE2E, AMissingRequiredInputIsAValidateError) {
  Write("greet/action.yml", kGreetAction);
  WriteCaller("./greet", "        with:\n          whom: typo\n");
  CliResult v = Cli({"validate", "wf.yml"});
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
  EXPECT_NE(v.out.find("wf.yml:7:15: error: missing required input \"who\" for local action "
                       "\"./greet\" (declared at greet/action.yml:4:3) [local-action]"),
            std::string::npos)
      << v.out;
  EXPECT_NE(v.out.find("wf.yml:9:11: warning: input \"whom\" is not defined by local action "
                       "\"./greet\" (greet/action.yml); its inputs are \"who\", \"greeting\", "
                       "\"unused\"; did you mean \"who\"? [local-action]"),
            std::string::npos)
      << v.out;
  Write("wf.yml", Read("wf.yml") + "      - run: touch ran.txt\n");
  CliResult r = Run("req");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(Exists("ran.txt"));
}

TEST_F(CompositeE2E, AMissingRequiredInputInsideAnActionFailsItsStep) {
  Write("greet/action.yml", kGreetAction);
  Write("outer/action.yml", R"(name: outer
runs:
  using: composite
  steps:
    - uses: ./greet
      with:
        greeting: hi
)");
  WriteCaller("./outer");
  CliResult r = Run("req");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("error: outer/action.yml:5:13: missing required input \"who\" for action "
                       "\"./greet\" (declared at greet/action.yml:4:3)"),
            std::string::npos)
      << r.out;
}

TEST_F(CompositeE2E, ANode20ActionIsRefusedAtItsUsingLine) {
  Write("js/action.yml",
        "name: js\ndescription: a JavaScript action\nruns:\n  using: node20\n"
        "  main: index.js\n");
  WriteCaller("./js");
  CliResult v = Cli({"validate", "wf.yml"});
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
  EXPECT_NE(v.out.find("wf.yml:7:15: error: local action \"./js\" cannot run: js/action.yml:4:10: "
                       "action uses \"node20\", which slipway cannot run; only composite actions "
                       "run locally [local-action]"),
            std::string::npos)
      << v.out;
  // Called from inside another action, it fails the step at run time.
  Write("outer/action.yml", "name: outer\nruns:\n  using: composite\n  steps:\n    - uses: ./js\n");
  WriteCaller("./outer");
  CliResult r = Run("node");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("error: js/action.yml:4:10: action uses \"node20\", which slipway cannot "
                       "run; only composite actions run locally"),
            std::string::npos)
      << r.out;
}

TEST_F(CompositeE2E, AMissingActionFileFailsTheStepAtItsUsesLine) {
  // Not a validate error (a checkout may bring the action, and a workflow may be validated
  // outside its repository); at run time the step fails, and --skip-unknown-actions does not
  // skip a local action.
  fs::create_directories(dir_ / "empty");
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo first > first.txt
      - uses: ./empty
      - uses: ./not-there
)");
  CliResult v = Cli({"validate", "wf.yml"});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  CliResult r = Run("missing", {"--skip-unknown-actions"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Exists("first.txt"));
  EXPECT_NE(r.out.find("error: wf.yml:7:15: local action \"./empty\": no action.yml or "
                       "action.yaml in \"empty\""),
            std::string::npos)
      << r.out;
  Write("wf.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: ./not-there\n");
  r = Run("missing2");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("error: wf.yml:6:15: local action \"./not-there\": action directory "
                       "\"not-there\" does not exist"),
            std::string::npos)
      << r.out;
}

TEST_F(CompositeE2E, BadActionYmlReportsEveryProblemWithPositions) {
  const char* bad = R"(name: bad
runs:
  using: composite
  steps:
    - run: echo ${{ secrets.TOKEN }}
      shel: bash
)";
  Write("bad/action.yml", bad);
  WriteCaller("./bad");
  CliResult v = Cli({"validate", "wf.yml"});
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
  EXPECT_NE(v.out.find("wf.yml:7:15: error: local action \"./bad\" cannot run: bad/action.yml:5:7: "
                       "a \"run\" step in a composite action needs \"shell\" (e.g. shell: bash) "
                       "(and 2 more problem(s) in its metadata) [local-action]"),
            std::string::npos)
      << v.out;
  // Written by a step, it is only seen at run time: every problem is listed.
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: mkdir -p made && cp bad/action.yml made/action.yml
      - uses: ./made
)");
  fs::remove_all(dir_ / "made");
  CliResult r = Run("bad");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  for (const char* line :
       {"error: made/action.yml:5:7: a \"run\" step in a composite action needs \"shell\"",
        "error: made/action.yml:5:21: the \"secrets\" context is not available",
        "error: made/action.yml:6:7: unexpected key \"shel\" for a composite action step; did you "
        "mean \"shell\"?",
        "error: local action \"./made\" has 3 errors in made/action.yml"}) {
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
  }
}

TEST_F(CompositeE2E, RecursionStopsAtTheDepthLimit) {
  Write("loop/action.yml", R"(name: loop
runs:
  using: composite
  steps:
    - shell: bash
      run: echo x >> depth.txt
    - uses: ./loop
)");
  WriteCaller("./loop");
  CliResult r = Run("rec");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("error: loop/action.yml:7:13: composite actions are nested more than 10 "
                       "levels deep: ./loop -> ./loop"),
            std::string::npos)
      << r.out;
  std::string ten;
  for (int i = 0; i < 10; ++i) ten += "x\n";
  EXPECT_EQ(Read("depth.txt"), ten);  // levels 1..10 ran their first step
}

TEST_F(CompositeE2E, SecretsPassedAsInputsAreMaskedEverywhere) {
  const std::string secret = "s3cr3t-composite-value";
  Write("secrets.env", "DEPLOY_TOKEN=" + secret + "\n");
  Write("act/action.yml", R"(name: token user
inputs:
  token: {required: true}
outputs:
  echoed:
    value: ${{ steps.use.outputs.t }}
runs:
  using: composite
  steps:
    - id: use
      shell: bash
      env:
        TOKEN: ${{ inputs.token }}
      run: |
        echo "token is $TOKEN"
        echo "t=$TOKEN" >> "$GITHUB_OUTPUT"
        echo "### used $TOKEN" >> "$GITHUB_STEP_SUMMARY"
)");
  WriteCaller("./act", "        with:\n          token: ${{ secrets.DEPLOY_TOKEN }}\n");
  Write("wf.yml", Read("wf.yml") + "      - run: echo 'later ${{ steps.call.outputs.echoed }}'\n");
  CliResult r = Run("sec", {"--secrets-file", "secrets.env"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("token is ***"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(secret), std::string::npos) << r.out;
  std::string state = AllFiles("state");
  EXPECT_EQ(state.find(secret), std::string::npos) << state;
  EXPECT_NE(state.find("token is ***"), std::string::npos);
}

TEST_F(CompositeE2E, AGithubTokenDefaultIsTheTokenSecretAndMasked) {
  const std::string token = "ghs_composite0123456789";
  Write("secrets.env", "GITHUB_TOKEN=" + token + "\n");
  Write("act/action.yml", R"(name: api caller
inputs:
  token:
    description: the token to call the API with
    default: ${{ github.token }}
runs:
  using: composite
  steps:
    - shell: bash
      env:
        TOKEN: ${{ inputs.token }}
      run: |
        echo "using $TOKEN"
        [ "$TOKEN" = "$EXPECTED" ] && echo same > same.txt
)");
  WriteCaller("./act");
  Write("wf.yml",
        Read("wf.yml") + "        env:\n          EXPECTED: ${{ secrets.GITHUB_TOKEN }}\n");
  CliResult r = Run("token", {"--secrets-file", "secrets.env"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Exists("same.txt"));
  EXPECT_NE(r.out.find("using ***"), std::string::npos) << r.out;
  EXPECT_EQ((r.out + AllFiles("state")).find(token), std::string::npos);
}

TEST_F(CompositeE2E, TheCallingStepsTimeoutBoundsTheStepsInside) {
  Write("slow/action.yml", R"(name: slow
runs:
  using: composite
  steps:
    - shell: bash
      run: sleep 300
)");
  WriteCaller("./slow", "        timeout-minutes: 1\n");  // whole minutes, as on GitHub
  CliResult r = Run("slow");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("has timed out after 1 minutes."), std::string::npos)
      << r.out;
}

TEST_F(CompositeE2E, ValidateChecksActionFilesAsActions) {
  // `slipway validate .github/` meets action.yml files: they are checked as action metadata,
  // and JavaScript or Docker actions are fine there (GitHub runs them; only `run` refuses).
  Write(".github/actions/greet/action.yml", kGreetAction);
  Write(".github/actions/js/action.yml", "name: js\nruns:\n  using: node20\n  main: index.js\n");
  Write(".github/workflows/ci.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: ./.github/actions/greet\n        with:\n          who: me\n");
  CliResult ok = Cli({"validate", ".github"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  Write(".github/actions/typo/action.yml",
        "name: typo\ninputs:\n  x:\n    requird: true\nruns:\n  using: compsite\n");
  CliResult bad = Cli({"validate", ".github"});
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  for (const char* line :
       {".github/actions/typo/action.yml:4:5: error: unexpected key \"requird\" for input \"x\"; "
        "did you mean \"required\"? [action]",
        ".github/actions/typo/action.yml:6:10: error: unknown \"using\" value \"compsite\"; "
        "expected one of \"composite\", \"node12\", \"node16\", \"node20\", \"node24\", "
        "\"docker\"; did you mean \"composite\"? [action]"}) {
    EXPECT_NE(bad.out.find(line), std::string::npos) << line << "\n" << bad.out;
  }
}

TEST_F(CompositeE2E, PlanListsCompositeStepsAndMarksBrokenActions) {
  Write("greet/action.yml", kGreetAction);
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: ./greet
        with:
          who: you
      - uses: ./checked-out-later
)");
  std::vector<std::string> plan = {"plan",  "wf.yml",   "--ref",   "refs/heads/main",
                                   "--sha", "0123abcd", "--actor", "alice"};
  CliResult ok = Cli(plan);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  for (const char* line :
       {"uses: ./greet  (composite action)", "composite action \"Greet\": 1 step(s)",
        "1. Say it to ${{ inputs.who }} (run, bash)",
        "no action.yml in \"checked-out-later\" yet; an earlier step must bring it"}) {
    EXPECT_NE(ok.out.find(line), std::string::npos) << line << "\n" << ok.out;
  }
  Write("js/action.yml", "name: js\nruns:\n  using: node20\n  main: index.js\n");
  Write("wf.yml", Read("wf.yml") + "      - uses: ./js\n");
  CliResult bad = Cli(plan);
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  EXPECT_NE(bad.out.find("cannot run: its action metadata has problems"), std::string::npos)
      << bad.out;
  EXPECT_NE((bad.out + bad.err).find("js/action.yml:3:10: action uses \"node20\""),
            std::string::npos)
      << bad.out << bad.err;
}

TEST_F(CompositeE2E, FromPlanRefusesAnActionChangedSinceTheReview) {
  Write("greet/action.yml", kGreetAction);
  Write("greet/helper.sh", "echo helper\n");
  WriteCaller("./greet", "        with:\n          who: you\n");
  std::vector<std::string> plan = {"plan",     "wf.yml",  "--ref", "refs/heads/main", "--sha",
                                   "0123abcd", "--actor", "alice", "--format",        "json"};
  CliResult reviewed = Cli(plan);
  ASSERT_EQ(reviewed.exit_code, 0) << reviewed.err;
  Write("plan.json", reviewed.out);
  CliResult same = Cli({"run", "--from-plan", "plan.json", "--state-dir", "state"});
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;

  // A script beside action.yml is part of what the reviewer read, too.
  Write("greet/helper.sh", "echo something else\n");
  CliResult changed = Cli({"run", "--from-plan", "plan.json", "--state-dir", "state"});
  EXPECT_EQ(changed.exit_code, 2) << changed.out << changed.err;
  EXPECT_NE(changed.err.find("the plan made now differs from \"plan.json\""), std::string::npos)
      << changed.err;
}

}  // namespace
}  // namespace slipway
