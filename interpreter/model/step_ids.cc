#include "interpreter/model/step_ids.h"

#include <map>
#include <set>

#include "interpreter/base/ascii.h"

namespace slipway::model {
namespace {

constexpr size_t kMaxIdLength = 100;

bool IdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// What the default id of a step without `id:` is made from ("" → "run").
std::string DefaultSegment(const Step& step) {
  if (!step.uses) return "run";
  const std::string& uses = step.uses->value;
  if (uses.rfind("docker://", 0) == 0) return uses.substr(9);
  if (uses.rfind("./", 0) == 0 || uses.rfind(".\\", 0) == 0) return "self";
  size_t at = uses.find('@');
  if (at == std::string::npos || at + 1 == uses.size() ||
      uses.find('@', at + 1) != std::string::npos) {
    return "run";
  }
  std::vector<std::string> parts;
  std::string part;
  for (char c : uses.substr(0, at) + "/") {
    if (c == '/' || c == '\\') {
      if (!part.empty()) parts.push_back(part);
      part.clear();
    } else {
      part += c;
    }
  }
  return parts.size() >= 2 ? parts[0] + "/" + parts[1] : "run";
}

}  // namespace

std::vector<std::string> StepIds(const std::vector<Step>& steps) {
  std::set<std::string> taken;  // lower-cased
  for (const Step& step : steps) {
    if (step.id) taken.insert(AsciiLower(step.id->value));
  }
  std::vector<std::string> ids;
  ids.reserve(steps.size());
  // Per base, the attempt that last succeeded: every attempt before it is taken (the set only
  // grows), so a job of many `run:` steps costs linear time, not quadratic.
  std::map<std::string, int> next_attempt;
  for (const Step& step : steps) {
    if (step.id) {
      ids.push_back(step.id->value);
      continue;
    }
    std::string base = "__";
    for (char c : DefaultSegment(step)) base += IdChar(c) ? c : '_';
    int& start = next_attempt.try_emplace(base, 1).first->second;
    for (int attempt = start;; ++attempt) {
      std::string suffix = attempt == 1 ? "" : "_" + std::to_string(attempt);
      std::string candidate = base.substr(0, kMaxIdLength - 1 - suffix.size()) + suffix;
      if (taken.insert(AsciiLower(candidate)).second) {
        ids.push_back(candidate);
        start = attempt + 1;
        break;
      }
    }
  }
  return ids;
}

}  // namespace slipway::model
