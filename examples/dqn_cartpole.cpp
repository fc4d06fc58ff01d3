// DQN assembled by type from its parts — what rlpp::dqn::Trainer is — and trained on
// CartPole-v1 with RLlib's tuned cartpole-dqn config (dueling, double Q, prioritized replay,
// 3-step returns, gamma 0.95) until the mean episode reward passes 75 (RLlib's test uses 150
// within 50k steps; tests/algorithms/learning/test_dqn_learning.cpp checks that).
#include <cstdio>

#include <rlpp/algorithms/dqn/dqn.hpp>

namespace dqn = rlpp::dqn;

// The policy: DQN's loss (double-Q / distributional TD target against a target network), the
// Q model (dueling heads, C51 atoms) and n-step postprocessing; epsilon-greedy exploration
// comes from the config's exploration_config.
using MyDQNPolicy = rlpp::build_policy<"MyDQNPolicy", rlpp::loss<dqn::Loss>, rlpp::model<rlpp::QModel>,
                                       rlpp::postprocess<rlpp::nstep_returns>>;

// The trainer: DQN's defaults and validation, and the off-policy plan (rollouts | store;
// replay | train | update priorities | update target, round robin | metrics).
using MyDQN = rlpp::build_trainer<"MyDQN", rlpp::default_config<dqn::Config>, rlpp::default_policy<MyDQNPolicy>,
                                  rlpp::execution_plan<rlpp::off_policy::Plan>, rlpp::validate_config<dqn::Validate>>;

int main() {
  rlpp::Json config = dqn::tuned::cartpole_dqn();
  config["seed"] = 1;
  config["min_iter_time_s"] = 0;  // report every 1000 steps, however fast they run
  MyDQN trainer(config);
  for (int i = 1; i <= 40; ++i) {
    const rlpp::Json result = trainer.train();
    const double reward = result["episode_reward_mean"].is_number() ? result["episode_reward_mean"].get<double>() : 0.0;
    const rlpp::Json& learner = result["info"]["learner"];
    const double mean_q = learner.contains("default_policy") ? learner["default_policy"]["learner_stats"]["mean_q"].get<double>() : 0.0;
    std::printf("iter %2d  steps %6lld  reward %6.1f  mean_q %7.3f  target updates %lld\n", i,
                static_cast<long long>(result["timesteps_total"].get<std::int64_t>()), reward, mean_q,
                static_cast<long long>(result["info"].value("num_target_updates", std::int64_t{0})));
    if (reward >= 75.0) return 0;
  }
  std::printf("did not reach 75\n");
  return 1;
}
