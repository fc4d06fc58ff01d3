#pragma once
// SAC (RLlib's rllib/agents/sac, torch policy, Ray ~1.4-1.6): soft actor-critic with twin
// critics, soft target updates and a learned entropy temperature, for Box actions (a
// tanh-squashed Gaussian policy) and Discrete actions (the discrete variant, Christodoulou 2019).
// Plan: RLlib's GenericOffPolicyTrainer (off_policy::Plan):
//   store_op  = ParallelRollouts | StoreToReplayBuffer
//   replay_op = Replay | TrainOneStep | UpdatePriorities | UpdateTargetNetwork(target_network_update_freq)
//   Concurrently(round robin) | StandardMetricsReporting
// With target_network_update_freq 0 the target network moves by tau after every train step.
//
//   rlpp::sac::Trainer trainer(rlpp::sac::tuned::pendulum_sac());

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rlpp/algorithms/off_policy/off_policy.hpp"
#include "rlpp/algorithms/sac/sac_loss.hpp"
#include "rlpp/algorithms/sac/tuned_configs.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/policy/postprocessors.hpp"
#include "rlpp/distributions/catalog.hpp"
#include "rlpp/exploration/stochastic_sampling.hpp"
#include "rlpp/models/sac_model.hpp"
#include "rlpp/policy/policy.hpp"
#include "rlpp/trainer/trainer.hpp"

namespace rlpp::sac {

// RLlib's SAC DEFAULT_CONFIG (reference 2.5) over the off-policy keys, plus rlpp's
// normalize_actions false: SAC's SquashedGaussian squashes into the Box bounds itself.
struct Config {
  static Json defaults() {
    Json d = off_policy::defaults();
    const Json sac{{"twin_q", true},
                   {"Q_model", SACModel::defaults()["Q_model"]},
                   {"policy_model", SACModel::defaults()["policy_model"]},
                   {"clip_actions", false},
                   {"normalize_actions", false},
                   {"tau", 5e-3},
                   {"initial_alpha", 1.0},
                   {"target_entropy", "auto"},
                   {"n_step", 1},
                   {"use_huber", true},
                   {"timesteps_per_iteration", 100},
                   {"buffer_size", 1000000},
                   {"prioritized_replay", false},  // alpha, beta, eps: off_policy::defaults()'
                   {"optimization",
                    {{"actor_learning_rate", 3e-4}, {"critic_learning_rate", 3e-4}, {"entropy_learning_rate", 3e-4}}},
                   {"grad_clip", nullptr},
                   {"learning_starts", 1500},
                   {"rollout_fragment_length", 1},
                   {"train_batch_size", 256},
                   {"target_network_update_freq", 0},
                   {"num_gpus", 0},
                   {"num_workers", 0},
                   {"_deterministic_loss", false},
                   {"_use_beta_distribution", false},
                   {"exploration_config", {{"type", "StochasticSampling"}}}};
    for (auto& [k, v] : sac.items()) d[k] = v;
    return d;
  }
};

// RLlib's SAC validate_config plus the ranges its code assumes.
struct Validate {
  void operator()(Json& json) const {
    off_policy::validate(json);
    const rlpp::Config c(json);
    const Json& t = json["target_entropy"];
    if (!(t.is_number() || (t.is_string() && t.get<std::string>() == "auto")))
      throw ConfigError(c.path_of("target_entropy"), "must be \"auto\" or a number, got " + describe_json(t));
    (void)c.number_in("tau", 0.0, 1.0);
    if (!(c.number_in("initial_alpha", 0.0, 1e30) > 0.0))
      throw ConfigError(c.path_of("initial_alpha"), "must be > 0 (alpha = exp(log_alpha))");
    if (!json["optimization"].is_object())
      throw ConfigError(c.path_of("optimization"), "expected an object of learning rates, got " +
                                                       describe_json(json["optimization"]));
    const rlpp::Config o = c.sub("optimization");
    static const std::vector<std::string> known = {"actor_learning_rate", "critic_learning_rate", "entropy_learning_rate"};
    for (const auto& key : o.keys()) {
      if (std::find(known.begin(), known.end(), key) == known.end())
        throw ConfigError(o.path_of(key), "unknown optimization key", did_you_mean(key, known));
      (void)o.number_in(key, 0.0, 1e30);
    }
    for (const auto& key : known)
      if (!o.contains(key)) throw ConfigError(o.path_of(key), "missing learning rate");
    if (c.get<bool>("_deterministic_loss"))
      throw ConfigError(c.path_of("_deterministic_loss"), "the deterministic (test-only) SAC loss is not implemented",
                        "set _deterministic_loss false; seed the trainer for reproducible runs");
    if (c.get<bool>("_use_beta_distribution"))
      throw ConfigError(c.path_of("_use_beta_distribution"), "SAC with a Beta policy is not implemented",
                        "set _use_beta_distribution false (a tanh-squashed Gaussian is used)");
    if (c.get<bool>("normalize_actions"))
      throw ConfigError(c.path_of("normalize_actions"),
                        "SAC's SquashedGaussian already squashes actions into the Box bounds; normalizing them again "
                        "would map them twice",
                        "set normalize_actions false");
    (void)c.positive_int("train_batch_size");
  }
};

// SAC's action distribution: SquashedGaussian for Box actions, Categorical for Discrete.
class ActionDistribution : public AnyActionDistribution {
 public:
  ActionDistribution(ad::Var inputs, const Space& action_space)
      : AnyActionDistribution(inputs, action_space, kind_for(action_space)) {}
  static DistributionKind kind_for(const Space& action_space) {
    return action_space.get_if<Discrete>() != nullptr ? DistributionKind::categorical : DistributionKind::squashed_gaussian;
  }
  static std::size_t required_model_output_shape(const Space& action_space, const rlpp::Config& model_config = rlpp::Config()) {
    return rlpp::required_model_output_shape(kind_for(action_space), action_space, model_config);
  }
};

using Policy = build_policy<"SACTorchPolicy", loss<Loss>, model<SACModel>, action_dist<ActionDistribution>,
                            postprocess<nstep_returns>>;

using Trainer = build_trainer<"SAC", default_config<Config>, default_policy<Policy>, execution_plan<off_policy::Plan>,
                              validate_config<Validate>>;

}  // namespace rlpp::sac
