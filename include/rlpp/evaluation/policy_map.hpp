#pragma once
// The policy map of a multi-agent rollout worker (RLlib's config["multiagent"]): which policies
// there are (PolicySpec), which agent acts for which policy (a PolicyMappingFn, by value or by a
// registered name JSON can refer to), which policies learn, and how steps are counted.
// MultiAgentSpec is what C++ code passes; the "multiagent" config dict fills whatever it leaves
// empty; detail::resolve_multi_agent checks the two together.

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/data/multi_agent_batch.hpp"
#include "rlpp/envs/multi_agent_env.hpp"
#include "rlpp/evaluation/episode.hpp"
#include "rlpp/policy/any_policy.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

class RolloutWorker;

// Builds worker w's policy for the given spaces from the (trainer's, plus the policy's overrides)
// config.
using PolicyFactory =
    std::function<std::unique_ptr<PolicyInterface>(const Space& observation_space, const Space& action_space,
                                                   const Json& config, const PolicyContext& context)>;

// The factory for policy type P: a class deriving from PolicyInterface (a heuristic, see
// heuristic_policy.hpp) is built as P(obs_space, action_space, config, context); any other type
// (build_policy<...>) behind PolicyAdapter, leniently (the config is a trainer's).
template <class P>
PolicyFactory policy_factory() {
  return [](const Space& obs, const Space& act, const Json& config, const PolicyContext& context)
             -> std::unique_ptr<PolicyInterface> {
    if constexpr (std::is_base_of_v<PolicyInterface, P>) {
      return std::make_unique<P>(obs, act, config, context);
    } else {
      return make_policy<P>(obs, act, config, context, ConfigCheck::lenient);
    }
  };
}

// One entry of multiagent.policies (RLlib's PolicySpec).
struct PolicySpec {
  PolicyFactory factory;  // empty: the default policy the WorkerSet / worker was given
  // Empty: the spaces of the env's agents mapped to this policy (they must agree).
  std::optional<Space> observation_space, action_space;
  Json config = Json::object();  // overrides merged over the trainer config
};

// RLlib's policy_mapping_fn(agent_id, episode, worker): the policy id `agent` acts for in
// `episode`. Called once per agent per episode, when the agent first appears.
using PolicyMappingFn = std::function<std::string(const AgentId&, const Episode&, const RolloutWorker&)>;

struct MultiAgentSpec {
  std::map<std::string, PolicySpec> policies;  // empty: config multiagent.policies
  PolicyMappingFn policy_mapping_fn;           // empty: config multiagent.policy_mapping_fn
};

namespace detail {
struct MappingRegistry {
  std::mutex mutex;
  std::map<std::string, PolicyMappingFn, std::less<>> fns;
};
inline MappingRegistry& mapping_registry() {
  static MappingRegistry registry;
  return registry;
}
inline constexpr std::string_view agent_id_placeholder = "{agent_id}";
}  // namespace detail

// Registers `fn` under `name`, for multiagent.policy_mapping_fn in JSON configs (replaces an
// earlier registration of that name).
inline void register_policy_mapping_fn(std::string name, PolicyMappingFn fn) {
  auto& r = detail::mapping_registry();
  std::lock_guard lock(r.mutex);
  r.fns[std::move(name)] = std::move(fn);
}

// The mapping function a JSON config names:
//   "default"            every agent -> "default_policy" (RLlib's default)
//   "agent_id"           every agent -> a policy named like the agent
//   a pattern with "{agent_id}", e.g. "p{agent_id}": agent "0" -> "p0"
//   a registered name    register_policy_mapping_fn(name, fn)
//   {"agent": "policy"}  a fixed table (a JSON object); agents not in it are an error
inline PolicyMappingFn policy_mapping_fn_from_json(const Json& value, const std::string& path = "multiagent.policy_mapping_fn") {
  if (value.is_object()) {
    std::map<std::string, std::string, std::less<>> table;
    for (const auto& [agent, policy] : value.items()) {
      if (!policy.is_string()) throw ConfigError(path + "." + agent, "expected a policy id (a string), got " + policy.dump());
      table[agent] = policy.get<std::string>();
    }
    return [table, path](const AgentId& agent, const Episode&, const RolloutWorker&) {
      const auto it = table.find(agent);
      if (it == table.end()) {
        std::string known;
        for (const auto& [a, _] : table) known += (known.empty() ? "'" : ", '") + a + "'";
        throw ConfigError(path, "has no entry for agent '" + agent + "'", "agents in the table: " + known);
      }
      return it->second;
    };
  }
  if (!value.is_string())
    throw ConfigError(path, "expected the name of a mapping function or a {agent: policy} table, got " + value.dump());
  const std::string name = value.get<std::string>();
  if (name == "default") return [](const AgentId&, const Episode&, const RolloutWorker&) { return default_policy_id; };
  if (name == "agent_id") return [](const AgentId& agent, const Episode&, const RolloutWorker&) { return agent; };
  if (const auto at = name.find(detail::agent_id_placeholder); at != std::string::npos) {
    const std::string prefix = name.substr(0, at), suffix = name.substr(at + detail::agent_id_placeholder.size());
    return [prefix, suffix](const AgentId& agent, const Episode&, const RolloutWorker&) { return prefix + agent + suffix; };
  }
  auto& r = detail::mapping_registry();
  std::lock_guard lock(r.mutex);
  const auto it = r.fns.find(name);
  if (it == r.fns.end()) {
    std::vector<std::string> names{"default", "agent_id"};
    for (const auto& [n, _] : r.fns) names.push_back(n);
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "'" : ", '") + n + "'";
    throw ConfigError(path, "unknown policy mapping function '" + name + "'",
                      did_you_mean(name, names) + " known: " + list +
                          ", a pattern such as 'p{agent_id}', or register one with register_policy_mapping_fn");
  }
  return it->second;
}

