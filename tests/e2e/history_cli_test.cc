// End-to-end tests of the run history (`slipway runs`, `show`, `logs`), summary.md, and the
// JSON event stream of `slipway run --json` / `--json-into`, validated against
// schemas/events.schema.json with valijson. Real bash, a loopback webhook, bounded waits only.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
#include <vector>

#include "interpreter/exec/process.h"
#include "tests/support/cli_workspace.h"
#include "tests/support/loopback_http_server.h"

namespace slipway {
namespace {

using testing::CliResult;

constexpr char kSecret[] = "s3cr3t-VALUE-42";

// Two jobs: build (a step output carrying the secret, a step summary) and deploy behind a
// protected environment (one reviewer, a one-second wait timer) that sends a webhook.
constexpr char kWorkflow[] = R"(name: history
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      token: ${{ steps.out.outputs.token }}
    steps:
      - id: hello
        name: Say hello
        run: |
          echo "hello from build"
          echo "the secret is $API"
        env:
          API: ${{ secrets.API_TOKEN }}
      - id: out
        run: |
          echo "token=$API" >> "$GITHUB_OUTPUT"
          echo "### built by slipway" >> "$GITHUB_STEP_SUMMARY"
        env:
          API: ${{ secrets.API_TOKEN }}
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: echo deploying
      - id: tell
        uses: slipway/notify@v1
        with:
          channel: webhook
          webhook-url: ${{ secrets.HOOK }}
          message: deployed
)";

constexpr char kEnvironments[] = R"(environments:
  production:
    required_reviewers:
      count: 1
      users: [bob]
    wait_timer: 1s
)";

class HistoryE2E : public testing::CliWorkspaceTest {
 protected:
  void SetUp() override {
    CliWorkspaceTest::SetUp();
    ASSERT_TRUE(hook_.ok());
    hook_.Respond("/hook", 200, "ok");
    hook_.Respond("/hook", 200, "ok");
    hook_.Respond("/hook", 200, "ok");
    Write("wf.yml", kWorkflow);
    Write("environments.yml", kEnvironments);
  }

  CliResult RunWorkflow(const std::string& id, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run", "wf.yml", "--state-dir", "state", "--ref",
                                     "refs/heads/main", "--sha", "0123abcd", "--actor", "alice",
                                     "--env-config", "environments.yml", "--run-id", id,
                                     "--approve", "production", "--as", "bob",
                                     "--progress", "plain"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args, Env());
  }

  std::map<std::string, std::string> Env() {
    return {{"SLIPWAY_SECRET_API_TOKEN", kSecret},
            {"SLIPWAY_SECRET_HOOK", hook_.base_url() + "/hook"}};
  }

  testing::LoopbackHttpServer hook_;
};

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    lines.push_back(nlohmann::json::parse(line, nullptr, false));
  }
  return lines;
}

std::vector<nlohmann::json> OfType(const std::vector<nlohmann::json>& events, const char* type) {
  std::vector<nlohmann::json> out;
  for (const nlohmann::json& e : events) {
    if (e.value("type", "") == type) out.push_back(e);
  }
  return out;
}

