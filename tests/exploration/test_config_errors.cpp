#include <doctest/doctest.h>

#include "exploration/exploration_support.hpp"
#include "rlpp/exploration/any_exploration.hpp"

using namespace rlpp;
using rlpp::test::context;

TEST_CASE("An unknown exploration_config key is a ConfigError suggesting the nearest known key") {
  CHECK_THROWS_WITH_AS(EpsilonGreedy(context(Discrete(2), {{"type", "EpsilonGreedy"}, {"epsilon_timestep", 5}})),
                       "config.exploration_config.epsilon_timestep: unknown config key (did you mean 'epsilon_timesteps'?)",
                       ConfigError);
  CHECK_THROWS_WITH_AS(AnyExploration(context(Box(-1.0, 1.0, {1}), {{"type", "OrnsteinUhlenbeckNoise"}, {"stddev", 0.5}})),
                       doctest::Contains("config.exploration_config.stddev: unknown config key"), ConfigError);
  CHECK_THROWS_AS(Random(context(Discrete(2), {{"type", "Random"}, {"random_timesteps", 5}})), ConfigError);
}

TEST_CASE("A wrongly typed or out-of-range exploration_config value is a ConfigError naming its key path") {
  CHECK_THROWS_WITH_AS(EpsilonGreedy(context(Discrete(2), {{"initial_epsilon", "high"}})),
                       "config.exploration_config.initial_epsilon: expected a number, got \"high\"", ConfigError);
  CHECK_THROWS_WITH_AS(EpsilonGreedy(context(Discrete(2), {{"final_epsilon", 1.5}})),
                       doctest::Contains("config.exploration_config.final_epsilon: expected a number in [0"), ConfigError);
  CHECK_THROWS_WITH_AS(EpsilonGreedy(context(Discrete(2), {{"epsilon_timesteps", -1}})),
                       "config.exploration_config.epsilon_timesteps: expected a non-negative integer, got -1", ConfigError);
  CHECK_THROWS_WITH_AS(EpsilonGreedy(context(Discrete(2), {{"epsilon_timesteps", 10.5}})),
                       "config.exploration_config.epsilon_timesteps: expected an integer, got 10.5", ConfigError);
  CHECK_NOTHROW(EpsilonGreedy(context(Discrete(2), {{"epsilon_timesteps", 1e4}})));  // YAML's 1e4 is 10000
  CHECK_THROWS_WITH_AS(GaussianNoise(context(Box(-1.0, 1.0, {1}), {{"type", "GaussianNoise"}, {"stddev", -0.1}})),
                       "config.exploration_config.stddev: expected a finite number >= 0, got -0.1", ConfigError);
  CHECK_THROWS_WITH_AS(StochasticSampling(context(Discrete(2), {{"random_timesteps", nullptr}})),
                       doctest::Contains("config.exploration_config.random_timesteps: expected an integer, got null"),
                       ConfigError);
}

TEST_CASE("A bad epsilon_schedule or scale_schedule is a ConfigError naming the key inside it") {
  CHECK_THROWS_WITH_AS(
      EpsilonGreedy(context(Discrete(2), {{"epsilon_schedule", {{"type", "PiecewiseSchedul"}}}})),
      doctest::Contains("config.exploration_config.epsilon_schedule.type: unknown value 'PiecewiseSchedul'"), ConfigError);
  CHECK_THROWS_WITH_AS(
      EpsilonGreedy(context(Discrete(2), {{"epsilon_schedule", {{"type", "LinearSchedule"}, {"final_p", 0.1}}}})),
      "config.exploration_config.epsilon_schedule.schedule_timesteps: missing required key of a LinearSchedule",
      ConfigError);
  CHECK_THROWS_WITH_AS(EpsilonGreedy(context(Discrete(2), {{"epsilon_schedule",
                                                            {{"type", "ConstantSchedule"}, {"value", 0.1}, {"valeu", 1}}}})),
                       doctest::Contains("epsilon_schedule.valeu: unknown config key (did you mean 'value'?)"), ConfigError);
  CHECK_THROWS_WITH_AS(
      GaussianNoise(context(Box(-1.0, 1.0, {1}), {{"type", "GaussianNoise"}, {"scale_schedule", {{0, 1.0}, {"x", 2}}}})),
      doctest::Contains("config.exploration_config.scale_schedule[1]: expected a [timestep, value] pair"), ConfigError);
  CHECK_THROWS_AS(EpsilonGreedy(context(Discrete(2), {{"epsilon_schedule", "linear"}})), ConfigError);
}

