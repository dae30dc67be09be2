#pragma once
/// Reusable-workflow calls (`jobs.<id>.uses`), the parts `plan` and `run` share: the set of
/// workflow files a run reads (the main one and every workflow its jobs call, loaded by
/// LoadCalledWorkflows in called_workflows.h), and how one call is evaluated — its `with:` typed
/// per the callee's `on.workflow_call.inputs`, its `secrets:` (mapped, or `inherit`), and the
/// callee's `on.workflow_call.outputs` over its jobs' results and outputs.
/// https://docs.github.com/actions/using-workflows/reusing-workflows
///
/// Names: a called job's id is the calling job's instance key, "/", and the job's id in the
/// called file: "call/build", or "call (a, 1)/build" for a leg of a calling matrix. (GitHub's
/// web page shows "call / build" and "call (a, 1) / build"; slipway drops the spaces around "/"
/// so that `--job call/build` is one word.)

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "interpreter/model/workflow.h"
#include "interpreter/plan/resolve.h"

namespace slipway::plan {

/// GitHub's limit: the top-level caller and up to nine levels of reusable workflows.
/// https://docs.github.com/actions/using-workflows/reusing-workflows#nesting-reusable-workflows
inline constexpr int kMaxWorkflowLevels = 10;

/// One workflow file of a run: the main workflow (WorkflowSet::sources[0]) or a called one.
struct WorkflowSource {
  std::string uses;    // the call as first written; "" for the main workflow
  std::string path;    // the file read
  std::string sha256;  // of its bytes
  const model::Workflow* workflow = nullptr;
  std::map<uint32_t, uint32_t> calls;  // job index in this file → the source it calls
};

/// Every workflow file a run reads, the main one first. The plan refers to a source by its
/// index (PlannedJob::source); the models are owned here (or, for sources[0], by the caller).
struct WorkflowSet {
  std::vector<WorkflowSource> sources;
  std::vector<std::unique_ptr<model::Workflow>> owned;

  /// The source called by job `job` of source `source`; null when it calls none (or the call
  /// was refused).
  const WorkflowSource* CalleeOf(uint32_t source, uint32_t job) const;
  /// {"uses", "path", "sha256"} of every called file, in source order (plan JSON, run record).
  nlohmann::ordered_json CalledFilesJson() const;
};

/// The key of a job instance: the job id, or "id (v1, v2)" with its matrix values in order (the
/// run record's key, and the calling part of a called job's id).
std::string InstanceKey(const std::string& job_id, const nlohmann::ordered_json& matrix);

/// The id of a called job: `caller_key` (the calling job's instance key) + "/" + its own id.
std::string CalledJobId(const std::string& caller_key, const std::string& inner_id);

/// The `inputs` context of a called workflow: each `with:` value evaluated in `caller_scope`
/// (the calling job's contexts, with its matrix leg), typed per the callee's input
/// declarations (boolean, number, string), and the defaults of those not given, evaluated in
/// `callee_scope` (github, vars). `unknown` lists the inputs known only at run time (plan).
struct CallInputs {
  nlohmann::ordered_json inputs = nlohmann::ordered_json::object();
  std::vector<std::string> unknown;
  std::string error;  // the first value that does not fit its type, or that fails
};
CallInputs EvaluateCallInputs(const model::Job& caller, const model::Trigger* call,
                              const Scope& caller_scope, const Scope& callee_scope);

/// The `secrets` context of a called workflow: with `secrets: inherit`, `caller_secrets` as
/// they are; otherwise only the secrets the call maps, each evaluated in `caller_scope` (which
/// holds the caller's `secrets`). A secret not passed is absent, so it reads as "".
std::map<std::string, std::string> EvaluateCallSecrets(
    const model::Job& caller, const std::map<std::string, std::string>& caller_secrets,
    const Scope& caller_scope, std::string* error);

/// The outputs of a finished call: the callee's `on.workflow_call.outputs`, each evaluated with
/// `jobs` = {inner id: {"result", "outputs"}} of the call's jobs (and github, inputs, vars from
/// `scope`). Empty values are not set, as for a job's outputs.
std::map<std::string, std::string> EvaluateCallOutputs(const model::Trigger* call,
                                                       const nlohmann::ordered_json& jobs,
                                                       const Scope& scope, std::string* error);

}  // namespace slipway::plan
