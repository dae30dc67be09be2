#include "interpreter/base/check.h"

#include <cstdio>
#include <cstdlib>

namespace slipway::internal {

CheckFailure::CheckFailure(const char* file, int line, const char* condition) {
  stream_ << "internal error: " << file << ":" << line << ": check failed: " << condition << ": ";
}

CheckFailure::~CheckFailure() {
  std::fprintf(stderr, "%s\n", stream_.str().c_str());
  std::abort();
}

}  // namespace slipway::internal
