#include <doctest/doctest.h>

#include <array>
#include <vector>

#include "exploration/exploration_support.hpp"
#include "rlpp/exploration/random.hpp"
#include "rlpp/exploration/stochastic_sampling.hpp"

using namespace rlpp;
using rlpp::test::context;
using rlpp::test::TinyCategorical;
using rlpp::test::TinyGaussian;

static_assert(exploration_strategy_for<StochasticSampling, TinyCategorical>);
static_assert(exploration_strategy_for<StochasticSampling, TinyGaussian>);
static_assert(exploration_strategy_for<Random, TinyGaussian>);

TEST_CASE("StochasticSampling samples the distribution and reports sampled_action_logp") {
  const Space space = Box(-1.0, 1.0, {2});
  StochasticSampling sampling(context(space, {{"type", "StochasticSampling"}}));
  nn::Matrix inputs(3, 4);  // mean | log_std
  inputs << 0.1f, 0.2f, -1.0f, -2.0f,  //
      0.3f, 0.4f, 0.0f, 0.0f,          //
      -0.5f, 0.6f, -0.5f, -0.5f;
  ad::Tape tape;
  TinyGaussian dist(tape.input(inputs.data(), 3, 4), space);
  TinyGaussian reference(tape.input(inputs.data(), 3, 4), space);
  RandomStream rng(42);
  RandomStream reference_rng = rng;
  nn::Matrix actions, expected;
  std::array<float, 3> logp{};
  sampling.get_exploration_action(dist, actions, logp, 0, true, rng);
  reference.sample(reference_rng, expected);
  CHECK(actions == expected);
  for (Eigen::Index b = 0; b < 3; ++b) CHECK(logp[static_cast<std::size_t>(b)] == reference.sampled_action_logp().value()(b, 0));
  CHECK(rng == reference_rng);
}

TEST_CASE("StochasticSampling acts uniformly at random (logp 0) for timesteps before random_timesteps") {
  const Space space = Discrete(5);
  StochasticSampling sampling(context(space, {{"random_timesteps", 100}}));
  nn::Matrix logits = nn::Matrix::Zero(4, 5);
  ad::Tape tape;
  TinyCategorical dist(tape.input(logits.data(), 4, 5), space);
  nn::Matrix actions;
  std::array<float, 4> logp{1, 1, 1, 1};

  RandomStream rng(3);
  RandomStream reference_rng = rng;
  sampling.get_exploration_action(dist, actions, logp, 99, true, rng);
  for (Eigen::Index b = 0; b < 4; ++b) {
    float expected = 0;
    space.sample(reference_rng, std::span<float>(&expected, 1));
    CHECK(actions(b, 0) == expected);
  }
  CHECK(logp == std::array<float, 4>{0, 0, 0, 0});

  // From timestep 100 on: the distribution's samples, with their logp (log 1/5 for uniform logits).
  sampling.get_exploration_action(dist, actions, logp, 100, true, rng);
  for (float l : logp) CHECK(l == doctest::Approx(std::log(0.2)));
}

TEST_CASE("StochasticSampling and Random with explore=false give the deterministic action and logp 0") {
  const Space space = Box(-1.0, 1.0, {2});
  nn::Matrix inputs(1, 4);
  inputs << 0.25f, -0.75f, 0.0f, 0.0f;
  ad::Tape tape;
  TinyGaussian dist(tape.input(inputs.data(), 1, 4), space);
  nn::Matrix actions;
  std::array<float, 1> logp{5};
  RandomStream rng(1);
  StochasticSampling sampling(context(space, {{"random_timesteps", 1000}}));
  sampling.get_exploration_action(dist, actions, logp, 0, false, rng);  // even in the random phase
  CHECK(actions(0, 0) == 0.25f);
  CHECK(actions(0, 1) == -0.75f);
  CHECK(logp[0] == 0.0f);

  Random random(context(space, {{"type", "Random"}}));
  logp[0] = 5;
  random.get_exploration_action(dist, actions, logp, 0, false, rng);
  CHECK(actions(0, 0) == 0.25f);
  CHECK(actions(0, 1) == -0.75f);
  CHECK(logp[0] == 0.0f);
}

TEST_CASE("Random acts uniformly at random from the action space whenever explore is true") {
  const Space space = MultiDiscrete({3, 4});
  Random random(context(space, {{"type", "Random"}}));
  nn::Matrix inputs = nn::Matrix::Zero(5, 7);  // the distribution only gives the batch size here
  ad::Tape tape;
  TinyGaussian dist(tape.input(inputs.data(), 5, 7), space);
  nn::Matrix actions;
  std::vector<float> logp(5, 1.0f);
  RandomStream rng(8);
  RandomStream reference_rng = rng;
  random.get_exploration_action(dist, actions, logp, 1000000, true, rng);
  REQUIRE(actions.rows() == 5);
  REQUIRE(actions.cols() == 2);
  for (Eigen::Index b = 0; b < 5; ++b) {
    std::array<float, 2> expected{};
    space.sample(reference_rng, expected);
    CHECK(actions(b, 0) == expected[0]);
    CHECK(actions(b, 1) == expected[1]);
  }
  for (float l : logp) CHECK(l == 0.0f);
  CHECK(random.get_state() == Json{{"type", "Random"}, {"last_timestep", 1000000}});
}
