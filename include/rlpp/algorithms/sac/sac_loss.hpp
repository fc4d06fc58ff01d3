#pragma once
// SAC's loss (RLlib's sac_torch_policy.actor_critic_loss, Ray ~1.4-1.6), the three losses of
// Haarnoja et al. 2018 ("Soft Actor-Critic Algorithms and Applications") summed into one scalar
// so that one backward pass gives every parameter group its own gradient:
//
// Box actions (a SquashedGaussian policy), alpha = exp(log_alpha), sg = stop gradient, logp
// on RLlib's scale (without the squashing's constant -sum_j log((high_j - low_j) / 2), i.e. the
// density of the actions rescaled to [-1, 1]):
//   a~, logp~   = rsample of pi(.|s)  (reparameterised: u = mean + std * eps)
//   a', logp'   = rsample of pi(.|s') (frozen weights: no gradient)
//   y           = r + d_n * (1 - terminated) * (min_k Qtarg_k(s', a') - sg(alpha) * logp')
//   critic_loss = mean(w * huber(Q1(s, a) - y)) + mean(w * huber(Q2(s, a) - y))
//                 (RLlib torch's huber_loss, delta 1: 0.5 x^2 for |x| <= 1, |x| - 0.5 beyond;
//                 with use_huber false 0.5 x^2 everywhere, the paper's and RLlib tf's 0.5 MSE)
//   actor_loss  = mean(sg(alpha) * logp~ - min_k Q_k(s, a~))   (Q through frozen weights)
//   alpha_loss  = -mean(log_alpha * sg(logp~ + target_entropy))
// Discrete(n) actions (a Categorical policy; the expectation over actions replaces sampling):
//   y           = r + d_n * (1 - terminated) * sum_a pi(a|s') (min_k Qtarg_k(s', a) - sg(alpha) log pi(a|s'))
//   critic_loss = as above with Q_k(s, a) the column of the action taken
//   actor_loss  = mean(sum_a pi(a|s) (sg(alpha) log pi(a|s) - sg(min_k Q_k(s, a))))
//   alpha_loss  = -mean(sum_a sg(pi(a|s)) * log_alpha * sg(log pi(a|s) + target_entropy))
// d_n is the row's "n_step_discounts" (gamma^k from adjust_nstep; gamma when absent), w the
// replay importance weights ("weights"; 1 when absent). TD errors for prioritized replay:
// |Q1 - y| (twin_q: the mean of |Q1 - y| and |Q2 - y|).
// target_entropy "auto" is -d for Box(d) and -n for Discrete(n) (RLlib's documented rule, "-2.0
// for Discrete(2)"; RLlib's code uses 0.98 * log(n) for Discrete: give that as a number to get it).
// The reparameterisation noise comes from the policy's learning stream (LossContext::rng: seeded,
// saved in the policy state, so a restored policy continues exactly).
// Learner stats: actor_loss, critic_loss, alpha_loss, alpha_value, log_alpha_value,
// target_entropy, policy_t (mean action, or mean probability), mean_q, max_q, min_q.

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "rlpp/autodiff/ops.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/data/columns.hpp"
#include "rlpp/data/sample_batch.hpp"
#include "rlpp/distributions/squashed_gaussian.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp::sac {

// target_entropy "auto" or a number, for `action_space` (Box(d): -d, Discrete(n): -n).
inline double target_entropy(const Config& config, const Space& action_space) {
  const Json& t = config.value("target_entropy");
  if (t.is_number()) return t.get<double>();
  if (t.is_string() && t.get<std::string>() == "auto") {
    if (const auto* discrete = action_space.get_if<Discrete>()) return -static_cast<double>(discrete->n());
    return -static_cast<double>(action_space.flat_size());
  }
  throw ConfigError(config.path_of("target_entropy"), "must be \"auto\" or a number, got " + describe_json(t));
}

// sum_j log((high_j - low_j) / 2) of a bounded Box (0 for [-1, 1]^d).
inline double log_half_range_sum(const Space& action_space) {
  const auto* box = action_space.get_if<Box>();
  if (box == nullptr) return 0.0;
  double sum = 0.0;
  for (std::size_t j = 0; j < box->flat_size(); ++j) sum += std::log(0.5 * (box->high()[j] - box->low()[j]));
  return sum;
}

struct Loss {
  static constexpr bool uses_target_network = true;
  static Json defaults() {
    return Json{{"tau", 5e-3},
                {"target_entropy", "auto"},
                {"n_step", 1},
                {"use_huber", true},
                {"optimization",
                 {{"actor_learning_rate", 3e-4}, {"critic_learning_rate", 3e-4}, {"entropy_learning_rate", 3e-4}}}};
  }

  // The fixed learning rate of each of SACModel's parameter groups.
  double learning_rate(const Config& config, std::string_view group) const {
    const Config o = config.sub("optimization");
    if (group == "actor") return o.number_in("actor_learning_rate", 0.0, 1e30);
    if (group == "critic") return o.number_in("critic_learning_rate", 0.0, 1e30);
    if (group == "alpha") return o.number_in("entropy_learning_rate", 0.0, 1e30);
    throw Error("SAC loss", "unknown parameter group '" + std::string(group) + "'",
                "SAC's model has the groups actor, critic and alpha");
  }

