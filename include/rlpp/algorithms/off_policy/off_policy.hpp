#pragma once
// The execution plan DQN, SimpleQ, SAC, DDPG and TD3 share (RLlib's GenericOffPolicyTrainer,
// rllib/agents/dqn/dqn.py), and the replay keys it reads:
//
//   store_op  = ParallelRollouts(bulk_sync) | StoreToReplayBuffer(buffer)
//   replay_op = Replay(buffer) | TrainOneStep | UpdatePriorities | UpdateTargetNetwork(freq)
//   Concurrently({store_op, replay_op}, round_robin, output_indexes {1},
//                weights calculate_rr_weights(config)) | StandardMetricsReporting
//
// The buffer is one (prioritized) replay buffer per policy (buffer_size, learning_starts,
// prioritized_replay_*, replay batches of train_batch_size rows); Replay yields nothing until
// learning_starts steps are stored, so the first iterations only sample.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/execution/concurrency_ops.hpp"
#include "rlpp/execution/metric_ops.hpp"
#include "rlpp/execution/plan_context.hpp"
#include "rlpp/execution/replay_ops.hpp"
#include "rlpp/execution/rollout_ops.hpp"
#include "rlpp/execution/train_ops.hpp"

namespace rlpp::off_policy {

// The keys the plan reads, with DQN's defaults (RLlib 1.x flat layout; reference 2.4). An
// algorithm's own defaults override them.
inline Json defaults() {
  return Json{{"timesteps_per_iteration", 1000},
              {"target_network_update_freq", 500},
              {"buffer_size", 50000},
              {"replay_buffer_config", nullptr},
              {"store_buffer_in_checkpoints", false},
              {"prioritized_replay", true},
              {"prioritized_replay_alpha", 0.6},
              {"prioritized_replay_beta", 0.4},
              {"final_prioritized_replay_beta", 0.4},
              {"prioritized_replay_beta_annealing_timesteps", 20000},
              {"prioritized_replay_eps", 1e-6},
              {"compress_observations", false},
              {"training_intensity", nullptr},
              {"learning_starts", 1000},
              {"worker_side_prioritization", false},
              {"min_iter_time_s", 1}};
}

// DQN's rule (RLlib's DQN validate_config): rollout_fragment_length := max(rollout_fragment_length,
// n_step), so that a whole n-step window fits in one fragment. SAC, DDPG and TD3 do not apply it
// (neither do RLlib's): their n-step sums are cut at fragment ends (adjust_nstep bootstraps such
// rows with the discount of the rewards they did sum), and they keep one train step per
// rollout_fragment_length sampled steps.
inline void fit_nstep_in_fragment(Json& json) {
  const rlpp::Config c(json);
  const std::int64_t n_step = c.positive_int("n_step");
  if (c.positive_int("rollout_fragment_length") < n_step) json["rollout_fragment_length"] = n_step;
}

// The checks RLlib's validate_config makes for every off-policy algorithm, plus the ranges its
// code assumes. n_step is read only when the config has it.
inline void validate(Json& json) {
  const rlpp::Config c(json);
  if (c.contains("n_step")) (void)c.positive_int("n_step");
  (void)c.positive_int("buffer_size");
  (void)c.non_negative_int("learning_starts");
  (void)c.non_negative_int("target_network_update_freq");
  (void)c.number_in("prioritized_replay_alpha", 0.0, 1e30);
  (void)c.number_in("prioritized_replay_beta", 0.0, 1e30);
  (void)c.number_in("final_prioritized_replay_beta", 0.0, 1e30);
  (void)c.number_in("prioritized_replay_beta_annealing_timesteps", 0.0, 1e30);
  if (!(c.number_in("prioritized_replay_eps", 0.0, 1e30) > 0.0))
    throw ConfigError(c.path_of("prioritized_replay_eps"), "must be > 0 (a zero TD error would get priority 0)");
  // RLlib: "grad_clip value must be > 0.0" (null: no clipping).
  if (c.contains("grad_clip") && !json["grad_clip"].is_null() && !(c.number_in("grad_clip", 0.0, 1e30) > 0.0))
    throw ConfigError(c.path_of("grad_clip"), "must be > 0 or null, got " + describe_json(json["grad_clip"]),
                      "use null for no clipping");
  if (!json["training_intensity"].is_null() && !(c.number_in("training_intensity", 0.0, 1e30) > 0.0))
    throw ConfigError(c.path_of("training_intensity"), "must be > 0 or null");
  if (c.get<bool>("worker_side_prioritization"))
    throw ConfigError(c.path_of("worker_side_prioritization"),
                      "worker-side prioritization is not implemented: priorities are set on the learner",
                      "set worker_side_prioritization to false");
  if (c.get<bool>("compress_observations"))
    throw ConfigError(c.path_of("compress_observations"), "observation compression is not implemented",
                      "set compress_observations to false (the buffer stores float rows)");
  (void)c.get<bool>("store_buffer_in_checkpoints");  // true: Replay saves the buffer with the plan's state
  if (c.get<bool>("prioritized_replay") && c.contains("replay_sequence_length") &&
      c.positive_int("replay_sequence_length") > 1)
    throw ConfigError(c.path_of("prioritized_replay"), "prioritized replay with replay_sequence_length > 1 is not supported");
}

// Round-robin weights of (store_op, replay_op) (RLlib's calculate_rr_weights): [1, 1] without
// training_intensity; else the replay op runs training_intensity / native_ratio times per
// stored fragment, native_ratio = train_batch_size / (rollout_fragment_length *
// num_envs_per_worker * max(num_workers, 1)) being the replayed-to-sampled steps ratio of one
// train step per fragment. rlpp's round robin counts whole pulls, so a fractional weight w >= 1
// is rounded, and w < 1 becomes round(1 / w) stores per train step.
inline std::vector<int> calculate_rr_weights(const rlpp::Config& c) {
  if (!c.contains("training_intensity") || c.value("training_intensity").is_null()) return {1, 1};
  const double sampled_per_fragment = static_cast<double>(c.positive_int("rollout_fragment_length")) *
                                      static_cast<double>(c.positive_int("num_envs_per_worker")) *
                                      static_cast<double>(std::max<std::int64_t>(1, c.non_negative_int("num_workers")));
  const double native_ratio = static_cast<double>(c.positive_int("train_batch_size")) / sampled_per_fragment;
  const double weight = c.number_in("training_intensity", 0.0, 1e30) / native_ratio;
  if (weight >= 1.0) return {1, static_cast<int>(std::lround(weight))};
  return {static_cast<int>(std::max(1L, std::lround(1.0 / weight))), 1};
}

// The seed the plan's replay sampling uses: the config's "seed", or 0.
inline std::uint64_t replay_seed(const rlpp::Config& c) {
  if (!c.contains("seed") || c.value("seed").is_null()) return 0;
  return static_cast<std::uint64_t>(c.get<std::int64_t>("seed"));
}

struct Plan {
  auto operator()(PlanContext& ctx) const {
    const rlpp::Config& c = ctx.config;
    auto buffer = std::make_shared<MultiAgentReplayBuffer>(ReplayConfig::from_config(c), replay_seed(c));
    auto store_op = ParallelRollouts(ctx) | StoreToReplayBuffer(*buffer);
    auto replay_op = Replay(ctx, *buffer) | TrainOneStep(ctx) | UpdatePriorities(ctx, buffer) |
                     UpdateTargetNetwork(ctx, c.non_negative_int("target_network_update_freq"));
    return Concurrently({.mode = ConcurrencyMode::round_robin,
                         .output_indexes = {1},
                         .round_robin_weights = calculate_rr_weights(c)},
                        std::move(store_op), std::move(replay_op)) |
           StandardMetricsReporting(ctx);
  }
};

}  // namespace rlpp::off_policy
