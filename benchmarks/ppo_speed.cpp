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
// what a user waits for.
//
//   build/release/benchmarks/ppo_speed [--case cartpole|pendulum|all] [--runs 5] [--seed 1]
//                                      [--threads 1] [--steps N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <rlpp/algorithms/ppo/ppo.hpp>

namespace {

struct Case {
  std::string name;
  rlpp::Json config;
  std::int64_t steps;
  double target;
};

struct Run {
  std::int64_t steps = 0;
  double seconds = 0.0;
  std::optional<double> seconds_to_target;
  std::optional<std::int64_t> steps_to_target;
  double final_return = 0.0;
  double train_seconds = 0.0;
};

Run run_once(const Case& c, std::int64_t seed, int threads) {
  rlpp::Json config = c.config;
  config["seed"] = seed;
  config["num_threads"] = threads;
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  rlpp::ppo::Trainer trainer(config);
  Run run;
  while (run.steps < c.steps) {
    const rlpp::Json result = trainer.train();
    run.steps = result["timesteps_total"].get<std::int64_t>();
    if (result["episode_reward_mean"].is_number()) {
      run.final_return = result["episode_reward_mean"].get<double>();
      if (!run.seconds_to_target && run.final_return >= c.target) {
        run.seconds_to_target = elapsed();
        run.steps_to_target = run.steps;
      }
    }
  }
  run.seconds = elapsed();
  return run;
}

rlpp::Json to_json(const Case& c, std::int64_t seed, const Run& r) {
  return {{"case", c.name},
          {"seed", seed},
          {"env_steps", r.steps},
          {"wall_s", r.seconds},
          {"steps_per_s", static_cast<double>(r.steps) / r.seconds},
          {"target", c.target},
          {"time_to_target_s", r.seconds_to_target ? rlpp::Json(*r.seconds_to_target) : rlpp::Json()},
          {"steps_to_target", r.steps_to_target ? rlpp::Json(*r.steps_to_target) : rlpp::Json()},
          {"final_return", r.final_return}};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  std::string which = "all";
  int runs = 5;
  std::int64_t seed = 1;
  int threads = 1;
  std::int64_t steps = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "ppo_speed: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--case") which = value();
    else if (a == "--runs") runs = std::stoi(value());
    else if (a == "--seed") seed = std::stoll(value());
    else if (a == "--threads") threads = std::stoi(value());
    else if (a == "--steps") steps = std::stoll(value());
    else {
      std::cerr << "usage: ppo_speed [--case cartpole|pendulum|all] [--runs N] [--seed S] [--threads T] [--steps N]\n";
      return 2;
    }
  }
  std::vector<Case> cases;
  const std::int64_t cartpole_steps = steps > 0 ? steps : 500000;
  if (which == "cartpole" || which == "all") cases.push_back({"cartpole_cleanrl", rlpp::ppo::tuned::cleanrl_cartpole(cartpole_steps), cartpole_steps, 475.0});
  if (which == "pendulum" || which == "all") cases.push_back({"pendulum_rltools", rlpp::ppo::tuned::rltools_pendulum(), steps > 0 ? steps : 307200, -175.0});
  if (cases.empty()) {
    std::cerr << "ppo_speed: unknown case '" << which << "' (cartpole, pendulum, all)\n";
    return 2;
  }
  rlpp::Json summary = rlpp::Json::array();
  for (const Case& c : cases) {
    std::vector<double> wall, to_target, final_return;
    int reached = 0;
    for (int r = 0; r < runs; ++r) {
      const Run run = run_once(c, seed + r, threads);
      std::cout << to_json(c, seed + r, run).dump() << std::endl;
      wall.push_back(run.seconds);
      final_return.push_back(run.final_return);
      if (run.seconds_to_target) {
        to_target.push_back(*run.seconds_to_target);
        ++reached;
      }
    }
    summary.push_back({{"case", c.name},
                       {"runs", runs},
                       {"threads", threads},
                       {"median_wall_s", median(wall)},
                       {"median_steps_per_s", static_cast<double>(c.steps) / median(wall)},
                       {"runs_reaching_target", reached},
                       {"median_time_to_target_s", to_target.empty() ? rlpp::Json() : rlpp::Json(median(to_target))},
                       {"median_final_return", median(final_return)}});
  }
  std::cout << rlpp::Json{{"summary", summary}}.dump(2) << std::endl;
}
