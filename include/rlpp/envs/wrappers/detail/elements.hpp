#pragma once
// Element-wise access to the numeric value types that Box observations and actions use in rlpp:
// arithmetic scalars, std::array and std::vector of them, nested. The wrappers that clip, rescale,
// normalize or stack Box values walk them with for_each_element in row-major order (the order of
// the flat encoding), so one implementation serves float, std::array<float, 4> and
// std::vector<std::array<float, 3>> alike, without allocating.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/spaces/box.hpp"

namespace rlpp::detail {

template <class T> struct is_std_array : std::false_type {};
template <class T, std::size_t N> struct is_std_array<std::array<T, N>> : std::true_type {};
template <class T> struct is_std_vector : std::false_type {};
template <class T, class A> struct is_std_vector<std::vector<T, A>> : std::true_type {};

// A Box value: a number, or a std::array / std::vector of Box values.
template <class T>
struct is_numeric_value : std::bool_constant<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>> {};
template <class T, std::size_t N>
struct is_numeric_value<std::array<T, N>> : is_numeric_value<T> {};
template <class T, class A>
struct is_numeric_value<std::vector<T, A>> : is_numeric_value<T> {};

template <class T>
concept numeric_value = is_numeric_value<T>::value;

// A numeric value whose element count is fixed by its type (no std::vector inside): copying it
// never allocates.
template <class T>
struct is_fixed_size_value : std::bool_constant<std::is_arithmetic_v<T>> {};
template <class T, std::size_t N>
struct is_fixed_size_value<std::array<T, N>> : is_fixed_size_value<T> {};

template <class T>
concept fixed_size_value = numeric_value<T> && is_fixed_size_value<T>::value;

// The scalar type at the bottom of a numeric value: float for std::vector<std::array<float, 2>>.
template <class T> struct scalar_of { using type = T; };
template <class T, std::size_t N> struct scalar_of<std::array<T, N>> : scalar_of<T> {};
template <class T, class A> struct scalar_of<std::vector<T, A>> : scalar_of<T> {};
template <class T>
using scalar_t = typename scalar_of<T>::type;

// The same structure with float scalars (what NormalizeObservation returns).
template <class T> struct with_float_scalars { using type = float; };
template <class T, std::size_t N> struct with_float_scalars<std::array<T, N>> {
  using type = std::array<typename with_float_scalars<T>::type, N>;
};
template <class T, class A> struct with_float_scalars<std::vector<T, A>> {
  using type = std::vector<typename with_float_scalars<T>::type>;
};
template <class T>
using with_float_scalars_t = typename with_float_scalars<T>::type;

// Calls f(scalar&) for every scalar of `value`, row-major.
template <numeric_value T, class F>
constexpr void for_each_element(T& value, F&& f) {
  if constexpr (std::is_arithmetic_v<T>) {
    f(value);
  } else {
    for (auto& item : value) for_each_element(item, f);
  }
}
template <numeric_value T, class F>
constexpr void for_each_element(const T& value, F&& f) {
  if constexpr (std::is_arithmetic_v<T>) {
    f(value);
  } else {
    for (const auto& item : value) for_each_element(item, f);
  }
}

// Calls f(in_scalar, out_scalar&) for matching scalars of two values of the same structure.
// The caller has checked that the sizes agree (element_count).
template <numeric_value In, numeric_value Out, class F>
constexpr void zip_elements(const In& in, Out& out, F&& f) {
  if constexpr (std::is_arithmetic_v<In>) {
    f(in, out);
  } else {
    for (std::size_t i = 0; i < in.size(); ++i) zip_elements(in[i], out[i], f);
  }
}

// Number of scalars in `value`.
template <numeric_value T>
constexpr std::size_t element_count(const T& value) noexcept {
  if constexpr (std::is_arithmetic_v<T>) {
    return 1;
  } else if constexpr (fixed_size_value<T>) {
    return std::tuple_size_v<T> * element_count(typename T::value_type{});
  } else {
    std::size_t count = 0;
    for (const auto& item : value) count += element_count(item);
    return count;
  }
}

// Makes `out` the same structure as `in` (resizing vectors; reuses their capacity).
template <numeric_value In, numeric_value Out>
void match_structure(const In& in, Out& out) {
  if constexpr (is_std_vector<Out>::value) out.resize(in.size());
  if constexpr (!std::is_arithmetic_v<Out>) {
    for (std::size_t i = 0; i < in.size(); ++i) match_structure(in[i], out[i]);
  }
}

// SpaceError unless a fixed-size value type has as many elements as the Box (checked once, when
// a wrapper is built).
inline void check_element_count(std::string_view wrapper, const Box& box, std::size_t count,
                                std::string_view role = "action") {
  if (count != box.flat_size()) {
    throw SpaceError(std::string(wrapper),
                     "the env's " + std::string(role) + " type has " + std::to_string(count) +
                         " elements but its space " + box.to_string() + " has " +
                         std::to_string(box.flat_size()),
                     "make the " + std::string(role) + " type match the space");
  }
}

// EnvError unless a (dynamically sized) action has as many elements as the Box.
template <numeric_value T>
void check_action_size(std::string_view wrapper, const Box& box, const T& action) {
  const std::size_t count = element_count(action);
  if (count != box.flat_size()) {
    throw EnvError(std::string(wrapper),
                   "action has " + std::to_string(count) + " elements; the action space " +
                       box.to_string() + " needs " + std::to_string(box.flat_size()));
  }
}

}  // namespace rlpp::detail
