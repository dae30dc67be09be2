#include "interpreter/expr/parser.h"

#include <algorithm>

#include "interpreter/expr/functions.h"
#include "interpreter/expr/lexer.h"
#include "interpreter/expr/unicode.h"

namespace slipway::expr {
namespace {

// The one precedence table (GitHub's Token.Precedence): higher binds tighter. Postfix "." and
// "[" (19) and prefix "!" (16) are handled by ParsePostfix/ParseUnary; the binary operators
// below are climbed by ParseBinary, all left-associative.
struct OperatorInfo {
  OperatorKind op;
  int precedence;
  NodeKind node;
};
constexpr OperatorInfo kOperators[] = {
    {OperatorKind::kNot, 16, NodeKind::kNot},  //
    {OperatorKind::kLt, 11, NodeKind::kLt},   {OperatorKind::kLe, 11, NodeKind::kLe},
    {OperatorKind::kGt, 11, NodeKind::kGt},   {OperatorKind::kGe, 11, NodeKind::kGe},
    {OperatorKind::kEq, 10, NodeKind::kEq},   {OperatorKind::kNe, 10, NodeKind::kNe},
    {OperatorKind::kAnd, 6, NodeKind::kAnd},  {OperatorKind::kOr, 5, NodeKind::kOr},
};

const OperatorInfo& InfoOf(OperatorKind op) {
  for (const OperatorInfo& info : kOperators) {
    if (info.op == op) return info;
  }
  return kOperators[0];
}

}  // namespace

/// Recursive-descent parser over the lexer's token stream. Errors are sticky: the first one is
/// kept and every Parse* function returns kNoNode from then on.
class Parser {
 public:
  Parser(std::string_view text, const ParseOptions& options) : options_(options), lexer_(text) {
    expr_.source_ = std::string(text);
    source_ = expr_.source_;
    expr_.nodes_.reserve(8);
    expr_.children_.reserve(8);
    expr_.values_.reserve(4);
  }

  Expected<Expr, Error> Run() {
    if (source_.size() > kMaxExprLength && Utf16Length(source_) > kMaxExprLength) {
      Fail(ErrorKind::kParsing, 0, 0,
           "Exceeded max expression length " + std::to_string(kMaxExprLength));
      return MakeUnexpected(std::move(error_));
    }
    lexer_ = Lexer(source_);
    Advance();
    if (failed_) return MakeUnexpected(std::move(error_));
    if (tok_.kind == TokenKind::kEnd) return std::move(expr_);  // empty expression: null
    const uint32_t root = ParseBinary(0);
    if (!failed_ && tok_.kind != TokenKind::kEnd) UnexpectedSymbol(tok_);
    if (failed_) return MakeUnexpected(std::move(error_));
    expr_.root_ = root;
    if (expr_.nodes_[root].height > kMaxExprDepth) {
      Fail(ErrorKind::kParsing, 0, 0,
           "Exceeded max expression depth " + std::to_string(kMaxExprDepth));
      return MakeUnexpected(std::move(error_));
    }
    return std::move(expr_);
  }

 private:
  // ---- grammar ----

  // expression -> unary { binary_op unary }
  //   climbing kOperators: an operator binds its right side at one level above its own.
  uint32_t ParseBinary(int min_precedence) { return ParseBinaryFrom(ParseUnary(), min_precedence); }

  uint32_t ParseBinaryFrom(uint32_t lhs, int min_precedence) {
    while (!failed_ && tok_.kind == TokenKind::kOperator && tok_.op != OperatorKind::kNot) {
      const OperatorInfo& info = InfoOf(tok_.op);
      if (info.precedence < min_precedence) break;
      Token op;
      op.offset = tok_.offset;
      op.length = tok_.length;
      Advance();
      const uint32_t rhs = ParseBinary(info.precedence + 1);
      if (failed_) return kNoNode;
      lhs = MakeBinary(info.node, op, lhs, rhs);
    }
    return failed_ ? kNoNode : lhs;
  }

  // unary -> { "!" } postfix
  uint32_t ParseUnary() {
    std::vector<uint32_t> nots;  // offsets of the "!"s
    while (!failed_ && tok_.kind == TokenKind::kOperator && tok_.op == OperatorKind::kNot) {
      nots.push_back(tok_.offset);
      Advance();
    }
    uint32_t operand = ParsePostfix();
    Token bang;
    bang.length = 1;
    for (auto it = nots.rbegin(); !failed_ && it != nots.rend(); ++it) {
      bang.offset = *it;
      operand = MakeNode(NodeKind::kNot, bang, {operand});
    }
    return failed_ ? kNoNode : operand;
  }

