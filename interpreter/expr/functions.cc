// The built-in functions of GitHub's expression language, one table. Behaviour follows the
// runner (actions/runner src/Sdk/Expressions/Sdk/Functions/*.cs and src/Runner.Worker/
// Expressions/*.cs); https://docs.github.com/actions/learn-github-actions/expressions#functions
#include "interpreter/expr/functions.h"

#include <cmath>
#include <optional>
#include <vector>

#include "interpreter/expr/ast.h"
#include "interpreter/expr/evaluator.h"
#include "interpreter/expr/hash_files.h"
#include "interpreter/expr/json_reader.h"
#include "interpreter/expr/unicode.h"

namespace slipway::expr {
namespace {

using Args = std::span<const uint32_t>;
using Result = Expected<Value, Error>;

#define SLIPWAY_EVAL_OR_RETURN(var, ev, node) \
  Result var##_or = (ev).Eval(node);          \
  if (!var##_or) return var##_or;             \
  const Value& var = *var##_or

// contains(search, item): substring test on strings, element test (==) on arrays.
Result Contains(Evaluator& ev, const Node&, Args args) {
  SLIPWAY_EVAL_OR_RETURN(left, ev, args[0]);
  if (left.is_primitive()) {
    SLIPWAY_EVAL_OR_RETURN(right, ev, args[1]);
    if (!right.is_primitive()) return Value::Boolean(false);
    return Value::Boolean(ContainsIgnoreCase(ToString(left), ToString(right)));
  }
  if (left.is_array() && !left.array().empty()) {
    SLIPWAY_EVAL_OR_RETURN(right, ev, args[1]);
    for (const Value& item : left.array()) {
      if (Equals(right, item)) return Value::Boolean(true);
    }
  }
  return Value::Boolean(false);
}

template <bool (*Test)(std::string_view, std::string_view)>
Result AffixTest(Evaluator& ev, const Node&, Args args) {
  SLIPWAY_EVAL_OR_RETURN(left, ev, args[0]);
  if (!left.is_primitive()) return Value::Boolean(false);
  SLIPWAY_EVAL_OR_RETURN(right, ev, args[1]);
  if (!right.is_primitive()) return Value::Boolean(false);
  if (left.is_string() && right.is_string()) {
    return Value::Boolean(Test(left.string(), right.string()));
  }
  return Value::Boolean(Test(ToString(left), ToString(right)));
}

// format(fmt, args...): {N} placeholders, {{ and }} escapes. The format string is checked
// first; arguments are evaluated only when referenced, in order of first reference.
Result Format(Evaluator& ev, const Node& call, Args args) {
  SLIPWAY_EVAL_OR_RETURN(fmt_value, ev, args[0]);
  std::string fmt_storage;
  std::string_view fmt;
  if (fmt_value.is_string()) {
    fmt = fmt_value.string();
  } else {
    fmt_storage = ToString(fmt_value);
    fmt = fmt_storage;
  }
  struct Segment {
    std::string_view text;  // literal text, or
    int arg = -1;           // an argument index
    std::string_view specifiers;
  };
  std::vector<Segment> segments;
  auto invalid = [&] {
    return MakeUnexpected(
        ev.MakeError(call, "The following format string is invalid: " + std::string(fmt)));
  };
  auto char_at = [&](size_t i) { return i < fmt.size() ? fmt[i] : '\0'; };
  size_t index = 0;
  while (index < fmt.size()) {
    const size_t lbrace = fmt.find('{', index);
    size_t rbrace = fmt.find('}', index);
    if (lbrace != std::string_view::npos && (rbrace == std::string_view::npos || rbrace > lbrace)) {
      if (char_at(lbrace + 1) == '{') {
        segments.push_back({fmt.substr(index, lbrace - index + 1), -1, {}});
        index = lbrace + 2;
        continue;
      }
      // {digits} or {digits:specifiers}
      size_t p = lbrace + 1;
      while (p < fmt.size() && fmt[p] >= '0' && fmt[p] <= '9') ++p;
      const size_t digits = p - (lbrace + 1);
      if (rbrace == std::string_view::npos || rbrace <= lbrace + 1 || digits == 0) return invalid();
      int arg = 0;
      for (size_t k = lbrace + 1; k < p; ++k) {
        arg = arg * 10 + (fmt[k] - '0');
        if (arg > 255) return invalid();  // the index is a byte on GitHub
      }
      std::string_view specifiers;
      if (char_at(p) == '}') {
        rbrace = p;
      } else if (char_at(p) == ':') {
        size_t k = p + 1;
        bool closed = false;
        while (k < fmt.size()) {
          if (fmt[k] != '}') {
            ++k;
          } else if (char_at(k + 1) == '}') {
            k += 2;
          } else {
            closed = true;
            break;
          }
        }
        if (!closed) return invalid();
        specifiers = fmt.substr(p + 1, k - p - 1);
        rbrace = k;
      } else {
        return invalid();
      }
      if (arg > static_cast<int>(args.size()) - 2) {
        return MakeUnexpected(ev.MakeError(
            call, "The following format string references more arguments than were supplied: " +
                      std::string(fmt)));
      }
      if (lbrace > index) segments.push_back({fmt.substr(index, lbrace - index), -1, {}});
      segments.push_back({{}, arg, specifiers});
      index = rbrace + 1;
    } else if (rbrace != std::string_view::npos) {
      if (char_at(rbrace + 1) != '}') return invalid();
      segments.push_back({fmt.substr(index, rbrace - index + 1), -1, {}});
      index = rbrace + 2;
    } else {
      segments.push_back({fmt.substr(index), -1, {}});
      break;
    }
  }
  std::vector<std::optional<Value>> cache(args.size());
  std::string out;
  int64_t memory = 0;
  for (const Segment& s : segments) {
    if (s.arg < 0) {
      if (s.text.empty()) continue;
      out += s.text;
      memory += 26 + 2 * static_cast<int64_t>(s.text.size());
    } else {
      std::optional<Value>& v = cache[s.arg + 1];
      if (!v) {
        Result r = ev.Eval(args[s.arg + 1]);
        if (!r) return r;
        v = std::move(r).value();
      }
      if (!s.specifiers.empty()) {
        return MakeUnexpected(ev.MakeError(
            call, "The format specifiers '" + std::string(s.specifiers) +
                      "' are not valid for objects of type '" + KindName(v->kind()) + "'"));
      }
      const size_t before = out.size();
      AppendString(*v, out);
      if (out.size() > before) memory += 26 + 2 * static_cast<int64_t>(out.size() - before);
    }
    if (!ev.FitsMemory(memory)) return MakeUnexpected(ev.MemoryError(call));
  }
  return Value::String(std::move(out));
}

// join(array, separator = ","): a primitive joins to itself; anything else to "".
Result Join(Evaluator& ev, const Node& call, Args args) {
  SLIPWAY_EVAL_OR_RETURN(items, ev, args[0]);
  if (items.is_array() && !items.array().empty()) {
    const Array& a = items.array();
    std::string out;
    AppendString(a[0], out);
    if (a.size() > 1) {
      std::string separator = ",";
      if (args.size() > 1) {
        SLIPWAY_EVAL_OR_RETURN(sep, ev, args[1]);
        if (sep.is_primitive()) separator = ToString(sep);
      }
      for (size_t i = 1; i < a.size(); ++i) {
        out += separator;
        AppendString(a[i], out);
      }
    }
    if (!ev.FitsMemory(26 + 2 * static_cast<int64_t>(out.size()))) {
      return MakeUnexpected(ev.MemoryError(call));
    }
    return Value::String(std::move(out));
  }
  if (items.is_primitive()) return Value::String(ToString(items));
  return Value::String("");
}

Result ToJsonFn(Evaluator& ev, const Node& call, Args args) {
  SLIPWAY_EVAL_OR_RETURN(v, ev, args[0]);
  std::string out = ToPrettyJson(v);
  if (!ev.FitsMemory(26 + 2 * static_cast<int64_t>(out.size()))) {
    return MakeUnexpected(ev.MemoryError(call));
  }
  return Value::String(std::move(out));
}

// fromJSON(text): as the runner reads it (json_reader.h: Newtonsoft.Json's rules).
Result FromJsonFn(Evaluator& ev, const Node& call, Args args) {
  SLIPWAY_EVAL_OR_RETURN(v, ev, args[0]);
  Expected<Value> value = ReadRunnerJson(ToString(v));
  if (!value) {
    return MakeUnexpected(ev.MakeError(call, "Error parsing fromJson: " + value.error()));
  }
  return std::move(value).value();
}

// case(pred1, value1, pred2, value2, ..., default): the value of the first true predicate.
Result Case(Evaluator& ev, const Node& call, Args args) {
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    SLIPWAY_EVAL_OR_RETURN(pred, ev, args[i]);
    if (!pred.is_boolean()) {
      return MakeUnexpected(ev.MakeError(call, "case predicate must evaluate to a boolean value"));
    }
    if (pred.boolean()) return ev.Eval(args[i + 1]);
  }
  return ev.Eval(args[args.size() - 1]);
}

// hashFiles(patterns...): "--follow-symbolic-links" may come first.
Result HashFilesFn(Evaluator& ev, const Node& call, Args args) {
  std::vector<std::string> patterns;
  bool follow = false;
  for (size_t i = 0; i < args.size(); ++i) {
    SLIPWAY_EVAL_OR_RETURN(v, ev, args[i]);
    std::string s = ToString(v);
    if (i == 0 && s.rfind("--", 0) == 0) {
      if (EqualsIgnoreCase(s, "--follow-symbolic-links")) {
        follow = true;
        continue;
      }
      return MakeUnexpected(ev.MakeError(
          call, "Invalid glob option " + s + ", avaliable option: '--follow-symbolic-links'."));
    }
    patterns.push_back(std::move(s));
  }
  std::string workspace = ev.options().workspace;
  if (workspace.empty()) {
    const Value* github = ev.context().Find("github");
    const Value* ws = github ? github->Find("workspace") : nullptr;
    if (ws && ws->is_string()) workspace = std::string(ws->string());
  }
  if (workspace.empty()) {
    return MakeUnexpected(ev.MakeError(call, "hashFiles() needs github.workspace to be set"));
  }
  Expected<std::string> hash = HashFiles(workspace, patterns, follow);
  if (!hash) return MakeUnexpected(ev.MakeError(call, "hashFiles() failed: " + hash.error()));
  return Value::String(std::move(hash).value());
}

Result Success(Evaluator& ev, const Node&, Args) {
  return Value::Boolean(ev.options().status.success);
}
Result Always(Evaluator&, const Node&, Args) { return Value::Boolean(true); }
Result Failure(Evaluator& ev, const Node&, Args) {
  return Value::Boolean(ev.options().status.failure);
}
Result Cancelled(Evaluator& ev, const Node&, Args) {
  return Value::Boolean(ev.options().status.cancelled);
}

constexpr FunctionInfo kFunctions[] = {
    {"contains", 2, 2, 2, FunctionGroup::kCore, &Contains},
    {"startsWith", 2, 2, 2, FunctionGroup::kCore, &AffixTest<&StartsWithIgnoreCase>},
    {"endsWith", 2, 2, 2, FunctionGroup::kCore, &AffixTest<&EndsWithIgnoreCase>},
    {"format", 1, 255, 255, FunctionGroup::kCore, &Format},
    {"join", 1, 2, 2, FunctionGroup::kCore, &Join},
    {"toJSON", 1, 1, 1, FunctionGroup::kCore, &ToJsonFn},
    {"fromJSON", 1, 1, 1, FunctionGroup::kCore, &FromJsonFn},
    {"case", 3, 255, 255, FunctionGroup::kCore, &Case},
    {"hashFiles", 1, 255, 255, FunctionGroup::kHashFiles, &HashFilesFn},
    {"success", 0, 0, 255, FunctionGroup::kStatus, &Success},
    {"always", 0, 0, 0, FunctionGroup::kStatus, &Always},
    {"failure", 0, 0, 255, FunctionGroup::kStatus, &Failure},
    {"cancelled", 0, 0, 0, FunctionGroup::kStatus, &Cancelled},
};

}  // namespace

std::span<const FunctionInfo> Functions() { return kFunctions; }

int FindFunction(std::string_view name) {
  for (size_t i = 0; i < std::size(kFunctions); ++i) {
    if (EqualsIgnoreCase(kFunctions[i].name, name)) return static_cast<int>(i);
  }
  return -1;
}

bool IsStatusFunction(std::string_view name) {
  const int i = FindFunction(name);
  return i >= 0 && kFunctions[i].group == FunctionGroup::kStatus;
}

}  // namespace slipway::expr
