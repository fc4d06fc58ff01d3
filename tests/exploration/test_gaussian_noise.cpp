#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "exploration/exploration_support.hpp"
#include "rlpp/exploration/gaussian_noise.hpp"

using namespace rlpp;
using rlpp::test::context;
using rlpp::test::TinyGaussian;
using doctest::Approx;

static_assert(exploration_strategy_for<GaussianNoise, TinyGaussian>);

TEST_CASE("GaussianNoise anneals its scale from initial_scale to final_scale over scale_timesteps after the random phase") {
  const GaussianNoise noise(context(Box(-1.0, 1.0, {1}), {{"type", "GaussianNoise"}}));  // defaults: 1000, 1.0 -> 0.02 over 10000
  CHECK(noise.random_timesteps() == 1000);
  nn::Matrix inputs = nn::Matrix::Zero(1, 2);
  ad::Tape tape;
  TinyGaussian dist(tape.input(inputs.data(), 1, 2), Box(-1.0, 1.0, {1}));
  GaussianNoise probe = noise;
  nn::Matrix actions;
  std::array<float, 1> logp{};
  RandomStream rng(0);
  const auto scale_at = [&](std::int64_t t) {
    probe.get_exploration_action(dist, actions, logp, t, true, rng);
    return probe.get_state()["cur_scale"].get<double>();
  };
  CHECK(scale_at(500) == 1.0);  // random phase: rlpp reports initial_scale
  CHECK(scale_at(1000) == 1.0);
  CHECK(scale_at(1000 + 5000) == Approx(1.0 + 0.5 * (0.02 - 1.0)));  // 0.51
  CHECK(scale_at(1000 + 10000) == 0.02);
  CHECK(scale_at(1000000) == 0.02);
}

TEST_CASE("GaussianNoise adds N(0, stddev) * scale to the deterministic action") {
  // Box wide enough that nothing clips; constant scale 2 and stddev 0.1: noise ~ N(0, 0.2).
  const Space space = Box(-100.0, 100.0, {2});
  GaussianNoise noise(context(space, {{"type", "GaussianNoise"},
                                      {"random_timesteps", 0},
                                      {"stddev", 0.1},
                                      {"initial_scale", 2.0},
                                      {"final_scale", 2.0}}));
  const Eigen::Index batch = 2000;
  nn::Matrix inputs(batch, 4);
  inputs.col(0).setConstant(0.25f);
  inputs.col(1).setConstant(-3.0f);
  inputs.rightCols(2).setZero();
  ad::Tape tape;
  TinyGaussian dist(tape.input(inputs.data(), batch, 4), space);
  nn::Matrix actions;
  std::vector<float> logp(batch, 1.0f);
  RandomStream rng(17);
  double sum = 0, sum_squares = 0, n = 0;
  for (int call = 0; call < 10; ++call) {
    noise.get_exploration_action(dist, actions, logp, call, true, rng);
    for (Eigen::Index b = 0; b < batch; ++b) {
      for (const auto& [i, mean] : {std::pair{0, 0.25}, std::pair{1, -3.0}}) {
        const double e = actions(b, i) - mean;
        sum += e;
        sum_squares += e * e;
        n += 1;
      }
    }
  }
  CHECK(logp[0] == 0.0f);
  const double mean = sum / n;
  const double stddev = std::sqrt(sum_squares / n - mean * mean);
  // n = 40000: the mean's standard error is 0.2 / sqrt(n) = 0.001, the stddev's 0.2 / sqrt(2 n) = 0.0007.
  CHECK(std::abs(mean) < 5 * 0.2 / std::sqrt(n));
  CHECK(std::abs(stddev - 0.2) < 5 * 0.2 / std::sqrt(2 * n));
}

TEST_CASE("GaussianNoise clips noisy actions to the Box's bounds") {
  const Space space = Box(std::vector<double>{-1.0, 0.0}, std::vector<double>{1.0, 0.5});
  GaussianNoise noise(context(space, {{"random_timesteps", 0}, {"stddev", 1.0}, {"type", "GaussianNoise"}}));
  nn::Matrix inputs(500, 4);
  inputs.col(0).setConstant(0.95f);
  inputs.col(1).setConstant(0.01f);
  inputs.rightCols(2).setZero();
  ad::Tape tape;
  TinyGaussian dist(tape.input(inputs.data(), 500, 4), space);
  nn::Matrix actions;
  std::vector<float> logp(500);
  RandomStream rng(4);
  noise.get_exploration_action(dist, actions, logp, 0, true, rng);
  CHECK((actions.col(0).array() >= -1.0f).all());
  CHECK((actions.col(0).array() <= 1.0f).all());
  CHECK((actions.col(1).array() >= 0.0f).all());
  CHECK((actions.col(1).array() <= 0.5f).all());
  // 0.95 + N(0, 1) passes 1 about 48% of the time: those land exactly on the bound.
  CHECK((actions.col(0).array() == 1.0f).count() > 100);
  CHECK((actions.col(1).array() == 0.0f).count() > 100);
}

TEST_CASE("GaussianNoise acts uniformly within the bounds during the random phase, deterministically without explore") {
  const Space space = Box(std::vector<double>{-2.0, -std::numeric_limits<double>::infinity()},
                          std::vector<double>{3.0, std::numeric_limits<double>::infinity()});
  GaussianNoise noise(context(space, {{"type", "GaussianNoise"}, {"random_timesteps", 10}}));
  nn::Matrix inputs(3, 4);
  inputs << 0.5f, 7.0f, 0.0f, 0.0f,  //
      0.5f, 7.0f, 0.0f, 0.0f,        //
      0.5f, 7.0f, 0.0f, 0.0f;
  ad::Tape tape;
  TinyGaussian dist(tape.input(inputs.data(), 3, 4), space);
  nn::Matrix actions;
  std::array<float, 3> logp{};
  RandomStream rng(12);
  RandomStream reference_rng = rng;
  noise.get_exploration_action(dist, actions, logp, 9, true, rng);
  for (Eigen::Index b = 0; b < 3; ++b) {
    // Space::sample: uniform in [-2, 3) for the bounded element, N(0, 1) for the unbounded one.
    std::array<float, 2> expected{};
    space.sample(reference_rng, expected);
    CHECK(actions(b, 0) == expected[0]);
    CHECK(actions(b, 1) == expected[1]);
    CHECK(actions(b, 0) >= -2.0f);
    CHECK(actions(b, 0) < 3.0f);
  }
  noise.get_exploration_action(dist, actions, logp, 5, false, rng);
  CHECK(actions == inputs.leftCols(2));
}

TEST_CASE("GaussianNoise needs a Box action space") {
  CHECK_THROWS_WITH_AS(GaussianNoise(context(Discrete(3), {{"type", "GaussianNoise"}})),
                       "config.exploration_config.type: GaussianNoise needs a Box action space, got Discrete(3) "
                       "(for this space use EpsilonGreedy, SoftQ or StochasticSampling)",
                       ConfigError);
}
