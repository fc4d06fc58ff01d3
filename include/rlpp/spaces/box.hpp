#pragma once
// Box: an n-dimensional array of float32 or int64 numbers, each within [low, high] (Gymnasium's
// Box). Flat encoding: prod(shape) floats, row-major; RLlib passes Boxes through unpreprocessed.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/spaces/detail/common.hpp"

namespace rlpp {

// A Box's element type (RLlib's float or int Box). Values travel as floats in the flat
// encoding either way; an int64 Box only admits integral ones.
enum class DType { float32, int64 };

constexpr std::string_view to_string(DType dtype) noexcept {
  return dtype == DType::float32 ? "float32" : "int64";
}

class Box {
 public:
  static constexpr std::string_view type_name = "Box";

  // Scalar bounds broadcast to every element of `shape` ({} is a scalar Box of one element).
  Box(double low, double high, std::vector<std::int64_t> shape, DType dtype = DType::float32)
      : shape_(std::move(shape)), dtype_(dtype) {
    const std::size_t size = checked_flat_size(shape_);
    low_.assign(size, low);
    high_.assign(size, high);
    normalize_bounds();
  }
  // Per-element bounds, flat and row-major; an empty `shape` means {low.size()}.
  Box(std::vector<double> low, std::vector<double> high, std::vector<std::int64_t> shape = {},
      DType dtype = DType::float32)
      : shape_(std::move(shape)), dtype_(dtype), low_(std::move(low)), high_(std::move(high)) {
    if (low_.size() != high_.size()) {
      throw SpaceError("Box",
                       "low has " + std::to_string(low_.size()) + " elements but high has " +
                           std::to_string(high_.size()),
                       "give low and high one bound per element");
    }
    if (low_.empty()) {
      throw SpaceError("Box", "low and high are empty", "give at least one bound per element");
    }
    if (shape_.empty()) shape_ = {static_cast<std::int64_t>(low_.size())};
    const std::size_t size = checked_flat_size(shape_);
    if (size != low_.size()) {
      throw SpaceError("Box",
                       "shape " + detail::format_shape(shape_) + " has " + std::to_string(size) +
                           " elements but low and high have " + std::to_string(low_.size()),
                       "give one bound per element, row-major");
    }
    normalize_bounds();
  }

  const std::vector<std::int64_t>& shape() const noexcept { return shape_; }
  DType dtype() const noexcept { return dtype_; }
  // One bound per element (flat_size() of them); may be -inf / +inf.
  std::span<const double> low() const noexcept { return low_; }
  std::span<const double> high() const noexcept { return high_; }

  // Both sides finite for every element.
  bool is_bounded() const noexcept {
    return std::all_of(low_.begin(), low_.end(), [](double v) { return std::isfinite(v); }) &&
           std::all_of(high_.begin(), high_.end(), [](double v) { return std::isfinite(v); });
  }

  // ---- flat encoding: prod(shape) floats, row-major ----
  std::size_t flat_size() const noexcept { return low_.size(); }
  std::size_t preprocessed_size() const noexcept { return low_.size(); }

  // Gymnasium's Box.sample: uniform where bounded on both sides, normal(0, 1) where unbounded,
  // low + Exp(1) / high - Exp(1) where bounded on one side; int64 Boxes floor a draw over
  // [low, high + 1). Results are clamped so that every sample satisfies contains().
  void sample(RandomStream& rng, std::span<float> flat_out) const {
    detail::check_flat_size("Box::sample", "output", flat_out.size(), flat_size());
    constexpr double float_max = std::numeric_limits<float>::max();
    const bool integer = dtype_ == DType::int64;
    for (std::size_t i = 0; i < low_.size(); ++i) {
      const double low = low_[i];
      const double high = high_[i];
      const bool has_low = std::isfinite(low);
      const bool has_high = std::isfinite(high);
      const double upper = integer && has_high ? high + 1.0 : high;
      double value = 0.0;
      if (has_low && has_high) {
        value = rng.uniform(low, upper);
      } else if (has_low) {
        value = low + rng.exponential();
      } else if (has_high) {
        value = upper - rng.exponential();
      } else {
        value = rng.normal();
      }
      if (integer) value = std::floor(value);
      // Clamp to the bounds, and to float's finite range so a sample is never infinite.
      value = std::clamp(value, has_low ? low : -float_max, has_high ? high : float_max);
      float stored = static_cast<float>(value);
      // Int bounds beyond 2^24 need not be floats; rounding must not leave the box.
      if (static_cast<double>(stored) > high) stored = std::nextafter(stored, -INFINITY);
      if (static_cast<double>(stored) < low) stored = std::nextafter(stored, INFINITY);
      flat_out[i] = stored;
    }
  }

  // False on a wrong size, NaN, a value outside [low, high], or a non-integral value in an
  // int64 Box.
  bool contains(std::span<const float> flat) const noexcept {
    if (flat.size() != low_.size()) return false;
    const bool integer = dtype_ == DType::int64;
    for (std::size_t i = 0; i < flat.size(); ++i) {
      const double v = flat[i];
      if (std::isnan(v) || v < low_[i] || v > high_[i]) return false;
      if (integer && !detail::is_integral_value(v)) return false;
    }
    return true;
  }

