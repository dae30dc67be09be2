#include "interpreter/plan/env_gate.h"

#include <algorithm>

#include "interpreter/plan/git_info.h"
#include "interpreter/plan/glob.h"
#include "interpreter/plan/plan_file.h"

namespace slipway::plan {

std::string FormatDuration(int64_t seconds) {
  if (seconds <= 0) return "0s";
  std::string out;
  if (seconds >= 3600) {
    out += std::to_string(seconds / 3600) + "h";
    seconds %= 3600;
  }
  if (seconds >= 60) {
    out += std::to_string(seconds / 60) + "m";
    seconds %= 60;
  }
  if (seconds > 0) out += std::to_string(seconds) + "s";
  return out;
}

EnvironmentGate EvaluateGate(const model::EnvironmentConfig& config,
                             const model::EnvironmentsConfig& all, const Event& event) {
  EnvironmentGate gate;
  gate.name = config.name.value;
  gate.configured = true;
  if (config.url) gate.url = config.url->value;
  if (config.reviewers) {
    gate.required_reviewers = config.reviewers->count;
    for (const model::Str& user : config.reviewers->users)
      gate.reviewer_users.push_back(user.value);
    for (const model::Str& team : config.reviewers->teams)
      gate.reviewer_teams.push_back(team.value);
    gate.prevent_self_review = config.reviewers->prevent_self_review;
    gate.eligible_reviewers = all.Reviewers(config);
    bool actor_is_reviewer =
        std::find(gate.eligible_reviewers.begin(), gate.eligible_reviewers.end(), event.actor) !=
        gate.eligible_reviewers.end();
    gate.actor_can_approve = actor_is_reviewer && !gate.prevent_self_review;
    size_t available =
        gate.eligible_reviewers.size() - (actor_is_reviewer && gate.prevent_self_review ? 1 : 0);
    if (available < static_cast<size_t>(gate.required_reviewers)) {
      gate.approvable = false;
    }
  }
  gate.wait_timer_s = config.wait_timer_s;
  gate.approval_timeout_s = config.approval_timeout_s;
  for (const auto& [key, value] : config.vars) gate.vars.emplace_back(key.value, value.value);
  for (const model::Str& secret : config.secrets) gate.secrets.push_back(secret.value);

  const model::DeploymentPolicy& policy = config.deployment_branches;
  if (policy.present) {
    gate.has_ref_policy = true;
    // Pull requests deploy from their head branch; other events from their ref.
    std::string kind = event.ref_type;
    std::string name = event.ref_name;
    if (event.name == "pull_request") {
      kind = "branch";
      name = event.head_ref;
    }
    const std::vector<model::Str>& patterns = kind == "tag" ? policy.tags : policy.branches;
    std::vector<std::string> texts;
    for (const model::Str& p : patterns) texts.push_back(p.value);
    PatternList list(texts);
    if (kind != "tag" && kind != "branch") {
      gate.ref_allowed = false;
      gate.refused_by = "branches";
    } else if (!list.Includes(name)) {
      gate.ref_allowed = false;
      gate.refused_by = kind == "tag" ? "tags" : "branches";
    }
    if (!gate.ref_allowed) gate.refused_patterns = texts;
  }
  return gate;
}

std::optional<std::string> RefuseUnconfiguredGates(const Plan& plan, const std::string& looked_at) {
  for (const PlannedJob& job : plan.jobs) {
    if (!job.environment || job.environment->name.empty()) continue;
    return "job \"" + job.id + "\" uses environment \"" + job.environment->name +
           "\", but no environments file was found (looked for " +
           (looked_at.empty() ? std::string("the default file") : looked_at) +
           "); its protection rules are unknown, so the run cannot start: create the file or "
           "pass --env-config";
  }
  return std::nullopt;
}

void WarnUnconfiguredEnvironments(const model::Workflow& workflow, const std::string& workflow_path,
                                  Diagnostics& diagnostics) {
  std::vector<const model::Job*> users;
  for (const model::Job& job : workflow.jobs) {
    const std::string& name = job.environment.name.value;
    if (job.environment.present && !name.empty() && name.find("${{") == std::string::npos) {
      users.push_back(&job);
    }
  }
  if (users.empty()) return;
  std::string looked_at;
  std::string path = DefaultEnvironmentsFile(workflow_path, &looked_at);
  std::optional<model::EnvironmentsConfig> config;
  if (!path.empty()) {
    SourceManager env_sources;  // its own: the caller's may be shared between threads
    Diagnostics env_diagnostics;
    config = LoadEnvironmentsFile(env_sources, path, env_diagnostics);
  }
  for (const model::Job* job : users) {
    const std::string& name = job->environment.name.value;
    if (!config) {
      diagnostics.Warning("env-gate", job->environment.name.where,
                          "environment \"" + name + "\" of job \"" + job->id.value +
                              "\" is not configured: no environments file was found (looked for " +
                              looked_at + "), so run and plan refuse to start this job");
    } else if (!config->Find(name)) {
      diagnostics.Warning("env-gate", job->environment.name.where,
                          "environment \"" + name + "\" of job \"" + job->id.value +
                              "\" is not configured in \"" + path + "\"" +
                              DidYouMean(name, config->Names()));
    }
  }
}

std::string DescribeGate(const EnvironmentGate& gate) {
  if (!gate.configured)
    return "environment \"" + gate.name + "\" has no protection rules configured";
  if (!gate.approvable) {
    return "environment \"" + gate.name + "\" needs " + std::to_string(gate.required_reviewers) +
           " distinct approvals, but without the actor (self-review is not "
           "allowed) fewer " +
           "reviewers remain, so it can never be approved";
  }
  if (!gate.ref_allowed) {
    std::string patterns;
    for (const std::string& p : gate.refused_patterns) {
      if (!patterns.empty()) patterns += ", ";
      patterns += p;
    }
    return "environment \"" + gate.name + "\" refuses this ref: deployment_branches." +
           gate.refused_by +
           (patterns.empty() ? " is empty" : " (" + patterns + ") does not match");
  }
  std::vector<std::string> parts;
  if (gate.required_reviewers > 0) {
    std::string who;
    for (const std::string& r : gate.eligible_reviewers) {
      if (!who.empty()) who += ", ";
      who += r;
    }
    std::string count = std::to_string(gate.required_reviewers);
    parts.push_back("waits for " + count +
                    (gate.required_reviewers == 1 ? " approval" : " distinct approvals") +
                    " from " + who +
                    (gate.prevent_self_review ? " (self-review not allowed)" : ""));
  }
  if (gate.wait_timer_s > 0) {
    parts.push_back((parts.empty() ? "waits " : "then waits ") + FormatDuration(gate.wait_timer_s) +
                    " (wait timer)");
  }
  if (parts.empty()) return "deploys to \"" + gate.name + "\" without approval";
  std::string out = "environment \"" + gate.name + "\": ";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out;
}

}  // namespace slipway::plan