  // postfix -> primary { "." ( NAME | "*" ) | "[" ( "*" | expression ) "]" }
  uint32_t ParsePostfix() { return ParsePostfixFrom(ParsePrimary()); }

  uint32_t ParsePostfixFrom(uint32_t node) {
    while (!failed_) {
      if (tok_.kind == TokenKind::kDereference) {
        Advance();
        if (!Require()) return kNoNode;
        if (tok_.kind == TokenKind::kWildcard) {
          node = MakeNode(NodeKind::kWildcard, tok_, {node});
        } else {  // the lexer only lets a property name or "*" follow "."
          node = MakeProperty(node, tok_, source_.substr(tok_.offset, tok_.length));
        }
        Advance();
      } else if (tok_.kind == TokenKind::kStartIndex) {
        if (!Enter()) return kNoNode;
        Token open;
        open.offset = tok_.offset;
        open.length = tok_.length;
        Advance();
        if (!Require()) return kNoNode;
        uint32_t index;
        if (tok_.kind == TokenKind::kWildcard) {
          Token star;
          star.offset = tok_.offset;
          star.length = tok_.length;
          Advance();
          if (!failed_ && tok_.kind == TokenKind::kEndIndex) {
            node = MakeNode(NodeKind::kWildcard, star, {node});
            Advance();
            Leave();
            continue;
          }
          // "*" used as an operand inside brackets: GitHub evaluates it to the string "*".
          index = ParseBinaryFrom(ParsePostfixFrom(MakeLiteral(star, Value::String("*"))), 0);
        } else {
          index = ParseBinary(0);
        }
        if (failed_ || !Require()) return kNoNode;
        if (tok_.kind != TokenKind::kEndIndex) return UnexpectedSymbol(tok_);
        node = MakeIndex(node, open, index);
        Advance();
        Leave();
      } else {
        break;
      }
    }
    return failed_ ? kNoNode : node;
  }

  // primary -> literal | NAME | FUNCTION "(" [ expression { "," expression } ] ")"
  //          | "(" expression ")"
  uint32_t ParsePrimary() {
    if (failed_ || !Require()) return kNoNode;
    Token t;
    t.kind = tok_.kind;
    t.offset = tok_.offset;
    t.length = tok_.length;
    t.number = tok_.number;
    t.boolean = tok_.boolean;
    switch (t.kind) {
      case TokenKind::kNull:
        Advance();
        return MakeLiteral(t, Value::Null());
      case TokenKind::kBoolean:
        Advance();
        return MakeLiteral(t, Value::Boolean(t.boolean));
      case TokenKind::kNumber:
        Advance();
        return MakeLiteral(t, Value::Number(t.number));
      case TokenKind::kString:
        Advance();
        return MakeLiteral(t, Value::String(UnquoteString(source_.substr(t.offset, t.length))));
      case TokenKind::kNamedValue:
        return ParseNamedValue();
      case TokenKind::kFunction:
        return ParseCall();
      case TokenKind::kStartGroup: {
        if (!Enter()) return kNoNode;
        Advance();
        const uint32_t inner = ParseBinary(0);
        if (failed_ || !Require()) return kNoNode;
        if (tok_.kind != TokenKind::kEndGroup) return UnexpectedSymbol(tok_);
        Advance();
        Leave();
        return inner;
      }
      default:
        return UnexpectedSymbol(tok_);
    }
  }

  // NAME, checked against the names the caller allows.
  uint32_t ParseNamedValue() {
    Token t;
    t.offset = tok_.offset;
    t.length = tok_.length;
    const std::string_view name = source_.substr(t.offset, t.length);
    if (!options_.allow_any_name && !IsAllowedName(name)) {
      return FailAt(ErrorKind::kParsing, t, "Unrecognized named-value");
    }
    Advance();
    const uint32_t n = MakeNode(NodeKind::kNamedValue, t, nullptr, 0);
    expr_.nodes_[n].hash = HashIgnoreCase(name);
    return n;
  }

