#pragma once
// The `exploration_strategy` concept (RLlib's Exploration): turns an action distribution into the
// actions a worker takes. explore=false always gives the deterministic action. Its state (the
// timestep it last saw, OU noise, ...) is JSON so policies put it in checkpoints.
// The strategies: stochastic_sampling.hpp, epsilon_greedy.hpp, per_worker_epsilon_greedy.hpp,
// soft_q.hpp, gaussian_noise.hpp, ornstein_uhlenbeck_noise.hpp, random.hpp; the run-time choice
// by exploration_config.type: any_exploration.hpp.

#include <concepts>
#include <cstdint>
#include <span>

#include "rlpp/core/config.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/distributions/action_distribution.hpp"
#include "rlpp/nn/parameters.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

struct ExplorationContext {
  Space action_space;
  // The policy's "exploration_config". Each strategy merges it over its own defaults() (so a
  // config already merged is fine too) and rejects unknown keys. Errors name this Config's
  // path: build it as Config(json, "config.exploration_config").
  Config exploration_config;
  std::int64_t worker_index = 0;  // 0: the local worker; remote workers are 1..num_workers
  std::int64_t num_workers = 0;   // remote workers (PerWorkerEpsilonGreedy)
  // The policy's model config ("model"), e.g. for strategies that size noise from it.
  Config model_config;
};

// E is built from an ExplorationContext. Its get_exploration_action(dist, actions, logp,
// timestep, explore, rng) writes [B, action flat size] actions and B log-probabilities of the
// actions taken under the behaviour policy (0 for greedy/noise strategies and for
// explore=false, as RLlib). `Dist` is any action_distribution (the strategy asks it for
// samples, deterministic samples or its inputs); since that call is a template, it is checked
// per distribution by exploration_strategy_for.
template <class E>
concept exploration_strategy = std::constructible_from<E, const ExplorationContext&> && std::copy_constructible<E> &&
    requires(const E& e, E& mutable_e, const Json& state) {
      { e.get_state() } -> std::same_as<Json>;
      { mutable_e.set_state(state) };
    };

// E explores with distributions of type Dist.
template <class E, class Dist>
concept exploration_strategy_for = exploration_strategy<E> && action_distribution<Dist> &&
    requires(E& e, Dist& dist, nn::Matrix& actions, std::span<float> logp, std::int64_t timestep, bool explore,
             RandomStream& rng) {
      { e.get_exploration_action(dist, actions, logp, timestep, explore, rng) };
    };

}  // namespace rlpp
