#pragma once
// Episode: what a rollout worker knows about one running episode (the subset of RLlib's
// MultiAgentEpisode that callbacks and metrics use), single- and multi-agent alike. The worker
// fills it; callbacks read it and write custom_metrics, user_data, hist_data and media; when the
// episode ends it becomes a RolloutMetrics (metrics.hpp). get_state()/set_state() carry a running
// episode through a worker checkpoint exactly (floats bit for bit; envs/state_json.hpp).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/envs/multi_agent_env.hpp"
#include "rlpp/envs/state_json.hpp"

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

  // ---- state, for worker checkpoints ----
  // Every field, floats exactly (inf and NaN included), agents in order of appearance. user_data
  // and media are kept as the JSON they are: exact through CBOR; through JSON text, as exact as
  // their numbers (a NaN there is written as null).
  Json get_state() const;
  // Restores what get_state() returned. CheckpointError naming the offending key on a malformed
  // value, this episode then unchanged.
  void set_state(const Json& state);
};

namespace detail::episode_state {
// Path parts for state_json::at_path, built by appending (GCC 12 warns falsely on "[" + ...,
// -Wstringop-overflow).
inline std::string key_path(std::string_view key) {
  std::string path(1, '.');
  path += key;
  return path;
}
inline std::string index_path(std::string_view key, std::size_t index) {
  std::string path(key);
  path += '[';
  path += std::to_string(index);
  path += ']';
  return path;
}

using NamedNumbers = std::map<std::string, double, std::less<>>;
using NamedLists = std::map<std::string, std::vector<double>, std::less<>>;

inline Json numbers_json(const NamedNumbers& values) {
  Json out = Json::object();
  for (const auto& [name, value] : values) out[name] = state_to_json(value);
  return out;
}
inline NamedNumbers numbers_from_json(const Json& json) {
  if (!json.is_object()) state_json::fail("expected an object of numbers, got " + state_json::describe(json));
  NamedNumbers out;
  for (const auto& [name, value] : json.items()) state_field(json, name, out[name]);
  return out;
}
inline Json lists_json(const NamedLists& values) {
  Json out = Json::object();
  for (const auto& [name, list] : values) out[name] = state_to_json(list);
  return out;
}
inline NamedLists lists_from_json(const Json& json) {
  if (!json.is_object()) state_json::fail("expected an object of number lists, got " + state_json::describe(json));
  NamedLists out;
  for (const auto& [name, list] : json.items()) state_field(json, name, out[name]);
  return out;
}
// [[agent id, policy id, reward], ...]
inline Json agent_rewards_json(const AgentRewards& rewards) {
  Json out = Json::array();
  for (const auto& [key, reward] : rewards) out.push_back(Json::array({key.first, key.second, state_to_json(reward)}));
  return out;
}
inline AgentRewards agent_rewards_from_json(const Json& json) {
  if (!json.is_array()) state_json::fail("expected [[agent id, policy id, reward], ...], got " + state_json::describe(json));
  AgentRewards out;
  for (std::size_t i = 0; i < json.size(); ++i) {
    state_json::at_path(index_path("", i), [&] {
      const Json& entry = json[i];
      if (!entry.is_array() || entry.size() != 3 || !entry[0].is_string() || !entry[1].is_string())
        state_json::fail("expected [agent id, policy id, reward], got " + state_json::describe(entry));
      double reward = 0.0;
      state_from_json(entry[2], reward);
      if (!out.emplace(AgentPolicyKey(entry[0].get<std::string>(), entry[1].get<std::string>()), reward).second)
        state_json::fail("repeats the key " + state_json::describe(Json::array({entry[0], entry[1]})));
    });
  }
  return out;
}
inline const Json& object_field(const Json& json, std::string_view key) {
  const auto found = json.find(key);
  if (found == json.end()) state_json::fail("missing key '" + std::string(key) + "'");
  return *found;
}

inline Json agent_json(const EpisodeAgent& agent) {
  return Json{{"policy_id", agent.policy_id},
              {"agent_index", agent.agent_index},
              {"last_raw_observation", state_to_json(agent.last_raw_observation)},
              {"last_observation", state_to_json(agent.last_observation)},
              {"last_action", state_to_json(agent.last_action)},
              {"last_reward", state_to_json(agent.last_reward)}};
}
inline EpisodeAgent agent_from_json(const Json& json) {
  state_keys(json, {"policy_id", "agent_index", "last_raw_observation", "last_observation", "last_action", "last_reward"});
  EpisodeAgent agent;
  const Json& policy_id = object_field(json, "policy_id");
  if (!policy_id.is_string()) state_json::at_path(".policy_id", [&] { state_json::fail("expected a policy id (a string)"); });
  agent.policy_id = policy_id.get<std::string>();
  state_field(json, "agent_index", agent.agent_index);
  state_field(json, "last_raw_observation", agent.last_raw_observation);
  state_field(json, "last_observation", agent.last_observation);
  state_field(json, "last_action", agent.last_action);
  state_field(json, "last_reward", agent.last_reward);
  return agent;
}

// An episode from Episode::get_state()'s value; EnvErrors at "state.<path>" (envs/state_json.hpp).
inline Episode episode_from_json(const Json& json) {
  state_keys(json, {"episode_id", "env_index", "length", "total_reward", "agent_rewards", "custom_metrics", "hist_data",
                    "user_data", "media", "last_raw_observation", "last_observation", "last_action", "last_reward",
                    "agents"});
  Episode e;
  state_field(json, "episode_id", e.episode_id);
  state_field(json, "env_index", e.env_index);
  state_field(json, "length", e.length);
  state_field(json, "total_reward", e.total_reward);
  state_json::at_path(".agent_rewards", [&] { e.agent_rewards = agent_rewards_from_json(object_field(json, "agent_rewards")); });
  state_json::at_path(".custom_metrics", [&] { e.custom_metrics = numbers_from_json(object_field(json, "custom_metrics")); });
  state_json::at_path(".hist_data", [&] { e.hist_data = lists_from_json(object_field(json, "hist_data")); });
  e.user_data = object_field(json, "user_data");
  e.media = object_field(json, "media");
  state_field(json, "last_raw_observation", e.last_raw_observation);
  state_field(json, "last_observation", e.last_observation);
  state_field(json, "last_action", e.last_action);
  state_field(json, "last_reward", e.last_reward);
  state_json::at_path(".agents", [&] {
    const Json& agents = object_field(json, "agents");
    if (!agents.is_array()) state_json::fail("expected [[agent id, agent], ...], got " + state_json::describe(agents));
    for (std::size_t i = 0; i < agents.size(); ++i) {
      state_json::at_path(index_path("", i), [&] {
        const Json& entry = agents[i];
        if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string())
          state_json::fail("expected [agent id, agent], got " + state_json::describe(entry));
        const std::string id = entry[0].get<std::string>();
        if (e.agents.contains(id)) state_json::fail("agent '" + id + "' appears twice");
        EpisodeAgent agent;
        state_json::at_path("[1]", [&] { agent = agent_from_json(entry[1]); });
        e.agents.insert_or_assign(id, std::move(agent));
      });
    }
  });
  return e;
}

