#pragma once
// Discrete(n, start): the integers start, ..., start + n - 1 (Gymnasium's Discrete). Flat
// encoding: one float holding the integer; RLlib preprocesses it to a one-hot of length n.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/spaces/detail/common.hpp"

namespace rlpp {

class Discrete {
 public:
  static constexpr std::string_view type_name = "Discrete";

  // n >= 1, else SpaceError.
  explicit Discrete(std::int64_t n, std::int64_t start = 0) : n_(n), start_(start) {
    if (n < 1) {
      throw SpaceError("Discrete", "n must be >= 1, got " + std::to_string(n),
                       "a Discrete space needs at least one value");
    }
  }

  std::int64_t n() const noexcept { return n_; }
  std::int64_t start() const noexcept { return start_; }

  // A uniform value in [start, start + n).
  std::int64_t sample(RandomStream& rng) const noexcept {
    return start_ + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(n_)));
  }
  bool contains(std::int64_t value) const noexcept {
    // Unsigned difference: exact for any value >= start, where a signed one could overflow.
    return value >= start_ &&
           static_cast<std::uint64_t>(value) - static_cast<std::uint64_t>(start_) <
               static_cast<std::uint64_t>(n_);
  }

  // ---- flat encoding: one float holding the integer value ----
  std::size_t flat_size() const noexcept { return 1; }
  std::size_t preprocessed_size() const noexcept { return static_cast<std::size_t>(n_); }
  std::vector<std::int64_t> shape() const { return {}; }

  void sample(RandomStream& rng, std::span<float> flat_out) const {
    detail::check_flat_size("Discrete::sample", "output", flat_out.size(), 1);
    flat_out[0] = static_cast<float>(sample(rng));
  }
  bool contains(std::span<const float> flat) const noexcept {
    if (flat.size() != 1 || !detail::is_integral_value(flat[0])) return false;
    const double v = flat[0];
    return v >= static_cast<double>(start_) &&
           v < static_cast<double>(start_) + static_cast<double>(n_);
  }
  // One-hot of `value - start` (RLlib's OneHotPreprocessor).
  void preprocess(std::span<const float> flat, std::span<float> out) const {
    detail::check_flat_size("Discrete::preprocess", "flat value", flat.size(), 1);
    detail::check_flat_size("Discrete::preprocess", "output", out.size(), preprocessed_size());
    detail::write_one_hot("Discrete::preprocess", flat[0], start_, n_, out);
  }

  // "Discrete(3)", or "Discrete(3, start=1)" when start != 0 (Gymnasium's repr).
  std::string to_string() const {
    std::string text = "Discrete(" + std::to_string(n_);
    if (start_ != 0) text += ", start=" + std::to_string(start_);
    return text + ")";
  }

  friend bool operator==(const Discrete&, const Discrete&) = default;

 private:
  std::int64_t n_;
  std::int64_t start_;
};

}  // namespace rlpp
