// PPO assembled by type from its parts — what rlpp::ppo::Trainer is — and trained on CartPole-v1
// with RLlib's tuned cartpole-ppo config until the mean episode reward passes 150.
#include <cstdio>

#include <rlpp/algorithms/ppo/ppo.hpp>

namespace ppo = rlpp::ppo;

// The policy: PPO's loss, GAE postprocessing, the adaptive KL coefficient and the entropy
// schedule; model, action distribution and exploration come from the spaces and the config.
using MyPPOPolicy = rlpp::build_policy<"MyPPOPolicy", rlpp::loss<ppo::Loss>, rlpp::postprocess<rlpp::generalized_advantages>,
                                       rlpp::mixins<ppo::KLCoeffMixin, rlpp::EntropyCoeffSchedule>>;

// The trainer: PPO's defaults and validation, and its plan (rollouts | concat | standardize |
// train | UpdateKL | metrics).
using MyPPO = rlpp::build_trainer<"MyPPO", rlpp::default_config<ppo::Config>, rlpp::default_policy<MyPPOPolicy>,
                                  rlpp::execution_plan<ppo::Plan>, rlpp::validate_config<ppo::Validate>>;

int main() {
  rlpp::Json config = ppo::tuned::cartpole_ppo();
  config["seed"] = 42;
  MyPPO trainer(config);
  for (int i = 1; i <= 50; ++i) {
    const rlpp::Json result = trainer.train();
    const double reward = result["episode_reward_mean"].is_number() ? result["episode_reward_mean"].get<double>() : 0.0;
    const rlpp::Json& stats = result["info"]["learner"]["default_policy"]["learner_stats"];
    std::printf("iter %2d  steps %6lld  reward %6.1f  kl %.4f  kl_coeff %.3f  entropy %.3f\n", i,
                static_cast<long long>(result["timesteps_total"].get<std::int64_t>()), reward, stats["kl"].get<double>(),
                stats["cur_kl_coeff"].get<double>(), stats["entropy"].get<double>());
    if (reward >= 150.0) return 0;
  }
  std::printf("did not reach 150\n");
  return 1;
}
