#pragma once
// Segment trees over a fixed number of slots, the index behind prioritized replay (RLlib's
// rllib/execution/segment_tree.py): SumSegmentTree answers "total priority" and "which slot holds
// the mass-th unit of priority" (proportional sampling), MinSegmentTree "smallest priority" (the
// largest importance weight). Both hold doubles; set() and the queries cost O(log capacity) and
// never allocate.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "rlpp/core/error.hpp"

namespace rlpp {

namespace detail {
struct SumOperation {
  static constexpr double identity = 0.0;
  static constexpr double combine(double a, double b) noexcept { return a + b; }
};
struct MinOperation {
  static constexpr double identity = std::numeric_limits<double>::infinity();
  static constexpr double combine(double a, double b) noexcept { return std::min(a, b); }
};
}  // namespace detail

// A complete binary tree whose leaves are the slots and whose inner nodes hold
// Operation::combine of their children. Capacity is rounded up to a power of two; slots never
// set hold Operation::identity (0 for sums, +infinity for minimums).
template <class Operation>
class SegmentTree {
 public:
  explicit SegmentTree(std::size_t capacity)
      : capacity_(std::bit_ceil(std::max<std::size_t>(capacity, 1))), nodes_(2 * capacity_, Operation::identity) {}

  // Number of slots: the requested capacity rounded up to a power of two.
  std::size_t capacity() const noexcept { return capacity_; }

  // The value of one slot.
  double operator[](std::size_t index) const {
    if (index >= capacity_) throw out_of_range(index, "operator[]");
    return nodes_[capacity_ + index];
  }

  // Sets one slot and recomputes its ancestors from their children (no incremental drift).
  void set(std::size_t index, double value) {
    if (index >= capacity_) throw out_of_range(index, "set");
    std::size_t node = capacity_ + index;
    nodes_[node] = value;
    for (node >>= 1; node >= 1; node >>= 1)
      nodes_[node] = Operation::combine(nodes_[2 * node], nodes_[2 * node + 1]);
  }

  // Slots [0, values.size()) from `values`, every other slot back to the identity; one O(capacity)
  // rebuild (what restoring a checkpoint uses).
  void assign(std::span<const double> values) {
    if (values.size() > capacity_)
      throw Error("SegmentTree::assign", std::to_string(values.size()) + " values do not fit in " +
                                             std::to_string(capacity_) + " slots");
    std::fill(nodes_.begin(), nodes_.end(), Operation::identity);
    std::copy(values.begin(), values.end(), nodes_.begin() + static_cast<std::ptrdiff_t>(capacity_));
    for (std::size_t node = capacity_ - 1; node >= 1; --node)
      nodes_[node] = Operation::combine(nodes_[2 * node], nodes_[2 * node + 1]);
  }

  // Operation over all slots: the root, O(1).
  double reduce() const noexcept { return nodes_[1]; }

  // Operation over slots [begin, end) (the identity when the range is empty), O(log capacity).
  double reduce(std::size_t begin, std::size_t end) const {
    if (begin > end || end > capacity_)
      throw Error("SegmentTree::reduce", "range [" + std::to_string(begin) + ", " + std::to_string(end) +
                                             ") is not within the " + std::to_string(capacity_) + " slots");
    double left = Operation::identity, right = Operation::identity;
    for (begin += capacity_, end += capacity_; begin < end; begin >>= 1, end >>= 1) {
      if (begin & 1) left = Operation::combine(left, nodes_[begin++]);
      if (end & 1) right = Operation::combine(nodes_[--end], right);
    }
    return Operation::combine(left, right);
  }

 protected:
  Error out_of_range(std::size_t index, const char* what) const {
    return Error(std::string("SegmentTree::") + what,
                 "slot " + std::to_string(index) + " is not below the capacity " + std::to_string(capacity_));
  }

  std::size_t capacity_;
  std::vector<double> nodes_;  // nodes_[1] is the root, node i has children 2i and 2i + 1,
                               // slot s is the leaf nodes_[capacity_ + s]; nodes_[0] is unused
};

// Sums over slots of non-negative values, with the prefix-sum search proportional sampling needs.
class SumSegmentTree : public SegmentTree<detail::SumOperation> {
 public:
  using SegmentTree::SegmentTree;

  double sum() const noexcept { return reduce(); }
  double sum(std::size_t begin, std::size_t end) const { return reduce(begin, end); }

  // The slot i with sum(0, i) <= mass < sum(0, i + 1): drawing mass uniformly from [0, sum())
  // picks slot i with probability value_i / sum(). The search never returns a slot whose value
  // is 0, even where rounding puts `mass` at or past the end of the last positive slot (it then
  // returns the last positive slot). Needs sum() > 0 and no negative values.
  std::size_t find_prefixsum_idx(double mass) const {
    if (!(nodes_[1] > 0.0))
      throw Error("SumSegmentTree::find_prefixsum_idx", "the tree's sum is " + std::to_string(nodes_[1]) +
                                                            ", so no slot can be found",
                  "set a positive value in at least one slot first");
    if (mass < 0.0) mass = 0.0;  // then `mass < left` implies left > 0
    std::size_t node = 1;
    while (node < capacity_) {
      const double left = nodes_[2 * node];
      // Descend right only into a subtree with positive mass; the node itself has positive mass,
      // so when the right child has none the left one has it all.
      if (mass < left || !(nodes_[2 * node + 1] > 0.0)) {
        node = 2 * node;
      } else {
        mass -= left;
        node = 2 * node + 1;
      }
    }
    return node - capacity_;
  }
};

// Minimums over slots; unset slots are +infinity, so min() is the minimum of the set slots.
class MinSegmentTree : public SegmentTree<detail::MinOperation> {
 public:
  using SegmentTree::SegmentTree;

  double min() const noexcept { return reduce(); }
  double min(std::size_t begin, std::size_t end) const { return reduce(begin, end); }
};

}  // namespace rlpp
