#include "interpreter/expr/batch.h"

#include <nlohmann/json.hpp>

#include "interpreter/base/json_nesting.h"
#include "interpreter/expr/functions.h"
#include "interpreter/expr/unicode.h"

namespace slipway::expr {
namespace {

ParseOptions OptionsFor(const Value& context) {
  ParseOptions options;
  options.named_values = ContextNames(context);
  // Like GitHub's evaluator on its own: status functions and hashFiles belong to a workflow.
  options.function_groups = static_cast<uint8_t>(FunctionGroup::kCore);
  return options;
}

// The common line `{"expr": "..."}` whose string is printable ASCII without escapes, read
// without building a JSON document: this is most of what a batch holds, and nlohmann's
// character-at-a-time lexer was the largest cost per line. Anything else (escapes, non-ASCII,
// other keys, odd spacing) returns false and goes to nlohmann-json as usual.
bool ReadPlainExprLine(std::string_view line, std::string_view& expr) {
  size_t i = 0;
  auto ws = [&] {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
  };
  auto lit = [&](std::string_view s) {
    if (line.substr(i, s.size()) != s) return false;
    i += s.size();
    return true;
  };
  ws();
  if (!lit("{")) return false;
  ws();
  if (!lit("\"expr\"")) return false;
  ws();
  if (!lit(":")) return false;
  ws();
  if (!lit("\"")) return false;
  const size_t start = i;
  while (i < line.size() && line[i] != '"') {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c < 0x20 || c >= 0x7F || c == '\\') return false;
    ++i;
  }
  if (i >= line.size()) return false;
  expr = line.substr(start, i - start);
  ++i;
  ws();
  if (!lit("}")) return false;
  ws();
  return i == line.size();
}

void AppendError(std::string_view message, std::string& out) {
  out += "{\"error\":";
  WriteJson(Value::String(std::string(message)), out);
  out += "}\n";
}

}  // namespace

std::vector<std::string> ContextNames(const Value& context) {
  std::vector<std::string> names = StandardContextNames();
  for (const Object::Entry& e : context.object().entries()) names.push_back(e.key);
  return names;
}

Expected<Value, Error> EvaluateText(std::string_view text, const Value& context,
                                    const EvalOptions& options) {
  Expected<Expr, Error> parsed = Parse(text, OptionsFor(context));
  if (!parsed) return MakeUnexpected(parsed.error());
  return Evaluate(*parsed, context, options);
}

void AppendBatchResult(const Expected<Value, Error>& result, std::string& out) {
  if (!result) {
    AppendError(result.error().message, out);
    return;
  }
  out += "{\"result\":";
  WriteJson(*result, out);
  out += "}\n";
}

void BatchSession::SetShared(Value context) {
  shared_context_ = std::move(context);
  shared_options_ = OptionsFor(shared_context_);
  has_shared_ = true;
  parsed_.clear();  // the allowed names may have changed
}

void BatchSession::EvaluateShared(std::string_view text, std::string& out) {
  if (!has_shared_) SetShared(Value::FromObject(Object()));
  auto it = parsed_.find(std::string(text));
  if (it == parsed_.end()) {
    Expected<Expr, Error> parsed = Parse(text, shared_options_);
    if (!parsed) {
      AppendError(parsed.error().message, out);
      return;
    }
    if (parsed_.size() >= kMaxCached) parsed_.clear();
    it = parsed_.emplace(std::string(text), std::move(parsed).value()).first;
  }
  AppendBatchResult(Evaluate(it->second, shared_context_), out);
}

void BatchSession::ProcessLine(std::string_view line, std::string& out) {
  if (TrimWhiteSpace(line).empty()) return;
  std::string_view plain;
  if (ReadPlainExprLine(line, plain)) {
    EvaluateShared(plain, out);
    return;
  }
  if (std::string deep = JsonNestingError(line); !deep.empty()) {
    AppendError("invalid input line: it " + deep, out);
    return;
  }
  const nlohmann::ordered_json json = nlohmann::ordered_json::parse(line, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    AppendError("invalid input line: expected a JSON object", out);
    return;
  }
  const auto expr_it = json.find("expr");
  const auto context_it = json.find("context");
  Value own_context;
  const bool has_own = context_it != json.end();
  if (has_own) {
    if (!context_it->is_object()) {
      AppendError("invalid input line: \"context\" must be an object", out);
      return;
    }
    Expected<Value> converted = FromJson(*context_it);
    if (!converted) {
      AppendError("invalid input line: " + converted.error(), out);
      return;
    }
    if (expr_it == json.end()) {  // sets the shared context; no output
      SetShared(std::move(converted).value());
      return;
    }
    own_context = std::move(converted).value();
  }
  if (expr_it == json.end() || !expr_it->is_string()) {
    AppendError("invalid input line: \"expr\" must be a string", out);
    return;
  }
  const std::string& text = expr_it->get_ref<const std::string&>();
  if (has_own) {
    AppendBatchResult(EvaluateText(text, own_context), out);
    return;
  }
  EvaluateShared(text, out);
}

}  // namespace slipway::expr
