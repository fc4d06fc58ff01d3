#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "exploration/exploration_support.hpp"
#include "rlpp/exploration/ornstein_uhlenbeck_noise.hpp"

using namespace rlpp;
using rlpp::test::context;
using rlpp::test::TinyGaussian;
using doctest::Approx;

static_assert(exploration_strategy_for<OrnsteinUhlenbeckNoise, TinyGaussian>);

namespace {
const Json ou_config = {{"type", "OrnsteinUhlenbeckNoise"}, {"random_timesteps", 0}, {"initial_scale", 0.5},
                        {"final_scale", 0.5}};  // theta 0.15, sigma 0.2, base scale 0.1 by default
}

TEST_CASE("OrnsteinUhlenbeckNoise follows x += theta * -x + sigma * N(0, 1), per batch row, for two steps by hand") {
  const Space space = Box(std::vector<double>{-1.0, -2.0}, std::vector<double>{1.0, 2.0});  // high - low = 2, 4
  OrnsteinUhlenbeckNoise ou(context(space, ou_config));
  nn::Matrix inputs(2, 4);  // deterministic actions [[0.1, -0.3], [0.0, 0.5]]
  inputs << 0.1f, -0.3f, 0.0f, 0.0f,  //
      0.0f, 0.5f, 0.0f, 0.0f;
  ad::Tape tape;
  TinyGaussian dist(tape.input(inputs.data(), 2, 4), space);
  nn::Matrix actions;
  std::array<float, 2> logp{1, 1};
  RandomStream rng(2718);
  RandomStream draws = rng;  // the same N(0, 1) draws, taken row-major: (row 0: e0, e1), (row 1: e0, e1)

  std::array<double, 4> x{};  // the OU state starts at 0
  const std::array<double, 2> range = {2.0, 4.0};
  for (int step = 1; step <= 2; ++step) {
    CAPTURE(step);
    ou.get_exploration_action(dist, actions, logp, step, true, rng);
    for (int b = 0; b < 2; ++b)
      for (int i = 0; i < 2; ++i) {
        double& xi = x[static_cast<std::size_t>(b * 2 + i)];
        xi += 0.15 * -xi + 0.2 * draws.normal();
        const double expected = std::clamp(inputs(b, i) + 0.5 * 0.1 * xi * range[static_cast<std::size_t>(i)],
                                           -range[static_cast<std::size_t>(i)] / 2, range[static_cast<std::size_t>(i)] / 2);
        CHECK(ou.ou_state()[static_cast<std::size_t>(b * 2 + i)] == Approx(xi).epsilon(1e-12));
        CHECK(actions(b, i) == Approx(expected).epsilon(1e-6));
      }
    CHECK(logp == std::array<float, 2>{0, 0});
  }
  CHECK(ou.ou_rows() == 2);
  // After two steps row 0's first element is 0.85 * 0.2 e_a + 0.2 e_b: the rows differ.
  CHECK(ou.ou_state()[0] != ou.ou_state()[2]);
}

TEST_CASE("OrnsteinUhlenbeckNoise scales unbounded elements by 1 instead of high - low") {
  const Space space = Box(-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(), {1});
  OrnsteinUhlenbeckNoise ou(context(space, ou_config));
  nn::Matrix inputs(1, 2);
  inputs << 3.0f, 0.0f;
  ad::Tape tape;
  TinyGaussian dist(tape.input(inputs.data(), 1, 2), space);
  nn::Matrix actions;
  std::array<float, 1> logp{};
  RandomStream rng(5);
  RandomStream draws = rng;
  ou.get_exploration_action(dist, actions, logp, 0, true, rng);
  const double x = 0.2 * draws.normal();
  CHECK(actions(0, 0) == Approx(3.0 + 0.5 * 0.1 * x * 1.0).epsilon(1e-6));
}

