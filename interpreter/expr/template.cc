#include "interpreter/expr/template.h"

#include "interpreter/expr/analysis.h"
#include "interpreter/expr/unicode.h"

namespace slipway::expr {
namespace {

constexpr std::string_view kOpen = "${{";

Error Shifted(Error e, uint32_t by) {
  e.offset += by;
  return e;
}

// Parses and evaluates every part, appending strings; `single` receives the value when the
// template is exactly one expression.
Expected<Value, Error> EvaluateParts(std::string_view text, const Value& context,
                                     const ParseOptions& parse_options,
                                     const EvalOptions& eval_options, bool keep_single) {
  Expected<std::vector<TemplatePart>, Error> parts = SplitTemplate(text);
  if (!parts) return MakeUnexpected(parts.error());
  std::string out;
  for (const TemplatePart& part : *parts) {
    if (!part.is_expression) {
      out += part.text;
      continue;
    }
    Expected<Expr, Error> parsed = Parse(part.text, parse_options);
    if (!parsed) return MakeUnexpected(Shifted(parsed.error(), part.offset));
    Expected<Value, Error> value = Evaluate(*parsed, context, eval_options);
    if (!value) return MakeUnexpected(Shifted(value.error(), part.offset));
    if (keep_single && parts->size() == 1) return value;
    AppendString(*value, out);
  }
  return Value::String(std::move(out));
}

}  // namespace

bool HasExpressions(std::string_view text) { return text.find(kOpen) != std::string_view::npos; }

std::vector<ExpressionSpan> FindExpressions(std::string_view text) {
  std::vector<ExpressionSpan> spans;
  size_t start = 0;
  while (true) {
    const size_t open = text.find(kOpen, start);
    if (open == std::string_view::npos) break;
    ExpressionSpan span;
    span.open = static_cast<uint32_t>(open);
    span.inner = static_cast<uint32_t>(open + kOpen.size());
    // A quote toggles the string state; '' toggles twice, which is the escaped quote.
    size_t close = std::string_view::npos;
    bool in_string = false;
    for (size_t k = span.inner; k + 1 < text.size(); ++k) {
      if (text[k] == '\'') {
        in_string = !in_string;
      } else if (!in_string && text[k] == '}' && text[k + 1] == '}') {
        close = k;
        break;
      }
    }
    if (close == std::string_view::npos) {
      span.closed = false;
      span.text = text.substr(span.inner);
      spans.push_back(span);
      break;
    }
    span.text = text.substr(span.inner, close - span.inner);
    spans.push_back(span);
    start = close + 2;
  }
  return spans;
}

std::optional<std::string> LiteralOnlyTemplate(std::string_view text) {
  if (text.substr(0, kOpen.size()) != kOpen) return std::nullopt;
  std::vector<ExpressionSpan> spans = FindExpressions(text);
  if (spans.size() != 1 || !spans[0].closed) return std::nullopt;
  const ExpressionSpan& span = spans[0];
  if (span.inner + span.text.size() + 2 != text.size()) return std::nullopt;  // text after }}
  // IsExpressionString of the runner: quotes only around the text, '' an escaped quote.
  std::string_view trimmed = TrimWhiteSpace(span.text);
  if (trimmed.size() < 2 || trimmed.front() != '\'' || trimmed.back() != '\'') return std::nullopt;
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < trimmed.size(); ++i) {
    if (trimmed[i] == '\'') {
      in_string = !in_string;
      if (in_string && i != 0) out.push_back('\'');
    } else if (!in_string) {
      return std::nullopt;
    } else {
      out.push_back(trimmed[i]);
    }
  }
  if (in_string || out.find(kOpen) != std::string::npos) return std::nullopt;
  return out;
}

