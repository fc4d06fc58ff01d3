#pragma once
// DDPG (Lillicrap et al. 2016; RLlib's rllib/agents/ddpg/ddpg.py and ddpg_torch_policy.py, Ray
// 1.x): a deterministic actor mu(s) and a critic Q(s, a) learned off-policy from a (prioritized)
// replay buffer, with soft target-network updates (tau) and Ornstein-Uhlenbeck exploration noise.
// TD3's three tricks (twin_q, policy_delay, smooth_target_policy) are config keys of the same
// policy; rlpp::td3::Trainer (td3.hpp) only changes the defaults. Plan: off_policy::Plan
// (RLlib's GenericOffPolicyTrainer: store to replay | replay | train | update priorities |
// update target network).
//
//   rlpp::ddpg::Trainer trainer(rlpp::ddpg::tuned::pendulum_ddpg());
//   for (int i = 0; i < 30; ++i) trainer.train();

#include <cstdint>
#include <string>

#include "rlpp/algorithms/ddpg/ddpg_loss.hpp"
#include "rlpp/algorithms/ddpg/tuned_configs.hpp"
#include "rlpp/algorithms/off_policy/off_policy.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/policy/postprocessors.hpp"
#include "rlpp/data/sample_batch.hpp"
#include "rlpp/distributions/deterministic.hpp"
#include "rlpp/models/ddpg_model.hpp"
#include "rlpp/policy/policy.hpp"
#include "rlpp/trainer/trainer.hpp"

namespace rlpp::ddpg {

// RLlib's DDPG DEFAULT_CONFIG (COMMON_CONFIG with these changes, off_policy::defaults() for the
// replay keys). normalize_actions is false: the actor squashes into the Box bounds itself.
struct Config {
  static Json defaults() {
    Json j = off_policy::defaults();
    const Json overrides{
        // TD3 / SAC tricks (off in DDPG)
        {"twin_q", false},
        {"policy_delay", 1},
        {"smooth_target_policy", false},
        {"target_noise", 0.2},
        {"target_noise_clip", 0.5},
        // model
        {"use_state_preprocessor", false},
        {"actor_hiddens", {400, 300}},
        {"actor_hidden_activation", "relu"},
        {"critic_hiddens", {400, 300}},
        {"critic_hidden_activation", "relu"},
        {"n_step", 1},
        // exploration
        {"exploration_config",
         {{"type", "OrnsteinUhlenbeckNoise"},
          {"random_timesteps", 1000},
          {"ou_base_scale", 0.1},
          {"ou_theta", 0.15},
          {"ou_sigma", 0.2},
          {"initial_scale", 1.0},
          {"final_scale", 0.02},
          {"scale_timesteps", 10000}}},
        {"timesteps_per_iteration", 1000},
        {"evaluation_config", {{"explore", false}}},
        // replay: off_policy::defaults()' (buffer_size 50000, prioritized replay alpha 0.6, beta 0.4)
        // optimization
        {"critic_lr", 1e-3},
        {"actor_lr", 1e-3},
        {"target_network_update_freq", 0},
        {"tau", 0.002},
        {"use_huber", false},
        {"huber_threshold", 1.0},
        {"l2_reg", 1e-6},
        {"grad_clip", nullptr},
        {"learning_starts", 1500},
        {"rollout_fragment_length", 1},
        {"train_batch_size", 256},
        // parallelism
        {"num_workers", 0},
        // rlpp: actions are the actor's, already inside the Box
        {"normalize_actions", false},
        {"clip_actions", false}};
    for (const auto& [key, value] : overrides.items()) j[key] = value;
    return j;
  }
};

// RLlib's DDPG validate_config and off_policy::validate, with the ranges the loss assumes.
struct Validate {
  void operator()(Json& json) const {
    off_policy::validate(json);
    const rlpp::Config c(json);
    (void)c.positive_int("policy_delay");
    (void)c.number_in("target_noise", 0.0, 1e30);
    (void)c.number_in("target_noise_clip", 0.0, 1e30);
    (void)c.number_in("tau", 0.0, 1.0);
    (void)c.number_in("actor_lr", 0.0, 1e30);
    (void)c.number_in("critic_lr", 0.0, 1e30);
    if (!json["l2_reg"].is_null()) (void)c.number_in("l2_reg", 0.0, 1e30);
    if (c.get<bool>("use_huber") && !(c.number_in("huber_threshold", 0.0, 1e30) > 0.0))
      throw ConfigError(c.path_of("huber_threshold"), "must be > 0 with use_huber");
    if (c.get<bool>("use_state_preprocessor"))
      throw ConfigError(c.path_of("use_state_preprocessor"), "a state preprocessor (RLlib's model before actor and critic) is not implemented",
                        "set use_state_preprocessor to false: actor and critic read the observations directly");
    if (c.get<bool>("normalize_actions"))
      throw ConfigError(c.path_of("normalize_actions"),
                        "DDPG's actor already squashes its actions into the Box bounds; normalize_actions would treat "
                        "them as [-1, 1] values and rescale them a second time",
                        "set normalize_actions to false (the DDPG and TD3 default)");
    const std::string exploration = c.sub("exploration_config").get_or<std::string>("type", "");
    if (exploration != "OrnsteinUhlenbeckNoise" && exploration != "GaussianNoise" && exploration != "Random")
      throw ConfigError(c.sub("exploration_config").path_of("type"),
                        "DDPG explores by adding noise to its deterministic actions; got \"" + exploration + "\"",
                        "use OrnsteinUhlenbeckNoise (DDPG), GaussianNoise (TD3) or Random");
  }
};

using Policy = build_policy<"DDPGTorchPolicy", loss<Loss>, model<DDPGModel>, action_dist<Deterministic>, postprocess<nstep_returns>>;

using Trainer = build_trainer<"DDPG", default_config<Config>, default_policy<Policy>, execution_plan<off_policy::Plan>,
                              validate_config<Validate>>;

}  // namespace rlpp::ddpg
