#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <vector>

#include "rlpp/core/rng.hpp"
#include "rlpp/execution/segment_tree.hpp"
#include "support/allocation_counter.hpp"

using namespace rlpp;

namespace {
double brute_sum(const std::vector<double>& v, std::size_t begin, std::size_t end) {
  return std::accumulate(v.begin() + static_cast<std::ptrdiff_t>(begin), v.begin() + static_cast<std::ptrdiff_t>(end), 0.0);
}
double brute_min(const std::vector<double>& v, std::size_t begin, std::size_t end) {
  double m = std::numeric_limits<double>::infinity();
  for (std::size_t i = begin; i < end; ++i) m = std::min(m, v[i]);
  return m;
}
// The slot i with prefix(i) <= mass < prefix(i + 1), by a linear scan.
std::size_t brute_find(const std::vector<double>& v, double mass) {
  double prefix = 0.0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    prefix += v[i];
    if (mass < prefix) return i;
  }
  return v.size();
}
}  // namespace

TEST_CASE("segment tree capacity is rounded up to a power of two") {
  CHECK(SumSegmentTree(1).capacity() == 1);
  CHECK(SumSegmentTree(5).capacity() == 8);
  CHECK(MinSegmentTree(8).capacity() == 8);
  CHECK(MinSegmentTree(1000).capacity() == 1024);
  CHECK(SumSegmentTree(0).capacity() == 1);
}

TEST_CASE("unset slots hold the identity: 0 for sums, +infinity for minimums") {
  SumSegmentTree sums(5);
  MinSegmentTree mins(5);
  CHECK(sums.sum() == 0.0);
  CHECK(std::isinf(mins.min()));
  sums.set(3, 2.5);
  mins.set(3, 2.5);
  CHECK(sums.sum() == 2.5);
  CHECK(mins.min() == 2.5);
  CHECK(sums[7] == 0.0);
  CHECK(std::isinf(mins[7]));
}

TEST_CASE("sum and min match brute force over random updates and ranges") {
  RandomStream rng(7);
  for (std::size_t capacity : {1u, 3u, 8u, 37u, 300u}) {
    SumSegmentTree sums(capacity);
    MinSegmentTree mins(capacity);
    std::vector<double> sum_values(sums.capacity(), 0.0);
    std::vector<double> min_values(mins.capacity(), std::numeric_limits<double>::infinity());
    for (int step = 0; step < 2000; ++step) {
      const std::size_t slot = rng.below(capacity);
      const double value = rng.uniform(0.0, 10.0);
      sums.set(slot, value);
      mins.set(slot, value);
      sum_values[slot] = min_values[slot] = value;
      std::size_t begin = rng.below(sums.capacity() + 1), end = rng.below(sums.capacity() + 1);
      if (begin > end) std::swap(begin, end);
      CHECK(sums.sum(begin, end) == doctest::Approx(brute_sum(sum_values, begin, end)).epsilon(1e-12));
      CHECK(mins.min(begin, end) == brute_min(min_values, begin, end));
    }
    CHECK(sums.sum() == doctest::Approx(brute_sum(sum_values, 0, sum_values.size())).epsilon(1e-12));
    CHECK(mins.min() == brute_min(min_values, 0, min_values.size()));
  }
}

TEST_CASE("find_prefixsum_idx finds the slot whose prefix-sum interval holds the mass") {
  // Slots 0..4 = 1, 0, 2, 0.5, 0 (capacity 8): intervals [0,1) [1,1) [1,3) [3,3.5) -.
  SumSegmentTree tree(5);
  const double values[] = {1.0, 0.0, 2.0, 0.5, 0.0};
  for (std::size_t i = 0; i < 5; ++i) tree.set(i, values[i]);
  CHECK(tree.find_prefixsum_idx(0.0) == 0);
  CHECK(tree.find_prefixsum_idx(0.999) == 0);
  CHECK(tree.find_prefixsum_idx(1.0) == 2);  // slot 1 holds no mass: skipped
  CHECK(tree.find_prefixsum_idx(2.999) == 2);
  CHECK(tree.find_prefixsum_idx(3.0) == 3);
  CHECK(tree.find_prefixsum_idx(3.4999) == 3);
  // At or past the total (rounding can put u * total there): the last positive slot, never an
  // empty one.
  CHECK(tree.find_prefixsum_idx(3.5) == 3);
  CHECK(tree.find_prefixsum_idx(100.0) == 3);
  CHECK(tree.find_prefixsum_idx(-1.0) == 0);
}

TEST_CASE("find_prefixsum_idx matches a linear scan on random data and never returns an empty slot") {
  RandomStream rng(11);
  const std::size_t capacity = 100;
  SumSegmentTree tree(capacity);
  std::vector<double> values(capacity, 0.0);
  for (std::size_t i = 0; i < capacity; ++i) {
    values[i] = rng.bernoulli(0.3) ? 0.0 : rng.uniform(0.0, 5.0);  // some empty slots in between
    tree.set(i, values[i]);
  }
  for (int draw = 0; draw < 5000; ++draw) {
    const double mass = rng.uniform() * tree.sum();
    const std::size_t slot = tree.find_prefixsum_idx(mass);
    REQUIRE(slot < capacity);
    CHECK(values[slot] > 0.0);
    // Tree and scan sum in different orders: compare away from the interval edges.
    const double before = brute_sum(values, 0, slot);
    if (mass > before + 1e-9 && mass < before + values[slot] - 1e-9) CHECK(brute_find(values, mass) == slot);
  }
}

TEST_CASE("assign rebuilds the tree from a list of slot values") {
  SumSegmentTree sums(6);
  MinSegmentTree mins(6);
  sums.set(5, 100.0);
  mins.set(5, -100.0);
  const std::vector<double> values{3.0, 1.0, 4.0, 1.5};
  sums.assign(values);
  mins.assign(values);
  CHECK(sums.sum() == 9.5);
  CHECK(sums[5] == 0.0);  // slots past the list go back to the identity
  CHECK(mins.min() == 1.0);
  CHECK(sums.find_prefixsum_idx(4.5) == 2);
  CHECK_THROWS_AS(sums.assign(std::vector<double>(9, 1.0)), Error);
}

TEST_CASE("segment tree errors: slot out of range, empty range bounds, search in an empty tree") {
  SumSegmentTree tree(4);
  CHECK_THROWS_WITH_AS(tree.set(4, 1.0), doctest::Contains("slot 4 is not below the capacity 4"), Error);
  CHECK_THROWS_AS((void)tree[9], Error);
  CHECK_THROWS_AS((void)tree.sum(3, 2), Error);
  CHECK_THROWS_AS((void)tree.sum(0, 5), Error);
  CHECK(tree.sum(2, 2) == 0.0);
  CHECK_THROWS_WITH_AS((void)tree.find_prefixsum_idx(0.0), doctest::Contains("sum is"), Error);
}

TEST_CASE("segment tree updates and queries allocate nothing") {
  SumSegmentTree sums(1000);
  MinSegmentTree mins(1000);
  RandomStream rng(3);
  double sink = 0.0;
  const std::size_t allocations = test::count_allocations([&] {
    for (int i = 0; i < 1000; ++i) {
      const std::size_t slot = rng.below(1000);
      sums.set(slot, rng.uniform());
      mins.set(slot, rng.uniform());
      sink += static_cast<double>(sums.find_prefixsum_idx(rng.uniform() * sums.sum())) + mins.min() + sums.sum(3, 700);
    }
  });
  CHECK(allocations == 0);
  CHECK(sink > 0.0);
}
