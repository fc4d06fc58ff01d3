#pragma once
// DQN (RLlib's rllib/agents/dqn/dqn.py, Ray 1.x) with Rainbow's parts (Hessel et al. 2018):
// dueling heads, double Q-learning, prioritized replay, n-step returns and distributional C51,
// all switched by config keys. The default config is RLlib's: dueling + double_q + prioritized
// replay, 1-step, epsilon-greedy from 1.0 to 0.02 over 10k steps. Plan: the off-policy plan
// (RLlib's GenericOffPolicyTrainer; algorithms/off_policy/off_policy.hpp):
//   store_op  = ParallelRollouts | StoreToReplayBuffer
//   replay_op = Replay | TrainOneStep | UpdatePriorities | UpdateTargetNetwork
//   Concurrently(round robin, calculate_rr_weights) | StandardMetricsReporting
//
//   rlpp::dqn::Trainer trainer(rlpp::dqn::tuned::cartpole_v1());
//   for (int i = 0; i < 50; ++i) std::cout << rlpp::pretty_print(trainer.train());

#include <cstdint>
#include <string>

#include "rlpp/algorithms/dqn/dqn_loss.hpp"
#include "rlpp/algorithms/dqn/tuned_configs.hpp"
#include "rlpp/algorithms/off_policy/off_policy.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/models/q_model.hpp"
#include "rlpp/policy/policy.hpp"
#include "rlpp/policy/postprocessors.hpp"
#include "rlpp/trainer/trainer.hpp"

namespace rlpp::dqn {

// RLlib's DQN DEFAULT_CONFIG (reference 2.4): the off-policy plan's keys, then DQN's own.
struct Config {
  static Json defaults() {
    Json d = off_policy::defaults();
    const Json own{{"num_atoms", 1},
                   {"v_min", -10.0},
                   {"v_max", 10.0},
                   {"noisy", false},
                   {"sigma0", 0.5},
                   {"dueling", true},
                   {"hiddens", {256}},
                   {"double_q", true},
                   {"n_step", 1},
                   {"exploration_config",
                    {{"type", "EpsilonGreedy"},
                     {"initial_epsilon", 1.0},
                     {"final_epsilon", 0.02},
                     {"epsilon_timesteps", 10000}}},
                   {"evaluation_config", {{"explore", false}}},
                   {"before_learn_on_batch", nullptr},
                   {"lr", 5e-4},
                   {"lr_schedule", nullptr},
                   {"adam_epsilon", 1e-8},
                   {"grad_clip", 40},
                   {"rollout_fragment_length", 4},
                   {"train_batch_size", 32},
                   {"num_workers", 0}};
    for (auto& [k, v] : own.items()) d[k] = v;
    return d;
  }
};

// RLlib's validate_config for DQN, plus the ranges its code assumes.
struct Validate {
  void operator()(Json& json) const {
    off_policy::validate(json);
    off_policy::fit_nstep_in_fragment(json);
    const rlpp::Config c(json);
    const std::int64_t atoms = c.positive_int("num_atoms");
    if (atoms > 1 && !(c.get<double>("v_min") < c.get<double>("v_max")))
      throw ConfigError(c.path_of("v_min"), "v_min (" + describe_json(json["v_min"]) + ") must be below v_max (" +
                                                describe_json(json["v_max"]) + ") for a distributional Q (num_atoms " +
                                                std::to_string(atoms) + ")");
    if (!(c.number_in("sigma0", 0.0, 1e30) > 0.0) && c.get<bool>("noisy"))
      throw ConfigError(c.path_of("sigma0"), "must be > 0 for noisy networks");
    if (!(c.number_in("adam_epsilon", 0.0, 1e30) > 0.0))
      throw ConfigError(c.path_of("adam_epsilon"), "must be > 0, got " + describe_json(json["adam_epsilon"]));
    if (!json["before_learn_on_batch"].is_null())
      throw ConfigError(c.path_of("before_learn_on_batch"), "a Python callback has no meaning here",
                        "leave it null; write a plan with rlpp::for_each(...) before TrainOneStep instead");
    if (c.positive_int("num_sgd_iter") != 1 || c.non_negative_int("sgd_minibatch_size") != 0)
      throw ConfigError(c.path_of("num_sgd_iter"), "DQN takes one gradient step per replayed batch",
                        "leave num_sgd_iter 1 and sgd_minibatch_size 0; raise training_intensity for more steps");
    const Json& exploration = json["exploration_config"];
    const std::string type = exploration.is_object() ? exploration.value("type", std::string()) : std::string();
    if (type == "ParameterNoise") {
      if (c.get<bool>("noisy"))
        throw ConfigError(c.path_of("noisy"), "noisy networks cannot be combined with ParameterNoise exploration (RLlib)",
                          "set noisy false, or use EpsilonGreedy exploration");
      throw ConfigError(c.path_of("exploration_config"), "ParameterNoise exploration is not implemented",
                        "use EpsilonGreedy, SoftQ or noisy: true");
    }
    // RLlib passes adam_epsilon to its Adam; rlpp's optimizer reads "optimizer": {"eps"}.
    if (!json["optimizer"].is_object()) json["optimizer"] = Json::object();
    if (!json["optimizer"].contains("eps")) json["optimizer"]["eps"] = json["adam_epsilon"];
  }
};

using Policy = build_policy<"DQNTorchPolicy", loss<Loss>, model<QModel>, postprocess<nstep_returns>>;

using Trainer = build_trainer<"DQN", default_config<Config>, default_policy<Policy>, execution_plan<off_policy::Plan>,
                              validate_config<Validate>>;

}  // namespace rlpp::dqn
