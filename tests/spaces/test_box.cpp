// Box: construction and validation, float32 bound rounding, contains, Gymnasium's sampling in
// each bounds case, preprocessing and repr.

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "rlpp/spaces/box.hpp"

using rlpp::Box;
using rlpp::DType;
using rlpp::RandomStream;
using rlpp::SpaceError;

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();

struct Moments {
  double mean = 0, variance = 0, min = inf, max = -inf;
};

// Draws `n` samples of a one-element Box and summarizes them; every draw must be contained.
Moments sample_moments(const Box& box, int n, std::uint64_t seed = 1) {
  RandomStream rng(seed);
  std::array<float, 1> flat{};
  double sum = 0, sum_sq = 0;
  Moments m;
  for (int i = 0; i < n; ++i) {
    box.sample(rng, flat);
    REQUIRE(box.contains(flat));
    const double v = flat[0];
    sum += v;
    sum_sq += v * v;
    m.min = std::min(m.min, v);
    m.max = std::max(m.max, v);
  }
  m.mean = sum / n;
  m.variance = sum_sq / n - m.mean * m.mean;
  return m;
}
}  // namespace

TEST_CASE("Box scalar bounds broadcast to every element of the shape") {
  const Box box(-1.0, 2.0, {2, 3});
  CHECK(box.shape() == std::vector<std::int64_t>{2, 3});
  CHECK(box.dtype() == DType::float32);
  CHECK(box.flat_size() == 6);
  REQUIRE(box.low().size() == 6);
  REQUIRE(box.high().size() == 6);
  for (double v : box.low()) CHECK(v == -1.0);
  for (double v : box.high()) CHECK(v == 2.0);
  CHECK(box.is_bounded());
}

TEST_CASE("Box per-element bounds with an empty shape take shape {low.size()}") {
  const Box box({-1.0, -2.0}, {1.0, 2.0});
  CHECK(box.shape() == std::vector<std::int64_t>{2});
  CHECK(box.low()[1] == -2.0);
  CHECK(box.high()[1] == 2.0);
  const Box grid({0, 1, 2, 3}, {4, 5, 6, 7}, {2, 2});
  CHECK(grid.shape() == std::vector<std::int64_t>{2, 2});
  CHECK(grid.flat_size() == 4);
}

TEST_CASE("Box with shape {} is a scalar of one element") {
  const Box box(0.0, 1.0, {});
  CHECK(box.flat_size() == 1);
  CHECK(box.shape().empty());
}

TEST_CASE("Box rejects malformed bounds and shapes") {
  CHECK_THROWS_AS(Box(1.0, -1.0, {2}), SpaceError);  // low > high
  CHECK_THROWS_AS(Box(NAN, 1.0, {2}), SpaceError);   // NaN
  CHECK_THROWS_AS(Box(0.0, NAN, {2}), SpaceError);
  CHECK_THROWS_AS(Box(0.0, 1.0, {2, 0}), SpaceError);             // zero dim
  CHECK_THROWS_AS(Box(0.0, 1.0, {-1}), SpaceError);               // negative dim
  CHECK_THROWS_AS(Box({0.0, 0.0}, {1.0}), SpaceError);            // lengths differ
  CHECK_THROWS_AS(Box({0.0, 0.0}, {1.0, 1.0}, {3}), SpaceError);  // shape has 3 elements
  CHECK_THROWS_AS(Box(std::vector<double>{}, std::vector<double>{}), SpaceError);
  CHECK_THROWS_AS(Box(inf, inf, {1}), SpaceError);                 // low +inf
  CHECK_THROWS_AS(Box(-inf, -inf, {1}), SpaceError);               // high -inf
  CHECK_THROWS_AS(Box(0.5, 3.0, {1}, DType::int64), SpaceError);   // non-integral int bound
  CHECK_THROWS_AS(Box(0.0, 1e19, {1}, DType::int64), SpaceError);  // beyond int64
  CHECK_NOTHROW(Box(-0x1.0p63, 0.0, {1}, DType::int64));           // int64's minimum is fine
  CHECK_NOTHROW(Box(-inf, inf, {1}, DType::int64));
  try {
    Box(0.0, 2.5, {1}, DType::int64);
    FAIL("no error");
  } catch (const SpaceError& error) {
    CHECK(error.message() == "high[0] = 2.5 is not an integer");
  }
  try {
    Box({0.0, 3.0}, {1.0, 2.0});
    FAIL("no error");
  } catch (const SpaceError& error) {
    CHECK(error.where() == "Box");
    CHECK(error.message() == "low[1] = 3.0 > high[1] = 2.0");
  }
}

