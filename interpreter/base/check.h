#pragma once
/// SLIPWAY_CHECK: for internal bugs only, never for anything user input can trigger. Aborts with
/// "internal error: ..." (ninja's Fatal).

#include <sstream>

namespace slipway::internal {

class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition);
  [[noreturn]] ~CheckFailure();
  template <class T>
  CheckFailure& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  std::ostringstream stream_;
};

}  // namespace slipway::internal

#define SLIPWAY_CHECK(cond) \
  if (cond) {               \
  } else                    \
    ::slipway::internal::CheckFailure(__FILE__, __LINE__, #cond)