  // RLlib's NoPreprocessor: the values as they are (bounds are not checked; use contains()).
  void preprocess(std::span<const float> flat, std::span<float> out) const {
    detail::check_flat_size("Box::preprocess", "flat value", flat.size(), flat_size());
    detail::check_flat_size("Box::preprocess", "output", out.size(), preprocessed_size());
    std::copy(flat.begin(), flat.end(), out.begin());
  }

  // Gymnasium's repr: "Box(-1.0, 1.0, (3,), float32)"; per-element bounds as numpy prints
  // arrays: "Box([-1. -2.], [1. 2.], (2,), float32)".
  std::string to_string() const {
    return "Box(" + bounds_string(low_) + ", " + bounds_string(high_) + ", " +
           detail::format_shape(shape_) + ", " + std::string(rlpp::to_string(dtype_)) + ")";
  }

  friend bool operator==(const Box&, const Box&) = default;

 private:
  static std::size_t checked_flat_size(const std::vector<std::int64_t>& shape) {
    std::int64_t size = 1;
    for (std::int64_t dim : shape) {
      if (dim <= 0) {
        throw SpaceError("Box",
                         "shape " + detail::format_shape(shape) + " has a non-positive dimension",
                         "every dimension must be >= 1");
      }
      if (size > std::numeric_limits<std::int64_t>::max() / dim) {
        throw SpaceError("Box", "shape " + detail::format_shape(shape) + " is too large");
      }
      size *= dim;
    }
    return static_cast<std::size_t>(size);
  }

  // Rounds float32 bounds to float (as Gymnasium stores them), then validates every element.
  void normalize_bounds() {
    for (std::size_t i = 0; i < low_.size(); ++i) {
      // Built only on the error paths: bounds of large Boxes are validated without strings.
      const auto index = [i] { return "[" + std::to_string(i) + "]"; };
      for (auto* bound : {&low_[i], &high_[i]}) {
        const char* name = bound == &low_[i] ? "low" : "high";
        if (std::isnan(*bound)) {
          throw SpaceError("Box", std::string(name) + index() + " is NaN",
                           "bounds must be numbers");
        }
        if (dtype_ == DType::float32) {
          *bound = round_to_float(*bound);
        } else if (!std::isinf(*bound)) {
          if (!detail::is_integral_value(*bound)) {
            throw SpaceError("Box",
                             std::string(name) + index() + " = " + detail::format_double(*bound) +
                                 " is not an integer",
                             "an int64 Box needs integral (or infinite) bounds");
          }
          // 2^63 is exact in double: finite int64 bounds must fit an int64 (JSON writes them so).
          if (*bound >= 0x1.0p63 || *bound < -0x1.0p63) {
            throw SpaceError("Box",
                             std::string(name) + index() + " = " + detail::format_double(*bound) +
                                 " is outside int64's range",
                             "use -inf / inf for an unbounded side");
          }
        }
      }
      if (low_[i] > high_[i]) {
        throw SpaceError("Box",
                         "low" + index() + " = " + element_string(low_[i]) + " > high" + index() +
                             " = " + element_string(high_[i]),
                         "every low must be <= its high");
      }
      if (low_[i] == INFINITY || high_[i] == -INFINITY) {
        throw SpaceError("Box", "low" + index() + " is +inf or high" + index() + " is -inf",
                         "use -inf for an unbounded low and +inf for an unbounded high");
      }
    }
  }

  // Beyond float's range a bound becomes +-inf (a float32 Box cannot tell them apart).
  static double round_to_float(double v) noexcept {
    constexpr double float_max = std::numeric_limits<float>::max();
    if (v > float_max) return INFINITY;
    if (v < -float_max) return -INFINITY;
    return static_cast<double>(static_cast<float>(v));
  }

  std::string element_string(double v) const {
    return dtype_ == DType::float32 ? detail::format_float32(static_cast<float>(v))
                                    : detail::format_int(v);
  }

  std::string bounds_string(const std::vector<double>& bounds) const {
    const bool uniform =
        std::all_of(bounds.begin(), bounds.end(), [&](double v) { return v == bounds.front(); });
    if (uniform) return element_string(bounds.front());
    std::string text;
    std::size_t next = 0;
    append_array(text, bounds, 0, next);
    return text;
  }

  // numpy-style nested brackets, elements separated by spaces: [[0. 1.] [2. 3.]].
  void append_array(std::string& text, const std::vector<double>& values, std::size_t dim,
                    std::size_t& next) const {
    text += '[';
    for (std::int64_t j = 0; j < shape_[dim]; ++j) {
      if (j > 0) text += ' ';
      if (dim + 1 < shape_.size()) {
        append_array(text, values, dim + 1, next);
      } else {
        const double v = values[next++];
        text += dtype_ == DType::float32 ? detail::format_float32_element(static_cast<float>(v))
                                         : detail::format_int(v);
      }
    }
    text += ']';
  }

  std::vector<std::int64_t> shape_;
  DType dtype_;
  std::vector<double> low_;
  std::vector<double> high_;
};

}  // namespace rlpp
