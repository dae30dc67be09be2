#pragma once
/// The protocol of `slipway expr --batch` (DESIGN.md): one JSON object per input line,
/// `{"expr": "...", "context": {...}}`, one output line per line with an `expr`:
/// `{"result": <json>}` or `{"error": "<message>"}`. A line with a `context` and no `expr` sets
/// the context for the following lines that carry none and produces no output.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "interpreter/expr/evaluator.h"
#include "interpreter/expr/parser.h"
#include "interpreter/expr/value.h"

namespace slipway::expr {

/// Evaluates one expression the way `slipway expr` does, like GitHub's evaluator on its own:
/// the core functions (no status functions, no hashFiles), and the names are the context's
/// members plus the standard context names. Returns the result or GitHub's error message.
Expected<Value, Error> EvaluateText(std::string_view text, const Value& context,
                                    const EvalOptions& options = {});

/// The names `slipway expr` accepts for `context`: its members plus StandardContextNames().
std::vector<std::string> ContextNames(const Value& context);

/// Processes batch lines, keeping the shared context between them. Expressions evaluated
/// against the shared context are parsed once: a bounded cache maps their text to the tree
/// (workflow files repeat expressions a lot; the corpus has 3,190 distinct ones among 11,600).
class BatchSession {
 public:
  /// Handles one input line, appending zero or one output line (with '\n') to `out`.
  void ProcessLine(std::string_view line, std::string& out);

 private:
  void SetShared(Value context);
  void EvaluateShared(std::string_view text, std::string& out);

  static constexpr size_t kMaxCached = 1 << 14;
  Value shared_context_;
  ParseOptions shared_options_;
  bool has_shared_ = false;
  std::unordered_map<std::string, Expr> parsed_;  // for the shared context's names
};

/// Appends `{"result": ...}` or `{"error": "..."}` and '\n' to `out`.
void AppendBatchResult(const Expected<Value, Error>& result, std::string& out);

}  // namespace slipway::expr
