#pragma once
// Dict(spaces): one value per named child space, kept sorted by key as Gymnasium's Dict does.
// Flat encoding: the children's flat encodings concatenated in key order.

#include <algorithm>
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

class Dict {
 public:
  static constexpr std::string_view type_name = "Dict";

  // Sorted by key (so the flat layout never depends on the order the caller listed the keys);
  // a duplicate key is a SpaceError.
  explicit Dict(std::vector<std::pair<std::string, Space>> spaces) : spaces_(std::move(spaces)) {
    std::sort(spaces_.begin(), spaces_.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i + 1 < spaces_.size(); ++i) {
      if (spaces_[i].first == spaces_[i + 1].first) {
        throw SpaceError("Dict", "duplicate key '" + spaces_[i].first + "'",
                         "give every child space its own key");
      }
    }
    for (const auto& [key, space] : spaces_) {
      flat_size_ += space.flat_size();
      preprocessed_size_ += space.preprocessed_size();
    }
  }

  // (key, space) pairs, sorted by key.
  const std::vector<std::pair<std::string, Space>>& spaces() const noexcept { return spaces_; }
  std::size_t size() const noexcept { return spaces_.size(); }
  // nullptr when there is no such key.
  const Space* find(std::string_view key) const noexcept {
    const auto it =
        std::lower_bound(spaces_.begin(), spaces_.end(), key,
                         [](const auto& entry, std::string_view k) { return entry.first < k; });
    return it != spaces_.end() && it->first == key ? &it->second : nullptr;
  }
  // SpaceError naming the key and listing the keys there are.
  const Space& operator[](std::string_view key) const {
    if (const Space* space = find(key)) return *space;
    std::string keys;
    for (const auto& entry : spaces_) keys += (keys.empty() ? "'" : ", '") + entry.first + "'";
    throw SpaceError("Dict", "no key '" + std::string(key) + "'; the keys are: " + keys,
                     "use one of the listed keys");
  }

  // ---- flat encoding: children concatenated in key order ----
  std::size_t flat_size() const noexcept { return flat_size_; }
  std::size_t preprocessed_size() const noexcept { return preprocessed_size_; }
  std::vector<std::int64_t> shape() const { return {}; }

  void sample(RandomStream& rng, std::span<float> flat_out) const {
    detail::check_flat_size("Dict::sample", "output", flat_out.size(), flat_size_);
    detail::sample_children(spaces_, space_of, rng, flat_out);
  }
  bool contains(std::span<const float> flat) const noexcept {
    if (flat.size() != flat_size_) return false;
    return detail::children_contain(spaces_, space_of, flat);
  }
  void preprocess(std::span<const float> flat, std::span<float> out) const {
    detail::check_flat_size("Dict::preprocess", "flat value", flat.size(), flat_size_);
    detail::check_flat_size("Dict::preprocess", "output", out.size(), preprocessed_size_);
    detail::preprocess_children(spaces_, space_of, flat, out);
  }

  // Gymnasium's repr: "Dict('a': Discrete(2), 'b': MultiBinary(3))".
  std::string to_string() const {
    std::string text = "Dict(";
    for (std::size_t i = 0; i < spaces_.size(); ++i) {
      if (i > 0) text += ", ";
      text += "'" + spaces_[i].first + "': " + spaces_[i].second.to_string();
    }
    return text + ")";
  }

  friend bool operator==(const Dict& a, const Dict& b) { return a.spaces_ == b.spaces_; }

 private:
  static constexpr auto space_of = [](const auto& entry) -> const Space& { return entry.second; };
  std::vector<std::pair<std::string, Space>> spaces_;
  std::size_t flat_size_ = 0;
  std::size_t preprocessed_size_ = 0;
};

}  // namespace rlpp

// Space's members need Tuple and Dict complete; space.hpp defines them once both are.
#include "rlpp/spaces/space.hpp"
