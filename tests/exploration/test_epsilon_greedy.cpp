#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "exploration/exploration_support.hpp"
#include "rlpp/exploration/epsilon_greedy.hpp"
#include "rlpp/exploration/per_worker_epsilon_greedy.hpp"

using namespace rlpp;
using rlpp::test::context;
using rlpp::test::TinyCategorical;
using doctest::Approx;

static_assert(exploration_strategy_for<EpsilonGreedy, TinyCategorical>);
static_assert(exploration_strategy_for<PerWorkerEpsilonGreedy, TinyCategorical>);

namespace {
constexpr float minus_inf = -std::numeric_limits<float>::infinity();
constexpr float float_min = std::numeric_limits<float>::lowest();  // RLlib's FLOAT_MIN mask value

// Counts how often each action of Discrete(n) is taken over `calls` calls on `batch` copies of
// the Q row `q`.
template <class E>
std::vector<double> frequencies(E& exploration, const nn::Matrix& q, Eigen::Index batch, int calls, std::int64_t timestep,
                                RandomStream& rng) {
  const nn::Matrix inputs = q.replicate(batch, 1);
  const Space space = Discrete(q.cols());
  std::vector<double> counts(static_cast<std::size_t>(q.cols()), 0.0);
  nn::Matrix actions;
  std::vector<float> logp(static_cast<std::size_t>(batch));
  bool logp_zero = true;
  for (int c = 0; c < calls; ++c) {
    ad::Tape tape;
    TinyCategorical dist(tape.input(inputs.data(), batch, q.cols()), space);
    exploration.get_exploration_action(dist, actions, logp, timestep, true, rng);
    for (Eigen::Index b = 0; b < batch; ++b) counts[static_cast<std::size_t>(actions(b, 0))] += 1.0;
    for (float l : logp) logp_zero = logp_zero && l == 0.0f;
  }
  CHECK(logp_zero);
  for (double& c : counts) c /= static_cast<double>(batch * calls);
  return counts;
}

// |observed - p| within 5 standard errors of a frequency from n draws.
void check_frequency(double observed, double p, double n) {
  const double standard_error = std::sqrt(p * (1.0 - p) / n);
  CHECK(std::abs(observed - p) <= 5.0 * standard_error + 1e-12);
}
}  // namespace

TEST_CASE("EpsilonGreedy's epsilon falls linearly from initial_epsilon to final_epsilon over epsilon_timesteps, then stays") {
  const EpsilonGreedy greedy(context(Discrete(2), {{"type", "EpsilonGreedy"}}));  // 1.0 -> 0.05 over 100000
  CHECK(greedy.epsilon_at(0) == 1.0);
  CHECK(greedy.epsilon_at(25000) == Approx(1.0 + 0.25 * (0.05 - 1.0)));  // 0.7625
  CHECK(greedy.epsilon_at(50000) == Approx(1.0 + 0.5 * (0.05 - 1.0)));   // 0.525
  CHECK(greedy.epsilon_at(100000) == 0.05);
  CHECK(greedy.epsilon_at(10000000) == 0.05);
}

TEST_CASE("EpsilonGreedy holds initial_epsilon through warmup_timesteps, then decays over epsilon_timesteps") {
  // DQN's values with a warmup: 1.0 until 1000, then to 0.02 at 1000 + 10000.
  const EpsilonGreedy greedy(context(Discrete(2), {{"warmup_timesteps", 1000},
                                                   {"epsilon_timesteps", 10000},
                                                   {"final_epsilon", 0.02}}));
  CHECK(greedy.epsilon_at(0) == 1.0);
  CHECK(greedy.epsilon_at(999) == 1.0);
  CHECK(greedy.epsilon_at(1000) == 1.0);
  CHECK(greedy.epsilon_at(6000) == Approx(1.0 + 0.5 * (0.02 - 1.0)));  // 0.51
  CHECK(greedy.epsilon_at(11000) == 0.02);
}

