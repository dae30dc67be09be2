#include "interpreter/validate/rule_util.h"
#include "interpreter/base/ascii.h"

namespace slipway::validate {

bool IsValidIdentifier(std::string_view id) {
  if (id.empty()) return false;
  auto is_letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!is_letter(id[0]) && id[0] != '_') return false;
  for (char c : id) {
    if (!is_letter(c) && !(c >= '0' && c <= '9') && c != '-' && c != '_') return false;
  }
  return true;
}


}  // namespace slipway::validate
