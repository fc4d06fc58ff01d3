// The global registry: every built-in id is registered, builds, and runs episodes that pass the
// env checks (actions sampled from the action space, observations in the observation space).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "rlpp/envs/registry.hpp"

using namespace rlpp;

TEST_CASE("every built-in id is registered") {
  const std::vector<std::string> expected = {
      "Acrobot-v1",  "CartPole-v0",        "CartPole-v1",   "MountainCar-v0",
      "MountainCarContinuous-v0", "MultiAgentCartPole", "Pendulum-v1", "RandomEnv",
      "RepeatAfterMe", "RockPaperScissors", "SimpleContextualBandit", "StatelessCartPole"};
  const auto names = global_env_registry().names();
  for (const auto& name : expected) {
    CAPTURE(name);
    CHECK(std::find(names.begin(), names.end(), name) != names.end());
  }
}

TEST_CASE("every single-agent built-in runs checked random episodes") {
  for (const auto& name : global_env_registry().names()) {
    if (global_env_registry().is_multi_agent(name)) continue;
    CAPTURE(name);
    AnyEnv env = make_env(name);
    REQUIRE(env.checking());
    RandomStream rng(1);
    std::vector<float> action(env.action_size());
    env.reset(3);
    int episodes = 0;
    for (int t = 0; t < 3000 && episodes < 3; ++t) {
      env.action_space().sample(rng, action);
      if (env.step(action).done()) {
        ++episodes;
        env.reset(std::nullopt);
      }
    }
    CHECK(episodes > 0);
  }
}

TEST_CASE("registered ids carry Gymnasium's time limits: CartPole-v0 200 steps, v1 500") {
  for (auto [name, limit] : {std::pair{"CartPole-v0", 200}, std::pair{"CartPole-v1", 500}}) {
    CAPTURE(name);
    AnyEnv env = make_env(name);
    auto* cartpole = env.target<CartPole>();
    REQUIRE(cartpole != nullptr);
    CHECK(cartpole->max_episode_steps() == limit);
  }
}

TEST_CASE("make_vector_env builds sub-envs from the registry with vector indices") {
  auto venv = make_vector_env("Pendulum-v1", 4, {.seed = 3});
  CHECK(venv.num_envs() == 4);
  CHECK(venv.options().env_name == "Pendulum-v1");
  CHECK(venv.observation_size() == 3);
  venv.reset();
  std::vector<float> actions(4, 0.5f);
  venv.step_flat(actions);
  CHECK(venv.observation(0)[0] != venv.observation(1)[0]);  // different reset draws
}

TEST_CASE("multi-agent built-ins come out of make_multi_agent_env") {
  AnyMultiAgentEnv rps = make_multi_agent_env("RockPaperScissors");
  CHECK(rps.agent_ids() == std::vector<AgentId>{"player1", "player2"});
  EnvContext ctx;
  ctx.env_config = {{"num_agents", 3}};
  AnyMultiAgentEnv carts = make_multi_agent_env("MultiAgentCartPole", ctx);
  CHECK(carts.agent_ids().size() == 3);
  auto reset = carts.reset(1);
  CHECK(reset.observations.size() == 3);
}

TEST_CASE("a misspelt id suggests the right one") {
  try {
    make_env("CartPol-v1");
    FAIL("expected a RegistryError");
  } catch (const RegistryError& e) {
    CHECK(std::string(e.what()).find("did you mean 'CartPole-v1'?") != std::string::npos);
  }
}

TEST_CASE("register_env adds a user env to the global registry") {
  register_env("my-bandit", [](const EnvContext& ctx) { return SimpleContextualBandit(ctx); });
  CHECK(global_env_registry().contains("my-bandit"));
  CHECK(make_env("my-bandit").action_space() == Space(Discrete(3)));
}
