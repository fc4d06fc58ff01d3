// PPO training speed (issue #6): trains rlpp::ppo::Trainer on the two reference configurations
// and prints one JSON object per run plus the medians:
//   cartpole  CleanRL's CartPole-v1 PPO: 4 envs x 128 steps, 4 minibatches x 4 epochs, lr 2.5e-4
//             annealed to 0, gamma 0.99, lambda 0.95, clip 0.2, entropy 0.01, value 0.5 with the
//             value loss clipped, max grad norm 0.5, 64-64 tanh with orthogonal init, advantages
//             normalized per minibatch; 500k steps (peers.md: PyTorch 47 s, goal <= 1.0 s);
//             target: mean return of the last 100 episodes >= 475.
//   pendulum  RLtools' Pendulum-v1 PPO benchmark: 4 envs x 1024 steps, 75 iterations, minibatch
//             256, 2 epochs, 64-64 relu, gamma 0.9; 307,200 steps (RLtools 0.57 s); target -175.
// Both configs are rlpp::ppo::tuned's. The whole run is timed, trainer construction included:
// what a user waits for (benchmarks/training_speed.hpp).
//
//   build/release/benchmarks/ppo_speed [--case cartpole|pendulum|all] [--runs 5] [--seed 1]
//                                      [--threads 1] [--steps N]
#include <iostream>
#include <string>
#include <vector>

#include <rlpp/algorithms/ppo/ppo.hpp>

#include "training_speed.hpp"

int main(int argc, char** argv) {
  using namespace rlpp::bench;
  const Options o = parse_options(argc, argv, "ppo_speed", "cartpole|pendulum");
  std::vector<Case> cases;
  const std::int64_t cartpole_steps = o.steps > 0 ? o.steps : 500000;
  const std::int64_t pendulum_steps = o.steps > 0 ? o.steps : 307200;
  if (o.which == "cartpole" || o.which == "all")
    cases.push_back({"cartpole_cleanrl", rlpp::ppo::tuned::cleanrl_cartpole(cartpole_steps), cartpole_steps, 475.0, 0, false,
                     run_trainer<rlpp::ppo::Trainer>});
  if (o.which == "pendulum" || o.which == "all")
    cases.push_back({"pendulum_rltools", rlpp::ppo::tuned::rltools_pendulum(), pendulum_steps, -175.0, 0, false,
                     run_trainer<rlpp::ppo::Trainer>});
  if (cases.empty()) {
    std::cerr << "ppo_speed: unknown case '" << o.which << "' (cartpole, pendulum, all)\n";
    return 2;
  }
  return run_cases(cases, o);
}
