#pragma once
// WorkerSet (RLlib's): a local RolloutWorker (the one learning happens on) and num_workers
// rollout workers that sample in parallel on TBB, each with its own envs and policy copy.
// Worker w's envs and exploration draw from streams keyed by (seed, w, ...), and results are
// gathered in worker order, so the same seed gives bit-identical batches for any thread count.

#include <cstddef>
#include <functional>
#include <memory>
#include <algorithm>
#include <span>
#include <type_traits>
#include <string>
#include <utility>
#include <vector>

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/envs/registry.hpp"
#include "rlpp/evaluation/policy_map.hpp"
#include "rlpp/evaluation/rollout_worker.hpp"
#include "rlpp/policy/any_policy.hpp"

namespace rlpp {

// Where a WorkerSet's envs come from: a single-agent creator (RolloutWorker::EnvCreator, or
// any callable returning AnyEnv) or a multi-agent one (returning AnyMultiAgentEnv);
// env_source(name) picks by the global env registry.
class EnvSource {
 public:
  EnvSource(RolloutWorker::EnvCreator creator) : single_(std::move(creator)) {}
  EnvSource(RolloutWorker::MultiAgentEnvCreator creator) : multi_(std::move(creator)) {}
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, EnvSource> &&
             !std::is_same_v<std::remove_cvref_t<F>, RolloutWorker::EnvCreator> &&
             !std::is_same_v<std::remove_cvref_t<F>, RolloutWorker::MultiAgentEnvCreator> &&
             std::is_invocable_v<F&, const EnvContext&>)
  EnvSource(F creator) {
    using Made = std::remove_cvref_t<std::invoke_result_t<F&, const EnvContext&>>;
    if constexpr (std::is_same_v<Made, AnyMultiAgentEnv>) {
      multi_ = std::move(creator);
    } else if constexpr (std::is_same_v<Made, AnyEnv>) {
      single_ = std::move(creator);
    } else if constexpr (multi_agent_environment<Made>) {
      multi_ = [creator = std::move(creator)](const EnvContext& ctx) { return AnyMultiAgentEnv(creator(ctx)); };
    } else {
      single_ = [creator = std::move(creator)](const EnvContext& ctx) { return AnyEnv(creator(ctx)); };
    }
  }

  bool is_multi_agent() const noexcept { return static_cast<bool>(multi_); }
  const RolloutWorker::EnvCreator& single_agent() const noexcept { return single_; }
  const RolloutWorker::MultiAgentEnvCreator& multi_agent() const noexcept { return multi_; }

 private:
  RolloutWorker::EnvCreator single_;
  RolloutWorker::MultiAgentEnvCreator multi_;
};

// The registered env `name` as an EnvSource (multi-agent if it was registered as one).
inline EnvSource env_source(const std::string& name) {
  if (global_env_registry().is_multi_agent(name))
    return RolloutWorker::MultiAgentEnvCreator(
        [name](const EnvContext& context) { return make_multi_agent_env(name, context); });
  return RolloutWorker::EnvCreator([name](const EnvContext& context) { return make_env(name, context); });
}

class WorkerSet {
 public:
  // num_workers rollout workers besides the local one (config "num_workers", RLlib's default 2;
  // 0: the local worker samples). `num_threads`: TBB threads for parallel sampling (0: all).
  // A multi-agent env source gets a policy map from `multiagent` and config["multiagent"]
  // (policy_map.hpp); `default_policy` builds the policies whose spec has no factory.
  WorkerSet(EnvSource env, PolicyFactory default_policy, const Json& config,
            std::shared_ptr<DefaultCallbacks> callbacks = nullptr, int num_threads = 0, MultiAgentSpec multiagent = {})
      : arena_(num_threads > 0 ? num_threads : tbb::task_arena::automatic) {
    const Config c(config);
    const int num_workers = c.contains("num_workers") ? static_cast<int>(c.non_negative_int("num_workers")) : 2;
    if (env.is_multi_agent()) {
      const auto make_worker = [&](int index) {
        return std::make_unique<RolloutWorker>(env.multi_agent(), default_policy, config, multiagent, index, num_workers,
                                               callbacks);
      };
      local_ = make_worker(0);
      for (int w = 1; w <= num_workers; ++w) remote_.push_back(make_worker(w));
      return;
    }
    if (!multiagent.policies.empty() || multiagent.policy_mapping_fn)
      throw ConfigError("WorkerSet", "a policy map was given for a single-agent env",
                        "use a multi-agent env (an EnvSource from a creator returning AnyMultiAgentEnv)");
    if (!default_policy) throw ConfigError("WorkerSet", "no policy factory given");
    const EnvContext probe_context{c.contains("env_config") ? c.json()["env_config"] : Json::object(), 0, 0, num_workers, false};
    AnyEnv probe = env.single_agent()(probe_context);
    const Space obs_space = probe.observation_space();
    const Space act_space = probe.action_space();
    const auto make_worker = [&](int index) {
      PolicyContext context{index, num_workers, default_policy_id};
      return std::make_unique<RolloutWorker>(env.single_agent(), default_policy(obs_space, act_space, config, context),
                                             config, index, num_workers, callbacks);
    };
    local_ = make_worker(0);
    for (int w = 1; w <= num_workers; ++w) remote_.push_back(make_worker(w));
  }

  RolloutWorker& local_worker() noexcept { return *local_; }
  std::size_t num_remote_workers() const noexcept { return remote_.size(); }
  RolloutWorker& remote_worker(std::size_t i) { return *remote_.at(i); }