  // call -> FUNCTION "(" [ expression { "," expression } ] ")"
  uint32_t ParseCall() {
    Token name_tok;
    name_tok.offset = tok_.offset;
    name_tok.length = tok_.length;
    const std::string_view name = source_.substr(name_tok.offset, name_tok.length);
    const int index = FindFunction(name);
    const bool known =
        index >= 0 && (static_cast<uint8_t>(Functions()[index].group) &
                       (options_.function_groups | static_cast<uint8_t>(FunctionGroup::kCore)));
    if (!known && !options_.allow_unknown_functions) {
      return FailAt(ErrorKind::kParsing, name_tok, "Unrecognized function");
    }
    Advance();  // the name; the lexer guarantees "(" follows
    if (!Enter()) return kNoNode;
    Advance();  // "("
    std::vector<uint32_t> args;
    args.reserve(4);
    if (!Require()) return kNoNode;
    if (tok_.kind != TokenKind::kEndParameters) {
      while (true) {
        const uint32_t arg = ParseBinary(0);
        if (failed_ || !Require()) return kNoNode;
        args.push_back(arg);
        if (tok_.kind == TokenKind::kSeparator) {
          Advance();
          continue;
        }
        if (tok_.kind != TokenKind::kEndParameters) return UnexpectedSymbol(tok_);
        break;
      }
    }
    Advance();  // ")"
    Leave();
    if (failed_) return kNoNode;
    if (known) {
      const FunctionInfo& info = Functions()[index];
      if (args.size() < info.min_args) {
        return FailAt(ErrorKind::kParsing, name_tok, "Too few parameters supplied");
      }
      if (args.size() > (options_.job_condition ? info.max_args_in_job_if : info.max_args)) {
        return FailAt(ErrorKind::kParsing, name_tok, "Too many parameters supplied");
      }
      if (EqualsIgnoreCase(name, "case") && args.size() % 2 == 0) {
        return FailAt(ErrorKind::kParsing, name_tok,
                      "Even number of parameters supplied, requires an odd number of parameters");
      }
    }
    const uint32_t n = MakeNode(NodeKind::kCall, name_tok, args.data(), args.size());
    expr_.nodes_[n].function = known ? static_cast<uint8_t>(index) : kUnknownFunction;
    return n;
  }

  // ---- tokens ----

  void Advance() {
    if (failed_) return;
    last_ = std::move(tok_);
    tok_ = lexer_.Next();
    if (tok_.kind == TokenKind::kUnexpected) UnexpectedSymbol(tok_);
  }

  // At the end of the text where more is needed: GitHub reports the last token read.
  bool Require() {
    if (failed_) return false;
    if (tok_.kind != TokenKind::kEnd) return true;
    FailAt(ErrorKind::kParsing, last_, "Unexpected end of expression");
    return false;
  }

  bool Enter() {
    if (++nesting_ <= kMaxParseNesting) return true;
    // Too deep to follow: report an earlier lexer error if the rest has one, else the depth.
    Lexer rest = lexer_;
    for (Token t = rest.Next(); t.kind != TokenKind::kEnd; t = rest.Next()) {
      if (t.kind == TokenKind::kUnexpected) {
        UnexpectedSymbol(t);
        return false;
      }
    }
    Fail(ErrorKind::kParsing, 0, 0,
         "Exceeded max expression depth " + std::to_string(kMaxExprDepth));
    return false;
  }
  void Leave() { --nesting_; }

  bool IsAllowedName(std::string_view name) const {
    return std::any_of(
        options_.named_values.begin(), options_.named_values.end(),
        [&](const std::string& n) { return n.size() == name.size() && EqualsIgnoreCase(n, name); });
  }

  // ---- errors ----

  uint32_t UnexpectedSymbol(const Token& t) {
    return FailAt(ErrorKind::kParsing, t, "Unexpected symbol");
  }

  uint32_t FailAt(ErrorKind kind, const Token& t, std::string_view description) {
    const std::string_view raw = source_.substr(t.offset, t.length);
    std::string message(description);
    message += ": '";
    message += raw;
    message += "'. Located at position ";
    message += std::to_string(Utf16Length(source_.substr(0, t.offset)) + 1);
    message += " within expression: ";
    message += source_;
    Fail(kind, t.offset, t.length, std::move(message));
    return kNoNode;
  }

