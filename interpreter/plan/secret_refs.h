#pragma once
/// Which secrets a job reads: every `secrets.NAME` in the expressions of the job (its keys,
/// steps, `with:`, `env:`, `if:` ...) and of the workflow's `env:`, which the job inherits.
/// `run` warns only about these when the job's environment lists a secret with no value, and
/// about any of these that has no value at all.

#include <set>
#include <string>

#include "interpreter/model/workflow.h"

namespace slipway::plan {

struct SecretReads {
  std::set<std::string> names;  // upper-cased (secret names are case-insensitive)
  /// Some expression reads secrets as a whole (`toJSON(secrets)`, `secrets[format(...)]`):
  /// any secret may be read.
  bool any = false;
};

SecretReads SecretsReadBy(const model::Workflow& workflow, const model::Job& job);

}  // namespace slipway::plan
