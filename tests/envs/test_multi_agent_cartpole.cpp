// MultiAgentCartPole: one CartPole-v1 per agent; agents leave when their episode ends.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/envs/classic_control/cartpole.hpp"
#include "rlpp/envs/env_context.hpp"
#include "rlpp/envs/multi_agent_cartpole.hpp"
#include "rlpp/envs/multi_agent_env.hpp"

static_assert(rlpp::multi_agent_environment<rlpp::MultiAgentCartPole>);

namespace {
rlpp::EnvContext config(rlpp::Json env_config) {
  rlpp::EnvContext ctx;
  ctx.env_config = std::move(env_config);
  return ctx;
}
}  // namespace

TEST_CASE("MultiAgentCartPole has agents \"0\" .. \"n-1\" with CartPole's spaces") {
  rlpp::MultiAgentCartPole env(config({{"num_agents", 3}}));
  CHECK(env.num_agents() == 3);
  CHECK(env.agent_ids() == std::vector<rlpp::AgentId>{"0", "1", "2"});
  CHECK(env.observation_space("2") == rlpp::CartPole().observation_space());
  CHECK(env.action_space("0") == rlpp::CartPole().action_space());
  CHECK_THROWS_AS(env.observation_space("3"), rlpp::EnvError);
  CHECK_THROWS_AS(env.action_space("01"), rlpp::EnvError);
  CHECK(rlpp::MultiAgentCartPole().num_agents() == 1);  // RLlib's default
  CHECK(rlpp::MultiAgentCartPole(4).num_agents() == 4);
}

TEST_CASE("each agent's CartPole is reset from the shared stream, deterministically") {
  rlpp::MultiAgentCartPole env(2);
  const auto observations = env.reset(42);
  REQUIRE(observations.size() == 2);
  // Agent i's CartPole is reset with the i-th draw of RandomStream(42).
  rlpp::RandomStream stream(42);
  for (const char* id : {"0", "1"}) {
    rlpp::CartPole single;
    CHECK(observations.at(id) == single.reset(stream.next_u64()));
  }
  CHECK(observations.at("0") != observations.at("1"));
  rlpp::MultiAgentCartPole again(2);
  CHECK(again.reset(42) == observations);
  CHECK(again.reset(std::nullopt) != observations);  // the stream continues
}

TEST_CASE("an agent leaves when its episode ends; __all__ when every agent has left") {
  rlpp::MultiAgentCartPole env(config({{"num_agents", 2}, {"max_episode_steps", 30}}));
  env.reset(1);
  // Agent "0" always pushes right and falls within 30 steps; agent "1" balances to the limit.
  std::vector<rlpp::AgentId> acting = env.acting_agents();
  std::array<float, 4> obs1 = env.reset(1).at("1");
  bool zero_left = false;
  bool all_done = false;
  for (int t = 0; t < 30 && !all_done; ++t) {
    rlpp::AgentDict<std::int64_t> actions;
    for (const auto& id : env.acting_agents()) {
      actions[id] = id == "0" ? 1 : (obs1[2] + 0.5f * obs1[3] > 0 ? 1 : 0);
    }
    const auto step = env.step(actions);
    CHECK(step.observations.size() == actions.size());
    if (const auto* o = step.observations.find("1")) obs1 = *o;
    if (step.terminateds.get("0", false)) {
      zero_left = true;
      CHECK_FALSE(step.terminateds.at("__all__"));
      CHECK(env.acting_agents() == std::vector<rlpp::AgentId>{"1"});
      CHECK_THROWS_AS(env.step({{"0", 1}}), rlpp::EnvError);  // it left
    }
    all_done = step.all_done();
    if (all_done) {
      CHECK(step.truncateds.at("1"));
      CHECK_FALSE(step.terminateds.at("1"));
      // One agent terminated, one truncated: the episode ends as terminated (RLlib's rule).
      CHECK(step.terminateds.at("__all__"));
      CHECK_FALSE(step.truncateds.at("__all__"));
      CHECK(t == 29);
    }
  }
  CHECK(zero_left);
  CHECK(all_done);
  CHECK(env.acting_agents().empty());
  CHECK(env.reset(2).size() == 2);
  CHECK(env.acting_agents() == std::vector<rlpp::AgentId>{"0", "1"});
}

TEST_CASE("when every agent is truncated only truncateds[__all__] is set") {
  rlpp::MultiAgentCartPole env(config({{"num_agents", 2}, {"max_episode_steps", 2}}));
  env.reset(3);
  env.step({{"0", 0}, {"1", 1}});
  const auto step = env.step({{"0", 1}, {"1", 0}});
  CHECK(step.truncateds.at("__all__"));
  CHECK_FALSE(step.terminateds.at("__all__"));
}

TEST_CASE("MultiAgentCartPole misuse: bad config, unknown agents, empty actions, no reset") {
  CHECK_THROWS_AS(rlpp::MultiAgentCartPole(config({{"num_agents", 0}})), rlpp::ConfigError);
  CHECK_THROWS_AS(rlpp::MultiAgentCartPole(config({{"num_agents", "two"}})), rlpp::ConfigError);
  rlpp::MultiAgentCartPole env(2);
  CHECK_THROWS_AS(env.step({{"0", 1}}), rlpp::EnvError);  // before reset
  env.reset(1);
  CHECK_THROWS_AS(env.step({}), rlpp::EnvError);
  CHECK_THROWS_WITH_AS(env.step({{"7", 1}}), doctest::Contains("unknown agent '7'"), rlpp::EnvError);
  CHECK_THROWS_AS(env.step({{"1", 2}}), rlpp::EnvError);  // not in Discrete(2)
}
