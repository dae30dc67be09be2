#include "interpreter/exec/composite_action.h"

#include <fmt/format.h>

#include <cctype>
#include <filesystem>
#include <optional>
#include <vector>

#include "interpreter/base/ascii.h"
#include "interpreter/base/diagnostic.h"
#include "interpreter/model/action.h"

namespace slipway::exec {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;


/// "file:line:col: " for a position in `file`; "file: " when the position is unknown.
std::string Where(const std::string& file, const SourcePos& pos) {
  if (!pos.known()) return file + ": ";
  return fmt::format("{}:{}:{}: ", file, pos.line, pos.col);
}

/// "./a -> ./b -> ./a" for the frames from the job down to `frame`, then `next`.
std::string Chain(const CompositeFrame* frame, const std::string& next) {
  std::vector<std::string> names{next};
  for (; frame; frame = frame->parent) names.insert(names.begin(), frame->uses);
  return fmt::format("{}", fmt::join(names, " -> "));
}

/// Makes the current frame `frame` for as long as it lives, then restores the caller's.
class FrameScope {
 public:
  FrameScope(CompositeHost& host, const CompositeFrame* frame) : host_(host), saved_(host.frame()) {
    host_.SetFrame(frame);
  }
  ~FrameScope() { host_.SetFrame(saved_); }
  FrameScope(const FrameScope&) = delete;
  FrameScope& operator=(const FrameScope&) = delete;

 private:
  CompositeHost& host_;
  const CompositeFrame* saved_;
};

std::string TemplateString(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  return plan::ValueToTemplateString(ordered_json::parse(value.dump()));
}

/// Binds the caller's `with:` to the declared inputs: unknown names are a warning (as on
/// GitHub), a missing required input is an error (GitHub only warns; an action that needs a
/// value should not run without it). Defaults are evaluated in the caller's contexts.
std::string BindInputs(CompositeHost& host, const CompositeCall& call, const model::Action& action,
                       const std::string& action_file, ordered_json* inputs) {
  std::vector<std::string> declared;
  for (const model::ActionInput& input : action.inputs) declared.push_back(input.id.value);
  // The runner's warnings, in its words (ActionRunner.cs): each deprecated input given, then
  // every unexpected one in one line.
  std::vector<std::string> unexpected;
  for (auto it = call.with.begin(); it != call.with.end(); ++it) {
    const model::ActionInput* input = action.FindInput(it.key());
    if (!input) {
      unexpected.push_back(it.key());
      (*inputs)[it.key()] = TemplateString(*it);
      continue;
    }
    if (input->deprecation_message) {
      host.Log(fmt::format("warning: Input '{}' has been deprecated with message: {}",
                           input->id.value, input->deprecation_message->value));
    }
  }
  if (!unexpected.empty()) {
    host.Log(fmt::format("warning: Unexpected input(s) '{}', valid inputs are ['{}']{}",
                         fmt::join(unexpected, "', '"), fmt::join(declared, "', '"),
                         DidYouMean(unexpected.front(), declared)));
  }
  for (const model::ActionInput& input : action.inputs) {
    std::optional<std::string> given;
    for (auto it = call.with.begin(); it != call.with.end(); ++it) {
      if (AsciiLower(it.key()) == AsciiLower(input.id.value)) given = TemplateString(*it);
    }
    if (given) {
      (*inputs)[input.id.value] = *given;
    } else if (input.default_value) {
      std::string error;
      std::string value = host.EvaluateText(input.default_value->value, call.env, &error);
      if (!error.empty()) {
        return Where(action_file, input.default_value->where.begin) +
               fmt::format("cannot evaluate the default of input \"{}\": {}", input.id.value,
                           error);
      }
      (*inputs)[input.id.value] = value;
    } else if (input.required) {
      SourcePos at = call.step && call.step->uses ? call.step->uses->where.begin : SourcePos{};
      return Where(call.caller_file, at) +
             fmt::format("missing required input \"{}\" for action \"{}\" (declared at {}:{}:{})",
                         input.id.value, call.uses, action_file, input.id.where.begin.line,
                         input.id.where.begin.col);
    } else {
      (*inputs)[input.id.value] = "";
    }
  }
  return "";
}

/// The env a step of the action sees before its own `env:`: the caller's, plus what earlier
/// steps wrote to GITHUB_ENV since the action started, except keys a calling step's `env:`
/// sets (CompositeActionHandler: global env, then StepEnvironmentOverrides).
ordered_json InnerEnv(const ordered_json& caller_env, const ordered_json& env_at_start,
                      const ordered_json& env_now, const std::set<std::string>& overrides) {
  ordered_json env = caller_env;
  for (auto it = env_now.begin(); it != env_now.end(); ++it) {
    if (overrides.contains(it.key())) continue;
    auto before = env_at_start.find(it.key());
    if (before == env_at_start.end() || *before != *it) env[it.key()] = *it;
  }
  return env;
}

}  // namespace

