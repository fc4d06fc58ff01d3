#pragma once
// PPO (RLlib's rllib/agents/ppo/ppo.py, Ray 1.0): clipped surrogate objective with an adaptive
// KL penalty, clipped value loss and entropy bonus, GAE advantages, num_sgd_iter epochs of
// shuffled minibatches per train batch. Plan:
//   ParallelRollouts(bulk_sync) | SelectExperiences(policies_to_train)
//   | ConcatBatches(train_batch_size) | StandardizeFields({"advantages"}) | TrainOneStep
//   | UpdateKL | StandardMetricsReporting | WarnAboutBadRewardScales
// The policy's learn_on_batch does the minibatch SGD (keeping LSTM sequences whole).
//
//   rlpp::ppo::Trainer trainer({{"env", "CartPole-v1"}});
//   using MyPPO = rlpp::ppo::Trainer::with<rlpp::default_policy<rlpp::ppo::Policy::with<rlpp::loss<MyLoss>>>>;

#include <cmath>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "rlpp/algorithms/ppo/kl_coeff.hpp"
#include "rlpp/algorithms/ppo/tuned_configs.hpp"
#include "rlpp/algorithms/ppo/ppo_loss.hpp"
#include "rlpp/algorithms/ppo/update_kl.hpp"
#include "rlpp/policy/entropy_coeff_schedule.hpp"
#include "rlpp/policy/policy.hpp"
#include "rlpp/policy/postprocessors.hpp"
#include "rlpp/trainer/trainer.hpp"

namespace rlpp::ppo {

// RLlib's PPO DEFAULT_CONFIG (COMMON_CONFIG with these changes), plus rlpp's
// advantage_normalization: "train_batch" (RLlib: StandardizeFields over the train batch),
// "minibatch" (CleanRL: within each minibatch, in the loss) or "none".
struct Config {
  static Json defaults() {
    return Json{{"use_critic", true},
                {"use_gae", true},
                {"lambda", 1.0},
                {"kl_coeff", 0.2},
                {"rollout_fragment_length", 200},
                {"train_batch_size", 4000},
                {"sgd_minibatch_size", 128},
                {"shuffle_sequences", true},
                {"num_sgd_iter", 30},
                {"lr", 5e-5},
                {"lr_schedule", nullptr},
                {"vf_loss_coeff", 1.0},
                {"model", {{"vf_share_layers", false}}},
                {"entropy_coeff", 0.0},
                {"entropy_coeff_schedule", nullptr},
                {"clip_param", 0.3},
                {"vf_clip_param", 10.0},
                {"grad_clip", nullptr},
                {"kl_target", 0.01},
                {"batch_mode", "truncate_episodes"},
                {"observation_filter", "NoFilter"},
                {"simple_optimizer", false},
                {"_fake_gpus", false},
                {"advantage_normalization", "train_batch"}};
  }
};

// RLlib's validate_config for PPO, with the ranges its code assumes made explicit.
struct Validate {
  void operator()(Json& json) const {
    const rlpp::Config c(json);
    (void)c.number_in("entropy_coeff", 0.0, 1e30);
    (void)c.number_in("kl_coeff", 0.0, 1e30);
    (void)c.number_in("kl_target", 0.0, 1e30);
    (void)c.number_in("lambda", 0.0, 1.0);
    (void)c.positive_int("num_sgd_iter");
    if (!(c.number_in("clip_param", 0.0, 1e30) > 0.0))
      throw ConfigError(c.path_of("clip_param"), "must be > 0, got " + describe_json(json["clip_param"]));
    if (!(c.number_in("vf_clip_param", 0.0, 1e30) > 0.0))
      throw ConfigError(c.path_of("vf_clip_param"), "must be > 0, got " + describe_json(json["vf_clip_param"]),
                        "use a large value (e.g. 1e9) to effectively disable value clipping");
    (void)c.one_of("advantage_normalization", {"train_batch", "minibatch", "none"});
    const std::int64_t train_batch = c.positive_int("train_batch_size");
    const std::int64_t minibatch = c.non_negative_int("sgd_minibatch_size");
    if (minibatch > train_batch)
      throw ConfigError(c.path_of("sgd_minibatch_size"),
                        "minibatch size " + std::to_string(minibatch) + " must be <= train batch size " + std::to_string(train_batch));
    if (c.get<std::string>("batch_mode") == "truncate_episodes" && !c.get<bool>("use_gae"))
      throw ConfigError(c.path_of("use_gae"),
                        "episode truncation is not supported without a value function (use_gae false with "
                        "batch_mode \"truncate_episodes\")",
                        "set use_gae true, or batch_mode \"complete_episodes\"");
    if (c.get<bool>("use_gae") && !c.get<bool>("use_critic"))
      throw ConfigError(c.path_of("use_critic"), "GAE needs a value function (use_gae true with use_critic false)",
                        "set use_critic true, or use_gae false with batch_mode \"complete_episodes\"");
  }
};

using Policy = build_policy<"PPOTorchPolicy", loss<Loss>, postprocess<generalized_advantages>,
                            mixins<KLCoeffMixin, EntropyCoeffSchedule>>;

namespace detail {
// RLlib's warn_about_bad_reward_scales: once, when |episode_reward_mean| / vf_clip_param > 200
// (the value loss is then clipped almost always and the critic learns slowly).
struct WarnAboutBadRewardScales {
  double vf_clip_param;
  bool warned = false;
  Json operator()(Json result) {
    if (warned || !result["episode_reward_mean"].is_number()) return result;
    const double scale = std::round(std::abs(result["episode_reward_mean"].get<double>()) / vf_clip_param);
    if (scale > 200.0) {
      warned = true;
      std::cerr << "rlpp PPO warning: the mean episode reward is " << scale
                << "x vf_clip_param; the value loss is clipped almost always. Scale the rewards (or raise "
                   "vf_clip_param) so that episode rewards are within about 100x vf_clip_param.\n";
    }
    return result;
  }
};
}  // namespace detail

struct Plan {
  auto operator()(PlanContext& ctx) const {
    const rlpp::Config& c = ctx.config;
    std::vector<std::string> standardized;
    if (c.get<std::string>("advantage_normalization") == "train_batch") standardized.emplace_back("advantages");
    const auto& trainable = ctx.workers.local_worker().policies_to_train();
    return ParallelRollouts(ctx) | SelectExperiences({trainable.begin(), trainable.end()}) |
           ConcatBatches(c.positive_int("train_batch_size"), c.sub("multiagent").get<std::string>("count_steps_by")) |
           StandardizeFields(std::move(standardized)) | TrainOneStep(ctx) | UpdateKL(ctx) | StandardMetricsReporting(ctx) |
           for_each(detail::WarnAboutBadRewardScales{c.get<double>("vf_clip_param")});
  }
};

using Trainer = build_trainer<"PPO", default_config<Config>, default_policy<Policy>, execution_plan<Plan>,
                              validate_config<Validate>>;

}  // namespace rlpp::ppo
