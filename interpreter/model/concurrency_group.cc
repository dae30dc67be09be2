#include "interpreter/model/concurrency_group.h"

#include "interpreter/expr/unicode.h"

namespace slipway::model {

std::string ConcurrencyGroupProblem(std::string_view group) {
  // .NET's String.Length counts UTF-16 units.
  if (group.size() <= kMaxConcurrencyGroupLength ||
      expr::Utf16Length(group) <= kMaxConcurrencyGroupLength) {
    return "";
  }
  return "Concurrency group name must be less than 400 characters";
}

}  // namespace slipway::model
