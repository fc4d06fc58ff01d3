#pragma once
// The `exploration_strategy` concept (RLlib's Exploration): turns an action distribution into the
// actions a worker takes. explore=false always gives the deterministic action. Its state (the
// timestep it last saw, OU noise, ...) is JSON so policies put it in checkpoints.

#include <concepts>
#include <cstdint>
#include <span>

#include "rlpp/core/config.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/nn/parameters.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

struct ExplorationContext {
  Space action_space;
  // "exploration_config" merged over the strategy's defaults ("type" included).
  Config exploration_config;
  std::int64_t worker_index = 0;  // 0: the local worker
  std::int64_t num_workers = 0;   // remote workers (PerWorkerEpsilonGreedy)
  // The policy's model config ("model"), e.g. for strategies that size noise from it.
  Config model_config;
};

// E is built from an ExplorationContext. get_exploration_action(dist, actions, logp, timestep,
// explore, rng) writes [B, action flat size] actions and B log-probabilities of the actions taken
// under the behaviour policy (0 for greedy/noise strategies, as RLlib). `Dist` is any
// action_distribution (the strategy asks it for samples, deterministic samples or its inputs).
template <class E>
concept exploration_strategy = std::constructible_from<E, const ExplorationContext&> && std::copy_constructible<E> &&
    requires(const E& e, E& mutable_e, const Json& state) {
      { e.get_state() } -> std::same_as<Json>;
      { mutable_e.set_state(state) };
    };

}  // namespace rlpp