TEST_CASE("OrnsteinUhlenbeckNoise keeps a state per batch row: a larger batch adds rows starting at 0") {
  const Space space = Box(-10.0, 10.0, {1});
  OrnsteinUhlenbeckNoise ou(context(space, ou_config));
  nn::Matrix one = nn::Matrix::Zero(1, 2), two = nn::Matrix::Zero(2, 2);
  nn::Matrix actions;
  std::array<float, 1> logp1{};
  std::array<float, 2> logp2{};
  RandomStream rng(6);
  RandomStream draws = rng;
  ad::Tape tape;
  TinyGaussian single(tape.input(one.data(), 1, 2), space);
  ou.get_exploration_action(single, actions, logp1, 0, true, rng);  // B = 1: RLlib's single shared state
  double row0 = 0.2 * draws.normal();
  CHECK(ou.ou_rows() == 1);
  CHECK(ou.ou_state()[0] == Approx(row0).epsilon(1e-12));

  TinyGaussian pair(tape.input(two.data(), 2, 2), space);
  ou.get_exploration_action(pair, actions, logp2, 1, true, rng);
  row0 += 0.15 * -row0 + 0.2 * draws.normal();
  const double row1 = 0.2 * draws.normal();
  CHECK(ou.ou_rows() == 2);
  CHECK(ou.ou_state()[0] == Approx(row0).epsilon(1e-12));
  CHECK(ou.ou_state()[1] == Approx(row1).epsilon(1e-12));
}

TEST_CASE("OrnsteinUhlenbeckNoise's random phase and explore=false leave the OU state alone") {
  const Space space = Box(-1.0, 1.0, {2});
  OrnsteinUhlenbeckNoise ou(context(space, {{"type", "OrnsteinUhlenbeckNoise"}}));  // random_timesteps 1000
  nn::Matrix inputs = nn::Matrix::Zero(1, 4);
  inputs(0, 0) = 0.5f;
  ad::Tape tape;
  TinyGaussian dist(tape.input(inputs.data(), 1, 4), space);
  nn::Matrix actions;
  std::array<float, 1> logp{};
  RandomStream rng(1);
  RandomStream reference_rng = rng;
  ou.get_exploration_action(dist, actions, logp, 999, true, rng);
  std::array<float, 2> expected{};
  space.sample(reference_rng, expected);
  CHECK(actions(0, 0) == expected[0]);
  CHECK(actions(0, 1) == expected[1]);
  ou.get_exploration_action(dist, actions, logp, 5000, false, rng);
  CHECK(actions(0, 0) == 0.5f);
  CHECK(actions(0, 1) == 0.0f);
  CHECK(ou.ou_rows() == 0);
  CHECK(ou.get_state()["ou_state"] == Json::array());
}

TEST_CASE("OrnsteinUhlenbeckNoise restored from its JSON state continues bit-identically") {
  const Space space = Box(-1.0, 1.0, {3});
  const Json config = {{"type", "OrnsteinUhlenbeckNoise"}, {"random_timesteps", 2}};
  OrnsteinUhlenbeckNoise ou(context(space, config));
  nn::Matrix inputs = nn::Matrix::Random(4, 6) * 0.5f;
  ad::Tape tape;
  TinyGaussian dist(tape.input(inputs.data(), 4, 6), space);
  nn::Matrix actions;
  std::array<float, 4> logp{};
  RandomStream rng(99);
  for (int t = 0; t < 7; ++t) ou.get_exploration_action(dist, actions, logp, t, true, rng);

  const std::string checkpoint = ou.get_state().dump();
  OrnsteinUhlenbeckNoise restored(context(space, config));
  restored.set_state(Json::parse(checkpoint));
  CHECK(restored.get_state() == ou.get_state());
  RandomStream restored_rng = rng;
  nn::Matrix restored_actions;
  for (int t = 7; t < 12; ++t) {
    ou.get_exploration_action(dist, actions, logp, t, true, rng);
    restored.get_exploration_action(dist, restored_actions, logp, t, true, restored_rng);
    CHECK(actions == restored_actions);
  }
  CHECK(std::equal(ou.ou_state().begin(), ou.ou_state().end(), restored.ou_state().begin(), restored.ou_state().end()));
}

TEST_CASE("OrnsteinUhlenbeckNoise rejects a state whose ou_state does not fit the action space") {
  const Space space = Box(-1.0, 1.0, {2});
  OrnsteinUhlenbeckNoise ou(context(space, ou_config));
  Json state = ou.get_state();
  state["ou_state"] = {{0.1, 0.2}, {0.3}};
  CHECK_THROWS_WITH_AS(ou.set_state(state),
                       doctest::Contains("OrnsteinUhlenbeckNoise state.ou_state[1]: expected 2 numbers"), CheckpointError);
  state["ou_state"] = {{0.1, "x"}};
  CHECK_THROWS_WITH_AS(ou.set_state(state), doctest::Contains("expected finite numbers"), CheckpointError);
  state["ou_state"] = 3;
  CHECK_THROWS_AS(ou.set_state(state), CheckpointError);
  CHECK(ou.ou_rows() == 0);  // nothing was half-restored
}
