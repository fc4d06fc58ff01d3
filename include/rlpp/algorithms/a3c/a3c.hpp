#pragma once
// A3C (RLlib's rllib/agents/a3c/a3c.py): actor-critic with GAE, each rollout worker computing
// gradients on its own samples; the learner applies them one by one and sends new weights back
// to that worker only:  AsyncGradients | ApplyGradients(update_all=false) | StandardMetricsReporting.
// RLlib's loss sums (not averages) over the batch:
//   pi_err = -sum(logp(a) * advantages), value_err = 0.5 * sum((V(s) - value_targets)^2),
//   total = pi_err + vf_loss_coeff * value_err - entropy_coeff * sum(entropy).
// rlpp's sampling is synchronous and deterministic: sample_async is accepted and has no effect,
// and "async" gradients are gathered round by round in worker order (execution-plans.md).

#include "rlpp/autodiff/ops.hpp"
#include "rlpp/policy/loss_stats.hpp"
#include "rlpp/policy/policy.hpp"
#include "rlpp/policy/postprocessors.hpp"
#include "rlpp/trainer/trainer.hpp"

namespace rlpp::a3c {

// RLlib's actor_critic_loss.
struct Loss {
  static Json defaults() {
    return Json{{"vf_loss_coeff", 0.5}, {"entropy_coeff", 0.01}, {"entropy_coeff_schedule", nullptr}};
  }
  template <class Ctx>
  ad::Var operator()(Ctx& c) const {
    auto dist = c.action_dist();
    ad::Var values = c.value_function();
    ad::Var targets = c[cols::value_targets];
    ad::Var pi_err = -c.reduce_sum_valid(dist.logp(c[cols::actions]) * c[cols::advantages]);
    ad::Var value_err = 0.5f * c.reduce_sum_valid(ad::square(values - targets));
    ad::Var entropy = c.reduce_sum_valid(dist.entropy());
    const auto vf_coeff = static_cast<float>(c.config().template get<double>("vf_loss_coeff"));
    const auto entropy_coeff = static_cast<float>(c.config().template get<double>("entropy_coeff"));
    c.record("policy_loss", pi_err);
    c.record("vf_loss", value_err);
    c.record("policy_entropy", entropy);
    c.record("vf_explained_var", explained_variance(targets.value(), values.value()));
    return pi_err + vf_coeff * value_err - entropy_coeff * entropy;
  }
};

// RLlib's A3C DEFAULT_CONFIG (COMMON_CONFIG with these changes).
struct Config {
  static Json defaults() {
    return Json{{"use_critic", true}, {"use_gae", true},       {"lambda", 1.0},          {"grad_clip", 40.0},
                {"lr", 0.0001},       {"lr_schedule", nullptr}, {"vf_loss_coeff", 0.5},  {"entropy_coeff", 0.01},
                {"entropy_coeff_schedule", nullptr},            {"sample_async", true},  {"rollout_fragment_length", 10},
                {"min_iter_time_s", 5}};
  }
};

using Policy = build_policy<"A3CTorchPolicy", loss<Loss>, postprocess<generalized_advantages>>;

struct Plan {
  auto operator()(PlanContext& ctx) const {
    return AsyncGradients(ctx) | ApplyGradients(ctx, /*update_all=*/false) | StandardMetricsReporting(ctx);
  }
};

using Trainer = build_trainer<"A3C", default_config<Config>, default_policy<Policy>, execution_plan<Plan>>;

}  // namespace rlpp::a3c