TEST_CASE("EpsilonGreedy's epsilon_schedule replaces the linear schedule") {
  SUBCASE("a list of [timestep, value] pairs, outside value the last value") {
    const EpsilonGreedy greedy(context(Discrete(2), {{"epsilon_schedule", {{0, 0.5}, {100, 0.1}}}}));
    CHECK(greedy.epsilon_at(50) == Approx(0.5 + 0.5 * (0.1 - 0.5)));  // 0.3
    CHECK(greedy.epsilon_at(200) == 0.1);
  }
  SUBCASE("RLlib's from_config dict") {
    const EpsilonGreedy greedy(context(
        Discrete(2), {{"epsilon_schedule",
                       {{"type", "ExponentialSchedule"}, {"schedule_timesteps", 100}, {"initial_p", 1.0}, {"decay_rate", 0.5}}}}));
    CHECK(greedy.epsilon_at(100) == Approx(0.5));
    CHECK(greedy.epsilon_at(200) == Approx(0.25));
  }
  SUBCASE("PiecewiseSchedule dict with an outside value") {
    const EpsilonGreedy greedy(context(
        Discrete(2), {{"epsilon_schedule",
                       {{"type", "PiecewiseSchedule"}, {"endpoints", {{0, 1.0}, {10, 0.0}}}, {"outside_value", 0.25}}}}));
    CHECK(greedy.epsilon_at(5) == 0.5);
    CHECK(greedy.epsilon_at(10) == 0.25);
  }
}

TEST_CASE("EpsilonGreedy with epsilon 0 and explore=false both take the argmax of the Q values, with logp 0") {
  EpsilonGreedy greedy(context(Discrete(3, 5), {{"initial_epsilon", 0.0}, {"final_epsilon", 0.0}}));
  nn::Matrix q(3, 3);
  q << 0.1f, 0.9f, 0.3f,  //
      2.0f, -1.0f, 1.5f,  //
      -5.0f, -4.0f, -3.0f;
  ad::Tape tape;
  TinyCategorical dist(tape.input(q.data(), 3, 3), Discrete(3, 5));
  RandomStream rng(1);
  nn::Matrix actions;
  std::array<float, 3> logp{9, 9, 9};
  for (bool explore : {true, false}) {
    CAPTURE(explore);
    greedy.get_exploration_action(dist, actions, logp, 10, explore, rng);
    REQUIRE(actions.rows() == 3);
    REQUIRE(actions.cols() == 1);
    CHECK(actions(0, 0) == 5 + 1);  // start 5 + argmax
    CHECK(actions(1, 0) == 5 + 0);
    CHECK(actions(2, 0) == 5 + 2);
    CHECK(logp == std::array<float, 3>{0, 0, 0});
  }
  CHECK(greedy.last_timestep() == 10);
}

TEST_CASE("EpsilonGreedy with epsilon 1 picks actions uniformly") {
  EpsilonGreedy greedy(context(Discrete(4), {{"initial_epsilon", 1.0}, {"final_epsilon", 1.0}}));
  nn::Matrix q(1, 4);
  q << 0.0f, 3.0f, 1.0f, 2.0f;
  RandomStream rng(7);
  const auto freq = frequencies(greedy, q, 1000, 20, 0, rng);
  for (double f : freq) check_frequency(f, 1.0 / 4.0, 20000);  // standard error sqrt(3/16 / 20000) = 0.0031
}

TEST_CASE("EpsilonGreedy never explores into masked actions (Q = -inf or RLlib's FLOAT_MIN)") {
  EpsilonGreedy greedy(context(Discrete(5), {{"initial_epsilon", 1.0}, {"final_epsilon", 1.0}}));
  nn::Matrix q(1, 5);
  q << 1.0f, minus_inf, 2.0f, float_min, 0.5f;
  RandomStream rng(11);
  const auto freq = frequencies(greedy, q, 1000, 20, 0, rng);
  CHECK(freq[1] == 0.0);
  CHECK(freq[3] == 0.0);
  for (std::size_t a : {0u, 2u, 4u}) check_frequency(freq[a], 1.0 / 3.0, 20000);

  SUBCASE("a row with every action masked is an error") {
    nn::Matrix masked(1, 2);
    masked << minus_inf, minus_inf;
    EpsilonGreedy two(context(Discrete(2), {{"initial_epsilon", 1.0}, {"final_epsilon", 1.0}}));
    ad::Tape tape;
    TinyCategorical dist(tape.input(masked.data(), 1, 2), Discrete(2));
    nn::Matrix actions;
    std::array<float, 1> logp{};
    CHECK_THROWS_WITH_AS(two.get_exploration_action(dist, actions, logp, 0, true, rng),
                         doctest::Contains("every action of batch row 0 is masked"), Error);
  }
}

TEST_CASE("EpsilonGreedy with epsilon 0.5 takes the greedy action 1 - eps + eps / n of the time") {
  EpsilonGreedy greedy(context(Discrete(4), {{"epsilon_schedule", 0.5}}));
  nn::Matrix q(1, 4);
  q << 0.0f, 3.0f, 1.0f, 2.0f;
  RandomStream rng(3);
  const auto freq = frequencies(greedy, q, 1000, 20, 0, rng);
  check_frequency(freq[1], 1.0 - 0.5 + 0.5 / 4.0, 20000);  // 0.625
  for (std::size_t a : {0u, 2u, 3u}) check_frequency(freq[a], 0.5 / 4.0, 20000);  // 0.125
}