  template <class Ctx>
  ad::Var operator()(Ctx& c) const {
    auto& policy = c.policy();
    const auto& model = policy.model();
    const Config& config = c.config();
    const Space& space = policy.action_space();
    const auto target_ent = static_cast<float>(target_entropy(config, space));
    ad::Tape& tape = c.tape();

    // ---- the batch ----
    const ad::Var obs = c[cols::obs];
    const ad::Var new_obs = c[cols::new_obs];
    const ad::Var rewards = c[cols::rewards];
    ad::Var bootstrap = 1.0f - c[cols::terminateds];
    if (c.batch().contains(cols::n_step_discounts.name)) bootstrap = bootstrap * c[cols::n_step_discounts];
    else bootstrap = bootstrap * static_cast<float>(config.template get<double>("gamma"));
    const bool weighted = c.batch().contains(cols::weights.name);

    // ---- alpha ----
    const ad::Var log_alpha = model.log_alpha(c.parameters());
    const float alpha = std::exp(log_alpha.item());

    RandomStream& rng = c.rng();
    ad::Var q_selected, q2_selected, target, actor_loss, alpha_loss, policy_t;
    if (!model.discrete()) {
      // ---- Box: reparameterised samples ----
      // RLlib's log-probabilities omit the squashing's constant -sum_j log((high_j - low_j) / 2)
      // (they are densities in [-1, 1]^d), and target_entropy "auto" = -d is meant on that
      // scale: add it back so that alpha and the soft values match RLlib's for any bounds.
      const auto range_term = static_cast<float>(log_half_range_sum(space));
      const SquashedGaussian dist_t(c.model_out(), space);
      RSample<float> sample_t = dist_t.rsample(rng);
      sample_t.logp = sample_t.logp + range_term;
      const auto out_tp1 = c.forward(c.frozen_parameters(), new_obs);
      const SquashedGaussian dist_tp1(out_tp1.outputs, space);
      RSample<float> sample_tp1 = dist_tp1.rsample(rng);
      sample_tp1.logp = sample_tp1.logp + range_term;

      const ad::Var actions = c[cols::actions];
      q_selected = model.q1(c.parameters(), obs, actions);
      if (model.twin_q()) q2_selected = model.q2(c.parameters(), obs, actions);
      const ad::Var q_tp1 = model.min_q(c.target_parameters(), new_obs, sample_tp1.actions) - alpha * sample_tp1.logp;
      target = ad::stop_gradient(rewards + bootstrap * q_tp1);

      const ad::Var q_new = model.min_q(c.frozen_parameters(), obs, sample_t.actions);
      actor_loss = ad::mean(alpha * sample_t.logp - q_new);
      alpha_loss = -ad::mean(log_alpha * ad::stop_gradient(sample_t.logp + target_ent));
      policy_t = sample_t.actions;
    } else {
      // ---- Discrete: expectations over the action probabilities ----
      const ad::Var log_pi_t = ad::log_softmax(c.model_out());
      const ad::Var pi_t = ad::exp(log_pi_t);
      const auto out_tp1 = c.forward(c.frozen_parameters(), new_obs);
      const ad::Var log_pi_tp1 = ad::log_softmax(out_tp1.outputs);
      const ad::Var pi_tp1 = ad::exp(log_pi_tp1);

      const Column& action_column = c.batch().column(cols::actions.name);
      const std::span<const std::int64_t> taken(action_column.template get<std::int64_t>().data() + c.begin(), c.count());
      const ad::Var one_hot = ad::one_hot(tape, taken, static_cast<Eigen::Index>(model.action_count()));
      q_selected = ad::row_sum(model.q1(c.parameters(), obs) * one_hot);
      if (model.twin_q()) q2_selected = ad::row_sum(model.q2(c.parameters(), obs) * one_hot);
      const ad::Var q_tp1 = model.min_q(c.target_parameters(), new_obs);
      const ad::Var v_tp1 = ad::row_sum(pi_tp1 * (q_tp1 - alpha * log_pi_tp1));
      target = ad::stop_gradient(rewards + bootstrap * v_tp1);

      const ad::Var q_t = model.min_q(c.frozen_parameters(), obs);
      actor_loss = ad::mean(ad::row_sum(pi_t * (alpha * log_pi_t - q_t)));
      const ad::Var weighted_logp = ad::stop_gradient(ad::row_sum(pi_t * (log_pi_t + target_ent)));
      alpha_loss = -ad::mean(log_alpha * weighted_logp);
      policy_t = pi_t;
    }

    // ---- critics ----
    const bool huber = config.template get<bool>("use_huber");
    const auto critic_term = [&](ad::Var td) {
      ad::Var per_row = huber ? ad::huber(td, 1.0f) : 0.5f * ad::square(td);
      if (weighted) per_row = per_row * c[cols::weights];
      return ad::mean(per_row);
    };
    const ad::Var td1 = q_selected - target;
    ad::Var critic_loss = critic_term(td1);
    ad::Var td_error = ad::abs(td1);
    if (q2_selected.has_value()) {
      const ad::Var td2 = q2_selected - target;
      critic_loss = critic_loss + critic_term(td2);
      td_error = 0.5f * (td_error + ad::abs(td2));
    }
    c.set_td_errors(td_error);

    // ---- stats ----
    const auto q_values = q_selected.value();
    c.record("actor_loss", actor_loss);
    c.record("critic_loss", critic_loss);
    c.record("alpha_loss", alpha_loss);
    c.record("alpha_value", static_cast<double>(alpha));
    c.record("log_alpha_value", static_cast<double>(log_alpha.item()));
    c.record("target_entropy", static_cast<double>(target_ent));
    c.record("policy_t", static_cast<double>(policy_t.value().mean()));
    c.record("mean_q", static_cast<double>(q_values.mean()));
    c.record("max_q", static_cast<double>(q_values.maxCoeff()));
    c.record("min_q", static_cast<double>(q_values.minCoeff()));
    return critic_loss + actor_loss + alpha_loss;
  }
};

}  // namespace rlpp::sac
