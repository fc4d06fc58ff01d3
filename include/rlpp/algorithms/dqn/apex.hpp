#pragma once
// Ape-X DQN (Horgan et al. 2018; RLlib's rllib/agents/dqn/apex.py, Ray 1.x): DQN with many
// rollout workers exploring at fixed per-worker epsilons (PerWorkerEpsilonGreedy), one learner,
// and a replay buffer split into shards. rlpp runs the workers on TBB threads in one process;
// the plan is RLlib's with the learner thread folded into the replay branch, so a run is
// deterministic for a seed:
//   store_op  = ParallelRollouts(async) | StoreToReplayBuffer(shards)
//               | UpdateWorkerWeights(optimizer.max_weight_sync_delay)
//   replay_op = Replay(shards) | TrainOneStep(no broadcast) | UpdatePriorities
//               | UpdateTargetNetwork(target_network_update_freq, by_steps_trained)
//   Concurrently(round robin: [1, 1], or calculate_rr_weights with training_intensity)
//   | StandardMetricsReporting(the last third of the workers: the lowest epsilons)
//
//   rlpp::apex::Trainer trainer(rlpp::apex::tuned::cartpole_apex());

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "rlpp/algorithms/dqn/dqn.hpp"
#include "rlpp/algorithms/off_policy/off_policy.hpp"
#include "rlpp/execution/concurrency_ops.hpp"
#include "rlpp/execution/metric_ops.hpp"
#include "rlpp/execution/replay_ops.hpp"
#include "rlpp/execution/rollout_ops.hpp"
#include "rlpp/execution/train_ops.hpp"
#include "rlpp/trainer/trainer.hpp"

namespace rlpp::apex {

// DQN's config with RLlib's Ape-X overrides (reference 2.4), except worker_side_prioritization
// (false: priorities are computed by the learner from its TD errors, see off_policy::validate)
// and num_gpus (rlpp trains on the CPU).
struct Config {
  static Json defaults() {
    Json d = dqn::Config::defaults();
    const Json own{{"optimizer", {{"max_weight_sync_delay", 400}, {"num_replay_buffer_shards", 4}, {"debug", false}}},
                   {"n_step", 3},
                   {"num_workers", 32},
                   {"buffer_size", 2000000},
                   {"learning_starts", 50000},
                   {"train_batch_size", 512},
                   {"rollout_fragment_length", 50},
                   {"target_network_update_freq", 500000},
                   {"timesteps_per_iteration", 25000},
                   {"exploration_config", {{"type", "PerWorkerEpsilonGreedy"}}},
                   {"worker_side_prioritization", false},
                   {"min_iter_time_s", 30},
                   {"training_intensity", nullptr}};
    for (const auto& [k, v] : own.items()) d[k] = v;
    return d;
  }
};

// DQN's validation, plus the Ape-X options under "optimizer".
struct Validate {
  void operator()(Json& json) const {
    dqn::Validate{}(json);
    const rlpp::Config c(json);
    const rlpp::Config opt = c.sub("optimizer");
    (void)opt.positive_int("max_weight_sync_delay");
    (void)opt.positive_int("num_replay_buffer_shards");
    if (opt.contains("debug")) (void)opt.get<bool>("debug");
  }
};

// RLlib reports the episodes of the last third of the remote workers (rounded up): those with
// the smallest epsilons, whose returns show what the greedy policy does.
inline std::vector<std::size_t> reporting_workers(std::size_t num_remote_workers) {
  std::vector<std::size_t> out;
  const std::size_t count = (num_remote_workers + 2) / 3;
  for (std::size_t i = num_remote_workers - count; i < num_remote_workers; ++i) out.push_back(i);
  return out;
}

struct Plan {
  auto operator()(PlanContext& ctx) const {
    const rlpp::Config& c = ctx.config;
    auto shards = std::make_shared<MultiAgentReplayBuffer>(ReplayConfig::from_config(c), off_policy::replay_seed(c));
    auto store_op = ParallelRollouts<RolloutMode::async>(ctx) | StoreToReplayBuffer(*shards) |
                    UpdateWorkerWeights(ctx, c.sub("optimizer").positive_int("max_weight_sync_delay"));
    auto replay_op = Replay(ctx, *shards) | TrainOneStep(ctx, WeightSync::none) | UpdatePriorities(ctx, shards) |
                     UpdateTargetNetwork(ctx, c.non_negative_int("target_network_update_freq"), /*by_steps_trained=*/true);
    const std::size_t remote = ctx.workers.num_remote_workers();
    std::optional<std::vector<std::size_t>> selected;
    if (remote > 0) selected = reporting_workers(remote);
    return Concurrently({.mode = ConcurrencyMode::round_robin,
                         .output_indexes = {1},
                         .round_robin_weights = off_policy::calculate_rr_weights(c)},
                        std::move(store_op), std::move(replay_op)) |
           StandardMetricsReporting(ctx, std::move(selected));
  }
};

using Trainer = build_trainer<"APEX", default_config<Config>, default_policy<dqn::Policy>, execution_plan<Plan>,
                              validate_config<Validate>>;

namespace tuned {
// RLlib's cartpole-apex.yaml (reference 1.2): CartPole (v1 here), num_workers 3, 2 replay shards,
// target_network_update_freq 500, learning_starts 1000, timesteps_per_iteration 1000,
// buffer_size 20000, training_intensity 16, seed 42; min_iter_time_s 0 instead of 5 (it only
// delays reporting: what is learned does not depend on it).
inline Json cartpole_apex() {
  return Json{{"env", "CartPole-v1"},
              {"num_workers", 3},
              {"optimizer", {{"num_replay_buffer_shards", 2}}},
              {"num_gpus", 0},
              {"min_iter_time_s", 0},
              {"target_network_update_freq", 500},
              {"learning_starts", 1000},
              {"timesteps_per_iteration", 1000},
              {"buffer_size", 20000},
              {"seed", 42},
              {"training_intensity", 16}};
}
}  // namespace tuned

}  // namespace rlpp::apex