namespace detail {
// The multiagent config and spec, resolved and checked.
struct ResolvedMultiAgent {
  std::vector<std::string> policy_ids;  // sorted (std::map order), as RLlib's policy dict
  std::map<std::string, PolicySpec> policies;
  std::vector<std::string> policies_to_train;
  PolicyMappingFn mapping;
  bool count_agent_steps = false;
};

inline std::string id_list(const std::vector<std::string>& ids) {
  std::string list;
  for (const auto& id : ids) list += (list.empty() ? "'" : ", '") + id + "'";
  return list.empty() ? std::string("none") : list;
}

inline ResolvedMultiAgent resolve_multi_agent(const Json& config, MultiAgentSpec spec) {
  ResolvedMultiAgent out;
  const Json ma = config.is_object() && config.contains("multiagent") && !config["multiagent"].is_null()
                      ? config["multiagent"]
                      : Json::object();
  if (!ma.is_object()) throw ConfigError("config.multiagent", "expected a dict, got " + ma.dump());
  static const std::vector<std::string> known{"policies", "policy_mapping_fn", "policies_to_train",
                                              "count_steps_by", "policy_map_capacity", "policy_map_cache",
                                              "observation_fn", "replay_mode"};
  for (const auto& item : ma.items())
    if (std::find(known.begin(), known.end(), item.key()) == known.end())
      throw ConfigError("config.multiagent." + item.key(), "unknown key",
                        did_you_mean(item.key(), known) + " keys: " + id_list(known));

  out.policies = std::move(spec.policies);
  if (ma.contains("policies") && !ma["policies"].is_null()) {
    const Json& p = ma["policies"];
    if (p.is_array()) {
      for (const Json& id : p) {
        if (!id.is_string()) throw ConfigError("config.multiagent.policies", "expected policy ids (strings), got " + id.dump());
        out.policies.try_emplace(id.get<std::string>());
      }
    } else if (p.is_object()) {
      for (const auto& [id, overrides] : p.items()) {
        if (!overrides.is_null() && !overrides.is_object())
          throw ConfigError("config.multiagent.policies." + id, "expected a dict of config overrides or null, got " + overrides.dump());
        PolicySpec& s = out.policies[id];
        if (overrides.is_object()) {  // the C++ spec's overrides win
          Json merged = overrides;
          merged.merge_patch(s.config);
          s.config = std::move(merged);
        }
      }
    } else {
      throw ConfigError("config.multiagent.policies", "expected {policy_id: config overrides} or a list of ids, got " + p.dump());
    }
  }
  if (out.policies.empty()) out.policies.try_emplace(default_policy_id);
  for (const auto& [id, _] : out.policies) out.policy_ids.push_back(id);

  if (spec.policy_mapping_fn) {
    out.mapping = std::move(spec.policy_mapping_fn);
  } else if (ma.contains("policy_mapping_fn") && !ma["policy_mapping_fn"].is_null()) {
    out.mapping = policy_mapping_fn_from_json(ma["policy_mapping_fn"], "config.multiagent.policy_mapping_fn");
  } else {
    out.mapping = policy_mapping_fn_from_json("default");
  }

  if (ma.contains("policies_to_train") && !ma["policies_to_train"].is_null()) {
    const Json& t = ma["policies_to_train"];
    if (!t.is_array()) throw ConfigError("config.multiagent.policies_to_train", "expected a list of policy ids or null, got " + t.dump());
    for (const Json& id : t) {
      if (!id.is_string() || !out.policies.count(id.get<std::string>()))
        throw ConfigError("config.multiagent.policies_to_train", "names " + id.dump() + ", which is not in multiagent.policies",
                          "policies: " + id_list(out.policy_ids));
      out.policies_to_train.push_back(id.get<std::string>());
    }
  } else {
    out.policies_to_train = out.policy_ids;
  }

  if (ma.contains("count_steps_by") && !ma["count_steps_by"].is_null())
    out.count_agent_steps = Config(ma, "config.multiagent").one_of("count_steps_by", {"env_steps", "agent_steps"}) == "agent_steps";
  if (ma.contains("replay_mode") && !ma["replay_mode"].is_null())
    Config(ma, "config.multiagent").one_of("replay_mode", {"independent", "lockstep"});
  return out;
}
}  // namespace detail

}  // namespace rlpp
