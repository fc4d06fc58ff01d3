#pragma once
// What the learning tests share: train until Tune's stop rule (reward threshold or timestep
// budget) and print one line per run.
#include <chrono>
#include <cstdint>
#include <cstdio>

#include <rlpp/core/json.hpp>

namespace rlpp::test {

struct LearningRun {
  bool reached = false;
  std::int64_t timesteps = 0;
  double seconds = 0.0;
  double reward = 0.0;
};

// Trains until episode_reward_mean >= threshold or `budget` steps are sampled. With
// use_evaluation, the reward judged is the evaluation's (the greedy policy's episodes, from a
// config with evaluation_interval), as rl-zoo scores its agents.
template <class TrainerType>
LearningRun train_until(const Json& config, double threshold, std::int64_t budget, bool use_evaluation = false) {
  const auto start = std::chrono::steady_clock::now();
  TrainerType trainer(config);
  LearningRun run;
  while (run.timesteps < budget) {
    const Json result = trainer.train();
    run.timesteps = result["timesteps_total"].get<std::int64_t>();
    const Json& scored = use_evaluation ? result.value("evaluation", Json::object()) : result;
    if (scored.contains("episode_reward_mean") && scored["episode_reward_mean"].is_number())
      run.reward = scored["episode_reward_mean"].get<double>();
    if (run.reward >= threshold) {
      run.reached = true;
      break;
    }
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

// `config` with `overrides`' keys replaced.
inline Json with(Json config, const Json& overrides) {
  for (const auto& [k, v] : overrides.items()) config[k] = v;
  return config;
}

inline void report(const char* algorithm, std::int64_t seed, double threshold, const LearningRun& run) {
  std::printf("%-22s seed %-3lld %s %.0f at %lld steps in %.2f s (reward %.1f)\n", algorithm,
              static_cast<long long>(seed), run.reached ? "reached" : "MISSED", threshold,
              static_cast<long long>(run.timesteps), run.seconds, run.reward);
}

}  // namespace rlpp::test
