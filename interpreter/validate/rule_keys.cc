// Mapping keys that differ only in case: GitHub's parser (TemplateReader) keeps a mapping's keys
// in a set compared with OrdinalIgnoreCase and reports the second as already defined, so
// `env: {FOO: a, foo: b}` is a load error there. Exact duplicates are the loader's; job ids
// are the job-id rule's.
#include <fmt/format.h>

#include <map>

#include "interpreter/base/ascii.h"
#include "interpreter/validate/rule.h"

namespace slipway::validate {
namespace {

// The keys of mapping `node` that repeat an earlier key ignoring case.
void CheckKeys(const yaml::Node& node, Diagnostics& diagnostics) {
  std::map<std::string, const yaml::Node*> seen;  // lower-cased key → its first spelling
  for (const auto& [key, value] : node.entries) {
    if (!key.is_scalar()) continue;
    auto [first, inserted] = seen.try_emplace(AsciiLower(key.value), &key);
    if (!inserted && first->second->value != key.value) {
      diagnostics.Error("keys", key.where,
                        fmt::format("\"{}\" is already defined as \"{}\": GitHub compares keys "
                                    "ignoring case",
                                    key.value, first->second->value));
    }
  }
}

// Every mapping under `node`; `job_ids`: node is `jobs:`, whose keys the job-id rule checks.
void Walk(const yaml::Node& node, bool job_ids, Diagnostics& diagnostics) {
  if (node.is_sequence()) {
    for (const yaml::Node& item : node.items) Walk(item, false, diagnostics);
    return;
  }
  if (!node.is_mapping()) return;
  if (!job_ids) CheckKeys(node, diagnostics);
  for (const auto& [key, value] : node.entries) Walk(value, false, diagnostics);
}

}  // namespace

void CheckKeysIgnoringCase(const RuleContext& context) {
  const yaml::Node* root = context.workflow.yaml.get();
  if (!root) return;
  if (!root->is_mapping()) return Walk(*root, false, context.diagnostics);
  CheckKeys(*root, context.diagnostics);
  for (const auto& [key, value] : root->entries) {
    Walk(value, key.value == "jobs", context.diagnostics);
  }
}

}  // namespace slipway::validate
