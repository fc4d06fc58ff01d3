#pragma once
// The process-wide env registry, with every built-in env registered under its Gymnasium / RLlib
// id on first use, plus register_env / make_env / make_multi_agent_env / make_vector_env.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "rlpp/envs/any_env.hpp"
#include "rlpp/envs/any_multi_agent_env.hpp"
#include "rlpp/envs/classic_control/acrobot.hpp"
#include "rlpp/envs/classic_control/cartpole.hpp"
#include "rlpp/envs/classic_control/mountain_car.hpp"
#include "rlpp/envs/classic_control/mountain_car_continuous.hpp"
#include "rlpp/envs/classic_control/pendulum.hpp"
#include "rlpp/envs/contextual_bandit.hpp"
#include "rlpp/envs/env_context.hpp"
#include "rlpp/envs/env_registry.hpp"
#include "rlpp/envs/multi_agent_cartpole.hpp"
#include "rlpp/envs/random_env.hpp"
#include "rlpp/envs/repeat_after_me.hpp"
#include "rlpp/envs/rock_paper_scissors.hpp"
#include "rlpp/envs/stateless_cartpole.hpp"
#include "rlpp/envs/vector_env.hpp"

namespace rlpp {

// Registers rlpp's built-in envs into `registry`.
inline void register_builtin_envs(EnvRegistry& registry) {
  registry.add("CartPole-v1", [](const EnvContext& ctx) { return CartPole(ctx); });
  registry.add("CartPole-v0", [](const EnvContext& ctx) { return CartPole::v0(ctx); });
  registry.add("Pendulum-v1", [](const EnvContext& ctx) { return Pendulum(ctx); });
  registry.add("MountainCar-v0", [](const EnvContext& ctx) { return MountainCar(ctx); });
  registry.add("MountainCarContinuous-v0", [](const EnvContext& ctx) { return MountainCarContinuous(ctx); });
  registry.add("Acrobot-v1", [](const EnvContext& ctx) { return Acrobot(ctx); });
  registry.add("StatelessCartPole", [](const EnvContext& ctx) { return StatelessCartPole(ctx); });
  registry.add("RepeatAfterMe", [](const EnvContext& ctx) { return RepeatAfterMe(ctx); });
  registry.add("SimpleContextualBandit", [](const EnvContext& ctx) { return SimpleContextualBandit(ctx); });
  registry.add("RandomEnv", [](const EnvContext& ctx) { return RandomEnv(ctx); });
  registry.add("RockPaperScissors", [](const EnvContext& ctx) { return RockPaperScissors(ctx); });
  registry.add("MultiAgentCartPole", [](const EnvContext& ctx) { return MultiAgentCartPole(ctx); });
  // Gymnasium's reward thresholds (EnvSpec.reward_threshold); Pendulum-v1 has none.
  registry.set_reward_threshold("CartPole-v1", 475.0);
  registry.set_reward_threshold("CartPole-v0", 195.0);
  registry.set_reward_threshold("MountainCar-v0", -110.0);
  registry.set_reward_threshold("MountainCarContinuous-v0", 90.0);
  registry.set_reward_threshold("Acrobot-v1", -100.0);
}

// The process-wide registry (thread-safe), built-ins included.
inline EnvRegistry& global_env_registry() {
  static EnvRegistry registry;
  static const bool registered = (register_builtin_envs(registry), true);
  (void)registered;
  return registry;
}

// RLlib's register_env: `creator(const EnvContext&)` returns any single- or multi-agent env.
template <class F>
void register_env(std::string name, F creator) {
  global_env_registry().add(std::move(name), std::move(creator));
}

inline AnyEnv make_env(std::string_view name, const EnvContext& context = {}) {
  return global_env_registry().make(name, context);
}

inline AnyMultiAgentEnv make_multi_agent_env(std::string_view name, const EnvContext& context = {}) {
  return global_env_registry().make_multi_agent(name, context);
}

// A VectorEnv of `num_envs` registered envs; sub-env i gets vector_index i. options.env_name
// defaults to `name`.
inline VectorEnv<AnyEnv> make_vector_env(std::string_view name, std::size_t num_envs, VectorEnvOptions options = {},
                                         const EnvContext& context = {}) {
  if (options.env_name == "env") options.env_name = std::string(name);
  const std::string id(name);
  return VectorEnv<AnyEnv>(
      num_envs, [&id](const EnvContext& ctx) { return global_env_registry().make(id, ctx); }, std::move(options),
      context);
}

}  // namespace rlpp