TEST_CASE("EpsilonGreedy's state reports cur_epsilon and last_timestep, and restoring it restores epsilon") {
  EpsilonGreedy greedy(context(Discrete(2), {{"epsilon_timesteps", 1000}, {"final_epsilon", 0.0}}));
  nn::Matrix q(1, 2);
  q << 0.0f, 1.0f;
  ad::Tape tape;
  TinyCategorical dist(tape.input(q.data(), 1, 2), Discrete(2));
  nn::Matrix actions;
  std::array<float, 1> logp{};
  RandomStream rng(5);
  greedy.get_exploration_action(dist, actions, logp, 250, true, rng);
  const Json state = greedy.get_state();
  CHECK(state["type"] == "EpsilonGreedy");
  CHECK(state["last_timestep"] == 250);
  CHECK(state["cur_epsilon"].get<double>() == Approx(0.75));  // 1 - 250/1000

  EpsilonGreedy restored(context(Discrete(2), {{"epsilon_timesteps", 1000}, {"final_epsilon", 0.0}}));
  restored.set_state(Json::parse(state.dump()));
  CHECK(restored.last_timestep() == 250);
  CHECK(restored.epsilon() == Approx(0.75));
}

TEST_CASE("PerWorkerEpsilonGreedy gives remote worker i of N the constant 0.4^(1 + 7 (i - 1) / (N - 1))") {
  // N = 1: RLlib divides by 1 instead of N - 1 = 0, so the only remote worker gets 0.4^1.
  CHECK(PerWorkerEpsilonGreedy::constant_epsilon(1, 1) == Approx(0.4));
  // N = 2: the exponents are 1 + 7 * 0/1 = 1 and 1 + 7 * 1/1 = 8.
  CHECK(PerWorkerEpsilonGreedy::constant_epsilon(1, 2) == Approx(0.4));
  CHECK(PerWorkerEpsilonGreedy::constant_epsilon(2, 2) == Approx(0.00065536));  // 0.4^8
  // N = 4: exponents 1, 1 + 7/3 = 10/3, 1 + 14/3 = 17/3, 1 + 7 = 8.
  CHECK(PerWorkerEpsilonGreedy::constant_epsilon(1, 4) == Approx(0.4));
  CHECK(PerWorkerEpsilonGreedy::constant_epsilon(2, 4) == Approx(std::pow(0.4, 10.0 / 3.0)));  // 0.04715
  CHECK(PerWorkerEpsilonGreedy::constant_epsilon(3, 4) == Approx(std::pow(0.4, 17.0 / 3.0)));  // 0.00555
  CHECK(PerWorkerEpsilonGreedy::constant_epsilon(4, 4) == Approx(0.00065536));
  CHECK(std::pow(0.4, 10.0 / 3.0) == Approx(0.047149).epsilon(1e-4));
  CHECK(std::pow(0.4, 17.0 / 3.0) == Approx(0.005551).epsilon(1e-3));
  // The local worker (index 0) does not explore when there are remote workers.
  CHECK(PerWorkerEpsilonGreedy::constant_epsilon(0, 4) == 0.0);
  CHECK_FALSE(PerWorkerEpsilonGreedy::constant_epsilon(0, 0).has_value());
}

TEST_CASE("PerWorkerEpsilonGreedy's constant epsilon holds at every timestep; without remote workers it is EpsilonGreedy") {
  const Json config = {{"type", "PerWorkerEpsilonGreedy"}};
  const PerWorkerEpsilonGreedy third(context(Discrete(2), config, 3, 4));
  CHECK(third.epsilon_at(0) == Approx(std::pow(0.4, 17.0 / 3.0)));
  CHECK(third.epsilon_at(1000000) == Approx(std::pow(0.4, 17.0 / 3.0)));
  const PerWorkerEpsilonGreedy local(context(Discrete(2), config, 0, 4));
  CHECK(local.epsilon_at(0) == 0.0);
  const PerWorkerEpsilonGreedy alone(context(Discrete(2), config, 0, 0));
  CHECK(alone.epsilon_at(0) == 1.0);
  CHECK(alone.epsilon_at(50000) == Approx(0.525));
  CHECK(alone.get_state()["type"] == "PerWorkerEpsilonGreedy");
  CHECK_THROWS_WITH_AS(PerWorkerEpsilonGreedy(context(Discrete(2), config, 5, 4)),
                       doctest::Contains("worker_index 5 of 4"), ConfigError);
}
