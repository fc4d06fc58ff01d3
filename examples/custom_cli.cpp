// A user's own `rlpp`: register an env and an algorithm of your own, then reuse the whole command
// line (train, rollout, envs, algorithms, experiment files). Here the env is a corridor the agent
// must walk to the right, the algorithm is PG with a smaller learning-rate default.
//
//   ./custom_cli train --run CorridorPG --env Corridor-v0 --stop '{"episode_reward_mean": 0.5}'
//
// Without arguments it runs exactly that (into a temporary results directory), so the example
// checks itself when the test suite runs it.
#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <rlpp/algorithms/pg/pg.hpp>
#include <rlpp/cli/cli.hpp>
#include <rlpp/spaces/box.hpp>
#include <rlpp/spaces/discrete.hpp>

// Start at 0, move left (0) or right (1); reward 1 on reaching position 5, -0.01 per step.
struct Corridor {
  int position = 0;
  rlpp::Box observation_space() const { return rlpp::Box(0.0, 5.0, {1}); }
  rlpp::Discrete action_space() const { return rlpp::Discrete(2); }
  std::array<float, 1> reset(rlpp::Seed) {
    position = 0;
    return {0.0f};
  }
  rlpp::Step<std::array<float, 1>> step(std::int64_t action) {
    position = std::max(0, position + (action == 1 ? 1 : -1));
    const bool done = position == 5;
    return {.observation = {static_cast<float>(position)}, .reward = done ? 1.0 : -0.01, .terminated = done};
  }
};

struct CorridorConfig {
  static rlpp::Json defaults() { return {{"lr", 0.01}, {"horizon", 50}, {"num_workers", 0}}; }
};
using CorridorPG = rlpp::build_trainer<"CorridorPG", rlpp::default_config<CorridorConfig>,
                                       rlpp::default_policy<rlpp::pg::Policy>>;

int main(int argc, char** argv) {
  rlpp::register_env("Corridor-v0", [](const rlpp::EnvContext&) { return Corridor{}; });
  rlpp::register_trainer<CorridorPG>("CorridorPG");
  if (argc > 1) return rlpp::cli::main(argc, argv);
  const auto results = std::filesystem::temp_directory_path() / "rlpp_custom_cli_example";
  std::filesystem::remove_all(results);
  const std::vector<std::string> args{"train", "--run", "CorridorPG", "--env", "Corridor-v0",
                                      "--stop", R"({"episode_reward_mean": 0.5, "timesteps_total": 50000})",
                                      "--local-dir", results.string(), "--checkpoint-at-end"};
  const int status = rlpp::cli::run(args, std::cout, std::cerr);
  std::filesystem::remove_all(results);
  return status;
}
