// Replacing PPO's loss and keeping everything else (RLlib's PPOTrainer.with_updates with a new
// loss_fn): dual-clip PPO (Ye et al. 2020, "Mastering Complex Control in MOBA Games with Deep
// RL"), which also bounds the surrogate from below for negative advantages, so a very unlikely
// old action cannot produce an unbounded update:
//   surr = min(A r, A clamp(r, 1 - eps, 1 + eps));   for A < 0: surr = max(surr, c A)
// The value loss and entropy bonus are PPO's; this loss has no KL penalty.
#include <cstdio>

#include <rlpp/algorithms/ppo/ppo.hpp>

namespace ad = rlpp::ad;
namespace cols = rlpp::cols;

struct DualClipLoss {
  // Keys this loss adds to the config (PPO's own keys are still there).
  static rlpp::Json defaults() { return rlpp::Json{{"dual_clip", 3.0}}; }

  template <class Ctx>
  ad::Var operator()(Ctx& c) const {
    const auto clip = static_cast<float>(c.config().template get<double>("clip_param"));
    const auto dual = static_cast<float>(c.config().template get<double>("dual_clip"));
    const auto vf_coeff = static_cast<float>(c.config().template get<double>("vf_loss_coeff"));
    const auto entropy_coeff = static_cast<float>(c.config().template get<double>("entropy_coeff"));

    auto dist = c.action_dist();
    ad::Var ratio = ad::exp(dist.logp(c[cols::actions]) - c[cols::action_logp]);
    ad::Var adv = c[cols::advantages];
    ad::Var surrogate = ad::minimum(adv * ratio, adv * ad::clamp(ratio, 1.0f - clip, 1.0f + clip));
    // The lower bound c A applies to negative advantages only (for A > 0, c A > surr would
    // replace the objective): a 0/1 mask selects max(surr, c A) on those rows.
    ad::Var negative = c.tape().constant((adv.value().array() < 0.0f).template cast<float>().matrix());
    ad::Var dual_clipped = ad::maximum(surrogate, dual * adv);
    surrogate = negative * dual_clipped + (1.0f - negative) * surrogate;

    ad::Var values = c.value_function();
    ad::Var vf_loss = ad::square(values - c[cols::value_targets]);
    ad::Var entropy = dist.entropy();
    c.record("policy_loss", c.reduce_mean_valid(-surrogate));
    c.record("vf_loss", c.reduce_mean_valid(vf_loss));
    c.record("kl", 0.0);  // UpdateKL reads it; without a KL term the coefficient does not matter
    return c.reduce_mean_valid(vf_coeff * vf_loss - surrogate - entropy_coeff * entropy);
  }
};

using DualClipPPO = rlpp::ppo::Trainer::with<rlpp::default_policy<rlpp::ppo::Policy::with<rlpp::loss<DualClipLoss>>>>;

int main() {
  rlpp::Json config = rlpp::ppo::tuned::cartpole_ppo();
  config["seed"] = 7;
  config["dual_clip"] = 3.0;
  DualClipPPO trainer(config);
  for (int i = 1; i <= 60; ++i) {
    const rlpp::Json result = trainer.train();
    const double reward = result["episode_reward_mean"].is_number() ? result["episode_reward_mean"].get<double>() : 0.0;
    std::printf("iter %2d  steps %6lld  reward %6.1f  policy_loss %+.4f\n", i,
                static_cast<long long>(result["timesteps_total"].get<std::int64_t>()), reward,
                result["info"]["learner"]["default_policy"]["learner_stats"]["policy_loss"].get<double>());
    if (reward >= 150.0) return 0;
  }
  std::printf("did not reach 150\n");
  return 1;
}
