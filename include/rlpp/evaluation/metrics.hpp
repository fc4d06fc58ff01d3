#pragma once
// Episode metrics (RLlib's rllib/evaluation/metrics.py): RolloutMetrics, what a worker reports per
// finished episode; summarize_episodes, which turns a list of them into the episode keys of the
// result dict (episode_reward_mean, policy_reward_mean, custom_metrics, hist_stats, ...); and
// EpisodeHistory, CollectMetrics' smoothing over the last metrics_smoothing_episodes episodes.
//
// RLlib reports NaN where there is nothing to average (no episode yet, a custom metric that was
// NaN in every episode); JSON has no NaN, so these values are JSON null here, in memory and on
// disk alike.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <span>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/data/multi_agent_batch.hpp"
#include "rlpp/evaluation/episode.hpp"

namespace rlpp {

// One finished episode (RLlib's RolloutMetrics namedtuple).
struct RolloutMetrics {
  std::int64_t episode_length = 0;
  double episode_reward = 0.0;
  AgentRewards agent_rewards;
  std::map<std::string, double, std::less<>> custom_metrics;
  // Sampler timings in ms (mean_env_wait_ms, mean_inference_ms, ...), averaged into sampler_perf.
  std::map<std::string, double, std::less<>> perf_stats;
  std::map<std::string, std::vector<double>, std::less<>> hist_data;
  Json media = Json::object();

  // What a worker reports for `episode` when it ends.
  static RolloutMetrics from_episode(const Episode& episode) {
    RolloutMetrics m;
    m.episode_length = episode.length;
    m.episode_reward = episode.total_reward;
    m.agent_rewards = episode.agent_rewards;
    m.custom_metrics = episode.custom_metrics;
    m.hist_data = episode.hist_data;
    m.media = episode.media;
    return m;
  }
};

namespace detail {
inline Json number_or_null(double value) { return std::isnan(value) ? Json(nullptr) : Json(value); }

inline double mean_of(const std::vector<double>& values) {
  if (values.empty()) return std::nan("");
  double sum = 0.0;
  for (double v : values) sum += v;  // in order: the same episodes give the same bits
  return sum / static_cast<double>(values.size());
}

inline Json summarize(std::span<const RolloutMetrics* const> episodes, std::size_t episodes_this_iter,
                      bool keep_custom_metrics) {
  std::vector<double> episode_rewards;
  std::vector<double> episode_lengths;
  std::map<std::string, std::vector<double>> policy_rewards;
  std::map<std::string, std::vector<double>> custom_metrics;
  std::map<std::string, std::vector<double>> perf_stats;
  std::map<std::string, std::vector<double>> hist_stats;
  Json episode_media = Json::object();

  for (const RolloutMetrics* episode : episodes) {
    episode_lengths.push_back(static_cast<double>(episode->episode_length));
    episode_rewards.push_back(episode->episode_reward);
    for (const auto& [name, value] : episode->custom_metrics) custom_metrics[name].push_back(value);
    for (const auto& [name, value] : episode->perf_stats) perf_stats[name].push_back(value);
    for (const auto& [key, reward] : episode->agent_rewards)
      if (key.second != default_policy_id) policy_rewards[key.second].push_back(reward);
    for (const auto& [name, values] : episode->hist_data) {
      auto& list = hist_stats[name];
      list.insert(list.end(), values.begin(), values.end());
    }
    if (episode->media.is_object())
      for (const auto& item : episode->media.items()) episode_media[item.key()].push_back(item.value());
  }

  Json result = Json::object();
  if (episode_rewards.empty()) {
    result["episode_reward_max"] = nullptr;
    result["episode_reward_min"] = nullptr;
    result["episode_reward_mean"] = nullptr;
    result["episode_len_mean"] = nullptr;
  } else {
    result["episode_reward_max"] = number_or_null(*std::max_element(episode_rewards.begin(), episode_rewards.end()));
    result["episode_reward_min"] = number_or_null(*std::min_element(episode_rewards.begin(), episode_rewards.end()));
    result["episode_reward_mean"] = number_or_null(mean_of(episode_rewards));
    result["episode_len_mean"] = mean_of(episode_lengths);
  }
  result["episode_media"] = std::move(episode_media);
  result["episodes_this_iter"] = episodes_this_iter;

  Json policy_min = Json::object(), policy_mean = Json::object(), policy_max = Json::object();
  for (const auto& [policy_id, rewards] : policy_rewards) {
    policy_min[policy_id] = *std::min_element(rewards.begin(), rewards.end());
    policy_mean[policy_id] = number_or_null(mean_of(rewards));
    policy_max[policy_id] = *std::max_element(rewards.begin(), rewards.end());
  }
  result["policy_reward_min"] = std::move(policy_min);
  result["policy_reward_max"] = std::move(policy_max);
  result["policy_reward_mean"] = std::move(policy_mean);

  Json custom = Json::object();
  for (auto& [name, values] : custom_metrics) {
    std::erase_if(values, [](double v) { return std::isnan(v); });
    if (keep_custom_metrics) {
      custom[name] = values;
      continue;
    }
    custom[name + "_mean"] = number_or_null(mean_of(values));
    if (values.empty()) {
      custom[name + "_min"] = nullptr;
      custom[name + "_max"] = nullptr;
    } else {
      custom[name + "_min"] = *std::min_element(values.begin(), values.end());
      custom[name + "_max"] = *std::max_element(values.begin(), values.end());
    }
  }
  result["custom_metrics"] = std::move(custom);

  Json hist = Json::object();
  for (auto& [name, values] : hist_stats) hist[name] = std::move(values);
  hist["episode_reward"] = std::move(episode_rewards);
  Json lengths = Json::array();
  for (const RolloutMetrics* episode : episodes) lengths.push_back(episode->episode_length);
  hist["episode_lengths"] = std::move(lengths);
  for (const auto& [policy_id, rewards] : policy_rewards) hist["policy_" + policy_id + "_reward"] = rewards;
  result["hist_stats"] = std::move(hist);

  Json sampler_perf = Json::object();
  for (const auto& [name, values] : perf_stats) sampler_perf[name] = number_or_null(mean_of(values));
  result["sampler_perf"] = std::move(sampler_perf);
  result["off_policy_estimator"] = Json::object();
  return result;
}
}  // namespace detail

// The episode keys of a result dict over `episodes`, with episodes_this_iter = new_episodes.size()
// (RLlib's summarize_episodes(episodes, new_episodes, keep_custom_metrics)):
//   episode_reward_max/_min/_mean, episode_len_mean   null when `episodes` is empty
//   episodes_this_iter                                 new_episodes.size()
//   policy_reward_min/_max/_mean                       {policy_id: value}, policies other than
//                                                      default_policy
//   custom_metrics                                     <k>_mean/_min/_max over the episodes whose
//                                                      value of k is not NaN (null if none is);
//                                                      with keep_custom_metrics, <k>: [values]
//   hist_stats                                         episode_reward, episode_lengths,
//                                                      policy_<pid>_reward lists, and each
//                                                      hist_data key's lists concatenated
//   episode_media                                      {name: [value per episode that has it]}
//   sampler_perf                                       mean of each perf_stats key
//   off_policy_estimator                               {} (no estimators yet)
inline Json summarize_episodes(std::span<const RolloutMetrics> episodes, std::span<const RolloutMetrics> new_episodes,
                               bool keep_custom_metrics = false) {
  std::vector<const RolloutMetrics*> pointers;
  pointers.reserve(episodes.size());
  for (const RolloutMetrics& e : episodes) pointers.push_back(&e);
  return detail::summarize(pointers, new_episodes.size(), keep_custom_metrics);
}
// All of `episodes` are new (RLlib's new_episodes=None).
inline Json summarize_episodes(std::span<const RolloutMetrics> episodes, bool keep_custom_metrics = false) {
  return summarize_episodes(episodes, episodes, keep_custom_metrics);
}

// RLlib's CollectMetrics smoothing: keeps the last `min_history` (metrics_smoothing_episodes)
// finished episodes. Each iteration's summary covers the new episodes, padded with the most
// recent history episodes up to min_history in all (all new episodes are used even if there are
// more); episodes_this_iter counts only the new ones.
class EpisodeHistory {
 public:
  explicit EpisodeHistory(std::size_t min_history = 100) : min_history_(min_history) {}

