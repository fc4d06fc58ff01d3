// Tests for RandomEnv (include/rlpp/envs/random_env.hpp).

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "rlpp/envs/env.hpp"
#include "rlpp/envs/random_env.hpp"

namespace {

using namespace rlpp;

static_assert(environment<RandomEnv> && stateful_environment<RandomEnv>);
static_assert(std::is_same_v<observation_t<RandomEnv>, std::vector<float>>);
static_assert(std::is_same_v<action_t<RandomEnv>, std::vector<float>>);

EnvContext with_config(Json config) {
  EnvContext context;
  context.env_config = std::move(config);
  return context;
}

TEST_CASE("RandomEnv's defaults are RLlib's: Discrete(2) spaces, rewards in [-1, 1], p_terminated 0.1") {
  RandomEnv env;
  CHECK(env.observation_space() == Space(Discrete(2)));
  CHECK(env.action_space() == Space(Discrete(2)));
  CHECK(env.reward_space() == Space(Box(-1.0, 1.0, {})));
  CHECK(env.p_terminated() == 0.1);
  CHECK(env.max_episode_len() == 0);
  CHECK_FALSE(env.check_action_bounds());

  const auto obs = env.reset(0);
  REQUIRE(obs.size() == 1);  // Discrete: one float holding the integer
  CHECK((obs[0] == 0.0f || obs[0] == 1.0f));
  int terminated = 0;
  const int steps = 4000;
  for (int i = 0; i < steps; ++i) {
    const auto step = env.step({1.0f});
    CHECK(env.observation_space().contains(step.observation));
    CHECK(step.reward >= -1.0);
    CHECK(step.reward <= 1.0);
    CHECK_FALSE(step.truncated);
    terminated += step.terminated ? 1 : 0;
  }
  // Binomial(4000, 0.1): mean 400, sd 19.
  CHECK(terminated > 320);
  CHECK(terminated < 480);
}

TEST_CASE("RandomEnv reads its spaces as Space JSON from env_config") {
  RandomEnv env(with_config({
      {"observation_space", {{"type", "Box"}, {"low", -2.0}, {"high", 2.0}, {"shape", {3, 2}}}},
      {"action_space", {{"type", "MultiDiscrete"}, {"nvec", {3, 4}}}},
      {"reward_space", {{"type", "Discrete"}, {"n", 5}, {"start", -2}}},
      {"p_terminated", 0.0},
  }));
  CHECK(env.observation_space() == Space(Box(-2.0, 2.0, {3, 2})));
  CHECK(env.action_space() == Space(MultiDiscrete({3, 4})));
  const auto obs = env.reset(1);
  CHECK(obs.size() == 6);
  CHECK(env.observation_space().contains(obs));
  for (int i = 0; i < 200; ++i) {
    const auto step = env.step({2.0f, 3.0f});
    CHECK_FALSE(step.done());  // p_terminated 0
    CHECK(env.observation_space().contains(step.observation));
    CHECK((step.reward >= -2.0 && step.reward <= 2.0 && step.reward == static_cast<int>(step.reward)));
  }
}

TEST_CASE("RandomEnv truncates at max_episode_len before sampling termination") {
  RandomEnv env(with_config({{"max_episode_len", 3}, {"p_terminated", 0.0}}));
  env.reset(0);
  CHECK_FALSE(env.step({0.0f}).done());
  CHECK_FALSE(env.step({0.0f}).done());
  const auto third = env.step({0.0f});
  CHECK(third.truncated);
  CHECK_FALSE(third.terminated);

  RandomEnv always(with_config({{"p_terminated", 1.0}, {"max_episode_len", 2}}));
  always.reset(0);
  CHECK(always.step({0.0f}).terminated);
  always.reset(0);
  always.step({0.0f});
  const auto at_limit = always.step({0.0f});
  CHECK(at_limit.truncated);
  CHECK_FALSE(at_limit.terminated);  // RLlib: the limit wins, termination is not sampled
}

TEST_CASE("RandomEnv accepts RLlib's older key p_done") {
  RandomEnv env(with_config({{"p_done", 1.0}}));
  CHECK(env.p_terminated() == 1.0);
  RandomEnv both(with_config({{"p_done", 1.0}, {"p_terminated", 0.5}}));
  CHECK(both.p_terminated() == 0.5);
}

TEST_CASE("RandomEnv checks actions: size always, bounds with check_action_bounds") {
  RandomEnv lax(with_config({{"action_space", {{"type", "Box"}, {"low", -1}, {"high", 1}, {"shape", {2}}}}}));
  lax.reset(0);
  CHECK_NOTHROW(lax.step({5.0f, 0.0f}));  // out of bounds, but not checked
  CHECK_THROWS_WITH_AS(lax.step({0.0f}), "RandomEnv: illegal action for Box(-1.0, 1.0, (2,), float32): [0.0]",
                       EnvError);

  RandomEnv strict(with_config({{"check_action_bounds", true}}));
  strict.reset(0);
  CHECK_NOTHROW(strict.step({1.0f}));
  CHECK_THROWS_WITH_AS(strict.step({2.0f}), "RandomEnv: illegal action for Discrete(2): [2.0]", EnvError);
}

TEST_CASE("RandomEnv is deterministic by seed; static_samples repeats one sample") {
  auto run = [](RandomEnv& env, Seed seed) {
    std::vector<float> values = env.reset(seed);
    for (int i = 0; i < 50; ++i) {
      const auto step = env.step({0.0f});
      values.push_back(step.observation[0]);
      values.push_back(static_cast<float>(step.reward));
      values.push_back(step.terminated ? 1.0f : 0.0f);
    }
    return values;
  };
  const Json config = {{"observation_space", {{"type", "Box"}, {"low", 0}, {"high", 1}, {"shape", {1}}}}};
  RandomEnv a(with_config(config)), b(with_config(config));
  const auto first = run(a, 11);
  CHECK(run(b, 11) == first);
  CHECK(run(a, 12) != first);

  Json static_config = config;
  static_config["static_samples"] = true;
  RandomEnv fixed(with_config(static_config));
  const auto obs = fixed.reset(0);
  const auto step1 = fixed.step({0.0f});
  const auto step2 = fixed.step({1.0f});
  CHECK(step1.observation == obs);
  CHECK(step2.observation == obs);
  CHECK(step1.reward == step2.reward);
}

TEST_CASE("RandomEnv's state restores its random stream") {
  RandomEnv env;
  env.reset(3);
  const auto saved = env.get_state();
  const auto a = env.step({0.0f});
  env.set_state(saved);
  const auto b = env.step({0.0f});
  CHECK(a.observation == b.observation);
  CHECK(a.reward == b.reward);
  CHECK(a.terminated == b.terminated);
}

TEST_CASE("RandomEnv config errors name the env_config key") {
  CHECK_THROWS_WITH_AS(RandomEnv(with_config({{"observation_space", {{"type", "Discrete"}, {"n", 0}}}})),
                       "env_config.observation_space.n: expected an integer >= 1, found 0", SpaceError);
  CHECK_THROWS_AS(RandomEnv(with_config({{"p_terminated", 1.5}})), ConfigError);
  CHECK_THROWS_AS(RandomEnv(with_config({{"max_episode_len", -1}})), ConfigError);
  CHECK_THROWS_AS(RandomEnv(with_config({{"reward_space", {{"type", "Box"}, {"low", 0}, {"high", 1}, {"shape", {2}}}}})),
                  ConfigError);
  CHECK_THROWS_AS(RandomEnv(with_config({{"check_action_bounds", "yes"}})), ConfigError);
}

TEST_CASE("RandomEnv can be built from spaces directly") {
  RandomEnv env(Box(0.0, 1.0, {4}), Discrete(3), 0.0, 5);
  CHECK(env.reset(0).size() == 4);
  for (int i = 1; i < 5; ++i) CHECK_FALSE(env.step({2.0f}).done());
  CHECK(env.step({2.0f}).truncated);
}

}  // namespace
