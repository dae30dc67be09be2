#include "interpreter/expr/evaluator.h"

#include <cmath>

#include "interpreter/expr/functions.h"
#include "interpreter/expr/unicode.h"

namespace slipway::expr {
namespace {

// Size of a result as GitHub's EvaluationMemory counts it (strings: 26 + 2 bytes per UTF-16
// unit, approximated by bytes; anything else: 24).
int64_t ResultBytes(const Value& v) {
  if (v.is_string()) return 26 + 2 * static_cast<int64_t>(v.string().size());
  if (v.is_filtered()) return 24 + 8 * static_cast<int64_t>(v.array().size());
  return 24;
}

// An array index from a value: floor of the number, null when negative, NaN or too large.
bool ToArrayIndex(double d, size_t& out) {
  if (std::isnan(d) || d < 0) return false;
  d = std::floor(d);
  if (d > 2147483647.0) return false;
  out = static_cast<size_t>(d);
  return true;
}

}  // namespace

Expected<Value, Error> Evaluate(const Expr& expr, const Value& context,
                                const EvalOptions& options) {
  Evaluator ev(expr, context, options);
  return ev.Run();
}

Expected<Value, Error> Evaluator::Run() {
  if (expr_.empty()) return Value::Null();
  return Eval(expr_.root());
}

Error Evaluator::MakeError(const Node& node, std::string message) const {
  return Error{ErrorKind::kEvaluation, node.offset, node.length, std::move(message)};
}

Error Evaluator::MemoryError(const Node& node) const {
  // GitHub names the expression of the node that went over; its source text stands in for it.
  std::string message =
      "The maximum allowed memory size was exceeded while evaluating the following expression: ";
  message += expr_.source();
  return MakeError(node, std::move(message));
}

bool Evaluator::AddMemory(int level, int64_t bytes, bool trim) {
  if (level >= static_cast<int>(level_bytes_.size())) level = level_bytes_.size() - 1;
  if (trim) {
    while (max_active_level_ > level) {
      total_bytes_ -= level_bytes_[max_active_level_];
      level_bytes_[max_active_level_] = 0;
      --max_active_level_;
    }
  }
  if (level > max_active_level_) max_active_level_ = level;
  level_bytes_[level] += bytes;
  total_bytes_ += bytes;
  return total_bytes_ <= options_.max_memory;
}

Expected<Value, Error> Evaluator::Eval(uint32_t i) {
  const Node& n = expr_.node(i);
  ++level_;
  Expected<Value, Error> result = EvalCore(n);
  if (result.has_value()) {
    const Value& v = *result;
    if (!AddMemory(level_, ResultBytes(v), v.is_primitive())) {
      --level_;
      return MakeUnexpected(MemoryError(n));
    }
  }
  --level_;
  return result;
}

Expected<Value, Error> Evaluator::EvalCore(const Node& n) {
  const auto children = expr_.children(n);
  switch (n.kind) {
    case NodeKind::kLiteral:
      return expr_.value(n);
    case NodeKind::kNamedValue: {
      const Value* v =
          context_.is_object() ? context_.object().Find(expr_.name(n), n.hash) : nullptr;
      return v ? *v : Value::Null();
    }
    case NodeKind::kProperty:
    case NodeKind::kIndex:
    case NodeKind::kWildcard:
      return EvalIndex(n);
    case NodeKind::kNot: {
      Expected<Value, Error> v = Eval(children[0]);
      if (!v) return v;
      return Value::Boolean(!ToBool(*v));
    }
    case NodeKind::kEq:
    case NodeKind::kNe:
    case NodeKind::kLt:
    case NodeKind::kLe:
    case NodeKind::kGt:
    case NodeKind::kGe: {
      Expected<Value, Error> a = Eval(children[0]);
      if (!a) return a;
      Expected<Value, Error> b = Eval(children[1]);
      if (!b) return b;
      bool r = false;
      switch (n.kind) {
        case NodeKind::kEq:
          r = Equals(*a, *b);
          break;
        case NodeKind::kNe:
          r = !Equals(*a, *b);
          break;
        case NodeKind::kLt:
          r = LessThan(*a, *b);
          break;
        case NodeKind::kLe:
          r = Equals(*a, *b) || LessThan(*a, *b);
          break;
        case NodeKind::kGt:
          r = GreaterThan(*a, *b);
          break;
        default:
          r = Equals(*a, *b) || GreaterThan(*a, *b);
          break;
      }
      return Value::Boolean(r);
    }
    case NodeKind::kAnd:
    case NodeKind::kOr: {
      const bool stop_when = n.kind == NodeKind::kOr;  // || stops at truthy, && at falsy
      Expected<Value, Error> v = Value::Null();
      for (uint32_t c : children) {
        v = Eval(c);
        if (!v) return v;
        if (ToBool(*v) == stop_when) return v;
      }
      return v;
    }
    case NodeKind::kCall: {
      if (n.function == kUnknownFunction) {
        return MakeUnexpected(
            MakeError(n, "Unrecognized function: '" + std::string(expr_.text(n)) + "'"));
      }
      return Functions()[n.function].impl(*this, n, children);
    }
  }
  return Value::Null();
}

// GitHub's Index operator (Sdk/Operators/Index.cs), for a.b, a[i], a.* and a[*]. A filtered
// array (the result of a *) applies the index to each of its elements.
Expected<Value, Error> Evaluator::EvalIndex(const Node& n) {
  const auto children = expr_.children(n);
  Expected<Value, Error> left_or = Eval(children[0]);
  if (!left_or) return left_or;
  const Value& left = *left_or;
  const bool wildcard = n.kind == NodeKind::kWildcard;
  if (!left.is_array() && !left.is_object()) {
    return wildcard ? Value::FromArray({}, true) : Value::Null();
  }
  // The index: a property name, a wildcard, or an evaluated value.
  Value index;
  bool has_key = false;
  std::string key_storage;
  std::string_view key;
  uint32_t key_hash = n.hash;
  if (n.kind == NodeKind::kIndex) {
    Expected<Value, Error> idx = Eval(children[1]);
    if (!idx) return idx;
    index = std::move(idx).value();
    has_key = index.is_primitive();
    if (has_key) {
      if (index.is_string()) {
        key = index.string();
      } else {
        key_storage = ToString(index);
        key = key_storage;
      }
      key_hash = HashIgnoreCase(key);
    }
  } else if (n.kind == NodeKind::kProperty) {
    has_key = true;
    key = expr_.name(n);
  }
  auto array_index = [&](size_t& out) {
    if (wildcard) return false;
    return ToArrayIndex(n.kind == NodeKind::kProperty ? ParseNumber(key) : ToNumber(index), out);
  };

  if (left.is_filtered()) {
    Array out;
    for (const Value& item : left.array()) {
      if (item.is_object()) {
        if (wildcard) {
          for (const Object::Entry& e : item.object().entries()) out.push_back(e.value);
        } else if (has_key) {
          if (const Value* v = item.object().Find(key, key_hash)) out.push_back(*v);
        }
      } else if (item.is_array()) {
        size_t i = 0;
        if (wildcard) {
          for (const Value& v : item.array()) out.push_back(v);
        } else if (array_index(i) && i < item.array().size()) {
          out.push_back(item.array()[i]);
        }
      }
    }
    return Value::FromArray(std::move(out), true);
  }
  if (left.is_object()) {
    if (wildcard) {
      Array out;
      out.reserve(left.object().size());
      for (const Object::Entry& e : left.object().entries()) out.push_back(e.value);
      return Value::FromArray(std::move(out), true);
    }
    if (has_key) {
      if (const Value* v = left.object().Find(key, key_hash)) return *v;
    }
    return Value::Null();
  }
  // An array.
  if (wildcard) return Value::FromArray(left.array(), true);
  size_t i = 0;
  if (array_index(i) && i < left.array().size()) return left.array()[i];
  return Value::Null();
}

}  // namespace slipway::expr
