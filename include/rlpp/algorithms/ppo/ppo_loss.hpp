#pragma once
// PPO's loss (RLlib's ppo_surrogate_loss, torch, Ray 1.0), per valid row then averaged:
//   r        = exp(logp_new(a) - logp_old(a))
//   surr     = min(A * r, A * clamp(r, 1 - clip_param, 1 + clip_param))
//   vf_loss  = max((V - R)^2, (V_old + clamp(V - V_old, -vf_clip_param, vf_clip_param) - R)^2)
//   total    = mean(-surr + kl_coeff * KL(pi_old || pi_new) + vf_loss_coeff * vf_loss
//                   - entropy_coeff * H(pi_new))
// A = advantages, R = value_targets, V_old = vf_preds, pi_old from action_dist_inputs; all
// written by sampling and GAE. With use_critic false the value terms are 0. kl_coeff comes from
// the policy's KLCoeffMixin (adapted by UpdateKL), entropy_coeff from EntropyCoeffSchedule;
// a policy without them reads the constants from the config.
// advantage_normalization "minibatch" standardizes A within each minibatch (CleanRL's
// norm_adv: unbiased std + 1e-8) instead of over the train batch in the plan.
// Learner stats: cur_kl_coeff, policy_loss, vf_loss, vf_explained_var, kl, entropy,
// entropy_coeff (cur_lr and total_loss come from the policy).

#include <cmath>
#include <cstdint>
#include <string>

#include "rlpp/autodiff/ops.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/data/columns.hpp"
#include "rlpp/policy/loss_stats.hpp"

namespace rlpp::ppo {

namespace detail {
template <class Ctx>
double current_kl_coeff(Ctx& c) {
  if constexpr (requires { c.policy().kl_coeff(); }) return c.policy().kl_coeff();
  else return c.config().template get<double>("kl_coeff");
}
template <class Ctx>
double current_entropy_coeff(Ctx& c) {
  if constexpr (requires { c.policy().entropy_coeff_at(std::int64_t{}); })
    return c.policy().entropy_coeff_at(c.policy().global_timestep());
  else return c.config().template get<double>("entropy_coeff");
}

// (A - mean) / (std + 1e-8) over the minibatch's valid rows, std with Bessel's correction.
template <class Ctx>
ad::Var standardized_in_minibatch(Ctx& c, ad::Var advantages) {
  const auto n = static_cast<float>(c.valid_count());
  if (n < 2.0f) return advantages;
  ad::Var centered = advantages - c.reduce_mean_valid(advantages);
  ad::Var variance = c.reduce_mean_valid(ad::square(centered)) * (n / (n - 1.0f));
  return centered / (ad::sqrt(variance) + 1e-8f);
}
}  // namespace detail

struct Loss {
  static Json defaults() {
    return Json{{"clip_param", 0.3},       {"vf_clip_param", 10.0},  {"vf_loss_coeff", 1.0},
                {"entropy_coeff", 0.0},    {"kl_coeff", 0.2},        {"use_critic", true},
                {"advantage_normalization", "train_batch"}};
  }

  template <class Ctx>
  ad::Var operator()(Ctx& c) const {
    const auto& config = c.config();
    const auto clip = static_cast<float>(config.template get<double>("clip_param"));
    const auto kl_coeff = static_cast<float>(detail::current_kl_coeff(c));
    const auto entropy_coeff = static_cast<float>(detail::current_entropy_coeff(c));

    auto curr_dist = c.action_dist();
    auto prev_dist = c.action_dist(c[cols::action_dist_inputs]);
    ad::Var logp_ratio = ad::exp(curr_dist.logp(c[cols::actions]) - c[cols::action_logp]);
    ad::Var action_kl = prev_dist.kl(curr_dist);
    ad::Var entropy = curr_dist.entropy();

    ad::Var advantages = c[cols::advantages];
    if (config.template get<std::string>("advantage_normalization") == "minibatch")
      advantages = detail::standardized_in_minibatch(c, advantages);
    ad::Var surrogate = ad::minimum(advantages * logp_ratio, advantages * ad::clamp(logp_ratio, 1.0f - clip, 1.0f + clip));

    ad::Var per_row = kl_coeff * action_kl - surrogate - entropy_coeff * entropy;
    if (config.template get<bool>("use_critic")) {
      const auto vf_clip = static_cast<float>(config.template get<double>("vf_clip_param"));
      const auto vf_coeff = static_cast<float>(config.template get<double>("vf_loss_coeff"));
      ad::Var values = c.value_function();
      ad::Var targets = c[cols::value_targets];
      ad::Var prev_values = c[cols::vf_preds];
      ad::Var vf_loss_unclipped = ad::square(values - targets);
      ad::Var values_clipped = prev_values + ad::clamp(values - prev_values, -vf_clip, vf_clip);
      ad::Var vf_loss = ad::maximum(vf_loss_unclipped, ad::square(values_clipped - targets));
      per_row = per_row + vf_coeff * vf_loss;
      c.record("vf_loss", c.reduce_mean_valid(vf_loss));
      c.record("vf_explained_var", explained_variance(targets.value(), values.value()));
    } else {
      c.record("vf_loss", 0.0);
      c.record("vf_explained_var", 0.0);
    }
    c.record("cur_kl_coeff", static_cast<double>(kl_coeff));
    c.record("policy_loss", c.reduce_mean_valid(-surrogate));
    c.record("kl", c.reduce_mean_valid(action_kl));
    c.record("entropy", c.reduce_mean_valid(entropy));
    c.record("entropy_coeff", static_cast<double>(entropy_coeff));
    return c.reduce_mean_valid(per_row);
  }
};

}  // namespace rlpp::ppo
