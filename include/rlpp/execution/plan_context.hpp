#pragma once
// What every operator of an execution plan shares (RLlib's _get_shared_metrics()): the workers,
// the trainer's config, the callbacks, and the metrics context: counters (num_steps_sampled,
// num_steps_trained, num_target_updates, ...), timers (sample, learn, update, ...), the learner
// info per policy, the worker that produced the current item, and the finished-episode history
// metrics are smoothed over. Counters and the episode history are checkpointed.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/timer.hpp"
#include "rlpp/evaluation/callbacks.hpp"
#include "rlpp/evaluation/metrics.hpp"
#include "rlpp/evaluation/worker_set.hpp"

namespace rlpp {

// RLlib's counter names.
namespace counters {
inline constexpr std::string_view steps_sampled = "num_steps_sampled";
inline constexpr std::string_view agent_steps_sampled = "num_agent_steps_sampled";
inline constexpr std::string_view steps_trained = "num_steps_trained";
inline constexpr std::string_view agent_steps_trained = "num_agent_steps_trained";
inline constexpr std::string_view target_updates = "num_target_updates";
inline constexpr std::string_view weight_syncs = "num_weight_syncs";
inline constexpr std::string_view last_target_update_ts = "last_target_update_ts";
}  // namespace counters

// A timer with throughput: mean seconds per call and units (steps) per second.
struct PlanTimer {
  TimerStat<100> time;
  double units = 0.0;
  void push(double seconds, double processed_units = 0.0) {
    time.push(seconds);
    units += processed_units;
  }
  double throughput() const { return time.total() > 0.0 ? units / time.total() : 0.0; }
};

struct MetricsContext {
  std::map<std::string, std::int64_t, std::less<>> counters;
  std::map<std::string, PlanTimer, std::less<>> timers;
  // info["learner"][policy_id] = that policy's last learn_on_batch result.
  Json info = Json::object();
  // The rollout worker (0-based remote index) that produced the item being processed; -1: the
  // local worker. ApplyGradients(update_all=false) syncs weights to it.
  int current_actor = -1;
  EpisodeHistory episodes;

  std::int64_t& counter(std::string_view name) {
    auto it = counters.find(name);
    if (it == counters.end()) it = counters.emplace(std::string(name), 0).first;
    return it->second;
  }
  std::int64_t counter_value(std::string_view name) const {
    auto it = counters.find(name);
    return it == counters.end() ? 0 : it->second;
  }
  PlanTimer& timer(std::string_view name) {
    auto it = timers.find(name);
    if (it == timers.end()) it = timers.emplace(std::string(name), PlanTimer{}).first;
    return it->second;
  }

  Json get_state() const;
  void set_state(const Json& state);
};

// Everything a plan's operators reach: built by the trainer, passed to the plan function.
struct PlanContext {
  WorkerSet& workers;
  Config config;
  DefaultCallbacks& callbacks;
  MetricsContext metrics;

  PlanContext(WorkerSet& w, Config c, DefaultCallbacks& cb)
      : workers(w), config(std::move(c)), callbacks(cb) {
    metrics.episodes = EpisodeHistory::from_config(config);
  }
  // The global timestep pushed to workers with weights (drives exploration and lr schedules).
  std::int64_t global_timestep() const { return metrics.counter_value(counters::steps_sampled); }
};

// ---- checkpoint state (finished episodes as the workers save theirs) ----
inline Json MetricsContext::get_state() const {
  Json history = Json::array();
  for (const RolloutMetrics& m : episodes.history()) history.push_back(detail::worker_state::metrics_json(m));
  return Json{{"counters", counters}, {"info", info}, {"episode_history", std::move(history)}};
}
inline void MetricsContext::set_state(const Json& state) {
  try {
    counters.clear();
    for (const auto& [k, v] : state.at("counters").items()) counters[k] = v.get<std::int64_t>();
    info = state.at("info");
    std::vector<RolloutMetrics> history;
    for (const Json& m : state.at("episode_history")) history.push_back(detail::worker_state::metrics_from_json(m));
    episodes.clear();
    (void)episodes.summarize(std::move(history));  // refills the history, oldest first
  } catch (const Json::exception& e) {
    throw CheckpointError("metrics state", std::string("is malformed: ") + e.what());
  } catch (const EnvError& e) {
    throw CheckpointError("metrics state", std::string("is malformed: ") + e.what());
  }
}

}  // namespace rlpp
