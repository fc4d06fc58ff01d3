// Tests for SimpleContextualBandit (include/rlpp/envs/contextual_bandit.hpp).

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "rlpp/envs/contextual_bandit.hpp"
#include "rlpp/envs/env.hpp"

namespace {

using namespace rlpp;
using Context = std::array<float, 2>;

static_assert(environment<SimpleContextualBandit> && stateful_environment<SimpleContextualBandit>);
static_assert(std::is_same_v<observation_t<SimpleContextualBandit>, Context>);

TEST_CASE("SimpleContextualBandit's spaces are RLlib's") {
  SimpleContextualBandit env(EnvContext{});
  CHECK(env.observation_space() == Space(Box(-1.0, 1.0, {2})));
  CHECK(env.action_space() == Space(Discrete(3)));
}

TEST_CASE("SimpleContextualBandit pays [-10, 0, 10] in context -1 and [10, 0, -10] in context 1") {
  SimpleContextualBandit env;
  bool seen[2] = {false, false};
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const Context obs = env.reset(seed);
    const float c = obs[0];
    REQUIRE((c == -1.0f || c == 1.0f));
    CHECK(obs[1] == -c);
    seen[c > 0 ? 1 : 0] = true;
    const std::vector<double> expected = c < 0 ? std::vector<double>{-10, 0, 10} : std::vector<double>{10, 0, -10};
    for (std::int64_t arm = 0; arm < 3; ++arm) {
      env.reset(seed);  // same context again
      const auto step = env.step(arm);
      CHECK(step.reward == expected[static_cast<std::size_t>(arm)]);
      CHECK(step.terminated);  // one-step episodes
      CHECK_FALSE(step.truncated);
      CHECK(step.info["regret"].get<double>() == 10.0 - step.reward);
      CHECK(step.observation == Context{-c, c});  // RLlib returns the context flipped
    }
  }
  CHECK(seen[0]);
  CHECK(seen[1]);
}

TEST_CASE("SimpleContextualBandit contexts are deterministic by seed and about evenly split") {
  SimpleContextualBandit a, b;
  std::vector<float> first, second;
  first.push_back(a.reset(9)[0]);
  second.push_back(b.reset(9)[0]);
  int positive = 0;
  for (int i = 0; i < 1000; ++i) {
    first.push_back(a.reset(std::nullopt)[0]);
    second.push_back(b.reset(std::nullopt)[0]);
    positive += first.back() > 0 ? 1 : 0;
  }
  CHECK(first == second);
  CHECK(positive > 430);
  CHECK(positive < 570);
}

TEST_CASE("SimpleContextualBandit errors: step before reset, arm out of range") {
  SimpleContextualBandit env;
  CHECK_THROWS_AS(env.step(0), EnvError);
  env.reset(0);
  CHECK_THROWS_WITH_AS(env.step(3), "SimpleContextualBandit: action 3 is not in Discrete(3)", EnvError);
  CHECK_THROWS_AS(env.step(-1), EnvError);
}

TEST_CASE("SimpleContextualBandit's state restores the context stream") {
  SimpleContextualBandit env;
  env.reset(1);
  const auto saved = env.get_state();
  std::vector<float> contexts;
  for (int i = 0; i < 10; ++i) contexts.push_back(env.reset(std::nullopt)[0]);
  env.set_state(saved);
  for (int i = 0; i < 10; ++i) CHECK(env.reset(std::nullopt)[0] == contexts[static_cast<std::size_t>(i)]);
}

}  // namespace
