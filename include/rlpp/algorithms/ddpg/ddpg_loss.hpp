#pragma once
// DDPG's and TD3's loss (RLlib's ddpg_actor_critic_loss, rllib/agents/ddpg/ddpg_torch_policy.py,
// Ray 1.x), on a replayed batch of transitions (s, a, r, s', terminated), n-step adjusted by
// postprocessing:
//   a'        = mu_target(s')                          target actor
//   a'        = clamp(a' + clamp(N(0, target_noise), -target_noise_clip, target_noise_clip),
//                     low, high)                       smooth_target_policy (TD3)
//   q_tp1     = min(Q1_target, Q2_target)(s', a')      (Q1_target alone without twin_q)
//   target    = r + d (1 - terminated) q_tp1           no gradient; d = gamma^n_step, or the
//                                                      row's n_step_discounts (data/nstep.hpp)
//   td        = Q1(s, a) - target                      (and td2 = Q2(s, a) - target)
//   critic    = mean(w * (e(td) [+ e(td2)])) + l2_reg * sum(W^2) / 2 over the critics' weights
//   actor     = -mean(Q1(s, mu(s))) + l2_reg * sum(W^2) / 2 over the actor's weights
// e = huber(., huber_threshold) with use_huber, else 0.5 x^2; w = the replay importance weights
// (1 without a "weights" column). One backward pass serves both parameter groups: the actor
// term reads the critic through the frozen binding (no gradient reaches the critic), the critic
// term reads only the batch's actions and the target networks (none reaches the actor). TD3's
// policy_delay: the actor term is computed and the "actor" group stepped only on optimizer
// steps whose index is a multiple of policy_delay (RLlib's global_step % policy_delay == 0);
// the critic is stepped every time. The target smoothing noise comes from the policy's learning
// stream (LossContext::rng), drawn in pairs so that no normal() spare is left pending.
// Learner stats: actor_loss (the last computed one: on delayed steps the previous actor step's),
// critic_loss, mean_q, max_q, min_q (of Q1(s, a)); TD errors go to set_td_errors (priorities).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/autodiff/ops.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/data/columns.hpp"
#include "rlpp/data/sample_batch.hpp"
#include "rlpp/nn/layers/binding.hpp"

namespace rlpp::ddpg {

struct Loss {
  static constexpr bool uses_target_network = true;

  // The loss's keys with DDPG's defaults (rllib/agents/ddpg/ddpg.py).
  static Json defaults() {
    return Json{{"twin_q", false},          {"policy_delay", 1},       {"smooth_target_policy", false},
                {"target_noise", 0.2},      {"target_noise_clip", 0.5}, {"n_step", 1},
                {"use_huber", false},       {"huber_threshold", 1.0},  {"l2_reg", 1e-6},
                {"actor_lr", 1e-3},         {"critic_lr", 1e-3},       {"tau", 0.002},
                {"use_state_preprocessor", false}};
  }

  Loss() : Loss(Config(defaults_with_gamma())) {}
  explicit Loss(const Config& config)
      : gamma_(config.number_in("gamma", 0.0, 1.0)),
        n_step_(config.positive_int("n_step")),
        policy_delay_(config.positive_int("policy_delay")),
        smooth_target_policy_(config.get<bool>("smooth_target_policy")),
        target_noise_(config.number_in("target_noise", 0.0, 1e30)),
        target_noise_clip_(config.number_in("target_noise_clip", 0.0, 1e30)),
        use_huber_(config.get<bool>("use_huber")),
        huber_threshold_(static_cast<float>(config.number_in("huber_threshold", 0.0, 1e30))),
        l2_reg_(config.json()["l2_reg"].is_null() ? 0.0f : static_cast<float>(config.number_in("l2_reg", 0.0, 1e30))) {
    if (use_huber_ && !(huber_threshold_ > 0.0f))
      throw ConfigError(config.path_of("huber_threshold"), "must be > 0 with use_huber");
  }

  // actor_lr for the "actor" group, critic_lr for "critic" (RLlib's two Adam optimizers).
  double learning_rate(const Config& config, std::string_view group) const {
    if (group == "actor") return config.number_in("actor_lr", 0.0, 1e30);
    if (group == "critic") return config.number_in("critic_lr", 0.0, 1e30);
    throw Error("DDPG loss", "no learning rate for parameter group '" + std::string(group) + "'",
                "the DDPG loss expects the groups \"actor\" and \"critic\" (rlpp::DDPGModel)");
  }

