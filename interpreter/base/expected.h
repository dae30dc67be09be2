#pragma once
/// Expected<T, E>: a value or an error, for run-time results (std::expected is C++23-only).

#include <string>
#include <utility>
#include <variant>

#include "interpreter/base/check.h"

namespace slipway {

template <class E>
struct Unexpected {
  E error;
};
template <class E>
Unexpected<std::decay_t<E>> MakeUnexpected(E&& error) {
  return {std::forward<E>(error)};
}

template <class T, class E = std::string>
class Expected {
 public:
  Expected(T value) : data_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  template <class F>
  Expected(Unexpected<F> error)  // NOLINT: implicit
      : data_(std::in_place_index<1>, E(std::move(error.error))) {}

  bool has_value() const { return data_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & {
    SLIPWAY_CHECK(has_value()) << "Expected::value() on an error";
    return std::get<0>(data_);
  }
  const T& value() const& {
    SLIPWAY_CHECK(has_value()) << "Expected::value() on an error";
    return std::get<0>(data_);
  }
  T&& value() && {
    SLIPWAY_CHECK(has_value()) << "Expected::value() on an error";
    return std::get<0>(std::move(data_));
  }
  const E& error() const {
    SLIPWAY_CHECK(!has_value()) << "Expected::error() on a value";
    return std::get<1>(data_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, E> data_;
};

}  // namespace slipway
