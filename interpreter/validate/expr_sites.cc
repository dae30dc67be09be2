#include "interpreter/validate/expr_sites.h"

namespace slipway::validate {

std::vector<ExprSpan> SplitExpressions(std::string_view value) {
  std::vector<ExprSpan> spans;
  size_t start = 0;
  while (true) {
    size_t open = value.find("${{", start);
    if (open == std::string_view::npos) break;
    ExprSpan span;
    span.open = open;
    span.inner = open + 3;
    size_t i = span.inner;
    bool in_string = false;
    size_t close = std::string_view::npos;
    for (; i < value.size(); ++i) {
      char c = value[i];
      if (in_string) {
        if (c == '\'') {
          if (i + 1 < value.size() && value[i + 1] == '\'') {
            ++i;
          } else {
            in_string = false;
          }
        }
      } else if (c == '\'') {
        in_string = true;
      } else if (c == '}' && i + 1 < value.size() && value[i + 1] == '}') {
        close = i;
        break;
      }
    }
    if (close == std::string_view::npos) {
      span.closed = false;
      span.text = value.substr(span.inner);
      spans.push_back(span);
      break;
    }
    span.text = value.substr(span.inner, close - span.inner);
    spans.push_back(span);
    start = close + 2;
  }
  return spans;
}

bool IsIfPath(const std::vector<std::string>& path) {
  if (path.size() == 3) return path[0] == "jobs" && path[2] == "if";
  if (path.size() == 5) return path[0] == "jobs" && path[2] == "steps" && path[4] == "if";
  return false;
}

SourceRange RangeAt(const yaml::Node& node, size_t offset, uint32_t length) {
  SourceRange range = node.where;
  SourcePos pos = node.PositionOf(offset);
  if (pos != node.where.begin || offset == 0) {
    range.begin = pos;
    range.length = length;
  }
  return range;
}

namespace {

void Walk(const yaml::Node& node, std::vector<std::string>& path,
          const std::function<void(const ScalarSite&)>& visit) {
  if (node.is_scalar()) {
    bool has_expr = node.value.find("${{") != std::string::npos;
    if (has_expr || (IsIfPath(path) && !node.value.empty())) {
      visit(ScalarSite{&node, false, &path});
    }
    return;
  }
  if (node.is_sequence()) {
    // A `parallel:` list's items stand for steps of the enclosing list.
    bool flatten = !path.empty() && path.back() == "parallel" && path.size() >= 2;
    std::string parallel_index;
    if (flatten) {
      path.pop_back();  // "parallel"
      parallel_index = path.back();
      path.pop_back();  // the index of the step holding it
    }
    for (size_t i = 0; i < node.items.size(); ++i) {
      path.push_back(std::to_string(i));
      Walk(node.items[i], path, visit);
      path.pop_back();
    }
    if (flatten) {
      path.push_back(parallel_index);
      path.push_back("parallel");
    }
    return;
  }
  if (node.is_mapping()) {
    for (const auto& [key, value] : node.entries) {
      path.push_back(key.value);
      if (key.is_scalar() && key.value.find("${{") != std::string::npos) {
        visit(ScalarSite{&key, true, &path});
      }
      Walk(value, path, visit);
      path.pop_back();
    }
  }
}

}  // namespace

void ForEachExpressionScalar(const yaml::Node& root,
                             const std::function<void(const ScalarSite&)>& visit) {
  std::vector<std::string> path;
  Walk(root, path, visit);
}

}  // namespace slipway::validate
