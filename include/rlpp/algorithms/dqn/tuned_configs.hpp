#pragma once
// Tuned DQN and SimpleQ configurations (RLlib's tuned_examples/dqn and Stable-Baselines3's
// rl-zoo), as config overrides for dqn::Trainer / simple_q::Trainer. The learning tests, the
// example and the benchmarks use these.

#include "rlpp/core/json.hpp"

namespace rlpp::dqn::tuned {

// RLlib's tuned_examples/dqn/cartpole-dqn.yaml (stop: episode_reward_mean 150 within 50k
// steps): DQN's defaults (dueling, double Q, prioritized replay) with n_step 3, gamma 0.95.
inline Json cartpole_dqn() {
  return Json{{"env", "CartPole-v1"}, {"n_step", 3}, {"gamma", 0.95}};
}

// CartPole-v1 to 475 within 50k steps: rl-zoo's tuned DQN (lr 2.3e-3, batch 64, buffer 100k,
// learning_starts 1000, gamma 0.99, target update every 10 gradient steps' worth, 256 env steps
// then 128 gradient steps, epsilon 1 -> 0.04 over the first 16% of 50k steps, [256, 256] relu)
// in RLlib's keys: training_intensity = replayed / sampled rows = 128 * 64 / 256 = 32, and a
// uniform buffer, plain (non-dueling, single) Q as SB3's.
inline Json cartpole_v1() {
  return Json{{"env", "CartPole-v1"},
              {"gamma", 0.99},
              {"lr", 2.3e-3},
              {"train_batch_size", 64},
              {"buffer_size", 100000},
              {"learning_starts", 1000},
              {"rollout_fragment_length", 4},
              {"training_intensity", 32},
              {"target_network_update_freq", 40},
              {"timesteps_per_iteration", 1000},
              {"prioritized_replay", false},
              {"dueling", false},
              {"double_q", false},
              {"hiddens", Json::array()},
              {"grad_clip", 10},
              {"model", {{"fcnet_hiddens", {256, 256}}, {"fcnet_activation", "relu"}}},
              {"exploration_config",
               {{"type", "EpsilonGreedy"}, {"initial_epsilon", 1.0}, {"final_epsilon", 0.04}, {"epsilon_timesteps", 8000}}}};
}

// MountainCar-v0 above -200 (rl-zoo's DQN MountainCar-v0: lr 4e-3, batch 128, buffer 10k,
// learning_starts 1000, gamma 0.98, target update 600, train_freq 16 / gradient_steps 8,
// epsilon 1 -> 0.07 over 20% of 120k steps, [256, 256]).
inline Json mountain_car() {
  return Json{{"env", "MountainCar-v0"},
              {"gamma", 0.98},
              {"lr", 4e-3},
              {"train_batch_size", 128},
              {"buffer_size", 10000},
              {"learning_starts", 1000},
              {"rollout_fragment_length", 16},
              {"training_intensity", 64},
              {"target_network_update_freq", 600},
              {"timesteps_per_iteration", 1000},
              {"prioritized_replay", false},
              {"dueling", false},
              {"double_q", false},
              {"hiddens", Json::array()},
              {"grad_clip", 10},
              {"model", {{"fcnet_hiddens", {256, 256}}, {"fcnet_activation", "relu"}}},
              {"exploration_config",
               {{"type", "EpsilonGreedy"}, {"initial_epsilon", 1.0}, {"final_epsilon", 0.07}, {"epsilon_timesteps", 24000}}}};
}

}  // namespace rlpp::dqn::tuned

namespace rlpp::simple_q::tuned {

// RLlib's tuned_examples/dqn/cartpole-simpleq.yaml (stop: 150 within 50k steps): SimpleQ's defaults.
inline Json cartpole_simpleq() { return Json{{"env", "CartPole-v1"}}; }

}  // namespace rlpp::simple_q::tuned
