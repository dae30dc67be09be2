// End-to-end tests of `slipway run`, `slipway approve` and `slipway audit verify` through the
// built CLI: real bash, a temporary workspace per test, bounded waits only.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "interpreter/exec/process.h"
#include "tests/support/cli_workspace.h"
#include "tests/support/loopback_http_server.h"

namespace slipway {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

using testing::CliResult;

class RunE2E : public testing::CliWorkspaceTest {
 protected:
  CliResult RunWorkflow(std::vector<std::string> extra = {},
                        const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> args = {
        "run",   "wf.yml",   "--state-dir", "state", "--ref", "refs/heads/main",
        "--sha", "0123abcd", "--actor",     "alice"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args, env);
  }
};

TEST_F(RunE2E, ParallelJobsReallyOverlap) {
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: date +%s%N > a.start; sleep 0.4; date +%s%N > a.end
  b:
    runs-on: ubuntu-latest
    steps:
      - run: date +%s%N > b.start; sleep 0.4; date +%s%N > b.end
)");
  CliResult r = RunWorkflow({"--jobs", "2", "--run-id", "par"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto t = [&](const char* f) { return std::stoll(Read(f)); };
  EXPECT_LT(t("a.start"), t("b.end"));
  EXPECT_LT(t("b.start"), t("a.end"));
  EXPECT_EQ(r.out.substr(0, 8), "run par\n");
}

TEST_F(RunE2E, JobsLimitOneSerialises) {
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: date +%s%N > a.start; sleep 0.2; date +%s%N > a.end
  b:
    runs-on: ubuntu-latest
    steps:
      - run: date +%s%N > b.start; sleep 0.2; date +%s%N > b.end
)");
  CliResult r = RunWorkflow({"--jobs", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto t = [&](const char* f) { return std::stoll(Read(f)); };
  EXPECT_TRUE(t("a.end") <= t("b.start") || t("b.end") <= t("a.start"));
}

TEST_F(RunE2E, OutputsFlowAcrossJobsAndSteps) {
  Write("wf.yml", R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      version: ${{ steps.v.outputs.version }}
      notes: ${{ steps.v.outputs.notes }}
    steps:
      - id: v
        run: |
          echo "version=1.2.3" >> "$GITHUB_OUTPUT"
          { echo "notes<<EOF"; echo "line one"; echo "line two"; echo "EOF"; } >> "$GITHUB_OUTPUT"
          echo "FROM_ENV_FILE=carried" >> "$GITHUB_ENV"
      - run: echo "same job sees ${{ steps.v.outputs.version }} and $FROM_ENV_FILE" > same-job.txt
  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "${{ needs.build.outputs.version }}" > deployed.txt
          echo "$NOTES" > notes.txt
        env:
          NOTES: ${{ needs.build.outputs.notes }}
)");
  CliResult r = RunWorkflow({"--run-id", "r1"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Read("deployed.txt"), "1.2.3\n");
  EXPECT_EQ(Read("notes.txt"), "line one\nline two\n");
  EXPECT_EQ(Read("same-job.txt"), "same job sees 1.2.3 and carried\n");
  nlohmann::json run = RunJson("r1");
  EXPECT_EQ(run["status"], "success");
  EXPECT_EQ(run["jobs"]["build"]["outputs"]["version"], "1.2.3");
  EXPECT_EQ(run["jobs"]["build"]["steps"][0]["outputs"]["version"], "1.2.3");
  EXPECT_EQ(run["jobs"]["deploy"]["result"], "success");
}

TEST_F(RunE2E, FailureSkipsDependantsButRunsAlwaysAndFailureJobs) {
  Write("wf.yml", R"(on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: exit 3
  smoke:
    needs: deploy
    runs-on: ubuntu-latest
    steps:
      - run: touch smoke-ran
  rollback:
    needs: smoke
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - run: touch rollback-ran
  notify:
    needs: smoke
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ needs.smoke.result }}" > notify.txt
)");
  CliResult r = RunWorkflow({"--run-id", "f"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "smoke-ran"));
  EXPECT_TRUE(fs::exists(dir_ / "rollback-ran"));
  EXPECT_EQ(Read("notify.txt"), "skipped\n");
  nlohmann::json run = RunJson("f");
  EXPECT_EQ(run["status"], "failure");
  EXPECT_EQ(run["jobs"]["deploy"]["result"], "failure");
  EXPECT_EQ(run["jobs"]["smoke"]["result"], "skipped");
  EXPECT_NE(r.out.find("Process completed with exit code 3."), std::string::npos) << r.out;
}

TEST_F(RunE2E, ContinueOnErrorAndStepStatusFunctions) {
  Write("wf.yml", R"(on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - id: flaky
        continue-on-error: true
        run: exit 1
      - run: echo "${{ steps.flaky.outcome }}/${{ steps.flaky.conclusion }}" > status.txt
      - id: broken
        run: exit 2
      - run: touch not-run
      - if: failure()
        run: touch on-failure
      - if: always()
        run: touch always
)");
  CliResult r = RunWorkflow({"--run-id", "c"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(Read("status.txt"), "failure/success\n");
  EXPECT_FALSE(fs::exists(dir_ / "not-run"));
  EXPECT_TRUE(fs::exists(dir_ / "on-failure"));
  EXPECT_TRUE(fs::exists(dir_ / "always"));
  nlohmann::json steps = RunJson("c")["jobs"]["j"]["steps"];
  EXPECT_EQ(steps[0]["outcome"], "failure");
  EXPECT_EQ(steps[0]["conclusion"], "success");
  EXPECT_EQ(steps[3]["outcome"], "skipped");
}

// GitHub counts timeouts in whole minutes (a fractional value is truncated), so this takes one
// real minute; both jobs time out side by side.
TEST_F(RunE2E, StepAndJobTimeoutsKillTheProcessGroup) {
  Write("wf.yml", R"(on: push
jobs:
  step-timeout:
    runs-on: ubuntu-latest
    steps:
      - timeout-minutes: 1.9
        run: sleep 300
      - if: always()
        run: touch after-step-timeout
  job-timeout:
    runs-on: ubuntu-latest
    timeout-minutes: 1
    steps:
      - run: sleep 300
  fractional:
    runs-on: ubuntu-latest
    steps:
      - timeout-minutes: 0.01
        run: sleep 2 && touch fractional-step-finished
)");
  auto start = std::chrono::steady_clock::now();
  CliResult r = RunWorkflow({"--run-id", "t", "--jobs", "3"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(110));
  // 0.01 minutes is 0: no timeout at all (ConvertToStepTimeout, StepsRunner's `> 0`).
  EXPECT_TRUE(fs::exists(dir_ / "fractional-step-finished"));
  EXPECT_TRUE(fs::exists(dir_ / "after-step-timeout"));
  EXPECT_NE(r.out.find("has timed out after"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the job exceeded its timeout"), std::string::npos) << r.out;
  nlohmann::json run = RunJson("t");
  EXPECT_EQ(run["jobs"]["step-timeout"]["result"], "failure");
  EXPECT_EQ(run["jobs"]["job-timeout"]["result"], "failure");
  EXPECT_EQ(run["jobs"]["fractional"]["result"], "success");
}

TEST_F(RunE2E, SigintMidRunCancelsWith130AndRunsAlwaysJobs) {
  Write("wf.yml", R"(on: push
jobs:
  long:
    runs-on: ubuntu-latest
    steps:
      - run: echo ready; sleep 30
  next:
    needs: long
    runs-on: ubuntu-latest
    steps:
      - run: touch next-ran
  cleanup:
    needs: long
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ needs.long.result }}" > cleanup.txt
)");
  exec::ProcessOptions options =
      Options({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main", "--sha", "1",
               "--actor", "alice", "--run-id", "sig"},
              {});
  Expected<exec::ChildProcess> child = exec::ChildProcess::Spawn(options);
  ASSERT_TRUE(child.has_value()) << child.error();
  std::string out;
  bool sent = false;
  exec::ProcessResult result = child->Wait(
      [&](exec::OutputStream, std::string_view chunk) {
        out.append(chunk);
        if (!sent && out.find("[long] ready") != std::string::npos) {
          sent = true;
          kill(child->pid(), SIGINT);
        }
      },
      nullptr);
  ASSERT_TRUE(sent) << out;
  EXPECT_EQ(result.exit_code, 130) << out;
  EXPECT_FALSE(fs::exists(dir_ / "next-ran"));
  EXPECT_EQ(Read("cleanup.txt"), "cancelled\n");
  nlohmann::json run = RunJson("sig");
  EXPECT_EQ(run["status"], "cancelled");
  EXPECT_EQ(run["jobs"]["long"]["result"], "cancelled");
  EXPECT_EQ(run["jobs"]["next"]["result"], "cancelled");
}

TEST_F(RunE2E, KillDashNineThenResume) {
  Write("wf.yml", R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      version: ${{ steps.v.outputs.version }}
    steps:
      - id: v
        run: |
          echo built >> build-count.txt
          echo "version=7.7.7" >> "$GITHUB_OUTPUT"
  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: |
          if [ ! -f second-attempt ]; then echo deploying; sleep 2; fi
          echo "${{ needs.build.outputs.version }}" > deployed.txt
          echo "${{ vars.REGION }} ${{ github.event.note }}" > context.txt
)");
  Write("payload.json", R"({"note": "from-the-event-file"})");
  exec::ProcessOptions options = Options(
      {"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main", "--sha", "1", "--actor",
       "alice", "--run-id", "k9", "--var", "REGION=eu-west-1", "--event-file", "payload.json"},
      {});
  Expected<exec::ChildProcess> child = exec::ChildProcess::Spawn(options);
  ASSERT_TRUE(child.has_value());
  std::string out;
  bool killed = false;
  child->Wait(
      [&](exec::OutputStream, std::string_view chunk) {
        out.append(chunk);
        if (!killed && out.find("[deploy] deploying") != std::string::npos) {
          killed = true;
          kill(child->pid(), SIGKILL);
        }
      },
      nullptr);
  ASSERT_TRUE(killed) << out;
  EXPECT_EQ(RunJson("k9")["status"], "running");
  EXPECT_EQ(RunJson("k9")["jobs"]["build"]["result"], "success");

  Write("second-attempt", "");
  fs::remove(dir_ / "payload.json");  // the run keeps its own copy
  CliResult r = Cli({"run", "wf.yml", "--state-dir", "state", "--resume", "k9"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Read("build-count.txt"), "built\n");  // not run again
  EXPECT_EQ(Read("deployed.txt"), "7.7.7\n");     // its outputs restored
  // The --var values and the event payload of the first attempt, not given again.
  EXPECT_EQ(Read("context.txt"), "eu-west-1 from-the-event-file\n");
  nlohmann::json run = RunJson("k9");
  EXPECT_EQ(run["status"], "success");
  EXPECT_EQ(run["jobs"]["deploy"]["result"], "success");
}

const char* kGatedWorkflow = R"(on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: touch deployed
)";

std::string Environments(const std::string& extra) {
  return R"(teams:
  leads: [dave]
environments:
  production:
    required_reviewers:
      count: 2
      users: [alice, bob, carol]
      teams: [leads]
      prevent_self_review: true
    approval_timeout: 1s
)" + extra;
}

TEST_F(RunE2E, TwoDistinctReviewersApprove) {
  Write("wf.yml", kGatedWorkflow);
  Write("envs.yml", Environments(""));
  CliResult r = RunWorkflow({"--env-config", "envs.yml", "--approve", "production", "--as", "bob",
                             "--approve", "production", "--as", "dave"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(fs::exists(dir_ / "deployed"));
  EXPECT_NE(r.out.find("approved by \"dave\" (2 of 2)"), std::string::npos) << r.out;
}

// An --approve for an environment no job uses would be silently ignored: a usage error naming
// it (and the environments the jobs do use), before anything runs.
// Every input file is read the one capped way: an endless one (/dev/zero) is refused at once
// with exit 2, naming it, instead of being read until memory runs out.
TEST_F(RunE2E, EndlessInputFilesAreRefusedNamingThem) {
  Write("wf.yml", kGatedWorkflow);
  Write("envs.yml", Environments(""));
  const std::vector<std::vector<std::string>> cases = {
      {"run", "wf.yml", "--ref", "refs/heads/main", "--sha", "0123abcd", "--env-config", "envs.yml",
       "--secrets-file", "/dev/zero"},
      {"run", "wf.yml", "--ref", "refs/heads/main", "--sha", "0123abcd", "--env-config", "envs.yml",
       "--event-file", "/dev/zero"},
      {"plan", "wf.yml", "--ref", "refs/heads/main", "--env-config", "/dev/zero"},
      {"plan", "/dev/zero"},
      {"expr", "--context", "/dev/zero", "github"},
  };
  for (const std::vector<std::string>& args : cases) {
    CliResult r = Cli(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << args.back() << r.out << r.err;
    EXPECT_NE(r.err.find("/dev/zero"), std::string::npos) << args[0] << r.out << r.err;
    EXPECT_NE(r.err.find("is not a regular file or a pipe"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists(dir_ / "deployed"));
}

TEST_F(RunE2E, ApprovalOfAnEnvironmentNoJobUsesIsAUsageError) {
  Write("wf.yml", kGatedWorkflow);
  Write("envs.yml", Environments("  staging: {}\n"));
  for (const char* env : {"nosuchenv", "staging", "Production", ""}) {
    CliResult r = RunWorkflow({"--env-config", "envs.yml", "--approve", "production", "--as", "bob",
                               "--approve", env, "--as", "dave"});
    EXPECT_EQ(r.exit_code, 2) << env << r.out << r.err;
    EXPECT_NE(r.err.find(std::string("--approve \"") + env +
                         "\": no job of \"wf.yml\" uses that environment (its jobs use "
                         "\"production\")"),
              std::string::npos)
        << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "deployed"));
  }
}

TEST_F(RunE2E, MissingWrongAndSelfApprovalsTimeOut) {
  Write("wf.yml", kGatedWorkflow);
  Write("envs.yml", Environments(""));
  // alice started the run (self-review), mallory is no reviewer, bob alone is one of two.
  CliResult r = RunWorkflow({"--env-config", "envs.yml", "--approve", "production", "--as", "alice",
                             "--approve", "production", "--as", "mallory", "--approve",
                             "production", "--as", "bob"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "deployed"));
  EXPECT_NE(r.out.find("\"alice\" started the run and \"production\" prevents self-review"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"mallory\" is not a required reviewer of \"production\""),
            std::string::npos);
  EXPECT_NE(r.out.find("approval for environment \"production\" timed out after 1s (1 of 2 "
                       "approvals)"),
            std::string::npos);
}

TEST_F(RunE2E, ApprovalFromASecondProcess) {
  Write("wf.yml", kGatedWorkflow);
  Write("envs.yml", R"(environments:
  production:
    required_reviewers:
      users: [bob]
    approval_timeout: 30s
)");
  exec::ProcessOptions options =
      Options({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main", "--sha", "1",
               "--actor", "alice", "--run-id", "gate", "--env-config", "envs.yml"},
              {});
  Expected<exec::ChildProcess> child = exec::ChildProcess::Spawn(options);
  ASSERT_TRUE(child.has_value());
  std::string out;
  CliResult approve;
  bool approved = false;
  exec::ProcessResult result = child->Wait(
      [&](exec::OutputStream, std::string_view chunk) {
        out.append(chunk);
        if (!approved && out.find("waiting for 1 approval for") != std::string::npos) {
          approved = true;
          approve = Cli({"approve", "gate", "production", "--as", "bob", "--state-dir", "state"});
        }
      },
      nullptr);
  ASSERT_TRUE(approved) << out;
  EXPECT_EQ(approve.exit_code, 0) << approve.out << approve.err;
  EXPECT_EQ(result.exit_code, 0) << out;
  EXPECT_TRUE(fs::exists(dir_ / "deployed"));
  CliResult late = Cli({"approve", "gate", "production", "--as", "bob", "--state-dir", "state"});
  EXPECT_EQ(late.exit_code, 1);
  EXPECT_NE(late.err.find("is not running"), std::string::npos) << late.err;
}

TEST_F(RunE2E, BranchPolicyRefusal) {
  Write("wf.yml", kGatedWorkflow);
  Write("envs.yml", R"(environments:
  production:
    deployment_branches:
      branches: [main]
      tags: ['v*']
)");
  CliResult r = Cli({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/feature/x",
                     "--sha", "1", "--actor", "alice", "--env-config", "envs.yml"});
  // Outside a git repository a branch policy has nothing to check the ref against: refused
  // before anything starts (tests/security/refs_test.cc covers the policy in a repository).
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "deployed"));
  EXPECT_NE(r.err.find("cannot be verified"), std::string::npos) << r.err;
}

TEST_F(RunE2E, EnvironmentSecretsReachOnlyThatEnvironmentsJobs) {
  Write("wf.yml", R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "[$DEPLOY_KEY][$REPO_TOKEN][$STAGING_ONLY]" > build.txt
        env:
          DEPLOY_KEY: ${{ secrets.DEPLOY_KEY }}
          REPO_TOKEN: ${{ secrets.REPO_TOKEN }}
          STAGING_ONLY: ${{ secrets.STAGING_ONLY }}
  deploy:
    runs-on: ubuntu-latest
    environment: staging
    steps:
      - run: |
          [ "$DEPLOY_KEY" = "k-123" ] && echo staging-key-seen > deploy.txt
          [ "$REPO_TOKEN" = "t-456" ] && echo repo-token-seen >> deploy.txt
          [ "$STAGING_ONLY" = "s-789" ] && echo staging-only-seen >> deploy.txt
        env:
          DEPLOY_KEY: ${{ secrets.DEPLOY_KEY }}
          REPO_TOKEN: ${{ secrets.REPO_TOKEN }}
          STAGING_ONLY: ${{ secrets.STAGING_ONLY }}
          READ_MISSING: ${{ secrets.READ_MISSING }}
)");
  Write("envs.yml", R"(environments:
  staging:
    secrets: [DEPLOY_KEY, STAGING_ONLY, NEVER_GIVEN, READ_MISSING]
)");
  // Repository secrets, staging's (one overriding a repository secret), and production's.
  Write("secrets.env",
        "DEPLOY_KEY=repo-key\nREPO_TOKEN=t-456\nstaging.DEPLOY_KEY=k-123\n"
        "staging.STAGING_ONLY=s-789\nproduction.DEPLOY_KEY=p-999\n");
  CliResult r =
      Cli({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main", "--sha", "1",
           "--actor", "alice", "--env-config", "envs.yml", "--secrets-file", "secrets.env"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Read("build.txt"), "[repo-key][t-456][]\n");  // no environment: repository's only
  EXPECT_EQ(Read("deploy.txt"), "staging-key-seen\nrepo-token-seen\nstaging-only-seen\n");
  // Warnings name only the secrets a job reads: one the environment lists and the job reads,
  // and one the job without an environment reads; never one the environment lists and no job
  // reads.
  EXPECT_NE(r.out.find("warning: secret \"READ_MISSING\" of environment \"staging\" has no value"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("[build] warning: secret \"STAGING_ONLY\" is read by this job and has no "
                       "value"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("NEVER_GIVEN"), std::string::npos) << r.out;
}

TEST_F(RunE2E, SecretsNeverReachAnyFileOrTheConsole) {
  const std::string file_secret = "file-secret-Zq81x";
  const std::string env_secret = "env-secret-Wm42y";
  const std::string multi_line =
      "-----BEGIN KEY-----\nMIIsecretline1\nMIIsecretline2\n-----END KEY-----";
  Write("secrets.env", "API_TOKEN=" + file_secret + "\nCERT=\"" +
                           std::string("-----BEGIN KEY-----\\nMIIsecretline1\\nMIIsecretline2\\n"
                                       "-----END KEY-----") +
                           "\"\n");
  Write("wf.yml", R"WF(on: push
jobs:
  leak:
    runs-on: ubuntu-latest
    outputs:
      token: ${{ steps.s.outputs.token }}
    steps:
      - id: s
        name: step named ${{ secrets.API_TOKEN }}
        env:
          TOKEN: ${{ secrets.API_TOKEN }}
          OTHER: ${{ secrets.OTHER }}
          CERT: ${{ secrets.CERT }}
        run: |
          echo "1 plain $TOKEN"
          echo "2 other $OTHER"
          echo "3 base64 $(printf %s "$TOKEN" | base64)"
          echo "4 json ${{ toJSON(secrets.CERT) }}"
          echo "5 second line only: $(echo "$CERT" | sed -n 3p)"
          printf '6 split %s' "${TOKEN:0:8}"; sleep 0.1; printf '%s\n' "${TOKEN:8}"
          echo "token=$TOKEN" >> "$GITHUB_OUTPUT"
          echo "7 summary $TOKEN" >> "$GITHUB_STEP_SUMMARY"
          echo "::warning file=app.js,line=1::8 annotation $OTHER"
          echo "::add-mask::runtime-generated-Qp77"
          echo "9 runtime runtime-generated-Qp77"
          env | grep -E '^(TOKEN|OTHER)=' | sed 's/^/10 env /'
          echo "$TOKEN" > workspace-file.txt
  after:
    needs: leak
    runs-on: ubuntu-latest
    steps:
      - run: echo "11 needs output [${{ needs.leak.outputs.token }}]"
)WF");
  CliResult r = RunWorkflow({"--secrets-file", "secrets.env", "--run-id", "s"},
                            {{"SLIPWAY_SECRET_OTHER", env_secret}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string everything = r.out + r.err + AllFiles("state");
  for (const std::string& secret :
       {file_secret, env_secret, std::string("MIIsecretline1"), std::string("MIIsecretline2"),
        std::string("runtime-generated-Qp77"), std::string("ZmlsZS1zZWNyZXQtWnE4MXg")}) {
    EXPECT_EQ(everything.find(secret), std::string::npos) << secret << " leaked:\n" << everything;
  }
  // The lines were written (masked), so the test looked at real output.
  for (const char* marker : {"1 plain ***", "2 other ***", "6 split ***", "9 runtime ***",
                             "10 env TOKEN=***", "11 needs output []"}) {
    EXPECT_NE(r.out.find(marker), std::string::npos) << marker << "\n" << r.out;
  }
  // The step really had the secret: it wrote it to the workspace (outside the state dir).
  EXPECT_EQ(Read("workspace-file.txt"), file_secret + "\n");
}

// What built-in steps write themselves (the local stack's version records, the traffic-shift
// record, the monitoring report, the backup) passes the run's masker, whatever route the
// secret took to the step: env, a step output, a function call (attack audit 12).
TEST_F(RunE2E, BuiltinStepsStoreNoSecretInTheStateDirectory) {
  const std::string secret = "Hunter2-Very-Secret-Pw";
  Write("secrets.env", "DB_PASS=" + secret + "\n");
  Write("wf.yml", R"WF(on: push
env:
  WF_PASS: ${{ secrets.DB_PASS }}
jobs:
  a:
    runs-on: ubuntu-latest
    env:
      P: ${{ secrets.DB_PASS }}
    steps:
      - id: s
        run: echo "p=$P" >> "$GITHUB_OUTPUT"
      - uses: slipway/stack-deploy@v1
        with:
          stack-name: app
          parameters: |
            VIA_ENV=${{ env.P }}
            VIA_WF_ENV=${{ env.WF_PASS }}
            VIA_STEP=${{ steps.s.outputs.p }}
            VIA_FORMAT=${{ format('{0}', secrets.DB_PASS) }}
            PLAIN=1.2.3
          outputs: |
            conn=postgres://u:${{ env.P }}@db/x
      - uses: slipway/traffic-shift@v1
        with:
          provider: command
          target: web
          version: ${{ env.P }}
          apply-command: "true"
          health-command: "true"
          bake-time: 0s
          phases: "100"
      - uses: slipway/monitor@v1
        with:
          command: 'echo "{\"error_rate\": 0, \"tag\": \"$P\"}"'
          duration: 1s
          interval: 1s
          max-error-rate: 1
      - uses: slipway/backup@v1
        with:
          name: b
          source: command
          command: 'echo "dump for $P"'
)WF");
  CliResult r = RunWorkflow({"--secrets-file", "secrets.env", "--run-id", "b"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string everything = AllFiles("state");
  EXPECT_EQ(everything.find(secret), std::string::npos) << "leaked:\n" << everything;
  // The files were written, masked where the secret was, and keep what is not secret.
  nlohmann::json parameters = nlohmann::json::parse(Read("state/stacks/app/v1/parameters.json"));
  EXPECT_EQ(parameters["VIA_ENV"], "***");
  EXPECT_EQ(parameters["VIA_STEP"], "***");
  EXPECT_EQ(parameters["VIA_FORMAT"], "${{ format('{0}', secrets.DB_PASS) }}");
  EXPECT_EQ(parameters["PLAIN"], "1.2.3");
  EXPECT_EQ(nlohmann::json::parse(Read("state/stacks/app/v1/outputs.json"))["conn"],
            "postgres://u:***@db/x");
  nlohmann::json version = nlohmann::json::parse(Read("state/stacks/app/v1/version.json"));
  EXPECT_EQ(version["unrecorded"], (nlohmann::json{"parameter VIA_ENV", "parameter VIA_STEP",
                                                   "parameter VIA_WF_ENV"}));
  EXPECT_EQ(nlohmann::json::parse(Read("state/traffic/web.json"))["version"], "***");
  EXPECT_NE(everything.find("\"tag\": \"***\""), std::string::npos) << everything;
}

TEST_F(RunE2E, AuditVerifyCatchesAnEditedLine) {
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: "true"
)");
  ASSERT_EQ(RunWorkflow().exit_code, 0);
  CliResult ok = Cli({"audit", "verify", "--state-dir", "state"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("audit log intact: 3 entries"), std::string::npos) << ok.out;
  std::string log = Read("state/audit.jsonl");
  size_t at = log.find("\"success\"");
  ASSERT_NE(at, std::string::npos);
  log.replace(at, 9, "\"failure\"");
  Write("state/audit.jsonl", log);
  CliResult bad = Cli({"audit", "verify", "--state-dir", "state"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.out, "state/audit.jsonl:2: entry 2 was edited or forged: its MAC does not match\n");
}

TEST_F(RunE2E, FromPlanRunsTheReviewedPlanAndRefusesAChangedWorkflow) {
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: touch ran
)");
  CliResult plan = Cli({"plan", "wf.yml", "--format", "json", "--ref", "refs/heads/main", "--sha",
                        "1", "--actor", "alice"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  Write("plan.json", plan.out);
  CliResult r = Cli({"run", "--from-plan", "plan.json", "--state-dir", "state"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(fs::exists(dir_ / "ran"));
  Write("wf.yml", Read("wf.yml") + "# edited\n");
  CliResult refused = Cli({"run", "--from-plan", "plan.json", "--state-dir", "state"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("changed since the plan was made"), std::string::npos) << refused.err;
}

TEST_F(RunE2E, MatrixFromAJobOutputIsExpandedAtRunTime) {
  Write("wf.yml", R"(on: push
jobs:
  detect:
    runs-on: ubuntu-latest
    outputs:
      services: ${{ steps.d.outputs.services }}
    steps:
      - id: d
        run: echo 'services=["api","web"]' >> "$GITHUB_OUTPUT"
  deploy:
    needs: detect
    runs-on: ubuntu-latest
    strategy:
      matrix:
        service: ${{ fromJSON(needs.detect.outputs.services) }}
    steps:
      - run: echo "${{ matrix.service }} ${{ strategy.job-total }}" > "deployed-${{ matrix.service }}.txt"
)");
  CliResult r = RunWorkflow({"--run-id", "m"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Read("deployed-api.txt"), "api 2\n");
  EXPECT_EQ(Read("deployed-web.txt"), "web 2\n");
  nlohmann::json run = RunJson("m");
  EXPECT_EQ(run["jobs"]["deploy (api)"]["result"], "success");
  EXPECT_EQ(run["jobs"]["deploy (web)"]["result"], "success");
  EXPECT_FALSE(run["jobs"].contains("deploy"));
}

// Starts `slipway run wf.yml --run-id ID`; calls `on_line` with the output so far.
exec::ProcessResult RunUntilDone(RunE2E& test, exec::ProcessOptions options, std::string* out,
                                 const std::function<void(const std::string&)>& on_output) {
  Expected<exec::ChildProcess> child = exec::ChildProcess::Spawn(options);
  if (!child) return exec::ProcessResult{};
  (void)test;
  return child->Wait(
      [&](exec::OutputStream, std::string_view chunk) {
        out->append(chunk);
        on_output(*out);
      },
      nullptr);
}

const char* kGroupWorkflow = R"(on: push
concurrency:
  group: deploy-${{ github.ref }}
  cancel-in-progress: CANCEL
jobs:
  long:
    runs-on: ubuntu-latest
    steps:
      - run: |
          date +%s%N > "start-$RUN"
          echo ready
          if [ "$RUN" = first ]; then sleep WAIT; fi
          date +%s%N > "end-$RUN"
        env:
          RUN: ${{ github.run_id }}
)";

TEST_F(RunE2E, ConcurrencyGroupWaitsForTheRunningRun) {
  std::string workflow = kGroupWorkflow;
  workflow.replace(workflow.find("CANCEL"), 6, "false");
  workflow.replace(workflow.find("WAIT"), 4, "1");
  Write("wf.yml", workflow);
  auto options = [&](const char* id) {
    return Options({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main", "--sha",
                    "1", "--actor", "alice", "--run-id", id},
                   {});
  };
  std::string first_out, second_out;
  CliResult second;
  bool started = false;
  exec::ProcessResult first =
      RunUntilDone(*this, options("first"), &first_out, [&](const std::string& out) {
        if (!started && out.find("[long] ready") != std::string::npos) {
          started = true;
          second = Cli({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main",
                        "--sha", "1", "--actor", "alice", "--run-id", "second"});
        }
      });
  ASSERT_TRUE(started) << first_out;
  EXPECT_EQ(first.exit_code, 0) << first_out;
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("waiting for run first to finish"), std::string::npos) << second.out;
  EXPECT_LE(std::stoll(Read("end-first")), std::stoll(Read("start-second")));
}

TEST_F(RunE2E, ConcurrencyGroupCancelInProgress) {
  std::string workflow = kGroupWorkflow;
  workflow.replace(workflow.find("CANCEL"), 6, "true");
  workflow.replace(workflow.find("WAIT"), 4, "30");
  Write("wf.yml", workflow);
  std::string first_out;
  CliResult second;
  bool started = false;
  exec::ProcessResult first = RunUntilDone(
      *this,
      Options({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main", "--sha", "1",
               "--actor", "alice", "--run-id", "first"},
              {}),
      &first_out, [&](const std::string& out) {
        if (!started && out.find("[long] ready") != std::string::npos) {
          started = true;
          second = Cli({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main",
                        "--sha", "1", "--actor", "alice", "--run-id", "second"});
        }
      });
  ASSERT_TRUE(started) << first_out;
  EXPECT_EQ(first.exit_code, 130) << first_out;
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("cancelling run first (cancel-in-progress)"), std::string::npos)
      << second.out;
  EXPECT_EQ(RunJson("first")["status"], "cancelled");
  EXPECT_EQ(RunJson("second")["status"], "success");
}

TEST_F(RunE2E, JobConcurrencyGroupSerialisesJobsOfOneRun) {
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    concurrency: db-${{ github.ref }}
    steps:
      - run: date +%s%N > start-a; sleep 1; date +%s%N > end-a
  b:
    runs-on: ubuntu-latest
    concurrency:
      group: db-${{ github.ref }}
    steps:
      - run: date +%s%N > start-b; sleep 1; date +%s%N > end-b
)");
  CliResult r = RunWorkflow({"--jobs", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("concurrency group \"db-refs/heads/main\": waiting for job"),
            std::string::npos)
      << r.out;
  bool a_first = std::stoll(Read("start-a")) < std::stoll(Read("start-b"));
  EXPECT_LE(std::stoll(Read(a_first ? "end-a" : "end-b")),
            std::stoll(Read(a_first ? "start-b" : "start-a")));
}

TEST_F(RunE2E, JobConcurrencyCancelInProgressCancelsOnlyThatJob) {
  Write("wf.yml", R"(on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    concurrency:
      group: production
      cancel-in-progress: true
    steps:
      - run: |
          echo ready
          if [ "$RUN" = first ]; then sleep 30; fi
          touch "deployed-$RUN"
        env:
          RUN: ${{ github.run_id }}
  docs:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 2; touch "docs-$RUN"
        env:
          RUN: ${{ github.run_id }}
)");
  std::string first_out;
  CliResult second;
  bool started = false;
  exec::ProcessResult first = RunUntilDone(
      *this,
      Options({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main", "--sha", "1",
               "--actor", "alice", "--run-id", "first", "--jobs", "2"},
              {}),
      &first_out, [&](const std::string& out) {
        if (!started && out.find("[deploy] ready") != std::string::npos) {
          started = true;
          second = Cli({"run", "wf.yml", "--state-dir", "state", "--ref", "refs/heads/main",
                        "--sha", "1", "--actor", "alice", "--run-id", "second", "--job", "deploy"});
        }
      });
  ASSERT_TRUE(started) << first_out;
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("cancelling job \"deploy\" of run first (cancel-in-progress)"),
            std::string::npos)
      << second.out;
  EXPECT_EQ(first.exit_code, 130) << first_out;  // the run is recorded as cancelled
  nlohmann::json run = RunJson("first");
  EXPECT_EQ(run["status"], "cancelled");
  EXPECT_EQ(run["jobs"]["deploy"]["result"], "cancelled");
  EXPECT_EQ(run["jobs"]["docs"]["result"], "success");  // the rest of the run went on
  EXPECT_TRUE(fs::exists(dir_ / "docs-first"));
  EXPECT_FALSE(fs::exists(dir_ / "deployed-first"));
  EXPECT_TRUE(fs::exists(dir_ / "deployed-second"));
}

TEST_F(RunE2E, SlackActionsPostThroughNotify) {
  testing::LoopbackHttpServer slack;
  ASSERT_TRUE(slack.ok());
  for (const char* path : {"/v2", "/v1", "/8398a7", "/rtcamp"}) slack.Respond(path, 200, "ok");
  Write("wf.yml", R"(on: push
jobs:
  notify:
    runs-on: ubuntu-latest
    steps:
      - uses: slackapi/slack-github-action@v2
        with:
          webhook: ${{ secrets.HOOK_BASE }}/v2
          webhook-type: incoming-webhook
          payload: '{"text": "deployed ${{ github.sha }}"}'
      - uses: slackapi/slack-github-action@v1.24.0
        with:
          slack-message: plain message
        env:
          SLACK_WEBHOOK_URL: ${{ secrets.HOOK_BASE }}/v1
      - uses: 8398a7/action-slack@v3
        with:
          status: failure
          text: the deploy failed
        env:
          SLACK_WEBHOOK_URL: ${{ secrets.HOOK_BASE }}/8398a7
      - uses: rtCamp/action-slack-notify@v2
        env:
          SLACK_WEBHOOK: ${{ secrets.HOOK_BASE }}/rtcamp
          SLACK_TITLE: Release
          SLACK_MESSAGE: all good
          SLACK_COLOR: good
      - uses: slackapi/slack-github-action@v2
        continue-on-error: true
        with:
          method: chat.postMessage
          token: xoxb-not-a-real-token
)");
  CliResult r = RunWorkflow({}, {{"SLIPWAY_SECRET_HOOK_BASE", slack.base_url()}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::map<std::string, std::string> bodies;
  for (const auto& request : slack.requests()) bodies[request.path] = request.body;
  ASSERT_EQ(bodies.size(), 4u) << r.out;
  EXPECT_EQ(nlohmann::json::parse(bodies["/v2"]), nlohmann::json({{"text", "deployed 0123abcd"}}));
  EXPECT_NE(bodies["/v1"].find("plain message"), std::string::npos) << bodies["/v1"];
  EXPECT_NE(bodies["/8398a7"].find("the deploy failed"), std::string::npos) << bodies["/8398a7"];
  EXPECT_NE(bodies["/rtcamp"].find("all good"), std::string::npos) << bodies["/rtcamp"];
  EXPECT_NE(r.out.find("posting with a bot token (Slack API method) has no local equivalent"),
            std::string::npos)
      << r.out;
}

TEST_F(RunE2E, UnknownActionFailsClearlyOrIsSkippedLoudly) {
  Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: someone/unknown-action@v1
      - run: touch after
)");
  CliResult r = RunWorkflow();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("action \"someone/unknown-action@v1\" has no local equivalent"),
            std::string::npos)
      << r.out;
  CliResult skipped = RunWorkflow({"--skip-unknown-actions"});
  EXPECT_EQ(skipped.exit_code, 0) << skipped.out << skipped.err;
  EXPECT_NE(skipped.out.find("SKIPPED: action \"someone/unknown-action@v1\""), std::string::npos);
  EXPECT_NE(skipped.err.find("--skip-unknown-actions"), std::string::npos);
}

// actions/checkout's local equivalent cannot make the workspace another checkout: a `ref` that
// is not the workspace's HEAD commit, or submodules/lfs/sparse-checkout, fail the step instead
// of letting later steps run the code of HEAD as if it were that ref (attack audit 12).
TEST_F(RunE2E, CheckoutOfAnotherRefFailsAndOfHeadSucceeds) {
  auto git = [&](const std::string& args) {
    std::string command = "cd '" + dir_.string() + "' && git " + args + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  };
  git("init -q -b main .");
  git("config user.email a@b.c");
  git("config user.name alice");
  Write(".gitignore", "state/\n");
  Write("deploy.sh", "echo v1 code\n");
  git("add -A");
  git("commit -qm one");
  git("tag v1");
  Write("deploy.sh", "echo v2 code\n");
  auto workflow = [&](const std::string& with) {
    Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: co
        uses: actions/checkout@v4
        with:
)" + with + R"(
      - run: echo "commit=${{ steps.co.outputs.commit }}" && sh deploy.sh
)");
    git("add -A");
    git("commit -qm change --allow-empty");
    return Cli({"run", "wf.yml", "--state-dir", "state", "--progress", "plain"});
  };
  CliResult old_ref = workflow("          ref: v1");
  EXPECT_EQ(old_ref.exit_code, 1) << old_ref.out << old_ref.err;
  EXPECT_NE(old_ref.out.find("actions/checkout: ref \"v1\" is commit "), std::string::npos)
      << old_ref.out;
  EXPECT_NE(old_ref.out.find("a local run cannot check out another ref"), std::string::npos);
  EXPECT_EQ(old_ref.out.find("v2 code"), std::string::npos) << old_ref.out;

  CliResult missing = workflow("          ref: no-such-ref");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("ref \"no-such-ref\" does not resolve to a commit in the workspace"),
            std::string::npos)
      << missing.out;

  CliResult head = workflow("          ref: main\n          fetch-depth: 0");
  EXPECT_EQ(head.exit_code, 0) << head.out << head.err;
  EXPECT_NE(head.out.find("fetch-depth 0 has no effect locally"), std::string::npos) << head.out;
  EXPECT_NE(head.out.find("v2 code"), std::string::npos) << head.out;

  for (const char* input : {"submodules: recursive", "lfs: true", "sparse-checkout: src"}) {
    CliResult refused = workflow(std::string("          ") + input);
    EXPECT_EQ(refused.exit_code, 1) << input << "\n" << refused.out;
    EXPECT_NE(refused.out.find("cannot be done locally"), std::string::npos) << refused.out;
  }
  CliResult defaults = workflow("          submodules: false\n          lfs: false");
  EXPECT_EQ(defaults.exit_code, 0) << defaults.out << defaults.err;
}

// configure-aws-credentials' local equivalent succeeds only with credentials: static keys, or a
// role assumed with `aws sts assume-role`; empty keys (a secret that is not set) or a role that
// cannot be assumed fail the step (attack audit 12).
TEST_F(RunE2E, ConfigureAwsCredentialsFailsWithoutCredentials) {
  Write("bin/aws", R"(#!/bin/bash
if [ "$1 $2" = "sts assume-role" ] && [ "$4" = "arn:aws:iam::1:role/ok" ]; then
  echo '{"Credentials": {"AccessKeyId": "ASIAASSUMED", "SecretAccessKey": "assumed-secret-Xy12", "SessionToken": "assumed-token"}}'
  exit 0
fi
echo "An error occurred (AccessDenied) when calling the AssumeRole operation" >&2
exit 254
)");
  fs::permissions(dir_ / "bin/aws", fs::perms::owner_all);
  std::map<std::string, std::string> env = {
      {"PATH", (dir_ / "bin").string() + ":" + std::string(getenv("PATH"))},
      {"AWS_ACCESS_KEY_ID", ""}, {"AWS_SECRET_ACCESS_KEY", ""}};
  auto run = [&](const std::string& with) {
    Write("wf.yml", R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
)" + with + R"(
          aws-region: eu-west-1
      - run: echo "key=${AWS_ACCESS_KEY_ID:-unset} token=${AWS_SESSION_TOKEN:-unset} region=$AWS_REGION"
)");
    return RunWorkflow({}, env);
  };
  CliResult denied = run("          role-to-assume: arn:aws:iam::1:role/denied");
  EXPECT_EQ(denied.exit_code, 1) << denied.out << denied.err;
  EXPECT_NE(denied.out.find("could not assume role \"arn:aws:iam::1:role/denied\""),
            std::string::npos)
      << denied.out;
  EXPECT_EQ(denied.out.find("key="), std::string::npos) << denied.out;

  CliResult empty = run("          aws-access-key-id: ${{ secrets.MISSING_ID }}\n"
                        "          aws-secret-access-key: ${{ secrets.MISSING_KEY }}");
  EXPECT_EQ(empty.exit_code, 1) << empty.out << empty.err;
  EXPECT_NE(empty.out.find("no credentials: aws-access-key-id and aws-secret-access-key are empty"),
            std::string::npos)
      << empty.out;

  CliResult assumed = run("          role-to-assume: arn:aws:iam::1:role/ok");
  EXPECT_EQ(assumed.exit_code, 0) << assumed.out << assumed.err;
  EXPECT_NE(assumed.out.find("key=*** token=*** region=eu-west-1"), std::string::npos)
      << assumed.out;
  EXPECT_EQ(assumed.out.find("assumed-secret-Xy12"), std::string::npos) << assumed.out;

  CliResult keys = run("          aws-access-key-id: AKIASTATIC\n"
                       "          aws-secret-access-key: static-secret");
  EXPECT_EQ(keys.exit_code, 0) << keys.out << keys.err;
  EXPECT_NE(keys.out.find("token=unset region=eu-west-1"), std::string::npos) << keys.out;
}

}  // namespace
}  // namespace slipway
