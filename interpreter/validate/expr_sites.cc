#include "interpreter/validate/expr_sites.h"

namespace slipway::validate {

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

}  // namespace slipway::validate
