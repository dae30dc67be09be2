#pragma once
/// Static facts about a parsed expression, for the validator: which contexts it reads (with
/// the property path), which functions it calls, whether it calls a status function.
///
///   Expected<Expr, Error> e = Parse("needs.build.outputs.x == 'y'", {.allow_any_name = true});
///   Analysis a = Analyze(*e);
///   a.accesses[0].Path() == "needs.build.outputs.x"

#include <cstdint>
#include <string>
#include <vector>

#include "interpreter/expr/ast.h"

namespace slipway::expr {

/// One step of an access path: a property name as written, "*" for a filter, or the text of a
/// literal index (foo[0] → "0", foo['bar'] → "bar").
struct PathSegment {
  std::string name;
  uint32_t offset = 0;  // of the name (or of "[" / "*") in the expression
  uint32_t length = 0;
  bool wildcard = false;
};

/// A read of a named value: `github.event.issue.title` → segments github, event, issue, title.
/// The path stops at the first computed index (`matrix[format(...)]` → just "matrix", with
/// `dynamic` set); the index expression's own accesses are reported separately.
struct NamedValueAccess {
  std::vector<PathSegment> segments;
  bool dynamic = false;
  uint32_t offset = 0;  // start of the named value
  uint32_t length = 0;  // up to the end of the last static segment
  /// "a.b.c" (wildcards as "*").
  std::string Path() const;
};

struct FunctionCallInfo {
  std::string name;  // as written
  uint32_t arg_count = 0;
  uint32_t offset = 0;  // of the name
  uint32_t length = 0;
  bool known = false;  // in the function table
};

struct Analysis {
  std::vector<NamedValueAccess> accesses;  // in source order
  std::vector<FunctionCallInfo> calls;     // in source order
  bool calls_status_function = false;      // success(), always(), failure(), cancelled()
};

Analysis Analyze(const Expr& expr);

}  // namespace slipway::expr
