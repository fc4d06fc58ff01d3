// Tests for RepeatAfterMe (include/rlpp/envs/repeat_after_me.hpp).

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "rlpp/envs/env.hpp"
#include "rlpp/envs/repeat_after_me.hpp"
#include "rlpp/envs/wrappers/time_limit.hpp"

namespace {

using namespace rlpp;

static_assert(environment<RepeatAfterMe> && stateful_environment<RepeatAfterMe>);
static_assert(std::is_same_v<observation_t<RepeatAfterMe>, std::int64_t>);
static_assert(std::is_same_v<action_t<RepeatAfterMe>, std::int64_t>);

EnvContext with_config(Json config) {
  EnvContext context;
  context.env_config = std::move(config);
  return context;
}

TEST_CASE("RepeatAfterMe's spaces and defaults are RLlib's") {
  RepeatAfterMe env;
  CHECK(env.observation_space() == Space(Discrete(2)));
  CHECK(env.action_space() == Space(Discrete(2)));
  CHECK(env.repeat_delay() == 1);
  CHECK(env.episode_len() == 100);
}

TEST_CASE("RepeatAfterMe with delay 2 rewards repeating the token from two steps back") {
  RepeatAfterMe env(with_config({{"repeat_delay", 2}}));
  // Tokens o0 (from reset), o1, o2, ...; at step t the target is o(t-3), with o(<0) = 0:
  //   step 1 -> padding 0, step 2 -> padding 0, step 3 -> o0, step 4 -> o1, ...
  std::vector<std::int64_t> tokens{env.reset(7)};
  // First pass: act 1 always and record the tokens; rewards follow the rule above.
  const std::vector<std::int64_t> actions{1, 0, 1, 0, 1, 1, 0, 0};
  std::vector<double> rewards;
  for (std::int64_t action : actions) {
    const auto step = env.step(action);
    rewards.push_back(step.reward);
    tokens.push_back(step.observation);
  }
  for (std::size_t t = 1; t <= actions.size(); ++t) {
    const std::int64_t target = t >= 3 ? tokens[t - 3] : 0;
    CHECK(rewards[t - 1] == (actions[t - 1] == target ? 1.0 : -1.0));
  }
  // Steps 1 and 2 compare with the zero padding: action 1 loses, action 0 wins.
  CHECK(rewards[0] == -1.0);
  CHECK(rewards[1] == 1.0);

  // Second pass, same seed, same tokens: a perfect memory earns +1 on every step.
  CHECK(env.reset(7) == tokens[0]);
  for (std::size_t t = 1; t <= actions.size(); ++t) {
    const auto step = env.step(t >= 3 ? tokens[t - 3] : 0);
    CHECK(step.reward == 1.0);
    CHECK(step.observation == tokens[t]);
  }
}

TEST_CASE("RepeatAfterMe with delay 0 rewards repeating the token just seen") {
  RepeatAfterMe env(with_config({{"repeat_delay", 0}}));
  std::int64_t obs = env.reset(3);
  for (int t = 0; t < 20; ++t) {
    const auto step = env.step(obs);
    CHECK(step.reward == 1.0);
    obs = step.observation;
  }
}

TEST_CASE("RepeatAfterMe episodes are truncated after episode_len steps") {
  RepeatAfterMe env(with_config({{"episode_len", 5}}));
  env.reset(0);
  for (int t = 1; t < 5; ++t) CHECK_FALSE(env.step(0).done());
  const auto last = env.step(0);
  CHECK(last.truncated);
  CHECK_FALSE(last.terminated);
  env.reset(std::nullopt);
  CHECK_FALSE(env.step(0).done());  // the count restarts

  RepeatAfterMe standard;
  standard.reset(0);
  int steps = 1;
  while (!standard.step(0).truncated) ++steps;
  CHECK(steps == 100);
}

TEST_CASE("RepeatAfterMe is deterministic by seed and continues its stream on reset(nullopt)") {
  auto tokens = [](RepeatAfterMe& env, Seed seed) {
    std::vector<std::int64_t> out{env.reset(seed)};
    for (int t = 0; t < 30; ++t) out.push_back(env.step(0).observation);
    return out;
  };
  RepeatAfterMe a, b;
  const auto first = tokens(a, 42);
  CHECK(tokens(b, 42) == first);
  CHECK(tokens(a, 43) != first);
  const auto continued = tokens(a, std::nullopt);
  CHECK(continued != tokens(b, 43));  // continuing a stream is not restarting it
  // Tokens are fair coin flips: roughly half ones over many draws.
  RepeatAfterMe c;
  c.reset(1);
  int ones = 0;
  for (int t = 0; t < 2000; ++t) ones += static_cast<int>(c.step(0).observation);
  CHECK(ones > 900);
  CHECK(ones < 1100);
}

TEST_CASE("RepeatAfterMe's state restores the token stream and the memory") {
  RepeatAfterMe env(with_config({{"repeat_delay", 3}}));
  env.reset(5);
  for (int t = 0; t < 4; ++t) env.step(1);
  const auto saved = env.get_state();
  std::vector<Step<std::int64_t>> first;
  for (int t = 0; t < 6; ++t) first.push_back(env.step(t % 2));
  env.set_state(saved);
  for (int t = 0; t < 6; ++t) {
    const auto again = env.step(t % 2);
    CHECK(again.observation == first[static_cast<std::size_t>(t)].observation);
    CHECK(again.reward == first[static_cast<std::size_t>(t)].reward);
  }
  RepeatAfterMe other;  // delay 1: a state for delay 3 does not fit
  CHECK_THROWS_AS(other.set_state(saved), EnvError);
}

TEST_CASE("RepeatAfterMe errors") {
  CHECK_THROWS_WITH_AS(RepeatAfterMe(with_config({{"repeat_delay", -1}})),
                       "env_config.repeat_delay: expected an integer >= 0, got -1 (0 repeats the token just seen)",
                       ConfigError);
  CHECK_THROWS_WITH_AS(RepeatAfterMe(with_config({{"repeat_delay", "two"}})),
                       "env_config.repeat_delay: expected an integer, got \"two\"", ConfigError);
  CHECK_THROWS_AS(RepeatAfterMe(with_config({{"episode_len", 0}})), ConfigError);
  CHECK_THROWS_AS(RepeatAfterMe(with_config({{"continuous", true}})), ConfigError);
  RepeatAfterMe env;
  CHECK_THROWS_WITH_AS(env.step(0), "RepeatAfterMe: step() before reset() (call reset() first)", EnvError);
  env.reset(0);
  CHECK_THROWS_AS(env.step(2), EnvError);
}

TEST_CASE("RepeatAfterMe works under a TimeLimit") {
  TimeLimit env(RepeatAfterMe{}, 3);
  env.reset(0);
  env.step(0);
  env.step(0);
  CHECK(env.step(0).truncated);
}

}  // namespace
