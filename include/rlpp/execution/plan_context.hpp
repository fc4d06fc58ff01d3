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

// ---- checkpoint state -------------------------------------------------------------------------
inline void to_json(Json& j, const RolloutMetrics& m) {
  Json agents = Json::array();
  for (const auto& [key, reward] : m.agent_rewards) agents.push_back(Json::array({key.first, key.second, reward}));
  j = Json{{"episode_length", m.episode_length}, {"episode_reward", m.episode_reward},
           {"agent_rewards", std::move(agents)}, {"custom_metrics", m.custom_metrics},
           {"perf_stats", m.perf_stats}, {"hist_data", m.hist_data}, {"media", m.media}};
}
inline void from_json(const Json& j, RolloutMetrics& m) {
  m = RolloutMetrics{};
  m.episode_length = j.at("episode_length").get<std::int64_t>();
  m.episode_reward = j.at("episode_reward").get<double>();
  for (const Json& a : j.at("agent_rewards"))
    m.agent_rewards[AgentPolicyKey(a.at(0).get<std::string>(), a.at(1).get<std::string>())] = a.at(2).get<double>();
  for (const auto& [k, v] : j.at("custom_metrics").items()) m.custom_metrics[k] = v.get<double>();
  for (const auto& [k, v] : j.at("perf_stats").items()) m.perf_stats[k] = v.get<double>();
  for (const auto& [k, v] : j.at("hist_data").items()) m.hist_data[k] = v.get<std::vector<double>>();
  m.media = j.at("media");
}

inline Json MetricsContext::get_state() const {
  Json history = Json::array();
  for (const RolloutMetrics& m : episodes.history()) history.push_back(m);
  return Json{{"counters", counters}, {"info", info}, {"episode_history", std::move(history)}};
}
inline void MetricsContext::set_state(const Json& state) {
  try {
    counters.clear();
    for (const auto& [k, v] : state.at("counters").items()) counters[k] = v.get<std::int64_t>();
    info = state.at("info");
    std::vector<RolloutMetrics> history = state.at("episode_history").get<std::vector<RolloutMetrics>>();
    episodes.clear();
    (void)episodes.summarize(std::move(history));  // refills the history, oldest first
  } catch (const Json::exception& e) {
    throw CheckpointError("metrics state", std::string("is malformed: ") + e.what());
  }
}

}  // namespace rlpp
