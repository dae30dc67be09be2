#include "interpreter/rehearse/expectations.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "interpreter/base/fd_io.h"
#include "interpreter/base/json_nesting.h"

namespace slipway::rehearse {
namespace {

using nlohmann::json;

std::string Quote(const std::string& text) { return "\"" + text + "\""; }

const exec::JobRecord* FindJob(const exec::RunRecord& record, const std::string& id) {
  if (auto it = record.jobs.find(id); it != record.jobs.end()) return &it->second;
  for (const auto& [key, job] : record.jobs) {
    if (key.rfind(id + " (", 0) == 0) return &job;
  }
  return nullptr;
}

const exec::StepRecord* FindStep(const exec::JobRecord& job, const std::string& id) {
  for (const exec::StepRecord& step : job.steps) {
    if (step.id == id) return &step;
  }
  for (const exec::StepRecord& step : job.steps) {
    if (step.name == id) return &step;
  }
  return nullptr;
}

std::string ScalarText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void CheckOutputs(const std::string& where, const Strings& expected, const Strings& actual,
                  std::vector<std::string>* out) {
  for (const auto& [key, value] : expected) {
    auto it = actual.find(key);
    if (it == actual.end()) {
      out->push_back(fmt::format("{}.outputs.{}: expected {}, got no such output", where, key,
                                 Quote(value)));
    } else if (it->second != value) {
      out->push_back(fmt::format("{}.outputs.{}: expected {}, got {}", where, key, Quote(value),
                                 Quote(it->second)));
    }
  }
}

std::string Count(size_t n, const char* what) {
  return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
}

}  // namespace

json AtPointer(const json& document, const std::string& pointer) {
  try {
    json::json_pointer p(pointer);
    if (document.contains(p)) return document.at(p);
  } catch (const json::exception&) {
  }
  return nullptr;
}

bool Contains(const json& actual, const json& expected) {
  if (expected.is_object()) {
    if (!actual.is_object()) return false;
    for (auto it = expected.begin(); it != expected.end(); ++it) {
      if (!actual.contains(it.key()) || !Contains(actual[it.key()], *it)) return false;
    }
    return true;
  }
  if (expected.is_array()) {
    if (!actual.is_array()) return false;
    for (const json& item : expected) {
      bool found = false;
      for (const json& candidate : actual) found = found || Contains(candidate, item);
      if (!found) return false;
    }
    return true;
  }
  return ScalarText(actual) == ScalarText(expected);
}

std::vector<std::string> CheckExpectations(const Scenario& scenario, const ScenarioActual& actual) {
  std::vector<std::string> out = actual.problems;
  const Expectations& expect = scenario.expect;
  for (const CallRecord& call : actual.calls) {
    if (call.answer == CallAnswer::kUnstubbed) {
      out.push_back(
          fmt::format("unstubbed call: {} (add a rule or allow passthrough)", call.Joined()));
    }
  }
  if (expect.result && *expect.result != actual.result) {
    out.push_back(fmt::format("result: expected {}, got {}{}", RunOutcomeName(*expect.result),
                              RunOutcomeName(actual.result),
                              actual.error.empty() ? "" : " (" + actual.error + ")"));
  }
  if (expect.exit_code && *expect.exit_code != actual.exit_code) {
    out.push_back(
        fmt::format("exit-code: expected {}, got {}", *expect.exit_code, actual.exit_code));
  }
  if (!expect.result && !expect.exit_code && actual.result == RunOutcome::kInvalid) {
    out.push_back("the run could not start: " + actual.error);
  }
  if (expect.error && actual.error.find(*expect.error) == std::string::npos) {
    out.push_back(fmt::format("error: expected it to contain {}, got {}", Quote(*expect.error),
                              Quote(actual.error)));
  }
  const exec::RunRecord& record = actual.record;
  for (const auto& [id, job_expect] : expect.jobs) {
    const exec::JobRecord* job = FindJob(record, id);
    std::string where = "jobs." + id;
    if (!job) {
      if (job_expect.result && *job_expect.result == "skipped" && record.jobs.empty()) continue;
      out.push_back(fmt::format("{}: expected {}, got no such job in the run", where,
                                job_expect.result.value_or("the job")));
      continue;
    }
    std::string result = exec::ShownState(*job);
    if (job_expect.result && *job_expect.result != result) {
      out.push_back(fmt::format("{}.result: expected {}, got {}", where, *job_expect.result, result));
    }
    CheckOutputs(where, job_expect.outputs, job->outputs, &out);
    for (const auto& [step_id, step_expect] : job_expect.steps) {
      const exec::StepRecord* step = FindStep(*job, step_id);
      std::string step_where = where + ".steps." + step_id;
      if (!step) {
        out.push_back(fmt::format("{}: expected {}, got no such step (the job ran {})", step_where,
                                  step_expect.outcome.value_or("the step"),
                                  Count(job->steps.size(), "step")));
        continue;
      }
      std::string outcome = step->outcome ? exec::StepConclusionName(*step->outcome) : "";
      std::string conclusion =
          step->conclusion ? exec::StepConclusionName(*step->conclusion) : "";
      if (step_expect.outcome && *step_expect.outcome != outcome) {
        out.push_back(fmt::format("{}.outcome: expected {}, got {}", step_where,
                                  *step_expect.outcome, outcome));
      }
      if (step_expect.conclusion && *step_expect.conclusion != conclusion) {
        out.push_back(fmt::format("{}.conclusion: expected {}, got {}", step_where,
                                  *step_expect.conclusion, conclusion));
      }
      CheckOutputs(step_where, step_expect.outputs, step->outputs, &out);
    }
  }
  for (const std::vector<std::string>& chain : expect.order) {
    for (size_t i = 0; i + 1 < chain.size(); ++i) {
      const exec::JobRecord* first = FindJob(record, chain[i]);
      const exec::JobRecord* second = FindJob(record, chain[i + 1]);
      std::string what = fmt::format("order: expected {} before {}", chain[i], chain[i + 1]);
      if (!first || first->started_at.empty() || first->result == exec::JobResult::kSkipped) {
        out.push_back(what + fmt::format(", but {} did not run", chain[i]));
      } else if (!second || second->started_at.empty() || second->result == exec::JobResult::kSkipped) {
        out.push_back(what + fmt::format(", but {} did not run", chain[i + 1]));
      } else if (!(first->finished_at <= second->started_at)) {
        out.push_back(what + fmt::format(", got {} started at {}, {} finished at {}", chain[i + 1],
                                         second->started_at, chain[i], first->finished_at));
      }
    }
  }
  for (const CallExpect& call_expect : expect.calls) {
    std::vector<const CallRecord*> matching;
    for (const CallRecord& call : actual.calls) {
      if (ArgvMatches(call_expect.pattern, call.Joined())) matching.push_back(&call);
    }
    std::string where = "calls " + Quote(call_expect.pattern.Describe());
    int n = static_cast<int>(matching.size());
    if (call_expect.count && *call_expect.count != n) {
      // The calls of the same program (all of them when the pattern starts with a wildcard),
      // at most a dozen, so the diff stays readable.
      std::string program = call_expect.pattern.text.substr(0, call_expect.pattern.text.find(' '));
      bool literal = !call_expect.pattern.regex &&
                     program.find_first_of("*?[") == std::string::npos;
      std::string made;
      size_t shown = 0, more = 0;
      for (const CallRecord& call : actual.calls) {
        if (literal && (call.argv.empty() || call.argv[0] != program)) continue;
        if (shown++ < 12) {
          made += "\n      " + call.Joined();
        } else {
          ++more;
        }
      }
      if (more) made += fmt::format("\n      … and {} more", more);
      out.push_back(fmt::format("{}: expected {}, got {}{}", where,
                                Count(*call_expect.count, "call"), Count(n, "call"),
                                made.empty() ? " (no command was called)"
                                             : "; calls made:" + made));
    }
    if (call_expect.min && n < *call_expect.min) {
      out.push_back(fmt::format("{}: expected at least {}, got {}", where,
                                Count(*call_expect.min, "call"), Count(n, "call")));
    }
    for (const CallRecord* call : matching) {
      if (call_expect.stdin_contains &&
          call->stdin_text.find(*call_expect.stdin_contains) == std::string::npos) {
        out.push_back(fmt::format("{}: expected stdin containing {}, got {}", where,
                                  Quote(*call_expect.stdin_contains), Quote(call->stdin_text)));
      }
      for (const std::string& name : call_expect.env) {
        if (std::find(call->env_names.begin(), call->env_names.end(), name) ==
            call->env_names.end()) {
          out.push_back(fmt::format("{}: expected environment variable {} to be set", where, name));
        }
      }
      if (call_expect.cwd) {
        std::string cwd = call->cwd;
        if (cwd.rfind(actual.workspace, 0) == 0) cwd = cwd.substr(actual.workspace.size());
        if (!cwd.empty() && cwd[0] == '/') cwd.erase(0, 1);
        if (!GlobMatch(*call_expect.cwd, cwd)) {
          out.push_back(fmt::format("{}: expected working directory {}, got {}", where,
                                    Quote(*call_expect.cwd), Quote(cwd)));
        }
      }
    }
  }
  for (const HttpExpect& http_expect : expect.http) {
    std::vector<const HttpRecord*> matching;
    for (const HttpRecord& request : actual.http) {
      if (!GlobMatch(http_expect.path, request.path)) continue;
      if (!http_expect.host.empty() && !GlobMatch(http_expect.host, request.host)) continue;
      if (!http_expect.method.empty() && http_expect.method != request.method) continue;
      matching.push_back(&request);
    }
    std::string where = "http " + Quote((http_expect.host.empty() ? "" : http_expect.host) +
                                        http_expect.path);
    int n = static_cast<int>(matching.size());
    if (http_expect.count && *http_expect.count != n) {
      std::string seen;
      for (const HttpRecord& r : actual.http) seen += "\n      " + r.method + " " + r.host + r.path;
      out.push_back(fmt::format("{}: expected {}, got {}{}", where,
                                Count(*http_expect.count, "request"), Count(n, "request"),
                                seen.empty() ? "" : "; requests made:" + seen));
    }
    if (http_expect.min && n < *http_expect.min) {
      out.push_back(fmt::format("{}: expected at least {}, got {}", where,
                                Count(*http_expect.min, "request"), Count(n, "request")));
    }
    if (!http_expect.count && !http_expect.min && n == 0) {
      out.push_back(fmt::format("{}: expected a request, got none", where));
    }
    if (http_expect.body_contains || !http_expect.json.empty()) {
      bool any = false;
      std::string bodies;
      for (const HttpRecord* request : matching) {
        bool ok = !http_expect.body_contains ||
                  request->body.find(*http_expect.body_contains) != std::string::npos;
        json body = JsonNestingError(request->body).empty()
                        ? json::parse(request->body, nullptr, false)
                        : json(json::value_t::discarded);
        for (const auto& [pointer, value] : http_expect.json) {
          ok = ok && !body.is_discarded() && Contains(AtPointer(body, pointer), value);
        }
        any = any || ok;
        bodies += "\n      " + request->body.substr(0, 400);
      }
      if (!any && !matching.empty()) {
        std::string wanted = http_expect.body_contains
                                 ? "containing " + Quote(*http_expect.body_contains)
                                 : "";
        for (const auto& [pointer, value] : http_expect.json) {
          wanted += (wanted.empty() ? "" : ", ") + pointer + " = " + value.dump();
        }
        out.push_back(fmt::format("{}: expected a body {}, got:{}", where, wanted, bodies));
      }
    }
  }
  for (const EmailExpect& email_expect : expect.emails) {
    int n = 0;
    for (const EmailRecord& mail : actual.emails) {
      bool ok = true;
      if (email_expect.to) {
        ok = std::find(mail.to.begin(), mail.to.end(), *email_expect.to) != mail.to.end();
      }
      size_t split = mail.data.find("\r\n\r\n");
      std::string headers = mail.data.substr(0, split);
      std::string body = split == std::string::npos ? "" : mail.data.substr(split + 4);
      if (email_expect.subject_contains) {
        size_t subject = headers.find("Subject:");
        ok = ok && subject != std::string::npos &&
             headers.substr(subject, headers.find("\r\n", subject) - subject)
                     .find(*email_expect.subject_contains) != std::string::npos;
      }
      if (email_expect.body_contains) {
        ok = ok && body.find(*email_expect.body_contains) != std::string::npos;
      }
      if (ok) ++n;
    }
    std::string what = email_expect.to ? "to " + *email_expect.to : "any recipient";
    if (email_expect.subject_contains) what += ", subject ~ " + Quote(*email_expect.subject_contains);
    if (email_expect.body_contains) what += ", body ~ " + Quote(*email_expect.body_contains);
    if (email_expect.count ? *email_expect.count != n : n == 0) {
      out.push_back(fmt::format("emails ({}): expected {}, got {} (of {} sent)", what,
                                email_expect.count ? Count(*email_expect.count, "e-mail")
                                                   : std::string("at least one e-mail"),
                                Count(n, "e-mail"), actual.emails.size()));
    }
  }
  for (const json& entry : expect.audit) {
    bool found = false;
    for (const json& actual_entry : actual.audit) found = found || Contains(actual_entry, entry);
    if (!found) {
      std::string kinds;
      for (const json& e : actual.audit) kinds += " " + e.value("kind", "?");
      out.push_back(fmt::format("audit: expected an entry containing {}, got {} entries (kinds:{})",
                                entry.dump(), actual.audit.size(), kinds));
    }
  }
  for (const GateExpect& gate : expect.gates) {
    std::vector<std::string> decisions;
    for (const json& e : actual.audit) {
      if (e.value("kind", "") != "gate" || e.value("environment", "") != gate.environment) continue;
      if (!gate.job.empty() && e.value("job", "") != gate.job) continue;
      decisions.push_back(e.value("decision", ""));
    }
    bool ok = gate.decision == "none"
                  ? decisions.empty()
                  : std::find(decisions.begin(), decisions.end(), gate.decision) != decisions.end();
    if (!ok) {
      std::string got = decisions.empty() ? "no gate decision" : "";
      for (const std::string& d : decisions) got += (got.empty() ? "" : ", ") + d;
      out.push_back(fmt::format("gates.{}{}: expected {}, got {}", gate.environment,
                                gate.job.empty() ? "" : " (" + gate.job + ")", gate.decision, got));
    }
  }
  for (const StackExpect& stack : expect.stacks) {
    auto it = actual.stacks.find(stack.name);
    std::string where = "stacks." + stack.name;
    if (it == actual.stacks.end()) {
      out.push_back(where + ": not a stack of the scenario (add it to stubs.stacks)");
      continue;
    }
    if (!stack.status.empty() && stack.status != it->second) {
      out.push_back(fmt::format("{}.status: expected {}, got {}", where, stack.status, it->second));
    }
    // The expected Actions, in order, as a subsequence of the calls made.
    size_t next = 0;
    for (const std::string& action : actual.stack_actions) {
      if (next < stack.actions.size() && action == stack.actions[next]) ++next;
    }
    if (next < stack.actions.size()) {
      std::string made;
      for (const std::string& a : actual.stack_actions) made += (made.empty() ? "" : ", ") + a;
      out.push_back(fmt::format("{}.actions: expected {} (in order), got [{}]", where,
                                stack.actions[next], made));
    }
  }
  for (const std::string& text : expect.console) {
    if (actual.console.find(text) == std::string::npos) {
      out.push_back(fmt::format("console: expected it to contain {}", Quote(text)));
    }
  }
  for (const LogExpect& log : expect.logs) {
    const exec::JobRecord* job = FindJob(record, log.job);
    std::string where = "logs." + log.job + (log.step.empty() ? "" : "." + log.step);
    if (!job) {
      out.push_back(where + ": the job did not run");
      continue;
    }
    std::string text;
    for (const exec::StepRecord& step : job->steps) {
      if (!log.step.empty() && step.id != log.step && step.name != log.step) continue;
      if (!step.log.empty()) text += ReadText(actual.run_dir + "/" + step.log);
    }
    if (log.contains && text.find(*log.contains) == std::string::npos) {
      out.push_back(fmt::format("{}: expected the log to contain {}, got {}", where,
                                Quote(*log.contains),
                                text.empty() ? std::string("an empty log")
                                             : "\n      " + text.substr(0, 600)));
    }
    if (log.not_contains && text.find(*log.not_contains) != std::string::npos) {
      out.push_back(
          fmt::format("{}: expected the log not to contain {}", where, Quote(*log.not_contains)));
    }
  }
  return out;
}

}  // namespace slipway::rehearse
