// Off-policy training speed (issue #7) against the peers (peers.md), one JSON object per run
// plus the medians (benchmarks/training_speed.hpp):
//   td3_pendulum  RLtools' TD3 Pendulum-v1 benchmark: 1 env, batch 100, 64-64 relu actor and
//                 twin critics, 100 random warm-up steps, actor and target updates every 2nd
//                 step, one update per env step; 20k steps, wall compared at 10k (RLtools 1.70 s)
//                 and the return at 20k (RLtools about -145); target -200. Returns: training
//                 episodes (exploring) and greedy_return, the final policy without exploration.
//   sac_pendulum  RLtools' SAC Pendulum-v1 benchmark: as above with a squashed-Gaussian actor,
//                 learnable alpha from 0.5; 10k steps (RLtools 2.22 s, return <= -190); target -200.
//   dqn_cartpole  DQN on CartPole-v1 until the mean return reaches 475 (goal: within 50k steps
//                 and 5 s).
// Configs are rlpp::td3::tuned / sac::tuned / dqn::tuned's.
//
//   build/release/benchmarks/offpolicy_speed [--case td3|sac|dqn|all] [--runs 5] [--seed 1]
//                                            [--threads 1] [--steps N]
#include <iostream>
#include <string>
#include <vector>

#include <rlpp/algorithms/ddpg/td3.hpp>
#include <rlpp/algorithms/ddpg/tuned_configs.hpp>
#include <rlpp/algorithms/dqn/dqn.hpp>
#include <rlpp/algorithms/dqn/tuned_configs.hpp>
#include <rlpp/algorithms/sac/sac.hpp>
#include <rlpp/algorithms/sac/tuned_configs.hpp>

#include "training_speed.hpp"

// The final policy is also scored over 10 episodes without exploration (greedy_return).
rlpp::Json greedy_evaluation(rlpp::Json config) {
  config["evaluation_num_episodes"] = 10;
  config["evaluation_config"] = {{"explore", false}};
  return config;
}

int main(int argc, char** argv) {
  using namespace rlpp::bench;
  const Options o = parse_options(argc, argv, "offpolicy_speed", "td3|sac|dqn");
  std::vector<Case> cases;
  if (o.which == "td3" || o.which == "all") {
    const std::int64_t steps = o.steps > 0 ? o.steps : 20000;
    cases.push_back({"td3_pendulum_rltools", greedy_evaluation(rlpp::td3::tuned::rltools_pendulum(steps)), steps, -200.0,
                     std::min<std::int64_t>(10000, steps), false, run_trainer<rlpp::td3::Trainer>, true});
  }
  if (o.which == "sac" || o.which == "all") {
    const std::int64_t steps = o.steps > 0 ? o.steps : 10000;
    cases.push_back({"sac_pendulum_rltools", greedy_evaluation(rlpp::sac::tuned::rltools_pendulum(steps)), steps, -200.0,
                     steps, false, run_trainer<rlpp::sac::Trainer>, true});
  }
  if (o.which == "dqn" || o.which == "all") {
    const std::int64_t steps = o.steps > 0 ? o.steps : 50000;
    cases.push_back({"dqn_cartpole_v1", rlpp::dqn::tuned::cartpole_v1(), steps, 475.0, steps, true,
                     run_trainer<rlpp::dqn::Trainer>});
  }
  if (cases.empty()) {
    std::cerr << "offpolicy_speed: unknown case '" << o.which << "' (td3, sac, dqn, all)\n";
    return 2;
  }
  return run_cases(cases, o);
}