Expected<std::vector<TemplatePart>, Error> SplitTemplate(std::string_view text) {
  std::vector<TemplatePart> parts;
  size_t i = 0;
  for (const ExpressionSpan& span : FindExpressions(text)) {
    if (!span.closed) {
      return MakeUnexpected(Error{ErrorKind::kParsing, span.open, 3,
                                  "The expression is not closed. An unescaped ${{ sequence was "
                                  "found, but the closing }} sequence was not found."});
    }
    if (span.open > i) {
      parts.push_back({false, text.substr(i, span.open - i), static_cast<uint32_t>(i), 0});
    }
    const size_t end = span.inner + span.text.size() + 2;  // past "}}"
    const std::string_view trimmed = TrimWhiteSpace(span.text);
    if (trimmed.empty()) {
      return MakeUnexpected(Error{ErrorKind::kParsing, span.open,
                                  static_cast<uint32_t>(end - span.open),
                                  "An expression was expected"});
    }
    const auto trimmed_offset = static_cast<uint32_t>(trimmed.data() - text.data());
    parts.push_back({true, trimmed, trimmed_offset, span.open});
    i = end;
  }
  if (i < text.size()) parts.push_back({false, text.substr(i), static_cast<uint32_t>(i), 0});
  return parts;
}

Expected<Value, Error> EvaluateTemplate(std::string_view text, const Value& context,
                                        const ParseOptions& parse_options,
                                        const EvalOptions& eval_options) {
  return EvaluateParts(text, context, parse_options, eval_options, true);
}

Expected<std::string, Error> EvaluateTemplateToString(std::string_view text, const Value& context,
                                                      const ParseOptions& parse_options,
                                                      const EvalOptions& eval_options) {
  Expected<Value, Error> v = EvaluateParts(text, context, parse_options, eval_options, false);
  if (!v) return MakeUnexpected(v.error());
  return std::string(v->string());
}

Expected<Condition, Error> ParseCondition(std::string_view text, const ParseOptions& options) {
  Condition condition;
  std::string synthetic;
  std::string_view source = TrimWhiteSpace(text);
  condition.offset = static_cast<uint32_t>(source.data() - text.data());
  if (HasExpressions(text)) {
    Expected<std::vector<TemplatePart>, Error> parts = SplitTemplate(text);
    if (!parts) return MakeUnexpected(parts.error());
    if (parts->size() == 1 && (*parts)[0].is_expression) {
      source = (*parts)[0].text;
      condition.offset = (*parts)[0].offset;
    } else {
      // Literal text around "${{ }}" makes a string: format('lit{0}lit', expr), as GitHub
      // rewrites it.
      std::string args;
      int index = 0;
      synthetic = "format('";
      for (const TemplatePart& part : *parts) {
        if (part.is_expression) {
          synthetic += "{" + std::to_string(index++) + "}";
          args += ", ";
          args += part.text;
          continue;
        }
        for (char c : part.text) {
          if (c == '\'')
            synthetic += "''";
          else if (c == '{')
            synthetic += "{{";
          else if (c == '}')
            synthetic += "}}";
          else
            synthetic.push_back(c);
        }
      }
      synthetic += "'" + args + ")";
      source = synthetic;
      condition.offset = 0;
    }
  }
  Expected<Expr, Error> parsed = Parse(source, options);
  if (!parsed) {
    Error e = parsed.error();
    if (synthetic.empty()) e.offset += condition.offset;
    return MakeUnexpected(std::move(e));
  }
  condition.expr = std::move(parsed).value();
  condition.implicit_success = !Analyze(condition.expr).calls_status_function;
  return condition;
}

Expected<bool, Error> EvaluateCondition(const Condition& condition, const Value& context,
                                        const EvalOptions& options) {
  if (condition.implicit_success && !options.status.success) return false;
  if (condition.expr.empty()) return options.status.success;
  Expected<Value, Error> v = Evaluate(condition.expr, context, options);
  if (!v) {
    Error e = v.error();
    e.offset += condition.offset;
    return MakeUnexpected(std::move(e));
  }
  return ToBool(*v);
}

}  // namespace slipway::expr