// A decoding error at "state.<path>" as the CheckpointError `where` reports.
inline CheckpointError checkpoint_error(std::string where, const Error& error, std::string_view prefix = "") {
  std::string path = error.where();
  if (path.starts_with("state")) path = std::string(prefix) + path.substr(5);
  if (path.starts_with(".")) path.erase(0, 1);
  return CheckpointError(std::move(where), (path.empty() ? "" : path + ": ") + error.message(),
                         error.fix().empty() ? "pass what get_state() returned" : error.fix());
}
}  // namespace detail::episode_state

inline Json Episode::get_state() const {
  namespace es = detail::episode_state;
  Json agents_json = Json::array();
  for (const auto& [id, agent] : agents) agents_json.push_back(Json::array({id, es::agent_json(agent)}));
  return Json{{"episode_id", episode_id},
              {"env_index", env_index},
              {"length", length},
              {"total_reward", state_to_json(total_reward)},
              {"agent_rewards", es::agent_rewards_json(agent_rewards)},
              {"custom_metrics", es::numbers_json(custom_metrics)},
              {"hist_data", es::lists_json(hist_data)},
              {"user_data", user_data},
              {"media", media},
              {"last_raw_observation", state_to_json(last_raw_observation)},
              {"last_observation", state_to_json(last_observation)},
              {"last_action", state_to_json(last_action)},
              {"last_reward", state_to_json(last_reward)},
              {"agents", std::move(agents_json)}};
}

inline void Episode::set_state(const Json& state) {
  try {
    *this = detail::episode_state::episode_from_json(state);
  } catch (const EnvError& error) {
    throw detail::episode_state::checkpoint_error("Episode::set_state", error);
  }
}

}  // namespace rlpp
