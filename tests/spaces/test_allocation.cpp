// preprocess, sample and contains on spaces, and write_flat / read_flat on fixed-size values, do
// no heap allocation (counted by the global operator new that tests/test_main.cpp replaces).

#include <doctest/doctest.h>

#include <array>
#include <limits>
#include <tuple>
#include <vector>

#include "rlpp/spaces/flat_value.hpp"
#include "rlpp/spaces/space.hpp"
#include "support/allocation_counter.hpp"

using namespace rlpp;
using rlpp::test::count_allocations;

TEST_CASE("preprocess, sample and contains of nested spaces do not allocate") {
  constexpr double inf = std::numeric_limits<double>::infinity();
  const Space space =
      Tuple({Discrete(3), Dict({{"z", MultiDiscrete({2, 3})}, {"a", Box(-1.0, 1.0, {2})}}),
             MultiBinary(2), Box({-inf, 0.0}, {inf, 5.0}, {}, DType::int64)});
  std::vector<float> flat(space.flat_size());
  std::vector<float> out(space.preprocessed_size());
  RandomStream rng(1);
  bool contained = true;
  const std::size_t count = count_allocations([&] {
    for (int i = 0; i < 100; ++i) {
      space.sample(rng, flat);
      contained = contained && space.contains(flat);
      space.preprocess(flat, out);
      (void)space.flat_size();
      (void)space.preprocessed_size();
      (void)space.kind();
    }
  });
  CHECK(count == 0);
  CHECK(contained);
}

TEST_CASE("write_flat and read_flat of fixed-size values do not allocate") {
  std::tuple<int, std::array<float, 3>, std::pair<bool, double>> value{1, {2, 3, 4}, {true, 5}};
  std::array<float, 6> flat{};
  std::vector<float> reused(4);
  const std::size_t count = count_allocations([&] {
    write_flat(value, flat);
    read_flat(flat, value);
    // A vector read into at its current size does not reallocate either.
    read_flat(std::span<const float>(flat).first(4), reused);
  });
  CHECK(count == 0);
}
