#include "interpreter/expr/ast.h"

#include "interpreter/expr/functions.h"

namespace slipway::expr {
namespace {

const char* OperatorText(NodeKind kind) {
  switch (kind) {
    case NodeKind::kNot:
      return "!";
    case NodeKind::kEq:
      return "==";
    case NodeKind::kNe:
      return "!=";
    case NodeKind::kLt:
      return "<";
    case NodeKind::kLe:
      return "<=";
    case NodeKind::kGt:
      return ">";
    case NodeKind::kGe:
      return ">=";
    case NodeKind::kAnd:
      return "&&";
    case NodeKind::kOr:
      return "||";
    default:
      return "?";
  }
}

void DumpNode(const Expr& e, uint32_t i, std::string& out) {
  const Node& n = e.node(i);
  auto children = [&] {
    for (uint32_t c : e.children(n)) {
      out.push_back(' ');
      DumpNode(e, c, out);
    }
  };
  switch (n.kind) {
    case NodeKind::kLiteral: {
      const Value& v = e.value(n);
      if (v.is_string()) {
        out.push_back('\'');
        for (char c : v.string()) {
          if (c == '\'') out.push_back('\'');
          out.push_back(c);
        }
        out.push_back('\'');
      } else if (v.is_null()) {
        out += "null";
      } else {
        AppendString(v, out);
      }
      return;
    }
    case NodeKind::kNamedValue:
      out += e.name(n);
      return;
    case NodeKind::kProperty:
      out += "(prop ";
      DumpNode(e, e.children(n)[0], out);
      out.push_back(' ');
      out += e.name(n);
      out.push_back(')');
      return;
    case NodeKind::kIndex:
      out += "(index";
      children();
      out.push_back(')');
      return;
    case NodeKind::kWildcard:
      out += "(filter";
      children();
      out.push_back(')');
      return;
    case NodeKind::kCall:
      out += "(fn ";
      out += e.name(n);
      children();
      out.push_back(')');
      return;
    default:
      out.push_back('(');
      out += OperatorText(n.kind);
      children();
      out.push_back(')');
      return;
  }
}

}  // namespace

std::string Expr::Dump() const {
  if (empty()) return "";
  std::string out;
  DumpNode(*this, root_, out);
  return out;
}

}  // namespace slipway::expr