TEST_F(HistoryE2E, RunsListsNewestFirstAsTableAndJson) {
  ASSERT_EQ(RunWorkflow("first").exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(RunWorkflow("second").exit_code, 0);
  CliResult table = Cli({"runs", "--state-dir", "state"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("ID"), std::string::npos) << table.out;
  size_t second = table.out.find("second"), first = table.out.find("first");
  ASSERT_NE(second, std::string::npos) << table.out;
  ASSERT_NE(first, std::string::npos) << table.out;
  EXPECT_LT(second, first) << "newest first:\n" << table.out;
  EXPECT_NE(table.out.find("push refs/heads/main"), std::string::npos) << table.out;

  CliResult json = Cli({"runs", "--state-dir", "state", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json runs = nlohmann::json::parse(json.out)["runs"];
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0]["id"], "second");
  EXPECT_EQ(runs[1]["id"], "first");
  EXPECT_EQ(runs[0]["status"], "success");
  EXPECT_EQ(runs[0]["actor"], "alice");
  EXPECT_EQ(runs[0]["workflow"], "wf.yml");
  EXPECT_TRUE(runs[0]["duration_s"].is_number());

  CliResult none = Cli({"runs", "--state-dir", "empty"});
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_EQ(none.out, "no runs\n");
}

TEST_F(HistoryE2E, ShowGivesJobsStepsGateDecisionsAndMaskedOutputs) {
  ASSERT_EQ(RunWorkflow("r1").exit_code, 0);
  CliResult show = Cli({"show", "r1", "--state-dir", "state"}, Env());
  ASSERT_EQ(show.exit_code, 0) << show.err;
  const std::string& out = show.out;
  EXPECT_NE(out.find("run r1: success"), std::string::npos) << out;
  EXPECT_NE(out.find("deploy [production]"), std::string::npos) << out;
  EXPECT_NE(out.find("Say hello"), std::string::npos) << out;
  EXPECT_NE(out.find("waited for approval (production)"), std::string::npos) << out;
  EXPECT_NE(out.find("gate: wait timer (production) 1."), std::string::npos) << out;
  EXPECT_NE(out.find("approved by bob at 20"), std::string::npos) << out;
  EXPECT_NE(out.find("output token = ***"), std::string::npos) << out;
  EXPECT_EQ(out.find(kSecret), std::string::npos) << out;

  CliResult json = Cli({"show", "r1", "--state-dir", "state", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["id"], "r1");
  ASSERT_EQ(doc["timeline"].size(), 2u);
  EXPECT_EQ(doc["timeline"][1]["key"], "deploy");
  EXPECT_EQ(doc["timeline"][1]["waits"][0]["kind"], "approval");
  EXPECT_EQ(doc["timeline"][1]["waits"][1]["kind"], "wait_timer");
  EXPECT_GE(doc["timeline"][1]["waits"][1]["end_s"].get<double>() -
                doc["timeline"][1]["waits"][1]["start_s"].get<double>(),
            0.9);

  CliResult missing = Cli({"show", "nope", "--state-dir", "state"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no run \"nope\""), std::string::npos) << missing.err;
}

TEST_F(HistoryE2E, LogsOfTheRunAJobAndAStep) {
  ASSERT_EQ(RunWorkflow("r1").exit_code, 0);
  CliResult all = Cli({"logs", "r1", "--state-dir", "state"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(all.out.find("== build / 1. Say hello (success)\n> Say hello\nhello from build\n"),
            std::string::npos)
      << all.out;
  EXPECT_NE(all.out.find("deploying"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("the secret is ***"), std::string::npos) << all.out;
  EXPECT_EQ(all.out.find(kSecret), std::string::npos);

  CliResult job = Cli({"logs", "r1", "build", "--state-dir", "state"});
  ASSERT_EQ(job.exit_code, 0) << job.err;
  EXPECT_NE(job.out.find("hello from build"), std::string::npos);
  EXPECT_EQ(job.out.find("deploying"), std::string::npos) << job.out;

  for (const char* step : {"hello", "Say hello", "1"}) {
    CliResult one = Cli({"logs", "r1", "build", step, "--state-dir", "state"});
    ASSERT_EQ(one.exit_code, 0) << one.err;
    EXPECT_EQ(one.out, "> Say hello\nhello from build\nthe secret is ***\n") << step;
  }

  CliResult typo = Cli({"logs", "r1", "biuld", "--state-dir", "state"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("has no job \"biuld\"; did you mean \"build\"?"), std::string::npos)
      << typo.err;
  CliResult bad_step = Cli({"logs", "r1", "build", "9", "--state-dir", "state"});
  EXPECT_EQ(bad_step.exit_code, 2);
}

TEST_F(HistoryE2E, LogsFollowPrintsARunInProgressUntilItEnds) {
  Write("slow.yml", R"(on: push
jobs:
  slow:
    runs-on: ubuntu-latest
    steps:
      - run: echo "first line"; sleep 1.5; echo "second line"
)");
  CliResult run;
  std::thread runner([&] {
    run = Cli({"run", "slow.yml", "--state-dir", "state", "--run-id", "live", "--ref",
               "refs/heads/main", "--sha", "0123abcd", "--actor", "alice", "--progress", "plain"});
  });
  for (int i = 0; i < 200 && !Exists("state/runs/live/events.jsonl"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CliResult follow = Cli({"logs", "live", "--follow", "--state-dir", "state"});
  runner.join();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(follow.exit_code, 0) << follow.err;
  size_t first = follow.out.find("[slow] first line");
  size_t second = follow.out.find("[slow] second line");
  ASSERT_NE(first, std::string::npos) << follow.out;
  ASSERT_NE(second, std::string::npos) << follow.out;
  EXPECT_LT(first, second);
}

TEST_F(HistoryE2E, SummaryMdStartsWithTheTableThenWhatStepsAppended) {
  ASSERT_EQ(RunWorkflow("r1").exit_code, 0);
  std::string summary = Read("state/runs/r1/summary.md");
  size_t table = summary.find("| Job | Result | Duration |");
  size_t build = summary.find("| build | success |");
  size_t deploy = summary.find("| deploy | success |");
  size_t step = summary.find("### built by slipway");
  ASSERT_NE(table, std::string::npos) << summary;
  ASSERT_NE(build, std::string::npos) << summary;
  ASSERT_NE(deploy, std::string::npos) << summary;
  ASSERT_NE(step, std::string::npos) << summary;
  EXPECT_LT(deploy, step);

  // A run whose steps append nothing still gets one.
  Write("plain.yml", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n");
  ASSERT_EQ(Cli({"run", "plain.yml", "--state-dir", "state", "--run-id", "p", "--ref",
                 "refs/heads/main", "--sha", "0123abcd", "--actor", "alice"})
                .exit_code,
            0);
  EXPECT_NE(Read("state/runs/p/summary.md").find("| a | success |"), std::string::npos);
}

class EventSchema {
 public:
  EventSchema() {
    std::ifstream in(std::string(SLIPWAY_SOURCE_DIR) + "/schemas/events.schema.json");
    std::stringstream text;
    text << in.rdbuf();
    document_ = nlohmann::json::parse(text.str());
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(document_);
    parser.populateSchema(adapter, schema_);
  }
  /// "" when `record` is valid; else valijson's first errors.
  std::string Check(const nlohmann::json& record) const {
    valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter target(record);
    if (validator.validate(schema_, target, &results)) return "";
    std::string why;
    valijson::ValidationResults::Error error;
    while (results.popError(error)) why += error.description + "; ";
    return why;
  }

 private:
  nlohmann::json document_;
  valijson::Schema schema_;
};

TEST_F(HistoryE2E, JsonStreamOfARealRunMatchesTheSchema) {
  CliResult r = RunWorkflow("j1", {"--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find(kSecret), std::string::npos) << "masked like every other byte";
  std::vector<nlohmann::json> events = JsonLines(r.out);
  ASSERT_GT(events.size(), 10u) << r.out;
  EXPECT_EQ(events[0], (nlohmann::json{{"type", "version"}, {"schema", 1}, {"producer", "slipway"}}));
  EventSchema schema;
  for (const nlohmann::json& e : events) {
    ASSERT_TRUE(e.is_object()) << r.out;
    EXPECT_EQ(schema.Check(e), "") << e.dump();
  }
  // Every kind of event the issue names is there, with ids.
  ASSERT_EQ(OfType(events, "run_started").size(), 1u);
  EXPECT_EQ(OfType(events, "run_started")[0]["jobs"][1]["needs"], nlohmann::json({"build"}));
  EXPECT_EQ(OfType(events, "job_queued").size(), 2u);
  EXPECT_EQ(OfType(events, "job_started").size(), 2u);
  std::vector<nlohmann::json> waits = OfType(events, "job_waiting");
  ASSERT_EQ(waits.size(), 2u);
  EXPECT_EQ(waits[0]["gate"], "approval");
  EXPECT_EQ(waits[1]["gate"], "wait_timer");
  EXPECT_EQ(waits[1]["wait_timer_s"], 1);
  std::vector<nlohmann::json> approved = OfType(events, "job_approved");
  ASSERT_EQ(approved.size(), 1u);
  EXPECT_EQ(approved[0]["reviewers"], nlohmann::json({"bob"}));
  EXPECT_EQ(approved[0]["environment"], "production");
  bool hello = false;
  for (const nlohmann::json& e : OfType(events, "step_output")) {
    if (e["text"] == "hello from build") {
      hello = true;
      EXPECT_EQ(e["job"], "build");
      ASSERT_TRUE(e.contains("step")) << e.dump();
      EXPECT_EQ(e["step"]["index"], 0);
      EXPECT_EQ(e["step"]["id"], "hello");
    }
    EXPECT_EQ(e["text"].get<std::string>().find(kSecret), std::string::npos);
  }
  EXPECT_TRUE(hello);
  // A step's first line (its "> name" header) is printed before the step is reported; it still
  // belongs to the step.
  bool header = false;
  for (const nlohmann::json& e : OfType(events, "step_output")) {
    if (e["text"] != "> Say hello") continue;
    header = true;
    ASSERT_TRUE(e.contains("step")) << e.dump();
    EXPECT_EQ(e["step"]["id"], "hello");
  }
  EXPECT_TRUE(header);
  EXPECT_EQ(OfType(events, "step_started").size(), 4u);
  EXPECT_EQ(OfType(events, "step_finished").size(), 4u);
  ASSERT_EQ(OfType(events, "notification_sent").size(), 1u);
  EXPECT_EQ(OfType(events, "notification_sent")[0]["step"]["id"], "tell");
  std::vector<nlohmann::json> steps = OfType(events, "step_finished");
  EXPECT_EQ(steps[1]["step"]["id"], "out");
  EXPECT_EQ(steps[1]["outputs"]["token"], "***");
  std::vector<nlohmann::json> finished = OfType(events, "job_finished");
  ASSERT_EQ(finished.size(), 2u);
  EXPECT_EQ(finished[0]["result"], "success");
  // The console's own status lines ("started", a job's result) are not output lines.
  for (const nlohmann::json& e : OfType(events, "step_output")) {
    EXPECT_NE(e["text"], "started");
    EXPECT_NE(e["text"], "success");
  }
  EXPECT_EQ(events.back()["type"], "run_finished");
  EXPECT_EQ(events.back()["status"], "success");
  for (size_t i = 1; i < events.size(); ++i) EXPECT_EQ(events[i]["run_id"], "j1");

  // The run directory keeps the same stream.
  EXPECT_EQ(JsonLines(Read("state/runs/j1/events.jsonl")).size(), events.size());
}

// The stream says how an approval wait ended: a rejection is job_rejected (never job_approved),
// with who rejected and why; a wait that times out has neither, only the job's end.
constexpr char kGateOnly[] = R"(on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: |
          echo deploying
          if [ ! -f second-attempt ]; then sleep 30; fi
)";

constexpr char kGateEnvironments[] = R"(environments:
  production:
    required_reviewers:
      users: [bob, carol]
    approval_timeout: 4s
)";

// Runs `args` (a `run --json`), calling `when_waiting` once the job waits for approval;
// returns the stream and, through `killed`, whether `kill_at` (a step's line) was seen and the
// run killed with SIGKILL there.
std::string RunUntil(exec::ProcessOptions options,
                     const std::function<void()>& when_waiting, const std::string& kill_at,
                     bool* killed) {
  Expected<exec::ChildProcess> child = exec::ChildProcess::Spawn(options);
  EXPECT_TRUE(child.has_value());
  if (!child) return "";
  std::string out;
  bool answered = false;
  child->Wait(
      [&](exec::OutputStream stream, std::string_view chunk) {
        if (stream != exec::OutputStream::kStdout) return;
        out.append(chunk);
        if (!answered && out.find("\"type\":\"job_waiting\"") != std::string::npos) {
          answered = true;
          if (when_waiting) when_waiting();
        }
        if (!kill_at.empty() && !*killed && out.find(kill_at) != std::string::npos) {
          *killed = true;
          kill(child->pid(), SIGKILL);
        }
      },
      nullptr);
  return out;
}

TEST_F(HistoryE2E, RejectedGateIsJobRejectedInTheStream) {
  Write("gate.yml", kGateOnly);
  Write("gate-envs.yml", kGateEnvironments);
  bool killed = false;
  CliResult reject;
  std::string out = RunUntil(
      Options({"run", "gate.yml", "--state-dir", "state", "--ref", "refs/heads/main", "--sha",
               "1", "--actor", "alice", "--run-id", "rej", "--env-config", "gate-envs.yml",
               "--json"}),
      [&] {
        reject = Cli({"reject", "rej", "production", "--as", "bob", "--comment", "not today",
                      "--state-dir", "state"});
      },
      "", &killed);
  EXPECT_EQ(reject.exit_code, 0) << reject.out << reject.err;
  std::vector<nlohmann::json> events = JsonLines(out);
  EventSchema schema;
  for (const nlohmann::json& e : events) EXPECT_EQ(schema.Check(e), "") << e.dump();
  EXPECT_TRUE(OfType(events, "job_approved").empty()) << out;
  std::vector<nlohmann::json> rejected = OfType(events, "job_rejected");
  ASSERT_EQ(rejected.size(), 1u) << out;
  EXPECT_EQ(rejected[0]["job"], "deploy");
  EXPECT_EQ(rejected[0]["environment"], "production");
  EXPECT_EQ(rejected[0]["reviewer"], "bob");
  EXPECT_EQ(rejected[0]["comment"], "not today");
  std::vector<nlohmann::json> finished = OfType(events, "job_finished");
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0]["result"], "failure");
}

// A resumed run's stream names only this attempt's reviewers: bob approved the first attempt,
// nobody the second, whose wait times out; its stream has no job_approved.
TEST_F(HistoryE2E, ResumedRunDoesNotReportTheFirstAttemptsApproval) {
  Write("gate.yml", kGateOnly);
  Write("gate-envs.yml", kGateEnvironments);
  bool killed = false;
  CliResult approve;
  std::string first = RunUntil(
      Options({"run", "gate.yml", "--state-dir", "state", "--ref", "refs/heads/main", "--sha",
               "1", "--actor", "alice", "--run-id", "res", "--env-config", "gate-envs.yml",
               "--json"}),
      [&] { approve = Cli({"approve", "res", "production", "--as", "bob", "--state-dir", "state"}); },
      "\"text\":\"deploying\"", &killed);
  ASSERT_TRUE(killed) << first;
  std::vector<nlohmann::json> approved = OfType(JsonLines(first), "job_approved");
  ASSERT_EQ(approved.size(), 1u) << first;
  EXPECT_EQ(approved[0]["reviewers"], nlohmann::json({"bob"}));

  Write("second-attempt", "");
  CliResult resumed = Cli({"run", "gate.yml", "--state-dir", "state", "--resume", "res", "--json"});
  EXPECT_EQ(resumed.exit_code, 1) << resumed.out << resumed.err;
  std::vector<nlohmann::json> events = JsonLines(resumed.out);
  EXPECT_EQ(OfType(events, "job_waiting").size(), 1u) << resumed.out;
  EXPECT_TRUE(OfType(events, "job_approved").empty()) << resumed.out;
  EXPECT_TRUE(OfType(events, "job_rejected").empty()) << resumed.out;
  std::vector<nlohmann::json> finished = OfType(events, "job_finished");
  ASSERT_EQ(finished.size(), 1u) << resumed.out;
  EXPECT_EQ(finished[0]["result"], "failure");
  EXPECT_NE(finished[0]["message"].get<std::string>().find("timed out"), std::string::npos);
}

TEST_F(HistoryE2E, JsonIntoWritesTheStreamBesideTheHumanOutput) {
  CliResult r = RunWorkflow("j2", {"--json-into", "events.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("run j2\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("hello from build"), std::string::npos);
  std::vector<nlohmann::json> events = JsonLines(Read("events.jsonl"));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0]["type"], "version");
  EXPECT_EQ(events.back()["type"], "run_finished");

  CliResult both = RunWorkflow("j3", {"--json", "--json-into", "x.jsonl"});
  EXPECT_EQ(both.exit_code, 2);
}

TEST_F(HistoryE2E, SchemaCommandPrintsTheEventsSchema) {
  CliResult r = Cli({"schema", "events"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["title"], "slipway run --json event");
}

}  // namespace
}  // namespace slipway
