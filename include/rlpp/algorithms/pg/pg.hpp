#pragma once
// PG (RLlib's rllib/agents/pg): vanilla policy gradient. Each fragment's advantages are its
// discounted returns (no critic); the loss is -mean(logp(a) * advantages). Default plan.
//
//   rlpp::pg::Trainer trainer({{"env", "CartPole-v1"}});

#include "rlpp/autodiff/ops.hpp"
#include "rlpp/policy/policy.hpp"
#include "rlpp/policy/postprocessors.hpp"
#include "rlpp/trainer/trainer.hpp"

namespace rlpp::pg {

// RLlib's pg_torch_loss.
struct Loss {
  template <class Ctx>
  ad::Var operator()(Ctx& c) const {
    ad::Var loss = -c.reduce_mean_valid(c.action_dist().logp(c[cols::actions]) * c[cols::advantages]);
    c.record("policy_loss", loss);
    return loss;
  }
};

// RLlib's PG DEFAULT_CONFIG: COMMON_CONFIG with these changes.
struct Config {
  static Json defaults() { return Json{{"num_workers", 0}, {"lr", 0.0004}}; }
};

using Policy = build_policy<"PGTorchPolicy", loss<Loss>, postprocess<discounted_returns>>;
using Trainer = build_trainer<"PG", default_config<Config>, default_policy<Policy>>;

}  // namespace rlpp::pg
