#pragma once
// Tuned SAC configurations (RLlib's tuned_examples/sac and RLtools' benchmark), as config
// overrides for sac::Trainer: sac::Trainer trainer(sac::tuned::pendulum_sac()).

#include <cstdint>

#include "rlpp/core/json.hpp"

namespace rlpp::sac::tuned {

// RLlib's tuned_examples/sac/pendulum-sac.yaml (reference 1.2; stop: episode_reward_mean -150
// within 30k steps, "can attain -150+ in 6-7k ts"). As in RLlib's SAC, rollout_fragment_length
// stays 1: one train step per sampled step, and n_step 3's sums are cut at each one-step
// fragment's end, so the targets are one-step (bootstrapped with gamma, where RLlib uses gamma^3).
inline Json pendulum_sac() {
  const Json net{{"fcnet_activation", "relu"}, {"fcnet_hiddens", {256, 256}}};
  return Json{{"env", "Pendulum-v1"},
              {"horizon", 200},
              {"soft_horizon", false},
              {"no_done_at_end", true},
              {"Q_model", net},
              {"policy_model", net},
              {"tau", 0.005},
              {"target_entropy", "auto"},
              {"n_step", 3},
              {"rollout_fragment_length", 1},
              {"prioritized_replay", false},
              {"train_batch_size", 256},
              {"target_network_update_freq", 1},
              {"timesteps_per_iteration", 1000},
              {"learning_starts", 256},
              {"optimization",
               {{"actor_learning_rate", 3e-4}, {"critic_learning_rate", 3e-4}, {"entropy_learning_rate", 3e-4}}},
              {"num_workers", 0},
              {"metrics_smoothing_episodes", 5}};
}

// RLlib's tuned_examples/sac/cartpole-sac.yaml (reference 1.2; stop: 150 within 100k steps):
// the discrete-action variant.
inline Json cartpole_sac() {
  return Json{{"env", "CartPole-v1"},
              {"gamma", 0.95},
              {"target_network_update_freq", 32},
              {"tau", 1.0},
              {"train_batch_size", 32},
              {"optimization",
               {{"actor_learning_rate", 0.005}, {"critic_learning_rate", 0.005}, {"entropy_learning_rate", 0.0001}}}};
}

// RLtools' Pendulum-v1 SAC benchmark (shared/reference/peers.md): 1 env, one update per env
// step with batch 100, 64-64 relu actor and critics, 100 uniformly random warm-up steps
// (learning starts after them), a learnable alpha starting at 0.5, replay capacity = the step
// count, no evaluation, gamma 0.99, Adam lr 1e-3 for all three groups, soft target updates with
// tau 0.005 every step, the critics' loss 0.5 MSE (use_huber false); iterations of exactly
// 1000 steps (min_iter_time_s 0), the return averaged over the last 10 episodes. peers.md: about -187 after 10,000 steps.
inline Json rltools_pendulum(std::int64_t steps = 10000) {
  const Json net{{"fcnet_activation", "relu"}, {"fcnet_hiddens", {64, 64}}};
  return Json{{"env", "Pendulum-v1"},
              {"num_workers", 0},
              {"num_envs_per_worker", 1},
              {"Q_model", net},
              {"policy_model", net},
              {"twin_q", true},
              {"initial_alpha", 0.5},
              {"gamma", 0.99},
              {"tau", 0.005},
              {"n_step", 1},
              {"use_huber", false},
              {"buffer_size", steps},
              {"prioritized_replay", false},
              {"train_batch_size", 100},
              {"rollout_fragment_length", 1},
              {"target_network_update_freq", 0},
              {"learning_starts", 100},
              {"exploration_config", {{"type", "StochasticSampling"}, {"random_timesteps", 100}}},
              {"timesteps_per_iteration", 1000},
              {"min_iter_time_s", 0},
              {"metrics_smoothing_episodes", 10},
              {"optimization",
               {{"actor_learning_rate", 1e-3}, {"critic_learning_rate", 1e-3}, {"entropy_learning_rate", 1e-3}}}};
}

}  // namespace rlpp::sac::tuned
