#pragma once
// TrainerInterface: what the CLI, the trial runner and the trainer registry need from any trainer,
// behind one virtual interface (one call per training iteration, so the cost is nothing). Code
// that knows its trainer type uses the type directly (build_trainer's Trainer implements this).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/core/json.hpp"
#include "rlpp/data/multi_agent_batch.hpp"
#include "rlpp/nn/parameters.hpp"

namespace rlpp {

class WorkerSet;

// compute_single_action's answer: the action as the env takes it (flat; Box actions unsquashed or
// clipped as the worker does), and the recurrent state to pass on the next call.
struct SingleAction {
  std::vector<float> action;
  std::vector<nn::Matrix> state_out;
};

class TrainerInterface {
 public:
  virtual ~TrainerInterface() = default;

  // The algorithm's name ("PG"), as registered and as trial directories are named.
  virtual std::string_view name() const = 0;
  // The merged, validated config (COMMON_CONFIG < algorithm defaults < user config).
  virtual const Json& config() const = 0;
  // config["env"] (empty when the trainer was built from an env creator without a name).
  virtual std::string env_name() const = 0;

  // One training iteration: the result dict with RLlib's keys (training.md lists them).
  virtual Json train() = 0;
  // Iterations trained so far (0 before the first train(); restored by restore()).
  virtual std::int64_t iteration() const = 0;
  // evaluation_num_episodes episodes with evaluation_config applied: {"evaluation": {metrics}}.
  virtual Json evaluate() = 0;

  // Writes a checkpoint into `checkpoint_dir` (created; written atomically) and returns the
  // directory. restore() accepts that directory (or any file in it).
  virtual std::filesystem::path save(const std::filesystem::path& checkpoint_dir) = 0;
  virtual void restore(const std::filesystem::path& checkpoint) = 0;

  // One action for one raw env observation (flat, as the env returns it): preprocessed and
  // filtered like the workers' observations (the filter is not updated). explore: nullopt means
  // the config's "explore".
  virtual SingleAction compute_single_action(std::span<const float> observation, std::span<const nn::Matrix> state,
                                             std::optional<bool> explore, std::string_view policy_id) = 0;
  SingleAction compute_single_action(std::span<const float> observation, std::optional<bool> explore = std::nullopt) {
    return compute_single_action(observation, {}, explore, default_policy_id);
  }
  // The policy's initial recurrent state (empty for feed-forward policies).
  virtual std::vector<nn::Matrix> get_initial_state(std::string_view policy_id) = 0;

  virtual WorkerSet& workers() = 0;
};

}  // namespace rlpp
