#pragma once
/// The built-in functions: one table (functions.cc) of name, arity range, group and
/// implementation. Names are case-insensitive. Implementations receive their arguments
/// unevaluated, because GitHub evaluates some lazily (format, case, join's separator).

#include <cstdint>
#include <span>
#include <string_view>

#include "interpreter/base/expected.h"
#include "interpreter/expr/error.h"
#include "interpreter/expr/value.h"

namespace slipway::expr {

class Evaluator;
struct Node;

/// Which functions a context offers: the core ones everywhere, status functions in `if:`,
/// hashFiles in steps. A parse can be limited to a subset (ParseOptions).
enum class FunctionGroup : uint8_t { kCore = 1, kStatus = 2, kHashFiles = 4 };

using FunctionImpl = Expected<Value, Error> (*)(Evaluator& ev, const Node& call,
                                                std::span<const uint32_t> args);

struct FunctionInfo {
  const char* name;  // GitHub's spelling, e.g. "startsWith"
  uint8_t min_args;
  uint8_t max_args;
  /// The most arguments in a job's `if:` (ParseOptions::job_condition), where GitHub's job-if
  /// context declares "success(0,MAX)" and "failure(0,MAX)" (names of needed jobs) but
  /// "always(0,0)" and "cancelled(0,0)" (workflow-v1.0.json; WorkflowTemplateConverter's
  /// s_jobConditionFunctions).
  uint8_t max_args_in_job_if;
  FunctionGroup group;
  FunctionImpl impl;
};

/// The whole table.
std::span<const FunctionInfo> Functions();
/// Index into Functions() of `name` (case-insensitive), or -1.
int FindFunction(std::string_view name);
/// True for success, always, failure, cancelled.
bool IsStatusFunction(std::string_view name);

}  // namespace slipway::expr