TEST_CASE("A strategy built for the wrong kind of action space is a ConfigError naming the space") {
  CHECK_THROWS_WITH_AS(EpsilonGreedy(context(Box(-1.0, 1.0, {2}), {{"type", "EpsilonGreedy"}})),
                       "config.exploration_config.type: EpsilonGreedy needs a Discrete action space, got "
                       "Box(-1.0, 1.0, (2,), float32) (for this space use StochasticSampling, GaussianNoise or "
                       "OrnsteinUhlenbeckNoise)",
                       ConfigError);
  CHECK_THROWS_WITH_AS(AnyExploration(context(MultiDiscrete({2, 3}), {{"type", "PerWorkerEpsilonGreedy"}})),
                       doctest::Contains("PerWorkerEpsilonGreedy needs a Discrete action space, got MultiDiscrete("),
                       ConfigError);
  CHECK_THROWS_WITH_AS(AnyExploration(context(Discrete(4), {{"type", "OrnsteinUhlenbeckNoise"}})),
                       doctest::Contains("OrnsteinUhlenbeckNoise needs a Box action space, got Discrete(4)"), ConfigError);
}

TEST_CASE("A strategy given another strategy's config is a ConfigError") {
  CHECK_THROWS_WITH_AS(EpsilonGreedy(context(Discrete(2), {{"type", "SoftQ"}})),
                       doctest::Contains("config.exploration_config.type: this EpsilonGreedy strategy was given the "
                                         "config of \"SoftQ\""),
                       ConfigError);
}

TEST_CASE("A malformed exploration state is a CheckpointError naming the key") {
  EpsilonGreedy greedy(context(Discrete(2), Json::object()));
  CHECK_THROWS_WITH_AS(greedy.set_state(Json{{"type", "EpsilonGreedy"}, {"last_timestep", -4}}),
                       "EpsilonGreedy state.last_timestep: expected a non-negative integer, got -4", CheckpointError);
  CHECK_THROWS_WITH_AS(greedy.set_state(Json{{"type", "EpsilonGreedy"}}),
                       "EpsilonGreedy state.last_timestep: missing key", CheckpointError);
  CHECK_THROWS_WITH_AS(greedy.set_state(Json{{"type", "EpsilonGreedy"}, {"last_timestep", 4}, {"last_timestamp", 5}}),
                       "EpsilonGreedy state.last_timestamp: unknown key in a EpsilonGreedy state (did you mean "
                       "'last_timestep'?)",
                       CheckpointError);
  CHECK_THROWS_WITH_AS(greedy.set_state(Json{{"type", "EpsilonGreedy"}, {"last_timestep", 4}, {"cur_epsilon", "x"}}),
                       "EpsilonGreedy state.cur_epsilon: expected a number, got \"x\"", CheckpointError);
  CHECK_THROWS_WITH_AS(greedy.set_state(Json{{"type", "SoftQ"}, {"last_timestep", 4}}),
                       doctest::Contains("EpsilonGreedy state.type: the state is for \"SoftQ\""), CheckpointError);
  CHECK_THROWS_AS(greedy.set_state(Json(4)), CheckpointError);
  CHECK(greedy.last_timestep() == 0);
  greedy.set_state(Json{{"type", "EpsilonGreedy"}, {"last_timestep", 4}});
  CHECK(greedy.last_timestep() == 4);
}

TEST_CASE("A logp span that does not match the batch is an error") {
  StochasticSampling sampling(context(Discrete(3), Json::object()));
  nn::Matrix logits = nn::Matrix::Zero(2, 3);
  ad::Tape tape;
  rlpp::test::TinyCategorical dist(tape.input(logits.data(), 2, 3), Discrete(3));
  nn::Matrix actions;
  std::array<float, 3> logp{};
  RandomStream rng(0);
  CHECK_THROWS_WITH_AS(sampling.get_exploration_action(dist, actions, logp, 0, true, rng),
                       doctest::Contains("logp has 3 entries for a batch of 2"), Error);
}
