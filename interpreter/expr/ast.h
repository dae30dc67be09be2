#pragma once
/// The parsed form of an expression: a compact tree of nodes held in flat vectors (children
/// listed by index), built once by Parse and then evaluated many times. The tree owns a copy of
/// the expression text, its literal values and property names.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/expr/value.h"

namespace slipway::expr {

enum class NodeKind : uint8_t {
  kLiteral,     // value
  kNamedValue,  // a context name (value holds the name)
  kProperty,    // child0 . name (value holds the name)  — also child0['literal']
  kIndex,       // child0 [ child1 ]
  kWildcard,    // child0.* or child0[*]
  kNot,         // ! child0
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,   // n-ary, returns an operand
  kOr,    // n-ary, returns an operand
  kCall,  // function(args...); `function` indexes the function table (kUnknownFunction if none)
};

inline constexpr uint8_t kUnknownFunction = 0xFF;
inline constexpr uint32_t kNoNode = 0xFFFFFFFF;
inline constexpr uint32_t kNoValue = 0xFFFFFFFF;

/// One node. `offset`/`length` cover the node's own token in the expression (the operator,
/// the name, the literal, the function name).
struct Node {
  NodeKind kind = NodeKind::kLiteral;
  uint8_t function = kUnknownFunction;
  uint16_t height = 1;  // nodes on the longest path down from here (saturating)
  uint32_t offset = 0;
  uint32_t length = 0;
  uint32_t first_child = 0;  // into Expr::children()
  uint32_t child_count = 0;
  uint32_t value = kNoValue;  // into Expr::values() for kLiteral (and a['quoted'] property)
  uint32_t hash = 0;          // HashIgnoreCase of the name for kNamedValue and kProperty
};

/// A parsed expression. An empty expression has no root and evaluates to null.
class Expr {
 public:
  const std::string& source() const { return source_; }
  bool empty() const { return root_ == kNoNode; }
  uint32_t root() const { return root_; }
  const Node& node(uint32_t i) const { return nodes_[i]; }
  size_t node_count() const { return nodes_.size(); }
  std::span<const uint32_t> children(const Node& n) const {
    return {children_.data() + n.first_child, n.child_count};
  }
  const Value& value(const Node& n) const { return values_[n.value]; }
  /// The name of a kNamedValue, kProperty or kCall node, as written (a['x''y'] gives x'y).
  std::string_view name(const Node& n) const {
    return n.value == kNoValue ? text(n) : values_[n.value].string();
  }
  /// The source text of a node's own token.
  std::string_view text(const Node& n) const {
    return std::string_view(source_).substr(n.offset, n.length);
  }

  /// Lisp-like dump for tests: `(== (index (prop a b) 0) 'x')`, `(&& a b)`, `(! a)`,
  /// `(filter a)` for a.* and a[*], `(fn format 'x' 1)`, literals as written by GitHub
  /// (null, true, 1.5, 'it''s').
  std::string Dump() const;

 private:
  friend class Parser;
  std::string source_;
  std::vector<Node> nodes_;
  std::vector<uint32_t> children_;
  std::vector<Value> values_;
  uint32_t root_ = kNoNode;
};

}  // namespace slipway::expr
