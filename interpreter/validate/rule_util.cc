#include "interpreter/validate/rule_util.h"

#include <fmt/format.h>

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

std::string IdProblem(std::string_view kind, std::string_view id) {
  constexpr size_t kMaxIdLength = 100;
  if (!IsValidIdentifier(id)) {
    return fmt::format(
        "invalid {} ID \"{}\"; IDs must start with a letter or \"_\" and contain "
        "only letters, digits, \"-\" and \"_\"",
        kind, id);
  }
  if (id.size() >= kMaxIdLength) {
    return fmt::format(
        "{} ID \"{}\" is too long ({} characters); IDs must be shorter than {} "
        "characters",
        kind, id, id.size(), kMaxIdLength);
  }
  if (id.rfind("__", 0) == 0) {
    return fmt::format("invalid {} ID \"{}\"; IDs starting with \"__\" are reserved", kind, id);
  }
  return "";
}

}  // namespace slipway::validate
