#pragma once
// What Tuple and Dict share: walking their child spaces, each with its segment of a flat value
// (children concatenated in order) and of the preprocessed output. `space_of` maps an element
// of the children container to its Space (Tuple holds spaces, Dict (key, space) pairs).
// Sizes are checked by the callers, which know their names.

#include <cstddef>
#include <span>

#include "rlpp/core/rng.hpp"

namespace rlpp::detail {

template <class Children, class SpaceOf>
void sample_children(const Children& children, SpaceOf space_of, RandomStream& rng, std::span<float> flat_out) {
  std::size_t offset = 0;
  for (const auto& child : children) {
    const auto& space = space_of(child);
    const std::size_t n = space.flat_size();
    space.sample(rng, flat_out.subspan(offset, n));
    offset += n;
  }
}

template <class Children, class SpaceOf>
bool children_contain(const Children& children, SpaceOf space_of, std::span<const float> flat) noexcept {
  std::size_t offset = 0;
  for (const auto& child : children) {
    const auto& space = space_of(child);
    const std::size_t n = space.flat_size();
    if (!space.contains(flat.subspan(offset, n))) return false;
    offset += n;
  }
  return true;
}

template <class Children, class SpaceOf>
void preprocess_children(const Children& children, SpaceOf space_of, std::span<const float> flat,
                         std::span<float> out) {
  std::size_t in_offset = 0;
  std::size_t out_offset = 0;
  for (const auto& child : children) {
    const auto& space = space_of(child);
    const std::size_t n_in = space.flat_size();
    const std::size_t n_out = space.preprocessed_size();
    space.preprocess(flat.subspan(in_offset, n_in), out.subspan(out_offset, n_out));
    in_offset += n_in;
    out_offset += n_out;
  }
}

}  // namespace rlpp::detail