  template <class Ctx>
  ad::Var operator()(Ctx& c) const {
    const auto& model = c.policy().model();
    static_assert(requires { model.q_values(c.parameters(), ad::Var{}, ad::Var{}); model.actor_weight_blocks(); },
                  "the DDPG loss needs a model with actor, q1, min_q, q_values and weight blocks (rlpp::DDPGModel)");
    const std::size_t rows = c.count();
    const auto n = static_cast<Eigen::Index>(rows);
    ad::Tape& tape = c.tape();
    const ad::Var obs = c[cols::obs];
    const ad::Var new_obs = c[cols::new_obs];
    const ad::Var actions = c[cols::actions];

    // ---- the TD target, from the target networks ----
    const auto& target = c.target_parameters();
    ad::Var policy_tp1 = model.actor(target, new_obs);
    if (smooth_target_policy_) policy_tp1 = smoothed(c, model, policy_tp1);
    const auto q_tp1 = model.min_q(target, new_obs, policy_tp1).value();
    fill_targets(c, q_tp1);
    const ad::Var q_target = tape.constant(target_.data(), n, 1);

    // ---- critic ----
    const auto q = model.q_values(c.parameters(), obs, actions);
    const ad::Var td_error = q.q1 - q_target;
    ad::Var errors = error(td_error);
    if (q.q2.has_value()) errors = errors + error(q.q2 - q_target);
    const SampleBatch& batch = c.batch();
    ad::Var critic_loss = batch.contains(cols::weights.name)
                              ? ad::mean(errors * tape.input(batch.template get<float>(cols::weights.name).data() + c.begin(), n, 1))
                              : ad::mean(errors);
    if (l2_reg_ > 0.0f) critic_loss = critic_loss + l2_penalty(c.parameters(), model.critic_weight_blocks());
    c.set_td_errors(td_error);

    // ---- actor (every policy_delay-th step) ----
    ad::Var total = critic_loss;
    if (c.policy().num_learn_steps() % policy_delay_ == 0) {
      const ad::Var policy_t = model.actor(c.parameters(), obs);
      ad::Var actor_loss = -ad::mean(model.q1(c.frozen_parameters(), obs, policy_t));
      if (l2_reg_ > 0.0f) actor_loss = actor_loss + l2_penalty(c.parameters(), model.actor_weight_blocks());
      last_actor_loss_ = static_cast<double>(actor_loss.item());
      has_actor_loss_ = true;
      total = total + actor_loss;
    } else {
      c.skip_update("actor");
    }

    const auto q1 = q.q1.value();
    if (has_actor_loss_) c.record("actor_loss", last_actor_loss_);
    c.record("critic_loss", critic_loss);
    c.record("mean_q", static_cast<double>(q1.mean()));
    c.record("max_q", static_cast<double>(q1.maxCoeff()));
    c.record("min_q", static_cast<double>(q1.minCoeff()));
    return total;
  }

 private:
  static Json defaults_with_gamma() {
    Json j = defaults();
    j["gamma"] = 0.99;
    return j;
  }

  ad::Var error(ad::Var td) const { return use_huber_ ? ad::huber(td, huber_threshold_) : 0.5f * ad::square(td); }

  // l2_reg * sum(W^2) / 2 over the given weight blocks (RLlib's l2_loss).
  ad::Var l2_penalty(const nn::ParameterBinding<float>& p, const std::vector<std::size_t>& blocks) const {
    ad::Var sum;
    for (std::size_t k : blocks) {
      const ad::Var s = ad::sum(ad::square(p(k)));
      sum = sum.has_value() ? sum + s : s;
    }
    return sum * (0.5f * l2_reg_);
  }

  // a' + clipped Gaussian noise, clamped to the Box (RLlib's policy_tp1_smoothed).
  template <class Ctx, class Model>
  ad::Var smoothed(Ctx& c, const Model& model, ad::Var policy_tp1) const {
    const auto a = policy_tp1.value();
    const std::vector<float>& low = model.action_low();
    const std::vector<float>& high = model.action_high();
    const auto width = static_cast<std::size_t>(a.cols());
    const std::size_t count = static_cast<std::size_t>(a.size());
    smoothed_.resize(count);
    RandomStream& rng = c.rng();
    for (std::size_t i = 0; i < count; ++i) {
      const double noise = std::clamp(target_noise_ * rng.normal(), -target_noise_clip_, target_noise_clip_);
      const std::size_t j = i % width;
      smoothed_[i] = std::clamp(a.data()[i] + static_cast<float>(noise), low[j], high[j]);
    }
    if (count % 2 == 1) (void)rng.normal();  // use up the spare: the stream's state is then its 4 words
    return c.tape().constant(smoothed_.data(), a.rows(), a.cols());
  }

  // target_[r] = r + d (1 - terminated) q_tp1[r].
  template <class Ctx, class Q>
  void fill_targets(Ctx& c, const Q& q_tp1) const {
    const SampleBatch& batch = c.batch();
    const std::size_t rows = c.count(), begin = c.begin();
    const char* done_name = batch.contains(cols::terminateds.name) ? cols::terminateds.name.data() : cols::dones.name.data();
    if (!batch.contains(done_name))
      throw Error("DDPG loss of policy '" + std::string(c.policy_name()) + "'", "the train batch has neither terminateds nor dones");
    const bool* done = batch.template get<bool>(done_name).data() + begin;
    const float* rewards = batch.template get<float>(cols::rewards.name).data() + begin;
    const float* discounts =
        batch.contains(cols::n_step_discounts.name) ? batch.template get<float>(cols::n_step_discounts.name).data() + begin : nullptr;
    const auto fixed = static_cast<float>(std::pow(gamma_, static_cast<double>(n_step_)));
    target_.resize(rows);
    for (std::size_t r = 0; r < rows; ++r) {
      const float d = done[r] ? 0.0f : (discounts ? discounts[r] : fixed);
      target_[r] = rewards[r] + d * q_tp1(static_cast<Eigen::Index>(r), 0);
    }
  }

  double gamma_;
  std::int64_t n_step_;
  std::int64_t policy_delay_;
  bool smooth_target_policy_;
  double target_noise_;
  double target_noise_clip_;
  bool use_huber_;
  float huber_threshold_;
  float l2_reg_;
  // Reused across steps: no allocation once the batch size is seen.
  mutable std::vector<float> target_;
  mutable std::vector<float> smoothed_;
  mutable double last_actor_loss_ = 0.0;
  mutable bool has_actor_loss_ = false;
};

}  // namespace rlpp::ddpg