  // min_history from config["metrics_smoothing_episodes"] (100 when absent or null).
  static EpisodeHistory from_config(const Config& config) {
    constexpr std::string_view key = "metrics_smoothing_episodes";
    if (!config.contains(key) || config.json()[key].is_null()) return EpisodeHistory(100);
    return EpisodeHistory(static_cast<std::size_t>(config.non_negative_int(key)));
  }

  std::size_t min_history() const noexcept { return min_history_; }
  // The episodes kept, oldest first (at most min_history).
  const std::deque<RolloutMetrics>& history() const noexcept { return history_; }
  void clear() noexcept { history_.clear(); }

  // The summary of this iteration's `new_episodes` (see above); they then join the history.
  Json summarize(std::vector<RolloutMetrics> new_episodes, bool keep_custom_metrics = false) {
    const std::size_t missing = min_history_ > new_episodes.size() ? min_history_ - new_episodes.size() : 0;
    const std::size_t from_history = std::min(missing, history_.size());
    std::vector<const RolloutMetrics*> window;
    window.reserve(from_history + new_episodes.size());
    for (std::size_t i = history_.size() - from_history; i < history_.size(); ++i) window.push_back(&history_[i]);
    for (const RolloutMetrics& e : new_episodes) window.push_back(&e);
    Json result = detail::summarize(window, new_episodes.size(), keep_custom_metrics);

    for (RolloutMetrics& e : new_episodes) history_.push_back(std::move(e));
    while (history_.size() > min_history_) history_.pop_front();
    return result;
  }

 private:
  std::size_t min_history_;
  std::deque<RolloutMetrics> history_;
};

}  // namespace rlpp
