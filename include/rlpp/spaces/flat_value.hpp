#pragma once
// flat_codec<T>: how a plain C++ value (a number, an array, a tuple of them, ...) maps to and from
// the flat float encoding that spaces, vector envs and batches use. Users specialize flat_codec
// for their own types; write_flat / read_flat / flat_size_of are the entry points.

#include <array>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"

namespace rlpp {

// The customization point. A specialization provides
//   static std::size_t size(const T& value);                       // floats in value's encoding
//   static void write(const T& value, std::span<float> out);       // out.size() == size(value)
//   static void read(std::span<const float> in, T& value);         // in.size() == size(value)
// and optionally
//   static constexpr std::size_t fixed_size;   // when every T has the same size
//   static void resize(T& value, std::size_t n);  // lets read_flat size a bare container to the
//   input
// write/read may assume the sizes match: write_flat / read_flat check them.
template <class T>
struct flat_codec;

// T has a flat_codec specialization (specialize it before first use).
template <class T>
concept flat_encodable = requires(const T& value, T& target, std::span<float> out,
                                  std::span<const float> in) {
  { flat_codec<T>::size(value) } -> std::convertible_to<std::size_t>;
  flat_codec<T>::write(value, out);
  flat_codec<T>::read(in, target);
};

// Every value of T encodes to the same number of floats, known at compile time.
template <class T>
concept fixed_flat_size = flat_encodable<T> && requires {
  { flat_codec<T>::fixed_size } -> std::convertible_to<std::size_t>;
};

template <fixed_flat_size T>
inline constexpr std::size_t flat_size_v = flat_codec<T>::fixed_size;

template <flat_encodable T>
constexpr std::size_t flat_size_of(const T& value) {
  return flat_codec<T>::size(value);
}

// SpaceError unless out.size() == flat_size_of(value).
template <flat_encodable T>
void write_flat(const T& value, std::span<float> out) {
  const std::size_t size = flat_codec<T>::size(value);
  if (out.size() != size) {
    throw SpaceError("write_flat",
                     "output has " + std::to_string(out.size()) + " floats; the value needs " +
                         std::to_string(size),
                     "size the output with flat_size_of(value)");
  }
  flat_codec<T>::write(value, out);
}

// A bare resizable value (std::vector) is first resized to in.size(); nested ones keep their
// size, which tells read_flat how to split the input. SpaceError unless the sizes then match, or
// when an integer (or bool) element receives a non-integral (or non-0/1) float.
template <flat_encodable T>
void read_flat(std::span<const float> in, T& value) {
  if constexpr (requires { flat_codec<T>::resize(value, in.size()); }) {
    flat_codec<T>::resize(value, in.size());
  }
  const std::size_t size = flat_codec<T>::size(value);
  if (in.size() != size) {
    throw SpaceError("read_flat",
                     "input has " + std::to_string(in.size()) + " floats; the value takes " +
                         std::to_string(size),
                     "pass exactly flat_size_of(value) floats");
  }
  flat_codec<T>::read(in, value);
}

namespace detail {

// Float to T with the checks the flat encoding needs: integers must arrive integral and in
// range, bools as exactly 0 or 1.
template <class T>
T from_flat_float(float x) {
  if constexpr (std::is_same_v<T, bool>) {
    if (x == 0.0f) return false;
    if (x == 1.0f) return true;
    throw SpaceError("read_flat", "expected 0 or 1 for a bool, got " + std::to_string(x));
  } else if constexpr (std::is_integral_v<T>) {
    const double v = x;
    // Powers of two are exact doubles: [-2^digits, 2^digits) for signed, [0, 2^digits) unsigned.
    const double limit = std::ldexp(1.0, std::numeric_limits<T>::digits);
    const double lowest = std::is_signed_v<T> ? -limit : 0.0;
    if (!std::isfinite(v) || std::floor(v) != v || v < lowest || v >= limit) {
      throw SpaceError(
          "read_flat",
          "expected an integer in range for the element type, got " + std::to_string(x),
          "integer elements must be encoded as integral floats");
    }
    return static_cast<T>(v);
  } else {
    return static_cast<T>(x);
  }
}

template <class T>
inline constexpr bool is_vector_element = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;

// Walks the elements of a tuple-like value, handing each its slice of the flat buffer.
template <class... Ts>
struct tuple_flat_codec {
  template <class Tuple>
  static constexpr std::size_t size(const Tuple& value) {
    return std::apply([](const auto&... e) { return (std::size_t{0} + ... + flat_size_of(e)); },
                      value);
  }
  template <class Tuple>
  static void write(const Tuple& value, std::span<float> out) {
    std::size_t offset = 0;
    std::apply([&](const auto&... e) { ((write_one(e, out, offset)), ...); }, value);
  }
  template <class Tuple>
  static void read(std::span<const float> in, Tuple& value) {
    std::size_t offset = 0;
    std::apply([&](auto&... e) { ((read_one(in, e, offset)), ...); }, value);
  }

