#pragma once
/// Evaluate: a parsed Expr against the contexts → a Value, or an Error (never an exception).

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "interpreter/base/expected.h"
#include "interpreter/expr/ast.h"
#include "interpreter/expr/error.h"
#include "interpreter/expr/value.h"

namespace slipway::expr {

/// What the status functions answer, supplied by whoever evaluates an `if:` (the job's or the
/// run's current state). The default is a run where nothing has failed.
struct StatusState {
  bool success = true;     // success()
  bool failure = false;    // failure()
  bool cancelled = false;  // cancelled()
};

struct EvalOptions {
  StatusState status;
  /// Root directory for hashFiles(); when empty, the context's github.workspace.
  std::string workspace;
  /// GitHub's evaluation memory budget (1 MiB), counted as the runner counts it.
  int64_t max_memory = 1 << 20;
};

/// Evaluates `expr` with `context` (an object whose members are the named values).
Expected<Value, Error> Evaluate(const Expr& expr, const Value& context,
                                const EvalOptions& options = {});

/// The evaluation of one expression; functions (functions.cc) call back into it.
class Evaluator {
 public:
  Evaluator(const Expr& expr, const Value& context, const EvalOptions& options)
      : expr_(expr), context_(context), options_(options) {}

  Expected<Value, Error> Run();
  /// Evaluates node `i` (at tree depth `level_ + 1` below the caller).
  Expected<Value, Error> Eval(uint32_t i);

  const Expr& expr() const { return expr_; }
  const Value& context() const { return context_; }
  const EvalOptions& options() const { return options_; }
  /// An evaluation error located at `node`.
  Error MakeError(const Node& node, std::string message) const;
  /// Counts `bytes` against the memory budget of a function's own buffers (GitHub's
  /// MemoryCounter); false when the budget is exceeded.
  bool FitsMemory(int64_t bytes) const { return bytes <= options_.max_memory; }
  Error MemoryError(const Node& node) const;

 private:
  Expected<Value, Error> EvalCore(const Node& n);
  Expected<Value, Error> EvalIndex(const Node& n);
  bool AddMemory(int level, int64_t bytes, bool trim);

  const Expr& expr_;
  const Value& context_;
  const EvalOptions& options_;
  int level_ = -1;
  // GitHub's EvaluationMemory: bytes held per tree level; a primitive result releases the
  // levels below it.
  std::array<int64_t, 64> level_bytes_{};
  int max_active_level_ = -1;
  int64_t total_bytes_ = 0;
};

}  // namespace slipway::expr