  void Fail(ErrorKind kind, uint32_t offset, uint32_t length, std::string message) {
    if (failed_) return;
    failed_ = true;
    error_ = Error{kind, offset, length, std::move(message)};
  }

  // ---- tree building ----

  uint32_t AddValue(Value v) {
    expr_.values_.push_back(std::move(v));
    return static_cast<uint32_t>(expr_.values_.size() - 1);
  }

  uint32_t MakeNode(NodeKind kind, const Token& t, std::initializer_list<uint32_t> children) {
    return MakeNode(kind, t, children.begin(), children.size());
  }

  uint32_t MakeNode(NodeKind kind, const Token& t, const uint32_t* children, size_t count) {
    Node n;
    n.kind = kind;
    n.offset = t.offset;
    n.length = t.length;
    n.first_child = static_cast<uint32_t>(expr_.children_.size());
    n.child_count = static_cast<uint32_t>(count);
    expr_.children_.insert(expr_.children_.end(), children, children + count);
    expr_.nodes_.push_back(n);
    // Height in nodes (children always exist before their parent); a property's name is a
    // leaf below it on GitHub, which never changes the height since the object is one too.
    int h = 0;
    for (size_t i = 0; i < count; ++i) h = std::max<int>(h, expr_.nodes_[children[i]].height);
    expr_.nodes_.back().height = static_cast<uint16_t>(std::min(h + 1, 0xFFFF));
    return static_cast<uint32_t>(expr_.nodes_.size() - 1);
  }

  uint32_t MakeLiteral(const Token& t, Value v) {
    const uint32_t n = MakeNode(NodeKind::kLiteral, t, nullptr, 0);
    expr_.nodes_[n].value = AddValue(std::move(v));
    return n;
  }

  uint32_t MakeProperty(uint32_t object, const Token& name_tok, std::string_view name) {
    const uint32_t n = MakeNode(NodeKind::kProperty, name_tok, {object});
    expr_.nodes_[n].hash = HashIgnoreCase(name);
    return n;
  }

  // a['b'] with a string literal is the same as a.b.
  uint32_t MakeIndex(uint32_t object, const Token& open, uint32_t index) {
    const Node& in = expr_.nodes_[index];
    if (in.kind == NodeKind::kLiteral && expr_.values_[in.value].is_string()) {
      const uint32_t n = MakeNode(NodeKind::kProperty, open, {object});
      expr_.nodes_[n].value = in.value;
      expr_.nodes_[n].hash = HashIgnoreCase(expr_.values_[in.value].string());
      return n;
    }
    return MakeNode(NodeKind::kIndex, open, {object, index});
  }

  // && and || are n-ary: nested ones of the same kind are merged, as GitHub does (this is what
  // keeps "a && b && ... " within the depth limit).
  uint32_t MakeBinary(NodeKind kind, const Token& op, uint32_t lhs, uint32_t rhs) {
    if (kind != NodeKind::kAnd && kind != NodeKind::kOr) return MakeNode(kind, op, {lhs, rhs});
    std::vector<uint32_t> operands;
    for (uint32_t side : {lhs, rhs}) {
      const Node& n = expr_.nodes_[side];
      if (n.kind == kind) {
        for (uint32_t c : expr_.children(n)) operands.push_back(c);
      } else {
        operands.push_back(side);
      }
    }
    const bool reuse = expr_.nodes_[lhs].kind == kind;
    const uint32_t n = MakeNode(kind, op, operands.data(), operands.size());
    if (reuse) {  // keep the first operator's position for the merged node
      expr_.nodes_[n].offset = expr_.nodes_[lhs].offset;
      expr_.nodes_[n].length = expr_.nodes_[lhs].length;
    }
    return n;
  }

  const ParseOptions& options_;
  Expr expr_;
  std::string_view source_;
  Lexer lexer_;
  Token tok_;
  Token last_;
  int nesting_ = 0;
  bool failed_ = false;
  Error error_;
};

const std::vector<std::string>& StandardContextNames() {
  static const auto* names =
      new std::vector<std::string>{"github", "env",    "inputs", "vars",   "secrets", "needs",
                                   "steps",  "matrix", "job",    "runner", "strategy"};
  return *names;
}

Expected<Expr, Error> Parse(std::string_view text, const ParseOptions& options) {
  Parser parser(text, options);
  return parser.Run();
}

}  // namespace slipway::expr
