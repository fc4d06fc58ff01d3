#pragma once
// MultiBinary(n): n independent bits (Gymnasium's MultiBinary). Flat encoding: n floats in
// {0, 1}; RLlib passes it through unpreprocessed.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/spaces/detail/common.hpp"

namespace rlpp {

class MultiBinary {
 public:
  static constexpr std::string_view type_name = "MultiBinary";

  // n >= 1, else SpaceError.
  explicit MultiBinary(std::int64_t n) : n_(n) {
    if (n < 1) {
      throw SpaceError("MultiBinary", "n must be >= 1, got " + std::to_string(n),
                       "a MultiBinary space needs at least one bit");
    }
  }

  std::int64_t n() const noexcept { return n_; }

  // ---- flat encoding: n floats in {0, 1} ----
  std::size_t flat_size() const noexcept { return static_cast<std::size_t>(n_); }
  std::size_t preprocessed_size() const noexcept { return static_cast<std::size_t>(n_); }
  std::vector<std::int64_t> shape() const { return {n_}; }

  // Each bit a fair coin, drawn with below(2) (exact, one draw per bit).
  void sample(RandomStream& rng, std::span<float> flat_out) const {
    detail::check_flat_size("MultiBinary::sample", "output", flat_out.size(), flat_size());
    for (float& bit : flat_out) bit = static_cast<float>(rng.below(2));
  }
  bool contains(std::span<const float> flat) const noexcept {
    return flat.size() == flat_size() &&
           std::all_of(flat.begin(), flat.end(), [](float v) { return v == 0.0f || v == 1.0f; });
  }
  // RLlib's NoPreprocessor: the bits as they are (not checked; use contains()).
  void preprocess(std::span<const float> flat, std::span<float> out) const {
    detail::check_flat_size("MultiBinary::preprocess", "flat value", flat.size(), flat_size());
    detail::check_flat_size("MultiBinary::preprocess", "output", out.size(), preprocessed_size());
    std::copy(flat.begin(), flat.end(), out.begin());
  }

  // Gymnasium's repr: "MultiBinary(5)".
  std::string to_string() const { return "MultiBinary(" + std::to_string(n_) + ")"; }

  friend bool operator==(const MultiBinary&, const MultiBinary&) = default;

 private:
  std::int64_t n_;
};

}  // namespace rlpp
