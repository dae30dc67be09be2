#pragma once
/// Which characters a YAML stream may hold: YAML 1.2 reads UTF-8 text of printable characters
/// only (c-printable). The loader refuses a file with any other before parsing it, so a NUL byte
/// is an error at its line and column, never dropped or cut by the YAML library.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace slipway::yaml {

/// The first character that cannot be in a YAML stream: its byte offset (npos when there is
/// none) and code point (-1 when the bytes there are not UTF-8).
struct BadCharacter {
  size_t offset = std::string_view::npos;
  int32_t code_point = -1;
};

/// True for YAML 1.2's c-printable: TAB, LF, CR, U+0020-007E, U+0085, U+00A0-D7FF,
/// U+E000-FFFD, U+10000-10FFFF. NUL and the other C0 controls, DEL, the C1 controls but NEL,
/// surrogates, U+FFFE and U+FFFF are not.
bool IsPrintable(uint32_t code_point);

/// The first byte sequence of `text` that is not UTF-8 or not a printable character.
BadCharacter FindBadCharacter(std::string_view text);

}  // namespace slipway::yaml
