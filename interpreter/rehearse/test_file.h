#pragma once
/// The rehearsal file format (`*.test.yml`, schemas/test.schema.json): a workflow, shared files
/// and stubs, and scenarios — a trigger, approvals in virtual time, stubs of the outside world and
/// expectations. LoadTestFile reads it with the workflow loader's YAML reader and schema pass, so
/// every mistake is a `file:line:col` diagnostic.

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/base/diagnostic.h"
#include "interpreter/base/source.h"
#include "interpreter/exec/job_runner.h"
#include "interpreter/step_api/step_api.h"

namespace slipway::rehearse {

using Duration = std::chrono::milliseconds;
using Strings = std::map<std::string, std::string>;

struct Trigger {
  std::optional<std::string> event, ref, sha, actor;
  Strings inputs, vars, secrets;
  std::optional<nlohmann::json> payload;
};

enum class ApprovalDecision { kApprove, kReject };

/// Someone approving (or rejecting) an environment at a virtual time.
struct ScriptedApproval {
  std::string environment;
  std::string by;
  Duration at{0};
  ApprovalDecision decision = ApprovalDecision::kApprove;
  std::string comment;
  SourcePos where;
};

/// How a rule or an expectation matches a command line: a glob or an RE2 over the arguments
/// joined by single spaces.
struct ArgvPattern {
  std::string text;
  bool regex = false;
  std::string Describe() const { return regex ? "/" + text + "/" : text; }
};

struct CommandRule {
  ArgvPattern pattern;
  std::string stdout_text, stderr_text;
  int exit_code = 0;
  Strings files;
  Duration delay{0};
  std::optional<int> times;
  bool passthrough = false;
};

struct ActionRule {
  std::string uses;  // glob
  step_api::StepStatus outcome = step_api::StepStatus::kSuccess;
  Strings outputs;
};

struct StepRule {
  std::string job, step;
  step_api::StepStatus outcome = step_api::StepStatus::kSuccess;
  Strings outputs;
};

struct JobRule {
  std::string job;
  exec::JobResult result = exec::JobResult::kSuccess;
  Strings outputs;
};

struct HttpRule {
  std::string path = "*", host, method;
  std::vector<int> calls;
  std::optional<Duration> from, until;
  int status = 200;
  std::string body;
  Strings headers;
};

/// A stack of the scripted CloudFormation endpoint (cloud_stacks.h).
struct StackRule {
  std::string name;
  std::string status = "UPDATE_COMPLETE";  // "absent": the stack does not exist yet
  Strings outputs, parameters;
  std::string template_body = "{}";
  Strings resources;                  // logical id → resource type
  std::string deploy = "success";     // what the next deployment does: success|failure|no-changes
  Strings deploy_outputs;             // outputs after a successful deployment
  std::string failure_reason = "Resource handler returned message: \"Invalid request\"";
};

struct Stubs {
  std::vector<CommandRule> commands;
  std::vector<std::string> passthrough;
  std::vector<ActionRule> actions;
  std::vector<StepRule> steps;
  std::vector<JobRule> jobs;
  std::vector<HttpRule> http;
  std::vector<StackRule> stacks;
};

/// What a scenario's run must show. Unset fields are not checked.
enum class RunOutcome { kSuccess, kFailure, kCancelled, kNotTriggered, kInvalid };
const char* RunOutcomeName(RunOutcome outcome);

struct StepExpect {
  std::optional<std::string> outcome, conclusion;
  Strings outputs;
};
struct JobExpect {
  std::optional<std::string> result;
  Strings outputs;
  std::vector<std::pair<std::string, StepExpect>> steps;
};
struct CallExpect {
  ArgvPattern pattern;
  std::optional<int> count, min;
  std::optional<std::string> stdin_contains, cwd;
  std::vector<std::string> env;
};
struct HttpExpect {
  std::string path, host, method;
  std::optional<int> count, min;
  std::optional<std::string> body_contains;
  std::vector<std::pair<std::string, nlohmann::json>> json;  // JSON pointer → value
};
struct EmailExpect {
  std::optional<std::string> to, subject_contains, body_contains;
  std::optional<int> count;
};
struct GateExpect {
  std::string environment, job, decision;
};
struct StackExpect {
  std::string name, status;  // status "absent": the stack must not exist
  std::vector<std::string> actions;  // CloudFormation Actions that must have been called
};
struct LogExpect {
  std::string job, step;
  std::optional<std::string> contains, not_contains;
};

struct Expectations {
  std::optional<int> exit_code;
  std::optional<RunOutcome> result;
  std::optional<std::string> error;
  std::vector<std::pair<std::string, JobExpect>> jobs;
  std::vector<std::vector<std::string>> order;
  std::vector<CallExpect> calls;
  std::vector<HttpExpect> http;
  std::vector<EmailExpect> emails;
  std::vector<nlohmann::json> audit;
  std::vector<GateExpect> gates;
  std::vector<LogExpect> logs;
  std::vector<StackExpect> stacks;
  std::vector<std::string> console;
};

struct Scenario {
  std::string name;
  std::string description;
  SourcePos where;
  Trigger trigger;
  Strings files;
  std::vector<ScriptedApproval> approvals;
  Stubs stubs;  // the scenario's own rules first, then the file's shared ones
  Expectations expect;
};

struct TestFile {
  std::string path;          // as given
  std::string workflow;      // resolved against the test file's directory
  std::string environments;  // resolved; "" → none found
  std::vector<Scenario> scenarios;
};

/// Reads, schema-checks and models `path`. Returns nullopt when errors were found (they are in
/// `diagnostics`, with positions).
std::optional<TestFile> LoadTestFile(SourceManager& sources, const std::string& path,
                                     Diagnostics& diagnostics);

/// "90s", "5m", "1h30m", "250ms" (or a plain number of seconds) → milliseconds.
std::optional<Duration> ParseDuration(const std::string& text);

/// `*` and `?` glob over a whole string (`*` also crosses `/` and spaces).
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace slipway::rehearse
