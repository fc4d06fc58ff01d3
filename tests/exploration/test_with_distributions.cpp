// The strategies with rlpp's own distributions (rlpp/distributions/): Categorical for the
// Discrete strategies, DiagGaussian for StochasticSampling on a Box, Deterministic (DDPG/TD3's
// actor output) for the noise strategies.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <vector>

#include "exploration/exploration_support.hpp"
#include "rlpp/distributions/categorical.hpp"
#include "rlpp/distributions/deterministic.hpp"
#include "rlpp/distributions/diag_gaussian.hpp"
#include "rlpp/exploration/any_exploration.hpp"
#include "support/allocation_counter.hpp"

using namespace rlpp;
using rlpp::test::context;
using doctest::Approx;

static_assert(exploration_strategy_for<AnyExploration, Categorical>);
static_assert(exploration_strategy_for<AnyExploration, DiagGaussian>);
static_assert(exploration_strategy_for<AnyExploration, Deterministic>);

TEST_CASE("Discrete strategies act on a Categorical: argmax when greedy, its samples and logp when stochastic") {
  const Space space = Discrete(3, 2);
  nn::Matrix q(2, 3);
  q << 0.0f, 2.0f, 1.0f,  //
      1.0f, 0.0f, -1.0f;
  ad::Tape tape;
  Categorical dist(tape.input(q.data(), 2, 3), space);
  nn::Matrix actions;
  std::array<float, 2> logp{};
  RandomStream rng(77);

  AnyExploration greedy(context(space, {{"type", "EpsilonGreedy"}, {"initial_epsilon", 0.0}, {"final_epsilon", 0.0}}));
  greedy.get_exploration_action(dist, actions, logp, 0, true, rng);
  CHECK(actions(0, 0) == 2 + 1);
  CHECK(actions(1, 0) == 2 + 0);

  AnyExploration sampling(context(space, {{"type", "StochasticSampling"}}));
  sampling.get_exploration_action(dist, actions, logp, 0, true, rng);
  for (Eigen::Index b = 0; b < 2; ++b) {
    const auto a = static_cast<Eigen::Index>(actions(b, 0)) - 2;
    const double log_p = q(b, a) - std::log(q.row(b).array().exp().sum());
    CHECK(logp[static_cast<std::size_t>(b)] == Approx(log_p));
  }

  // SoftQ with temperature 1 draws as the Categorical itself does (one uniform per row).
  AnyExploration soft_q(context(space, {{"type", "SoftQ"}}));
  RandomStream a = rng, b = rng;
  nn::Matrix expected;
  soft_q.get_exploration_action(dist, actions, logp, 0, true, a);
  dist.sample(b, expected);
  CHECK(actions == expected);
  CHECK(logp[0] == Approx(dist.sampled_action_logp().value()(0, 0)));
}

TEST_CASE("Noise strategies perturb a Deterministic actor's actions; StochasticSampling samples a DiagGaussian") {
  const Space space = Box(-1.0, 1.0, {2});
  nn::Matrix mu(1, 2);
  mu << 0.5f, -0.5f;
  ad::Tape tape;
  Deterministic actor(tape.input(mu.data(), 1, 2), space);
  nn::Matrix actions;
  std::array<float, 1> logp{};
  RandomStream rng(5);
  for (const char* type : {"GaussianNoise", "OrnsteinUhlenbeckNoise"}) {
    CAPTURE(type);
    AnyExploration noise(context(space, {{"type", type}, {"random_timesteps", 0}}));
    noise.get_exploration_action(actor, actions, logp, 0, true, rng);
    CHECK(actions(0, 0) != 0.5f);
    CHECK(std::abs(actions(0, 0) - 0.5f) < 1.0f);
    noise.get_exploration_action(actor, actions, logp, 0, false, rng);
    CHECK(actions == mu);
    const auto warm = rlpp::test::count_allocations([&] { noise.get_exploration_action(actor, actions, logp, 1, true, rng); });
    CHECK(warm == 0);
  }

  nn::Matrix inputs(1, 4);
  inputs << 0.5f, -0.5f, -1.0f, -1.0f;
  DiagGaussian gaussian(tape.input(inputs.data(), 1, 4), space);
  AnyExploration sampling(context(space, {{"type", "StochasticSampling"}}));
  RandomStream reference = rng;
  sampling.get_exploration_action(gaussian, actions, logp, 0, true, rng);
  nn::Matrix expected;
  gaussian.sample(reference, expected);
  CHECK(actions == expected);
  CHECK(logp[0] == gaussian.sampled_action_logp().value()(0, 0));
}