TEST_CASE("Box float32 bounds are rounded to float, as Gymnasium stores them") {
  const Box box(0.1, 0.7, {1});
  CHECK(box.low()[0] == static_cast<double>(0.1f));
  CHECK(box.low()[0] != 0.1);
  CHECK(box.high()[0] == static_cast<double>(0.7f));
  // Beyond float's range a bound is infinite.
  const Box huge(-1e39, 1e39, {1});
  CHECK(huge.low()[0] == -inf);
  CHECK(huge.high()[0] == inf);
  CHECK_FALSE(huge.is_bounded());
  // int64 bounds are kept as given.
  const Box ints(-3.0, 5.0, {1}, DType::int64);
  CHECK(ints.low()[0] == -3.0);
}

TEST_CASE("Box is_bounded needs both sides finite everywhere") {
  CHECK(Box(0.0, 1.0, {3}).is_bounded());
  CHECK_FALSE(Box({0.0, 0.0}, {1.0, inf}).is_bounded());
  CHECK_FALSE(Box({-inf, 0.0}, {1.0, 1.0}).is_bounded());
}

TEST_CASE("Box contains includes its bounds and rejects NaN, outside values and wrong sizes") {
  const Box box({-1.0, 0.0}, {1.0, 2.0});
  CHECK(box.contains(std::array{-1.0f, 0.0f}));
  CHECK(box.contains(std::array{1.0f, 2.0f}));
  CHECK(box.contains(std::array{0.25f, 1.5f}));
  CHECK_FALSE(box.contains(std::array{-1.0001f, 0.0f}));
  CHECK_FALSE(box.contains(std::array{0.0f, 2.0001f}));
  CHECK_FALSE(box.contains(std::array{NAN, 1.0f}));
  CHECK_FALSE(box.contains(std::array{0.0f}));
  CHECK_FALSE(box.contains(std::array{0.0f, 0.0f, 0.0f}));
  const Box unbounded(-inf, inf, {1});
  CHECK(unbounded.contains(std::array{1e30f}));
  CHECK_FALSE(unbounded.contains(std::array{NAN}));
}

TEST_CASE("int64 Box contains only integral values") {
  const Box box(0.0, 5.0, {2}, DType::int64);
  CHECK(box.contains(std::array{0.0f, 5.0f}));
  CHECK_FALSE(box.contains(std::array{0.5f, 1.0f}));
  CHECK_FALSE(box.contains(std::array{6.0f, 1.0f}));
  const Box unbounded(-inf, inf, {1}, DType::int64);
  CHECK(unbounded.contains(std::array{-12.0f}));
  CHECK_FALSE(unbounded.contains(std::array{INFINITY}));
}

TEST_CASE("Box samples a bounded element uniformly in [low, high]") {
  // Uniform(-1, 3): mean (−1 + 3) / 2 = 1, variance 4^2 / 12 = 1.333; standard error of the mean
  // over 20000 draws is sqrt(1.333 / 20000) = 0.008.
  const Moments m = sample_moments(Box(-1.0, 3.0, {1}), 20000);
  CHECK(m.mean == doctest::Approx(1.0).epsilon(0.04));
  CHECK(m.variance == doctest::Approx(4.0 / 3.0).epsilon(0.05));
  CHECK(m.min >= -1.0);
  CHECK(m.max <= 3.0);
  CHECK(m.min < -0.99);
  CHECK(m.max > 2.99);
}

TEST_CASE("Box samples an unbounded element from normal(0, 1)") {
  const Moments m = sample_moments(Box(-inf, inf, {1}), 20000);
  CHECK(std::abs(m.mean) < 0.04);  // standard error 1 / sqrt(20000) = 0.007
  CHECK(m.variance == doctest::Approx(1.0).epsilon(0.05));
}

TEST_CASE("Box samples a low-bounded element as low + Exp(1)") {
  // Mean 2 + 1 = 3, variance 1.
  const Moments m = sample_moments(Box(2.0, inf, {1}), 20000);
  CHECK(m.min >= 2.0);
  CHECK(m.mean == doctest::Approx(3.0).epsilon(0.02));
  CHECK(m.variance == doctest::Approx(1.0).epsilon(0.08));
}

TEST_CASE("Box samples a high-bounded element as high - Exp(1)") {
  const Moments m = sample_moments(Box(-inf, -2.0, {1}), 20000);
  CHECK(m.max <= -2.0);
  CHECK(m.mean == doctest::Approx(-3.0).epsilon(0.02));
}

