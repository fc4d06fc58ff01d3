// Discrete: construction, typed and flat contains/sample, RLlib's one-hot preprocessing, repr.

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "rlpp/spaces/discrete.hpp"

using rlpp::Discrete;
using rlpp::RandomStream;
using rlpp::SpaceError;

TEST_CASE("Discrete needs n >= 1") {
  CHECK_THROWS_AS(Discrete(0), SpaceError);
  CHECK_THROWS_AS(Discrete(-3), SpaceError);
  CHECK_NOTHROW(Discrete(1));
  try {
    Discrete(0, 2);
    FAIL("no error");
  } catch (const SpaceError& error) {
    CHECK(error.where() == "Discrete");
    CHECK(error.message() == "n must be >= 1, got 0");
  }
}

TEST_CASE("Discrete(3, start=1) holds 1, 2 and 3 and nothing else") {
  const Discrete space(3, 1);
  CHECK(space.n() == 3);
  CHECK(space.start() == 1);
  CHECK_FALSE(space.contains(0));
  CHECK(space.contains(1));
  CHECK(space.contains(3));
  CHECK_FALSE(space.contains(4));
  // value - start would overflow a signed int64 here; contains must still say no.
  CHECK_FALSE(Discrete(3, -5).contains(std::numeric_limits<std::int64_t>::max()));
  CHECK_FALSE(Discrete(3, 5).contains(std::numeric_limits<std::int64_t>::min()));
}

TEST_CASE("Discrete flat encoding is one float holding the integer value") {
  const Discrete space(3, 1);
  CHECK(space.flat_size() == 1);
  CHECK(space.preprocessed_size() == 3);
  CHECK(space.shape().empty());
  CHECK(space.contains(std::array{2.0f}));
  CHECK(space.contains(std::array{3.0f}));
  CHECK_FALSE(space.contains(std::array{4.0f}));        // start + n is out
  CHECK_FALSE(space.contains(std::array{0.0f}));        // below start
  CHECK_FALSE(space.contains(std::array{1.5f}));        // not an integer
  CHECK_FALSE(space.contains(std::array{NAN}));         // NaN
  CHECK_FALSE(space.contains(std::array{INFINITY}));    // inf
  CHECK_FALSE(space.contains(std::array{1.0f, 2.0f}));  // wrong size
  CHECK_FALSE(space.contains(std::span<const float>{}));
}

TEST_CASE("Discrete(3, start=-1) samples -1, 0 and 1 about equally often") {
  const Discrete space(3, -1);
  RandomStream rng(42);
  std::array<int, 3> counts{};
  constexpr int draws = 30000;
  for (int i = 0; i < draws; ++i) {
    const std::int64_t v = space.sample(rng);
    REQUIRE(space.contains(v));
    ++counts[static_cast<std::size_t>(v + 1)];
  }
  // Each count ~ Binomial(30000, 1/3): mean 10000, sd sqrt(30000 * 1/3 * 2/3) = 81.6.
  for (int count : counts) CHECK(std::abs(count - 10000) < 400);

  std::array<float, 1> flat{};
  for (int i = 0; i < 1000; ++i) {
    space.sample(rng, flat);
    REQUIRE(space.contains(flat));
  }
  CHECK_THROWS_AS(space.sample(rng, std::span<float>{}), SpaceError);
}

TEST_CASE("Discrete one-hot preprocesses value 1 of Discrete(3) to [0,1,0]") {
  const Discrete space(3);
  std::array<float, 3> out{9, 9, 9};
  space.preprocess(std::array{1.0f}, out);
  CHECK(out == std::array{0.0f, 1.0f, 0.0f});
  space.preprocess(std::array{2.0f}, out);
  CHECK(out == std::array{0.0f, 0.0f, 1.0f});
}

TEST_CASE("Discrete(4, start=2) preprocesses value 3 to one-hot index 3 - 2 = 1") {
  const Discrete space(4, 2);
  std::array<float, 4> out{};
  space.preprocess(std::array{3.0f}, out);
  CHECK(out == std::array{0.0f, 1.0f, 0.0f, 0.0f});
}

TEST_CASE("Discrete preprocess rejects values outside the space without writing") {
  const Discrete space(3);
  std::array<float, 3> out{7, 7, 7};
  for (float bad : {3.0f, -1.0f, 0.5f, NAN, INFINITY, 1e30f}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(space.preprocess(std::array{bad}, out), SpaceError);
    CHECK(out == std::array{7.0f, 7.0f, 7.0f});
  }
  try {
    space.preprocess(std::array{3.0f}, out);
  } catch (const SpaceError& error) {
    CHECK(error.where() == "Discrete::preprocess");
    CHECK(error.message() == "value 3.0 is not an integer in [0, 2]");
  }
}

TEST_CASE("Discrete preprocess checks both buffer sizes") {
  const Discrete space(3);
  std::array<float, 2> short_out{};
  std::array<float, 3> out{};
  CHECK_THROWS_AS(space.preprocess(std::array{1.0f}, short_out), SpaceError);
  CHECK_THROWS_AS(space.preprocess(std::array{1.0f, 0.0f}, out), SpaceError);
}

TEST_CASE("Discrete to_string is Gymnasium's repr") {
  CHECK(Discrete(3).to_string() == "Discrete(3)");
  CHECK(Discrete(3, 1).to_string() == "Discrete(3, start=1)");
  CHECK(Discrete(2, -4).to_string() == "Discrete(2, start=-4)");
}

TEST_CASE("Discrete equality compares n and start") {
  CHECK(Discrete(3) == Discrete(3, 0));
  CHECK(Discrete(3) != Discrete(4));
  CHECK(Discrete(3) != Discrete(3, 1));
}
