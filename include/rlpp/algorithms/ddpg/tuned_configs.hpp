#pragma once
// Tuned DDPG and TD3 configurations (RLlib's tuned_examples/ddpg and RLtools' TD3 benchmark), as
// config overrides for ddpg::Trainer / td3::Trainer. The learning tests and benchmarks use these;
// users can start from them: td3::Trainer trainer(td3::tuned::rltools_pendulum(20000)).

#include <cstdint>

#include "rlpp/core/json.hpp"

namespace rlpp::ddpg::tuned {

// RLlib's tuned_examples/ddpg/pendulum-ddpg.yaml (stop: episode_reward_mean -320 within 30k steps;
// "reach -160 in 10k-20k ts"), 1.x keys: 64-64 actor and critic, OU noise annealed over 10k
// steps, prioritized replay of 10k transitions from 500 on, batch 64, tau 0.001, Huber loss.
inline Json pendulum_ddpg() {
  return Json{{"env", "Pendulum-v1"},
              {"seed", 42},
              {"soft_horizon", false},
              {"no_done_at_end", true},
              {"actor_hiddens", {64, 64}},
              {"critic_hiddens", {64, 64}},
              {"n_step", 1},
              {"gamma", 0.99},
              {"exploration_config",
               {{"type", "OrnsteinUhlenbeckNoise"},
                {"scale_timesteps", 10000},
                {"initial_scale", 1.0},
                {"final_scale", 0.02},
                {"ou_base_scale", 0.1},
                {"ou_theta", 0.15},
                {"ou_sigma", 0.2}}},
              {"timesteps_per_iteration", 600},
              {"target_network_update_freq", 0},
              {"tau", 0.001},
              {"buffer_size", 10000},
              {"prioritized_replay", true},
              {"prioritized_replay_alpha", 0.6},
              {"prioritized_replay_beta", 0.4},
              {"prioritized_replay_eps", 1e-6},
              {"learning_starts", 500},
              {"clip_rewards", false},
              {"actor_lr", 0.001},
              {"critic_lr", 0.001},
              {"use_huber", true},
              {"huber_threshold", 1.0},
              {"l2_reg", 1e-6},
              {"rollout_fragment_length", 1},
              {"train_batch_size", 64},
              {"num_workers", 0},
              {"num_gpus_per_worker", 0},
              {"worker_side_prioritization", false}};
}

}  // namespace rlpp::ddpg::tuned

namespace rlpp::td3::tuned {

// RLlib's tuned_examples/ddpg/pendulum-td3.yaml (stop: episode_reward_mean -900 within 100k
// steps): TD3's defaults with 64-64 networks and 5000 random / warm-up steps.
inline Json pendulum_td3() {
  return Json{{"env", "Pendulum-v1"},
              {"actor_hiddens", {64, 64}},
              {"critic_hiddens", {64, 64}},
              {"learning_starts", 5000},
              {"exploration_config", {{"random_timesteps", 5000}}}};
}

// RLtools' TD3 Pendulum-v1 benchmark (shared/reference/peers.md): 1 env, one train step of batch
// 100 per env step, replay capacity = the step count (nothing is ever evicted), 100 uniformly
// random warm-up steps before the first train step, twin critics, actor and target networks
// updated every 2nd step (policy_delay 2; target_network_update_freq 2 with tau 0.005), 64-64
// ReLU actor and critics, Adam lr 1e-3, gamma 0.99, no evaluation. RLtools acts in [-1, 1] and
// scales by Pendulum's max torque 2, so its noises (exploration 0.1, target 0.2 clipped to 0.5)
// are doubled here, where the actor acts in [-2, 2] torques. Return about -145 after 20k steps.
inline Json rltools_pendulum(std::int64_t steps) {
  return Json{{"env", "Pendulum-v1"},
              {"num_workers", 0},
              {"num_envs_per_worker", 1},
              {"rollout_fragment_length", 1},
              {"train_batch_size", 100},
              {"buffer_size", steps},
              {"prioritized_replay", false},
              {"learning_starts", 100},
              {"exploration_config",
               {{"type", "GaussianNoise"},
                {"random_timesteps", 100},
                {"stddev", 0.2},
                {"initial_scale", 1.0},
                {"final_scale", 1.0},
                {"scale_timesteps", 1}}},
              {"twin_q", true},
              {"policy_delay", 2},
              {"smooth_target_policy", true},
              {"target_noise", 0.4},
              {"target_noise_clip", 1.0},
              {"actor_hiddens", {64, 64}},
              {"actor_hidden_activation", "relu"},
              {"critic_hiddens", {64, 64}},
              {"critic_hidden_activation", "relu"},
              {"actor_lr", 1e-3},
              {"critic_lr", 1e-3},
              {"gamma", 0.99},
              {"tau", 0.005},
              {"target_network_update_freq", 2},
              {"l2_reg", 0.0},
              {"use_huber", false},
              {"n_step", 1},
              {"timesteps_per_iteration", 1000},
              {"min_iter_time_s", 0},
              {"metrics_smoothing_episodes", 10}};
}

}  // namespace rlpp::td3::tuned