TEST_CASE("int64 Box samples floor(uniform[low, high + 1)), so every integer equally often") {
  const Box box(0.0, 2.0, {1}, DType::int64);
  RandomStream rng(5);
  std::array<float, 1> flat{};
  std::array<int, 3> counts{};
  for (int i = 0; i < 30000; ++i) {
    box.sample(rng, flat);
    REQUIRE(box.contains(flat));
    ++counts[static_cast<std::size_t>(flat[0])];
  }
  // Binomial(30000, 1/3): sd 81.6.
  for (int count : counts) CHECK(std::abs(count - 10000) < 400);
}

TEST_CASE(
    "int64 Box samples half-bounded elements as floors of low + Exp(1) and high + 1 - Exp(1)") {
  // E[floor(Exp(1))] = sum_k P(X >= k) = sum_{k>=1} e^-k = 1 / (e - 1) = 0.582.
  const double floor_mean = 1.0 / (std::exp(1.0) - 1.0);
  const Moments low = sample_moments(Box(1.0, inf, {1}, DType::int64), 20000);
  CHECK(low.min >= 1.0);
  CHECK(low.mean == doctest::Approx(1.0 + floor_mean).epsilon(0.03));
  // floor(0 - X) = -ceil(X), and E[ceil(X)] = 1 + 1 / (e - 1): mean -1.582 for high = -1.
  const Moments high = sample_moments(Box(-inf, -1.0, {1}, DType::int64), 20000);
  CHECK(high.max <= -1.0);
  CHECK(high.mean == doctest::Approx(-1.0 - floor_mean).epsilon(0.03));
}

TEST_CASE(
    "Box samples stay inside bounds that are one float apart, equal, or float's whole range") {
  const float one_up = std::nextafter(1.0f, 2.0f);
  constexpr double float_max = std::numeric_limits<float>::max();
  const Box box({1.0, 5.0, -float_max, -inf, 0.0},
                {static_cast<double>(one_up), 5.0, float_max, inf, inf});
  RandomStream rng(11);
  std::array<float, 5> flat{};
  for (int i = 0; i < 5000; ++i) {
    box.sample(rng, flat);
    REQUIRE(box.contains(flat));
    CHECK(flat[1] == 5.0f);
    for (float v : flat) REQUIRE(std::isfinite(v));
  }
  CHECK_THROWS_AS(box.sample(rng, std::span<float>(flat).first(4)), SpaceError);
}

TEST_CASE("Box preprocesses as is (RLlib's NoPreprocessor)") {
  const Box box(-1.0, 1.0, {3});
  CHECK(box.preprocessed_size() == 3);
  std::array<float, 3> out{};
  box.preprocess(std::array{0.5f, -0.25f, 1.0f}, out);
  CHECK(out == std::array{0.5f, -0.25f, 1.0f});
  CHECK_THROWS_AS(box.preprocess(std::array{0.5f, -0.25f}, out), SpaceError);
}

TEST_CASE("Box to_string is Gymnasium's repr") {
  CHECK(Box(-1.0, 1.0, {3}).to_string() == "Box(-1.0, 1.0, (3,), float32)");
  CHECK(Box(0.5, 1.5, {2, 3}).to_string() == "Box(0.5, 1.5, (2, 3), float32)");
  CHECK(Box(-inf, inf, {4}).to_string() == "Box(-inf, inf, (4,), float32)");
  CHECK(Box(0.0, 255.0, {84, 84, 3}, DType::int64).to_string() ==
        "Box(0, 255, (84, 84, 3), int64)");
  CHECK(Box(0.0, 1.0, {}).to_string() == "Box(0.0, 1.0, (), float32)");
  CHECK(Box({-1.0, -2.0}, {1.0, 2.0}).to_string() == "Box([-1. -2.], [1. 2.], (2,), float32)");
  CHECK(Box({-0.5, 0.0}, {1.0, inf}).to_string() == "Box([-0.5 0.], [1. inf], (2,), float32)");
  CHECK(Box({0, 1, 2, 3}, {4, 4, 4, 4}, {2, 2}).to_string() ==
        "Box([[0. 1.] [2. 3.]], 4.0, (2, 2), float32)");
  CHECK(Box({0, -1}, {3, 3}, {}, DType::int64).to_string() == "Box([0 -1], 3, (2,), int64)");
}

TEST_CASE("Box equality compares shape, dtype and every bound") {
  CHECK(Box(-1.0, 1.0, {2}) == Box({-1.0, -1.0}, {1.0, 1.0}));
  CHECK(Box(-1.0, 1.0, {2}) != Box(-1.0, 1.0, {2}, DType::int64));
  CHECK(Box(-1.0, 1.0, {2, 3}) != Box(-1.0, 1.0, {6}));
  CHECK(Box(-1.0, 1.0, {2}) != Box({-1.0, -1.0}, {1.0, 2.0}));
}
