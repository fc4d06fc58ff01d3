#pragma once
// Episode: what a rollout worker knows about one running episode (the subset of RLlib's
// MultiAgentEpisode that callbacks and metrics use), single- and multi-agent alike. The worker
// fills it; callbacks read it and write custom_metrics, user_data, hist_data and media; when the
// episode ends it becomes a RolloutMetrics (metrics.hpp).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rlpp/core/json.hpp"
#include "rlpp/envs/multi_agent_env.hpp"

namespace rlpp {

// The agent id of a single-agent env's one agent (RLlib's _DUMMY_AGENT_ID).
inline constexpr std::string_view dummy_agent_id = "agent0";

// (agent id, policy id): the key of Episode::agent_rewards, as in RLlib.
using AgentPolicyKey = std::pair<AgentId, std::string>;

// Orders (agent id, policy id) pairs lexicographically and lets them be looked up by a pair of
// string_views, so adding a step's reward to an existing entry allocates nothing.
struct AgentPolicyLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const noexcept {
    const std::string_view a1 = a.first, b1 = b.first;
    if (a1 != b1) return a1 < b1;
    return std::string_view(a.second) < std::string_view(b.second);
  }
};

// Summed reward per (agent id, policy id).
using AgentRewards = std::map<AgentPolicyKey, double, AgentPolicyLess>;

// What a multi-agent episode keeps per agent (the latest step of that agent).
struct EpisodeAgent {
  std::string policy_id;  // what the policy mapping fn returned for it in this episode
  std::int64_t agent_index = 0;  // order of first appearance in the episode (the agent_index column)
  std::vector<float> last_raw_observation;  // as the env returned it (flat)
  std::vector<float> last_observation;      // preprocessed and filtered, as the policy sees it
  std::vector<float> last_action;           // as sent to the env
  double last_reward = 0.0;                 // unclipped, of the last env step
};

struct Episode {
  std::int64_t episode_id = 0;  // unique per worker and episode; the eps_id column
  std::size_t env_index = 0;    // the sub-env of the vector env it runs in
  std::int64_t length = 0;      // env steps so far
  double total_reward = 0.0;    // summed over all agents
  AgentRewards agent_rewards;   // summed per (agent, policy)
  // Scalars reported as <name>_mean/_min/_max in the result's custom_metrics.
  std::map<std::string, double, std::less<>> custom_metrics;
  // Lists appended to the result's hist_stats[<name>].
  std::map<std::string, std::vector<double>, std::less<>> hist_data;
  Json user_data = Json::object();  // scratch space for callbacks; never reported
  Json media = Json::object();      // {name: value}, collected into the result's episode_media

  // The single-agent episode's latest step, kept by the worker (buffers reused, no allocation
  // per step): the observation as the env returned it, as the policy saw it (preprocessed and
  // filtered), the action sent to the env and the reward (unclipped).
  std::vector<float> last_raw_observation;
  std::vector<float> last_observation;
  std::vector<float> last_action;
  double last_reward = 0.0;
  std::span<const float> last_observation_for() const noexcept { return last_observation; }
  std::span<const float> last_raw_obs_for() const noexcept { return last_raw_observation; }
  std::span<const float> last_action_for() const noexcept { return last_action; }

  // Multi-agent episodes: every agent seen so far, in order of appearance (single-agent: empty).
  AgentDict<EpisodeAgent> agents;
  // The latest step of `agent` (an EnvError naming the agents present if it has not appeared).
  std::span<const float> last_observation_for(std::string_view agent) const { return agents.at(agent).last_observation; }
  std::span<const float> last_raw_obs_for(std::string_view agent) const { return agents.at(agent).last_raw_observation; }
  std::span<const float> last_action_for(std::string_view agent) const { return agents.at(agent).last_action; }
  double last_reward_for(std::string_view agent) const { return agents.at(agent).last_reward; }
  const std::string& policy_for(std::string_view agent) const { return agents.at(agent).policy_id; }
  std::vector<AgentId> agent_ids() const { return agents.keys(); }

  // Adds one step's reward of `agent` acting for `policy_id` to agent_rewards and total_reward
  // (RLlib's _add_agent_rewards for one agent).
  void add_agent_reward(std::string_view agent, std::string_view policy_id, double reward) {
    total_reward += reward;
    const auto it = agent_rewards.find(std::pair<std::string_view, std::string_view>(agent, policy_id));
    if (it != agent_rewards.end()) {
      it->second += reward;
    } else {
      agent_rewards.emplace(AgentPolicyKey(AgentId(agent), std::string(policy_id)), reward);
    }
  }
};

}  // namespace rlpp
