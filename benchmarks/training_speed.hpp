#pragma once
// What the training-speed benchmarks share (ppo_speed, offpolicy_speed): run a trainer on a
// reference configuration until a step budget, time the whole run (trainer construction
// included: what a user waits for), note when the mean return first reaches a target and the
// wall time at a given step count, and print one JSON object per run plus the medians.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <rlpp/core/json.hpp>

namespace rlpp::bench {

struct Run {
  std::int64_t steps = 0;
  double seconds = 0.0;
  std::optional<double> seconds_to_target;
  std::optional<std::int64_t> steps_to_target;
  std::optional<double> seconds_at_timed_steps;  // wall when timesteps_total first reached timed_steps
  double return_at_timed_steps = 0.0;
  double final_return = 0.0;
  // The final policy's mean return over evaluation_num_episodes episodes without exploration
  // (Case::greedy_evaluation; after the timed run, not part of its wall time).
  std::optional<double> greedy_return;
};

struct Case {
  std::string name;
  Json config;
  std::int64_t steps;        // the budget
  double target;             // the mean return that counts as solved
  std::int64_t timed_steps;  // the step count whose wall time is compared with the peers (0: steps)
  bool stop_at_target = false;
  std::function<Run(const Case&, std::int64_t seed, int threads)> run;
  bool greedy_evaluation = false;  // also score the final policy without exploration
};

// Trains TrainerType on c.config with `seed` and `threads` until c.steps (or the target, with
// stop_at_target).
template <class TrainerType>
Run run_trainer(const Case& c, std::int64_t seed, int threads) {
  Json config = c.config;
  config["seed"] = seed;
  config["num_threads"] = threads;
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  TrainerType trainer(config);
  Run run;
  const std::int64_t timed = c.timed_steps > 0 ? c.timed_steps : c.steps;
  while (run.steps < c.steps) {
    const Json result = trainer.train();
    run.steps = result["timesteps_total"].get<std::int64_t>();
    // A config that evaluates the greedy policy (evaluation_interval) is scored by it.
    const Json& scored = result.contains("evaluation") ? result["evaluation"] : result;
    const bool scored_now = scored.contains("episode_reward_mean") && scored["episode_reward_mean"].is_number();
    if (scored_now) run.final_return = scored["episode_reward_mean"].get<double>();
    if (!run.seconds_at_timed_steps && run.steps >= timed) {
      run.seconds_at_timed_steps = elapsed();
      run.return_at_timed_steps = run.final_return;
    }
    if (!run.seconds_to_target && scored_now && run.final_return >= c.target) {
      run.seconds_to_target = elapsed();
      run.steps_to_target = run.steps;
      if (c.stop_at_target) break;
    }
  }
  run.seconds = elapsed();
  // Training episodes are scored with exploration on; peers often report the final
  // deterministic policy's return, so the benchmark gives both.
  if (c.greedy_evaluation) run.greedy_return = trainer.evaluate()["evaluation"]["episode_reward_mean"].template get<double>();
  return run;
}

inline Json optional_json(const auto& v) { return v ? Json(*v) : Json(); }

inline Json to_json(const Case& c, std::int64_t seed, const Run& r) {
  return {{"case", c.name},
          {"seed", seed},
          {"env_steps", r.steps},
          {"wall_s", r.seconds},
          {"steps_per_s", static_cast<double>(r.steps) / r.seconds},
          {"timed_steps", c.timed_steps > 0 ? c.timed_steps : c.steps},
          {"wall_s_at_timed_steps", optional_json(r.seconds_at_timed_steps)},
          {"return_at_timed_steps", r.return_at_timed_steps},
          {"target", c.target},
          {"time_to_target_s", optional_json(r.seconds_to_target)},
          {"steps_to_target", optional_json(r.steps_to_target)},
          {"final_return", r.final_return},
          {"greedy_return", optional_json(r.greedy_return)}};
}

inline double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Options {
  std::string which = "all";
  int runs = 5;
  std::int64_t seed = 1;
  int threads = 1;
  std::int64_t steps = 0;  // 0: each case's own budget
};

// --case NAME|all --runs N --seed S --threads T --steps N; exits with a usage line on anything else.
inline Options parse_options(int argc, char** argv, const char* program, const char* cases) {
  Options o;
  const auto usage = [&] {
    std::cerr << "usage: " << program << " [--case " << cases << "|all] [--runs N] [--seed S] [--threads T] [--steps N]\n";
    std::exit(2);
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) usage();
    const std::string v = argv[++i];
    if (a == "--case") o.which = v;
    else if (a == "--runs") o.runs = std::stoi(v);
    else if (a == "--seed") o.seed = std::stoll(v);
    else if (a == "--threads") o.threads = std::stoi(v);
    else if (a == "--steps") o.steps = std::stoll(v);
    else usage();
  }
  return o;
}

// Runs every case o.runs times with seeds o.seed, o.seed + 1, ...: one JSON line per run, then
// {"summary": [...]} with the medians.
inline int run_cases(const std::vector<Case>& cases, const Options& o) {
  Json summary = Json::array();
  for (const Case& c : cases) {
    std::vector<double> wall, timed, to_target, final_return, timed_return, greedy_return;
    int reached = 0;
    for (int r = 0; r < o.runs; ++r) {
      const Run run = c.run(c, o.seed + r, o.threads);
      std::cout << to_json(c, o.seed + r, run).dump() << std::endl;
      wall.push_back(run.seconds);
      final_return.push_back(run.final_return);
      if (run.greedy_return) greedy_return.push_back(*run.greedy_return);
      if (run.seconds_at_timed_steps) {
        timed.push_back(*run.seconds_at_timed_steps);
        timed_return.push_back(run.return_at_timed_steps);
      }
      if (run.seconds_to_target) {
        to_target.push_back(*run.seconds_to_target);
        ++reached;
      }
    }
    summary.push_back({{"case", c.name},
                       {"runs", o.runs},
                       {"threads", o.threads},
                       {"median_wall_s", median(wall)},
                       {"median_steps_per_s", static_cast<double>(c.steps) / median(wall)},
                       {"timed_steps", c.timed_steps > 0 ? c.timed_steps : c.steps},
                       {"median_wall_s_at_timed_steps", timed.empty() ? Json() : Json(median(timed))},
                       {"median_return_at_timed_steps", timed_return.empty() ? Json() : Json(median(timed_return))},
                       {"runs_reaching_target", reached},
                       {"median_time_to_target_s", to_target.empty() ? Json() : Json(median(to_target))},
                       {"median_final_return", median(final_return)},
                       {"median_greedy_return", greedy_return.empty() ? Json() : Json(median(greedy_return))}});
  }
  std::cout << Json{{"summary", summary}}.dump(2) << std::endl;
  return 0;
}

}  // namespace rlpp::bench
