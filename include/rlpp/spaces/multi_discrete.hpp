#pragma once
// MultiDiscrete(nvec): k independent discrete values, the i-th in [0, nvec[i]) (Gymnasium's
// MultiDiscrete). Flat encoding: k floats; RLlib preprocesses it to concatenated one-hots.

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/spaces/detail/common.hpp"

namespace rlpp {

class MultiDiscrete {
 public:
  static constexpr std::string_view type_name = "MultiDiscrete";

  // Non-empty, every n >= 1, else SpaceError.
  explicit MultiDiscrete(std::vector<std::int64_t> nvec) : nvec_(std::move(nvec)) {
    if (nvec_.empty()) {
      throw SpaceError("MultiDiscrete", "nvec is empty", "give at least one sub-space size");
    }
    for (std::size_t i = 0; i < nvec_.size(); ++i) {
      if (nvec_[i] < 1) {
        throw SpaceError(
            "MultiDiscrete",
            "nvec[" + std::to_string(i) + "] = " + std::to_string(nvec_[i]) + " must be >= 1",
            "each sub-space needs at least one value");
      }
    }
    // Cached: preprocess() runs per observation and must not re-add nvec each time.
    one_hot_size_ =
        static_cast<std::size_t>(std::accumulate(nvec_.begin(), nvec_.end(), std::int64_t{0}));
  }

  const std::vector<std::int64_t>& nvec() const noexcept { return nvec_; }

  // ---- flat encoding: nvec.size() floats ----
  std::size_t flat_size() const noexcept { return nvec_.size(); }
  std::size_t preprocessed_size() const noexcept { return one_hot_size_; }
  std::vector<std::int64_t> shape() const { return {static_cast<std::int64_t>(nvec_.size())}; }

  void sample(RandomStream& rng, std::span<float> flat_out) const {
    detail::check_flat_size("MultiDiscrete::sample", "output", flat_out.size(), flat_size());
    for (std::size_t i = 0; i < nvec_.size(); ++i) {
      flat_out[i] = static_cast<float>(rng.below(static_cast<std::uint64_t>(nvec_[i])));
    }
  }
  bool contains(std::span<const float> flat) const noexcept {
    if (flat.size() != nvec_.size()) return false;
    for (std::size_t i = 0; i < flat.size(); ++i) {
      const double v = flat[i];
      if (!detail::is_integral_value(v) || v < 0.0 || v >= static_cast<double>(nvec_[i])) {
        return false;
      }
    }
    return true;
  }
  // Concatenated one-hots, one of length nvec[i] per value (RLlib's
  // MultiDiscrete handling in OneHotPreprocessor): [3, 4], value [1, 0] -> [0,1,0, 1,0,0,0].
  void preprocess(std::span<const float> flat, std::span<float> out) const {
    detail::check_flat_size("MultiDiscrete::preprocess", "flat value", flat.size(), flat_size());
    detail::check_flat_size("MultiDiscrete::preprocess", "output", out.size(), preprocessed_size());
    std::size_t offset = 0;
    for (std::size_t i = 0; i < nvec_.size(); ++i) {
      const auto n = static_cast<std::size_t>(nvec_[i]);
      detail::write_one_hot("MultiDiscrete::preprocess", flat[i], 0, nvec_[i],
                            out.subspan(offset, n));
      offset += n;
    }
  }

  // Gymnasium's repr: "MultiDiscrete([3 4])".
  std::string to_string() const {
    std::string text = "MultiDiscrete([";
    for (std::size_t i = 0; i < nvec_.size(); ++i) {
      if (i > 0) text += ' ';
      text += std::to_string(nvec_[i]);
    }
    return text + "])";
  }

  friend bool operator==(const MultiDiscrete& a, const MultiDiscrete& b) {
    return a.nvec_ == b.nvec_;
  }

 private:
  std::vector<std::int64_t> nvec_;
  std::size_t one_hot_size_ = 0;
};

}  // namespace rlpp
