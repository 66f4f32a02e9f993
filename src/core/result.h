#pragma once
// Result<T, E>: a value or an error, for every operation that can fail on untrusted input.
//
// Usage:
//   Result<Jwks, jose::Failure> parsed = parseJwks(text);
//   if (!parsed) { log(parsed.error()); return; }
//   use(*parsed);
//
// No exceptions: reading the wrong alternative is a programming error that stops the process
// (a bug, never a path untrusted input can reach when callers test the result first).

#include <cassert>
#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

namespace authgate::core {

// Wraps an error so that Result<T, E> can be built from it even when T and E convert into
// each other (Result<std::string, std::string> stays unambiguous).
template <class E>
struct Unexpected {
  E error;
};

template <class E>
Unexpected<std::decay_t<E>> fail(E&& error) {
  return {std::forward<E>(error)};
}

template <class T, class E>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  template <class G>
  Result(Unexpected<G> failure)  // NOLINT: implicit by design
      : state_(std::in_place_index<1>, std::move(failure.error)) {}

  bool hasValue() const { return state_.index() == 0; }
  explicit operator bool() const { return hasValue(); }

  T& value() & { return *checked<0>(&state_); }
  const T& value() const& { return *checked<0>(&state_); }
  T&& value() && { return std::move(*checked<0>(&state_)); }
  const E& error() const { return *checked<1>(&state_); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  // get_if, and a stop when the alternative is not there: reading the wrong side is a bug, and
  // stopping is safer than reading garbage. (It also shows GCC's -Wnull-dereference at -O2 that
  // the pointer is never null past this point.)
  template <std::size_t I, class V>
  static auto* checked(V* state) {
    auto* alternative = std::get_if<I>(state);
    if (alternative == nullptr) {
      std::abort();
    }
    return alternative;
  }

  std::variant<T, E> state_;
};

// For operations that produce nothing but can fail.
struct Ok {};

}  // namespace authgate::core
