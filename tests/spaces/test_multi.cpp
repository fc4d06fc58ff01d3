// MultiDiscrete and MultiBinary: construction, contains, sampling, preprocessing, repr.

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "rlpp/spaces/multi_binary.hpp"
#include "rlpp/spaces/multi_discrete.hpp"

using rlpp::MultiBinary;
using rlpp::MultiDiscrete;
using rlpp::RandomStream;
using rlpp::SpaceError;

TEST_CASE("MultiDiscrete needs a non-empty nvec of sizes >= 1") {
  CHECK_THROWS_AS(MultiDiscrete({}), SpaceError);
  CHECK_THROWS_AS(MultiDiscrete({3, 0}), SpaceError);
  CHECK_THROWS_AS(MultiDiscrete({-1}), SpaceError);
  try {
    MultiDiscrete({3, 0});
    FAIL("no error");
  } catch (const SpaceError& error) {
    CHECK(error.message() == "nvec[1] = 0 must be >= 1");
  }
}

TEST_CASE("MultiDiscrete([3 4]) encodes to 2 floats and preprocesses to 3 + 4 = 7") {
  const MultiDiscrete space({3, 4});
  CHECK(space.nvec() == std::vector<std::int64_t>{3, 4});
  CHECK(space.flat_size() == 2);
  CHECK(space.preprocessed_size() == 7);
  CHECK(space.shape() == std::vector<std::int64_t>{2});
}

TEST_CASE("MultiDiscrete contains integers 0 <= v_i < nvec_i only") {
  const MultiDiscrete space({3, 4});
  CHECK(space.contains(std::array{0.0f, 0.0f}));
  CHECK(space.contains(std::array{2.0f, 3.0f}));
  CHECK_FALSE(space.contains(std::array{3.0f, 0.0f}));
  CHECK_FALSE(space.contains(std::array{0.0f, 4.0f}));
  CHECK_FALSE(space.contains(std::array{-1.0f, 0.0f}));
  CHECK_FALSE(space.contains(std::array{0.5f, 0.0f}));
  CHECK_FALSE(space.contains(std::array{NAN, 0.0f}));
  CHECK_FALSE(space.contains(std::array{0.0f}));
  CHECK_FALSE(space.contains(std::array{0.0f, 0.0f, 0.0f}));
}

TEST_CASE("MultiDiscrete preprocesses [1, 0] of [3 4] to concatenated one-hots [0,1,0, 1,0,0,0]") {
  const MultiDiscrete space({3, 4});
  std::array<float, 7> out{};
  space.preprocess(std::array{1.0f, 0.0f}, out);
  CHECK(out == std::array<float, 7>{0, 1, 0, 1, 0, 0, 0});
  space.preprocess(std::array{2.0f, 3.0f}, out);
  CHECK(out == std::array<float, 7>{0, 0, 1, 0, 0, 0, 1});
}

TEST_CASE("MultiDiscrete preprocess throws on an index out of range") {
  const MultiDiscrete space({3, 4});
  std::array<float, 7> out{};
  CHECK_THROWS_AS(space.preprocess(std::array{1.0f, 4.0f}, out), SpaceError);
  CHECK_THROWS_AS(space.preprocess(std::array{-1.0f, 0.0f}, out), SpaceError);
  CHECK_THROWS_AS(space.preprocess(std::array{NAN, 0.0f}, out), SpaceError);
  std::array<float, 6> short_out{};
  CHECK_THROWS_AS(space.preprocess(std::array{1.0f, 0.0f}, short_out), SpaceError);
}

TEST_CASE("MultiDiscrete samples each component uniformly with below(n_i)") {
  const MultiDiscrete space({2, 5});
  RandomStream rng(7);
  std::array<float, 2> flat{};
  std::array<int, 2> first{};
  std::array<int, 5> second{};
  constexpr int draws = 20000;
  for (int i = 0; i < draws; ++i) {
    space.sample(rng, flat);
    REQUIRE(space.contains(flat));
    ++first[static_cast<std::size_t>(flat[0])];
    ++second[static_cast<std::size_t>(flat[1])];
  }
  // Binomial sds: sqrt(20000 / 4) = 71 for the halves, sqrt(20000 * 0.2 * 0.8) = 57 for fifths.
  for (int count : first) CHECK(std::abs(count - 10000) < 300);
  for (int count : second) CHECK(std::abs(count - 4000) < 250);
}

TEST_CASE("MultiDiscrete to_string and equality") {
  CHECK(MultiDiscrete({3, 4}).to_string() == "MultiDiscrete([3 4])");
  CHECK(MultiDiscrete({5}).to_string() == "MultiDiscrete([5])");
  CHECK(MultiDiscrete({3, 4}) == MultiDiscrete({3, 4}));
  CHECK(MultiDiscrete({3, 4}) != MultiDiscrete({4, 3}));
}

TEST_CASE("MultiBinary needs n >= 1") {
  CHECK_THROWS_AS(MultiBinary(0), SpaceError);
  CHECK_THROWS_AS(MultiBinary(-2), SpaceError);
}

TEST_CASE("MultiBinary(3) holds 3 floats each exactly 0 or 1") {
  const MultiBinary space(3);
  CHECK(space.n() == 3);
  CHECK(space.flat_size() == 3);
  CHECK(space.preprocessed_size() == 3);
  CHECK(space.shape() == std::vector<std::int64_t>{3});
  CHECK(space.contains(std::array{0.0f, 1.0f, 1.0f}));
  CHECK_FALSE(space.contains(std::array{0.0f, 0.5f, 1.0f}));
  CHECK_FALSE(space.contains(std::array{0.0f, 2.0f, 1.0f}));
  CHECK_FALSE(space.contains(std::array{0.0f, NAN, 1.0f}));
  CHECK_FALSE(space.contains(std::array{0.0f, 1.0f}));
}

TEST_CASE("MultiBinary bits are fair coins") {
  const MultiBinary space(4);
  RandomStream rng(3);
  std::array<float, 4> flat{};
  std::array<int, 4> ones{};
  constexpr int draws = 10000;
  for (int i = 0; i < draws; ++i) {
    space.sample(rng, flat);
    REQUIRE(space.contains(flat));
    for (std::size_t j = 0; j < 4; ++j) ones[j] += static_cast<int>(flat[j]);
  }
  // Binomial(10000, 1/2): sd 50.
  for (int count : ones) CHECK(std::abs(count - 5000) < 250);
}

TEST_CASE("MultiBinary preprocesses as is (RLlib's NoPreprocessor)") {
  const MultiBinary space(3);
  std::array<float, 3> out{};
  space.preprocess(std::array{1.0f, 0.0f, 1.0f}, out);
  CHECK(out == std::array{1.0f, 0.0f, 1.0f});
  CHECK_THROWS_AS(space.preprocess(std::array{1.0f, 0.0f}, out), SpaceError);
}

TEST_CASE("MultiBinary to_string and equality") {
  CHECK(MultiBinary(5).to_string() == "MultiBinary(5)");
  CHECK(MultiBinary(5) == MultiBinary(5));
  CHECK(MultiBinary(5) != MultiBinary(4));
}