 private:
  template <class E>
  static void write_one(const E& e, std::span<float> out, std::size_t& offset) {
    const std::size_t n = flat_codec<E>::size(e);
    flat_codec<E>::write(e, out.subspan(offset, n));
    offset += n;
  }
  template <class E>
  static void read_one(std::span<const float> in, E& e, std::size_t& offset) {
    const std::size_t n = flat_codec<E>::size(e);
    flat_codec<E>::read(in.subspan(offset, n), e);
    offset += n;
  }
};

template <class... Ts>
struct tuple_fixed_size {};
template <class... Ts>
requires(fixed_flat_size<Ts>&&...) struct tuple_fixed_size<Ts...> {
  static constexpr std::size_t fixed_size = (std::size_t{0} + ... + flat_size_v<Ts>);
};

template <class T, std::size_t N>
struct array_fixed_size {};
template <class T, std::size_t N>
requires fixed_flat_size<T>
struct array_fixed_size<T, N> {
  static constexpr std::size_t fixed_size = N * flat_size_v<T>;
};

}  // namespace detail

// ---- the codecs rlpp provides ----------------------------------------------------------------

// Numbers and bool: one float.
template <class T>
requires std::is_arithmetic_v<T>
struct flat_codec<T> {
  static constexpr std::size_t fixed_size = 1;
  static constexpr std::size_t size(const T&) noexcept { return 1; }
  static void write(const T& value, std::span<float> out) noexcept {
    out[0] = static_cast<float>(value);
  }
  static void read(std::span<const float> in, T& value) {
    value = detail::from_flat_float<T>(in[0]);
  }
};

// std::array: its elements' encodings in order (N floats for an array of numbers).
template <flat_encodable T, std::size_t N>
struct flat_codec<std::array<T, N>> : detail::array_fixed_size<T, N> {
  static constexpr std::size_t size(const std::array<T, N>& value) {
    if constexpr (fixed_flat_size<T>) {
      return N * flat_size_v<T>;
    } else {
      std::size_t total = 0;
      for (const T& e : value) total += flat_codec<T>::size(e);
      return total;
    }
  }
  static void write(const std::array<T, N>& value, std::span<float> out) {
    std::size_t offset = 0;
    for (const T& e : value) {
      const std::size_t n = flat_codec<T>::size(e);
      flat_codec<T>::write(e, out.subspan(offset, n));
      offset += n;
    }
  }
  static void read(std::span<const float> in, std::array<T, N>& value) {
    std::size_t offset = 0;
    for (T& e : value) {
      const std::size_t n = flat_codec<T>::size(e);
      flat_codec<T>::read(in.subspan(offset, n), e);
      offset += n;
    }
  }
};

// std::vector of numbers (not bool): one float per element; read_flat resizes a bare vector.
template <class T, class Allocator>
requires detail::is_vector_element<T>
struct flat_codec<std::vector<T, Allocator>> {
  static std::size_t size(const std::vector<T, Allocator>& value) noexcept { return value.size(); }
  static void resize(std::vector<T, Allocator>& value, std::size_t n) { value.resize(n); }
  static void write(const std::vector<T, Allocator>& value, std::span<float> out) noexcept {
    for (std::size_t i = 0; i < value.size(); ++i) out[i] = static_cast<float>(value[i]);
  }
  static void read(std::span<const float> in, std::vector<T, Allocator>& value) {
    for (std::size_t i = 0; i < value.size(); ++i) value[i] = detail::from_flat_float<T>(in[i]);
  }
};

// std::tuple and std::pair: their elements' encodings concatenated, recursively.
template <flat_encodable... Ts>
struct flat_codec<std::tuple<Ts...>> : detail::tuple_flat_codec<Ts...>,
                                       detail::tuple_fixed_size<Ts...> {};
template <flat_encodable A, flat_encodable B>
struct flat_codec<std::pair<A, B>> : detail::tuple_flat_codec<A, B>,
                                     detail::tuple_fixed_size<A, B> {};

}  // namespace rlpp
