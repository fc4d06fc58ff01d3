#pragma once
// TD3 (Fujimoto et al. 2018; RLlib's rllib/agents/ddpg/td3.py, Ray 1.x): DDPG with clipped double
// Q-learning (twin_q), delayed actor updates (policy_delay 2) and target policy smoothing
// (smooth_target_policy), Gaussian exploration noise and a large uniform replay buffer. The
// policy, loss and plan are DDPG's (ddpg.hpp); only the defaults differ.
//
//   rlpp::td3::Trainer trainer(rlpp::td3::tuned::pendulum_td3());

#include "rlpp/algorithms/ddpg/ddpg.hpp"
#include "rlpp/algorithms/ddpg/tuned_configs.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/trainer/trainer.hpp"

namespace rlpp::td3 {

// RLlib's TD3_DEFAULT_CONFIG: DDPG's DEFAULT_CONFIG merged with these changes.
struct Config {
  static Json defaults() {
    Json j = ddpg::Config::defaults();
    const Json overrides{
        // twin Q functions, delayed policy updates, target smoothing
        {"twin_q", true},
        {"policy_delay", 2},
        {"smooth_target_policy", true},
        {"target_noise", 0.2},
        {"target_noise_clip", 0.5},
        {"exploration_config",
         {{"type", "GaussianNoise"},
          {"random_timesteps", 10000},
          {"stddev", 0.1},
          {"initial_scale", 1.0},
          {"final_scale", 1.0},
          {"scale_timesteps", 1}}},
        // other changes
        {"learning_starts", 10000},
        {"actor_hiddens", {400, 300}},
        {"critic_hiddens", {400, 300}},
        {"n_step", 1},
        {"gamma", 0.99},
        {"actor_lr", 1e-3},
        {"critic_lr", 1e-3},
        {"l2_reg", 0.0},
        {"tau", 5e-3},
        {"train_batch_size", 100},
        {"use_huber", false},
        {"target_network_update_freq", 0},
        {"num_workers", 0},
        {"num_gpus_per_worker", 0},
        {"worker_side_prioritization", false},
        {"buffer_size", 1000000},
        {"prioritized_replay", false},
        {"clip_rewards", false},
        {"use_state_preprocessor", false}};
    for (const auto& [key, value] : overrides.items()) j[key] = value;
    return j;
  }
};

using Policy = ddpg::Policy;

using Trainer = build_trainer<"TD3", default_config<Config>, default_policy<Policy>, execution_plan<off_policy::Plan>,
                              validate_config<ddpg::Validate>>;

}  // namespace rlpp::td3