bool IsLocalActionUses(std::string_view uses) { return uses.rfind("./", 0) == 0; }

StepOutcome RunCompositeAction(CompositeHost& host, const CompositeCall& call) {
  const CompositeFrame* caller = host.frame();
  SourcePos uses_at = call.step && call.step->uses ? call.step->uses->where.begin : SourcePos{};
  int depth = caller ? caller->depth() + 1 : 1;
  if (depth > kMaxCompositeDepth) {
    return StepOutcome::Failure(
        Where(call.caller_file, uses_at) +
        fmt::format("composite actions are nested more than {} levels deep: {}",
                    kMaxCompositeDepth, Chain(caller, call.uses)));
  }

  std::string display = model::LocalActionDir(call.uses);
  fs::path dir = fs::path(host.workspace()) / display;
  SourceManager sources;
  Diagnostics diagnostics;
  std::optional<model::Action> action =
      model::LoadActionDir(sources, dir.lexically_normal().string(), display, diagnostics,
                           host.workspace());
  if (!action) {
    diagnostics.Sort();
    std::vector<std::string> messages;
    for (const Diagnostic& d : diagnostics.items()) {
      if (d.severity != Severity::kError) continue;
      messages.push_back(d.where.file == kNoFile
                             ? Where(call.caller_file, uses_at) +
                                   fmt::format("local action \"{}\": {}", call.uses, d.message)
                             : Where(sources.path(d.where.file), d.where.begin) + d.message);
    }
    if (messages.empty()) {
      return StepOutcome::Failure(fmt::format("cannot load local action \"{}\"", call.uses));
    }
    if (messages.size() == 1) return StepOutcome::Failure(messages.front());
    for (const std::string& message : messages) host.Log("error: " + message);
    return StepOutcome::Failure(fmt::format("local action \"{}\" has {} errors in {} (listed above)",
                                            call.uses, messages.size(),
                                            sources.path(diagnostics.items().front().where.file)));
  }

  CompositeFrame frame;
  frame.parent = caller;
  frame.uses = call.uses;
  frame.action_path = dir.lexically_normal().string();
  while (frame.action_path.size() > 1 && frame.action_path.back() == '/') {
    frame.action_path.pop_back();
  }
  frame.file = sources.path(action->file);
  if (caller) frame.env_overrides = caller->env_overrides;
  if (call.step) {
    for (const auto& [key, value] : call.step->env) frame.env_overrides.insert(key.value);
  }
  frame.action = call.action;
  if (caller && caller->deadline) {
    frame.deadline = caller->deadline;
    frame.timeout_minutes = caller->timeout_minutes;
  }
  if (call.timeout_minutes) {
    auto deadline =
        call.now + std::chrono::milliseconds(static_cast<int64_t>(*call.timeout_minutes * 60'000));
    if (!frame.deadline || deadline < *frame.deadline) {
      frame.deadline = deadline;
      frame.timeout_minutes = *call.timeout_minutes;
    }
  }
  if (std::string error = BindInputs(host, call, *action, frame.file, &frame.inputs);
      !error.empty()) {
    return StepOutcome::Failure(error);
  }

  FrameScope scope(host, &frame);
  const ordered_json env_at_start = host.github_env();
  StepOutcome result;
  bool cancelled = false;
  for (const model::Step& step : action->steps) {
    std::string error;
    ordered_json env = InnerEnv(call.env, env_at_start, host.github_env(), frame.env_overrides);
    ordered_json layered = env;
    for (const auto& [key, value] : step.env) {
      layered[key.value] = host.EvaluateText(value.value, env, &error);
    }
    // The display name is best effort, as at job level: an error leaves it as written.
    model::Step::NameSource source = step.DisplayNameSource();
    std::string name_error;
    std::string name = host.EvaluateText(source.text.value, layered, &name_error);
    name = model::FormatDisplayName(source.prefix, name_error.empty() ? name : source.text.value);
    std::string id = step.id ? step.id->value : "";
    std::string condition_text =
        step.if_condition ? step.if_condition->value : std::string("success()");
    plan::Condition condition = host.EvaluateCondition(condition_text, layered);
    StepOutcome done;
    if (cancelled || condition.kind == plan::Condition::Kind::kFalse) {
      done.outcome = StepConclusion::kSkipped;
    } else {
      host.Log(fmt::format("{} {}", std::string(static_cast<size_t>(depth) + 1, '>'), name));
      if (condition.kind != plan::Condition::Kind::kTrue) {
        // CompositeActionHandler: a condition that cannot be evaluated fails the step and
        // ends the action; no later step of it runs, always() ones included.
        std::string message =
            fmt::format("cannot evaluate \"if: {}\": {}", condition_text,
                        condition.error.empty() ? condition.unknown : condition.error);
        host.Log("error: " + Where(frame.file, step.where.begin) + message);
        result.outcome = StepConclusion::kFailure;
        if (result.message.empty()) {
          result.message =
              fmt::format("step \"{}\" of action \"{}\" failed: {}", name, call.uses, message);
        }
        frame.failed = true;
        break;
      } else if (!error.empty()) {
        done = StepOutcome::Failure("cannot evaluate the step's env: " + error);
      } else {
        done = host.RunStep(step, layered, frame.action);
      }
    }
    StepConclusion conclusion = done.outcome;
    if (!id.empty()) {
      // Recorded before continue-on-error is asked, which may read the step's own outputs.
      ordered_json out = ordered_json::object();
      for (const auto& [key, value] : done.outputs) out[key] = value;
      frame.steps[id] = {{"outputs", out},
                         {"outcome", StepConclusionName(done.outcome)},
                         {"conclusion", StepConclusionName(conclusion)}};
    }
    if (done.outcome == StepConclusion::kFailure) {
      std::string coe_error;
      bool continue_on_error =
          step.continue_on_error &&
          host.ContinueOnError(step.continue_on_error->value, layered, &coe_error);
      if (!coe_error.empty()) {
        host.Log("error: " + Where(frame.file, step.continue_on_error->where.begin) +
                 "continue-on-error: " + coe_error);
      }
      // A nested action's failure already names the step inside it that failed: pass it on
      // as it is rather than wrapping it once per level.
      bool nested = step.uses && IsLocalActionUses(step.uses->value);
      if (!nested || continue_on_error) {
        host.Log("error: " + Where(frame.file, step.where.begin) +
                 fmt::format("step \"{}\" failed: {}{}", name, done.message,
                             continue_on_error ? " (continue-on-error)" : ""));
      }
      if (continue_on_error) {
        conclusion = StepConclusion::kSuccess;
      } else {
        frame.failed = true;
        if (result.message.empty()) {
          result.outcome = StepConclusion::kFailure;
          result.message = nested ? done.message
                                  : fmt::format("step \"{}\" of action \"{}\" failed: {}", name,
                                                call.uses, done.message);
        }
      }
    } else if (done.outcome == StepConclusion::kCancelled) {
      cancelled = true;
    }
    if (!id.empty()) frame.steps[id]["conclusion"] = StepConclusionName(conclusion);
  }
  if (cancelled) return StepOutcome::Cancelled();

  // The action's outputs, evaluated after its steps in its own contexts, with the env the
  // calling step started with (EvaluateCompositeOutputs; GITHUB_ENV writes of the inner steps
  // are not in it). The whole mapping is one evaluation: any error (an object or array is not
  // a string) fails the step and sets no output.
  for (const model::ActionOutput& output : action->outputs) {
    if (!output.value) continue;
    std::string error;
    std::string value = host.EvaluateString(output.value->value, call.env, &error);
    if (!error.empty()) {
      result.outputs.clear();
      result.outcome = StepConclusion::kFailure;
      if (result.message.empty()) {
        result.message = Where(frame.file, output.value->where.begin) +
                         fmt::format("cannot evaluate output \"{}\": {}", output.id.value, error);
      }
      return result;
    }
    result.outputs[output.id.value] = value;
  }
  return result;
}

}  // namespace slipway::exec
