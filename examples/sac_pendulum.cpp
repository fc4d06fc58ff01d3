// SAC assembled by type from its parts — what rlpp::sac::Trainer is — and trained on
// Pendulum-v1 with RLtools' small configuration (64-64 networks, batch 100, one update per
// step) for 6,000 steps, printing the return, the temperature alpha and the mean Q each 1,000.
#include <cstdio>

#include <rlpp/algorithms/sac/sac.hpp>

namespace sac = rlpp::sac;

// The policy: SAC's loss (critics, actor, temperature), its model (policy network, twin Q,
// log_alpha as three parameter groups), a SquashedGaussian (Box) / Categorical (Discrete)
// distribution and n-step postprocessing. (The loss draws its noise from the policy's learning
// stream, LossContext::rng.)
using MySACPolicy = rlpp::build_policy<"MySACPolicy", rlpp::loss<sac::Loss>, rlpp::model<rlpp::SACModel>,
                                       rlpp::action_dist<sac::ActionDistribution>, rlpp::postprocess<rlpp::nstep_returns>>;

// The trainer: SAC's defaults and validation, and the off-policy plan (store to replay | replay
// | train | update priorities | soft target update).
using MySAC = rlpp::build_trainer<"MySAC", rlpp::default_config<sac::Config>, rlpp::default_policy<MySACPolicy>,
                                  rlpp::execution_plan<rlpp::off_policy::Plan>, rlpp::validate_config<sac::Validate>>;

int main() {
  rlpp::Json config = sac::tuned::rltools_pendulum(6000);
  config["seed"] = 1;
  MySAC trainer(config);
  double reward = -2000.0;
  for (int i = 1; i <= 6; ++i) {
    const rlpp::Json result = trainer.train();
    reward = result["episode_reward_mean"].is_number() ? result["episode_reward_mean"].get<double>() : reward;
    const rlpp::Json& stats = result["info"]["learner"]["default_policy"]["learner_stats"];
    std::printf("iter %d  steps %5lld  reward %7.1f  alpha %.3f  mean_q %7.2f\n", i,
                static_cast<long long>(result["timesteps_total"].get<std::int64_t>()), reward,
                stats.value("alpha_value", 0.0), stats.value("mean_q", 0.0));
  }
  // A random policy scores about -1200; a few thousand steps of SAC clearly improve on it.
  return reward > -1000.0 ? 0 : 1;
}
