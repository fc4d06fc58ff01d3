#pragma once
// SimpleQ (RLlib's rllib/agents/dqn/simple_q.py, Ray 1.x): the plain DQN of Mnih et al. 2015.
// One Q head on the fully connected trunk (no dueling streams, no extra "hiddens" layers),
// target max_a Q_target(s', a) (no double Q), 1-step returns, uniform replay; the same loss
// (Huber TD error), exploration and off-policy plan as DQN.
//
//   rlpp::simple_q::Trainer trainer(rlpp::simple_q::tuned::cartpole_simpleq());

#include "rlpp/algorithms/dqn/dqn.hpp"
#include "rlpp/algorithms/dqn/tuned_configs.hpp"

namespace rlpp::simple_q {

// RLlib's SimpleQ DEFAULT_CONFIG: DQN's with Rainbow's parts off.
struct Config {
  static Json defaults() {
    Json d = dqn::Config::defaults();
    d["dueling"] = false;
    d["double_q"] = false;
    d["hiddens"] = Json::array();
    d["n_step"] = 1;
    d["num_atoms"] = 1;
    d["noisy"] = false;
    d["prioritized_replay"] = false;
    return d;
  }
};

using Validate = dqn::Validate;

using Policy = build_policy<"SimpleQTorchPolicy", loss<dqn::Loss>, model<QModel>, postprocess<nstep_returns>>;

using Trainer = build_trainer<"SimpleQ", default_config<Config>, default_policy<Policy>,
                              execution_plan<off_policy::Plan>, validate_config<Validate>>;

}  // namespace rlpp::simple_q
