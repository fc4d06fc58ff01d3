#pragma once
// Helpers shared by the space headers: size checks that throw SpaceError, integrality tests for
// the float flat encoding, and the Gymnasium/numpy-like number formatting used by to_string().

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "rlpp/core/error.hpp"

namespace rlpp::detail {

// Throws SpaceError unless a flat buffer has exactly the size the space needs. `role` says which
// buffer ("flat value", "output") so the message points at the caller's mistake.
inline void check_flat_size(std::string_view where, std::string_view role, std::size_t got,
                            std::size_t expected) {
  if (got != expected) {
    throw SpaceError(std::string(where),
                     std::string(role) + " has " + std::to_string(got) + " floats; expected " +
                         std::to_string(expected),
                     "size the buffer with flat_size() / preprocessed_size()");
  }
}

// True when `v` holds an exact integer (NaN and infinities are not integers).
inline bool is_integral_value(double v) noexcept { return std::isfinite(v) && std::floor(v) == v; }

// Shortest text that reads back to the same float (numpy's repr style): "1.0", "0.1", "inf".
inline std::string format_float32(float v) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), v);
  std::string text(buffer, end);
  if (std::isfinite(v) && text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

// Shortest round-trip text of a double, for messages: "0.5", "1e+20".
inline std::string format_double(double v) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), v);
  return std::string(buffer, end);
}

// numpy prints array elements of integral value as "-1." rather than "-1.0".
inline std::string format_float32_element(float v) {
  std::string text = format_float32(v);
  if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) text.pop_back();
  return text;
}

inline std::string format_int(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return std::to_string(static_cast<long long>(v));
}

// Python's tuple repr of a shape: (), (3,), (2, 3).
inline std::string format_shape(std::span<const std::int64_t> shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  if (shape.size() == 1) text += ",";
  return text + ")";
}

// Writes a one-hot of length `n` for integer `value - start` into `out`. The value is checked
// before anything is written, so a bad value can never index outside `out`.
inline void write_one_hot(std::string_view where, float value, std::int64_t start, std::int64_t n,
                          std::span<float> out) {
  const double v = value;
  if (!is_integral_value(v) || v < static_cast<double>(start) ||
      v >= static_cast<double>(start) + static_cast<double>(n)) {
    throw SpaceError(std::string(where),
                     "value " + format_float32(value) + " is not an integer in [" +
                         std::to_string(start) + ", " + std::to_string(start + n - 1) + "]",
                     "check that the value belongs to the space (contains())");
  }
  for (float& x : out) x = 0.0f;
  out[static_cast<std::size_t>(static_cast<std::int64_t>(v) - start)] = 1.0f;
}

}  // namespace rlpp::detail
