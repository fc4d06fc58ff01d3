#pragma once
// PerWorkerEpsilonGreedy (rllib/utils/exploration/per_worker_epsilon_greedy.py), Ape-X's
// exploration: every remote worker explores with its own constant epsilon, the local worker not
// at all, so the fleet covers a range of greediness. Without remote workers it is EpsilonGreedy.

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/exploration/epsilon_greedy.hpp"
#include "rlpp/exploration/exploration.hpp"

namespace rlpp {

class PerWorkerEpsilonGreedy : public EpsilonGreedy {
 public:
  static constexpr std::string_view type_name = "PerWorkerEpsilonGreedy";

  // The keys of EpsilonGreedy; they only matter without remote workers.
  static Json defaults() { return defaults_for(type_name); }

  explicit PerWorkerEpsilonGreedy(const ExplorationContext& context)
      : EpsilonGreedy(context, type_name, constant_epsilon(context)) {}

  // The constant epsilon of worker `worker_index` (0 = local, 1..num_workers = remote), or
  // nullopt without remote workers (then the configured schedule applies). Ape-X (Horgan et al.
  // 2018, p. 5): remote worker i = worker_index - 1 of N gets 0.4^(1 + 7 i / (N - 1)); for N = 1
  // RLlib divides by 1 instead of 0, so the single remote worker gets 0.4. The local worker gets
  // 0, so its (evaluation) rollouts are greedy.
  static std::optional<double> constant_epsilon(std::int64_t worker_index, std::int64_t num_workers) {
    if (num_workers == 0) return std::nullopt;
    if (worker_index == 0) return 0.0;
    const double i = static_cast<double>(worker_index - 1);
    const double spread = num_workers > 1 ? static_cast<double>(num_workers - 1) : 1.0;
    return std::pow(0.4, 1.0 + i / spread * 7.0);
  }

 private:
  static std::optional<double> constant_epsilon(const ExplorationContext& context) {
    if (context.num_workers < 0 || context.worker_index < 0 || context.worker_index > context.num_workers)
      throw ConfigError(context.exploration_config.path_of("type"),
                        "PerWorkerEpsilonGreedy needs 0 <= worker_index <= num_workers, got worker_index " +
                            std::to_string(context.worker_index) + " of " + std::to_string(context.num_workers) +
                            " remote workers");
    return constant_epsilon(context.worker_index, context.num_workers);
  }
};

static_assert(exploration_strategy<PerWorkerEpsilonGreedy>);

}  // namespace rlpp
