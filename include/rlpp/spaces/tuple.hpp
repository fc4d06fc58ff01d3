#pragma once
// Tuple(spaces): one value from each child space, in order (Gymnasium's Tuple). Flat encoding:
// the children's flat encodings concatenated; RLlib's TupleFlatteningPreprocessor likewise.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/spaces/detail/common.hpp"
#include "rlpp/spaces/detail/composite.hpp"
#include "rlpp/spaces/detail/space_class.hpp"

namespace rlpp {

class Tuple {
 public:
  static constexpr std::string_view type_name = "Tuple";

  explicit Tuple(std::vector<Space> spaces) : spaces_(std::move(spaces)) {
    // Cached so that the per-value operations below only walk the children.
    for (const Space& space : spaces_) {
      flat_size_ += space.flat_size();
      preprocessed_size_ += space.preprocessed_size();
    }
  }

  const std::vector<Space>& spaces() const noexcept { return spaces_; }
  std::size_t size() const noexcept { return spaces_.size(); }
  // SpaceError when `index` >= size().
  const Space& operator[](std::size_t index) const {
    if (index >= spaces_.size()) {
      throw SpaceError("Tuple", "index " + std::to_string(index) + " is out of range for " +
                                    to_string() + " of " + std::to_string(spaces_.size()) +
                                    " spaces");
    }
    return spaces_[index];
  }

  // ---- flat encoding: children concatenated in order ----
  std::size_t flat_size() const noexcept { return flat_size_; }
  std::size_t preprocessed_size() const noexcept { return preprocessed_size_; }
  std::vector<std::int64_t> shape() const { return {}; }

  void sample(RandomStream& rng, std::span<float> flat_out) const {
    detail::check_flat_size("Tuple::sample", "output", flat_out.size(), flat_size_);
    detail::sample_children(spaces_, space_of, rng, flat_out);
  }
  bool contains(std::span<const float> flat) const noexcept {
    if (flat.size() != flat_size_) return false;
    return detail::children_contain(spaces_, space_of, flat);
  }
  void preprocess(std::span<const float> flat, std::span<float> out) const {
    detail::check_flat_size("Tuple::preprocess", "flat value", flat.size(), flat_size_);
    detail::check_flat_size("Tuple::preprocess", "output", out.size(), preprocessed_size_);
    detail::preprocess_children(spaces_, space_of, flat, out);
  }

  // Gymnasium's repr: "Tuple(Discrete(2), Box(-1.0, 1.0, (3,), float32))".
  std::string to_string() const {
    std::string text = "Tuple(";
    for (std::size_t i = 0; i < spaces_.size(); ++i) {
      if (i > 0) text += ", ";
      text += spaces_[i].to_string();
    }
    return text + ")";
  }

  friend bool operator==(const Tuple& a, const Tuple& b) { return a.spaces_ == b.spaces_; }

 private:
  static constexpr auto space_of = [](const Space& space) -> const Space& { return space; };
  std::vector<Space> spaces_;
  std::size_t flat_size_ = 0;
  std::size_t preprocessed_size_ = 0;
};

}  // namespace rlpp

// Space's members need Tuple and Dict complete; space.hpp defines them once both are.
#include "rlpp/spaces/space.hpp"