  // The local worker's weights (and the global timestep) to every rollout worker.
  void sync_weights(std::optional<std::int64_t> global_timestep = std::nullopt) {
    if (remote_.empty()) {
      if (global_timestep) local_->set_global_vars(*global_timestep);
      return;
    }
    const auto weights = local_->get_policy_weights();
    for (auto& w : remote_) {
      w->set_policy_weights(weights);
      if (global_timestep) w->set_global_vars(*global_timestep);
    }
    if (global_timestep) local_->set_global_vars(*global_timestep);
  }

  // RLlib's synchronize_filters: the local filter absorbs each rollout worker's new data (in
  // worker order), then every rollout worker gets a copy of it.
  // Multi-agent: each policy's filters.
  void sync_filters() {
    if (remote_.empty()) return;
    for (const std::string& id : local_->policy_ids()) {
      std::vector<ObservationFilter*> remotes;
      for (auto& w : remote_) remotes.push_back(&w->filter(id));
      synchronize_filters(local_->filter(id), std::span<ObservationFilter* const>(remotes));
    }
  }

  // One sample() from every rollout worker in parallel (or from the local worker when there are
  // none), in worker order.
  std::vector<SampleBatch> sample() {
    if (remote_.empty()) return {local_->sample()};
    std::vector<SampleBatch> batches(remote_.size());
    arena_.execute([&] {
      tbb::parallel_for(std::size_t{0}, remote_.size(), [&](std::size_t i) { batches[i] = remote_[i]->sample(); });
    });
    return batches;
  }

  // sample_multi_agent() from every rollout worker in parallel (or the local worker), in order.
  std::vector<MultiAgentBatch> sample_multi_agent() {
    if (remote_.empty()) return {local_->sample_multi_agent()};
    std::vector<MultiAgentBatch> batches(remote_.size());
    foreach_remote_worker_parallel([&](RolloutWorker& w, std::size_t i) { batches[i] = w.sample_multi_agent(); });
    return batches;
  }

  // The local worker's weights (and the global timestep) to rollout worker `remote_index` only
  // (A3C's ApplyGradients(update_all=false)).
  void sync_weights_to(std::size_t remote_index, std::optional<std::int64_t> global_timestep = std::nullopt) {
    RolloutWorker& w = remote_worker(remote_index);
    w.set_policy_weights(local_->get_policy_weights());
    if (global_timestep) w.set_global_vars(*global_timestep);
  }

  // f(worker, i) on every rollout worker i at once on the set's TBB arena; returns when all did.
  template <class F>
  void foreach_remote_worker_parallel(F&& f) {
    arena_.execute([&] {
      tbb::parallel_for(std::size_t{0}, remote_.size(), [&](std::size_t i) { f(*remote_[i], i); });
    });
  }

  // Calls f(worker) on the local worker, then every rollout worker, in order.
  template <class F>
  void foreach_worker(F&& f) {
    f(*local_);
    for (auto& w : remote_) f(*w);
  }

  // Finished episodes' metrics of the remote workers `remote_indexes` only (Ape-X reports its
  // lowest-epsilon workers); the others' are drained and dropped, so none pile up.
  std::vector<RolloutMetrics> collect_metrics(std::span<const std::size_t> remote_indexes) {
    std::vector<RolloutMetrics> selected;
    (void)local_->get_metrics();
    for (std::size_t i = 0; i < remote_.size(); ++i) {
      auto m = remote_[i]->get_metrics();
      if (std::find(remote_indexes.begin(), remote_indexes.end(), i) != remote_indexes.end())
        selected.insert(selected.end(), std::make_move_iterator(m.begin()), std::make_move_iterator(m.end()));
    }
    return selected;
  }

  // Finished episodes' metrics from every sampling worker (RLlib's collect_metrics input).
  std::vector<RolloutMetrics> collect_metrics() {
    std::vector<RolloutMetrics> all;
    foreach_worker([&](RolloutWorker& w) {
      auto m = w.get_metrics();
      all.insert(all.end(), std::make_move_iterator(m.begin()), std::make_move_iterator(m.end()));
    });
    return all;
  }

  // Every worker's state (RolloutWorker::get_state): {"local": state, "remote": [state, ...]},
  // for trainer checkpoints; set_state needs a set with as many rollout workers.
  Json get_state() const {
    Json remote = Json::array();
    for (const auto& w : remote_) remote.push_back(w->get_state());
    return Json{{"local", local_->get_state()}, {"remote", std::move(remote)}};
  }
  void set_state(const Json& state) {
    if (!state.is_object() || !state.contains("local"))
      throw CheckpointError("WorkerSet::set_state", "expected {\"local\": ..., \"remote\": [...]}",
                            "pass what WorkerSet::get_state() returned");
    const Json& remote = state.contains("remote") ? state["remote"] : Json::array();
    if (remote.size() != remote_.size())
      throw CheckpointError("WorkerSet::set_state",
                            "the state has " + std::to_string(remote.size()) + " rollout workers, this set " +
                                std::to_string(remote_.size()),
                            "restore into a WorkerSet with the same num_workers");
    local_->set_state(state["local"]);
    for (std::size_t i = 0; i < remote_.size(); ++i) remote_[i]->set_state(remote[i]);
  }

 private:
  tbb::task_arena arena_;
  std::unique_ptr<RolloutWorker> local_;
  std::vector<std::unique_ptr<RolloutWorker>> remote_;
};

// An env creator from the global registry's name ("CartPole-v1").
inline RolloutWorker::EnvCreator env_creator(const std::string& name) {
  return [name](const EnvContext& context) { return make_env(name, context); };
}

}  // namespace rlpp
