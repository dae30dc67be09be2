// The only list of semantic rules (compare ninja's kTools[]). Adding a rule is one
// rule_<id>.cc file defining its check, one declaration and one row here.
#include "interpreter/validate/rule.h"

namespace slipway::validate {

void CheckYamlTags(const RuleContext& context);
void CheckKeysIgnoringCase(const RuleContext& context);
void CheckJobIds(const RuleContext& context);
void CheckJobNeeds(const RuleContext& context);
void CheckJobKind(const RuleContext& context);
void CheckSteps(const RuleContext& context);
void CheckUses(const RuleContext& context);
void CheckLocalActions(const RuleContext& context);
void CheckInputs(const RuleContext& context);
void CheckCron(const RuleContext& context);
void CheckGlobs(const RuleContext& context);
void CheckMatrix(const RuleContext& context);
void CheckExpressionSyntax(const RuleContext& context);
void CheckExpressionContexts(const RuleContext& context);
void CheckExpressionInputs(const RuleContext& context);
void CheckExpressionNeeds(const RuleContext& context);
void CheckExpressionSteps(const RuleContext& context);
void CheckExpressionMatrix(const RuleContext& context);
void CheckExpressionShapes(const RuleContext& context);
void CheckExpressionInjection(const RuleContext& context);
void CheckExpressionLints(const RuleContext& context);
void CheckExpressionCase(const RuleContext& context);
void CheckActionInputs(const RuleContext& context);
void CheckReusableCalls(const RuleContext& context);
void CheckTimeoutMinutes(const RuleContext& context);
void CheckConcurrency(const RuleContext& context);

const std::vector<Rule>& Rules() {
  static const std::vector<Rule> kRules = {
      {"yaml", "explicit YAML tags: only the core schema's, fitting their values", &CheckYamlTags},
      {"keys", "mapping keys unique ignoring case (GitHub's parser)", &CheckKeysIgnoringCase},
      {"job-id", "job ids: syntax, reserved \"__\" prefix, length, unique ignoring case",
       &CheckJobIds},
      {"job-needs", "needs: jobs that exist, no duplicates, no cycles", &CheckJobNeeds},
      {"job-kind", "runner jobs need runs-on; reusable-workflow calls take only their keys",
       &CheckJobKind},
      {"step-kind",
       "a step is run, uses or a background-step control, with that kind's keys; "
       "step ids (step-id) are valid and unique per job; shells (step-shell) are known",
       &CheckSteps},
      {"uses-format",
       "uses: action, docker:// and reusable-workflow syntax; built-in steps "
       "(builtin-step) and their inputs (step-with)",
       &CheckUses},
      {"local-action",
       "uses: ./path names a runnable composite action that exists, and with: fits its inputs",
       &CheckLocalActions},
      {"action-inputs",
       "with: of the common actions slipway runs locally names inputs they declare",
       &CheckActionInputs},
      {"input", "workflow_dispatch / workflow_call inputs: names, types, defaults, options",
       &CheckInputs},
      {"reusable-call",
       "a call of a reusable workflow at hand fits its workflow_call inputs, secrets and outputs",
       &CheckReusableCalls},
      {"timeout-minutes",
       "timeout-minutes and cancel-timeout-minutes numbers in GitHub's range (whole minutes, an "
       "Int32; a job's at least one)",
       &CheckTimeoutMinutes},
      {"concurrency", "a literal concurrency group name within GitHub's 400 characters",
       &CheckConcurrency},
      {"cron", "schedule cron syntax", &CheckCron},
      {"glob", "branch, tag and path filter patterns", &CheckGlobs},
      {"matrix",
       "matrix axes are non-empty, at most 256 combinations (counted before expanding); "
       "max-parallel is positive",
       &CheckMatrix},
      {"expr-syntax", "${{ }} closed, non-empty and parseable", &CheckExpressionSyntax},
      {"expr-context",
       "expressions only where allowed (expr-allowed), with the contexts and "
       "functions available there",
       &CheckExpressionContexts},
      {"expr-inputs", "inputs.<name> and github.event.inputs.<name> name declared inputs",
       &CheckExpressionInputs},
      {"expr-needs",
       "needs.<job> names a job in this job's needs, with its declared outputs (also jobs.<job> "
       "in workflow_call outputs)",
       &CheckExpressionNeeds},
      {"expr-steps", "steps.<id> names an earlier step of the same job", &CheckExpressionSteps},
      {"expr-matrix",
       "matrix.<key> names a matrix axis or include key; exclude keys name an axis (matrix)",
       &CheckExpressionMatrix},
      {"expr-shape", "env, vars and secrets values are strings with well-formed names",
       &CheckExpressionShapes},
      {"expr-injection", "untrusted event fields interpolated into run: and github-script scripts",
       &CheckExpressionInjection},
      {"expr-lint",
       "expressions that are always false or null: contains() with swapped arguments, "
       "indexing a string",
       &CheckExpressionLints},
      {"expr-case",
       "== / != on an input guarding a failure or a confirmation ignores case: suggest an "
       "exact match",
       &CheckExpressionCase},
  };
  return kRules;
}

}  // namespace slipway::validate
