#include "interpreter/plan/secret_refs.h"

#include <algorithm>
#include <cctype>

#include "interpreter/expr/analysis.h"
#include "interpreter/expr/parser.h"
#include "interpreter/expr/template.h"
#include "interpreter/yaml/node.h"

namespace slipway::plan {
namespace {

bool IsSecrets(const std::string& name) {
  return name.size() == 7 && std::equal(name.begin(), name.end(), "secrets",
                                        [](char a, char b) { return std::tolower(a) == b; });
}

void ReadExpression(std::string_view text, SecretReads& reads) {
  expr::ParseOptions options;
  options.allow_any_name = true;
  options.allow_unknown_functions = true;
  Expected<expr::Expr, expr::Error> parsed = expr::Parse(text, options);
  if (!parsed) return;  // validate reports it; nothing is read from an expression that fails
  for (const expr::NamedValueAccess& access : expr::Analyze(*parsed).accesses) {
    if (access.segments.empty() || !IsSecrets(access.segments[0].name)) continue;
    if (access.segments.size() < 2 || access.segments[1].wildcard) {
      reads.any = true;
      continue;
    }
    std::string name = access.segments[1].name;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    reads.names.insert(std::move(name));
  }
}

void ReadScalar(const std::string& text, bool bare_condition, SecretReads& reads) {
  std::vector<expr::ExpressionSpan> spans = expr::FindExpressions(text);
  if (spans.empty() && bare_condition) {
    ReadExpression(text, reads);
    return;
  }
  for (const expr::ExpressionSpan& span : spans) ReadExpression(span.text, reads);
}

void Walk(const yaml::Node& node, bool is_if, SecretReads& reads) {
  if (node.is_scalar()) {
    ReadScalar(node.value, is_if, reads);
  } else if (node.is_sequence()) {
    for (const yaml::Node& item : node.items) Walk(item, false, reads);
  } else if (node.is_mapping()) {
    for (const auto& [key, value] : node.entries) Walk(value, key.value == "if", reads);
  }
}

}  // namespace

SecretReads SecretsReadBy(const model::Workflow& workflow, const model::Job& job) {
  SecretReads reads;
  for (const auto& [key, value] : workflow.env) ReadScalar(value.value, false, reads);
  if (job.node) Walk(*job.node, false, reads);
  // A dynamic access (`secrets[matrix.name]`) stops the path at "secrets" with `dynamic` set:
  // it has one segment, so it counted as `any` above.
  return reads;
}

}  // namespace slipway::plan
