#include "interpreter/expr/analysis.h"

#include <algorithm>

#include "interpreter/expr/functions.h"

namespace slipway::expr {
namespace {

bool IsChainNode(NodeKind k) {
  return k == NodeKind::kProperty || k == NodeKind::kWildcard || k == NodeKind::kIndex;
}

class Analyzer {
 public:
  explicit Analyzer(const Expr& e) : e_(e) {}

  void Walk(uint32_t i) {
    const Node& n = e_.node(i);
    if (n.kind == NodeKind::kNamedValue || IsChainNode(n.kind)) {
      NamedValueAccess access;
      if (BuildChain(i, access)) {
        result_.accesses.push_back(std::move(access));
        return;
      }
    }
    if (n.kind == NodeKind::kCall) {
      FunctionCallInfo call;
      call.name = std::string(e_.name(n));
      call.arg_count = n.child_count;
      call.offset = n.offset;
      call.length = n.length;
      call.known = n.function != kUnknownFunction;
      if (IsStatusFunction(call.name)) result_.calls_status_function = true;
      result_.calls.push_back(std::move(call));
    }
    for (uint32_t c : e_.children(n)) Walk(c);
  }

  Analysis Take() {
    auto by_offset = [](const auto& a, const auto& b) { return a.offset < b.offset; };
    std::stable_sort(result_.accesses.begin(), result_.accesses.end(), by_offset);
    std::stable_sort(result_.calls.begin(), result_.calls.end(), by_offset);
    return std::move(result_);
  }

 private:
  // Builds the access path ending at node `i` if its chain starts at a named value. Computed
  // indexes are walked for their own accesses.
  bool BuildChain(uint32_t i, NamedValueAccess& access) {
    const Node& n = e_.node(i);
    if (n.kind == NodeKind::kNamedValue) {
      access.segments.push_back({std::string(e_.name(n)), n.offset, n.length, false});
      access.offset = n.offset;
      access.length = n.length;
      return true;
    }
    if (!IsChainNode(n.kind)) return false;
    const auto children = e_.children(n);
    if (!BuildChain(children[0], access)) return false;
    if (access.dynamic) {
      if (n.kind == NodeKind::kIndex) Walk(children[1]);
      return true;
    }
    PathSegment seg;
    seg.offset = n.offset;
    seg.length = n.length;
    if (n.kind == NodeKind::kProperty) {
      seg.name = std::string(e_.name(n));
    } else if (n.kind == NodeKind::kWildcard) {
      seg.name = "*";
      seg.wildcard = true;
    } else {
      const Node& index = e_.node(children[1]);
      if (index.kind != NodeKind::kLiteral) {
        access.dynamic = true;
        Walk(children[1]);
        return true;
      }
      seg.name = ToString(e_.value(index));
    }
    access.length = std::max(access.length, seg.offset + seg.length - access.offset);
    access.segments.push_back(std::move(seg));
    return true;
  }

  const Expr& e_;
  Analysis result_;
};

}  // namespace

std::string NamedValueAccess::Path() const {
  std::string out;
  for (const PathSegment& s : segments) {
    if (!out.empty()) out.push_back('.');
    out += s.name;
  }
  return out;
}

Analysis Analyze(const Expr& expr) {
  Analyzer a(expr);
  if (!expr.empty()) a.Walk(expr.root());
  return a.Take();
}

}  // namespace slipway::expr
