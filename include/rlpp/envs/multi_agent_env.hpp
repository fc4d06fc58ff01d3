#pragma once
// The multi-agent environment concept (RLlib's MultiAgentEnv): observations, rewards and flags are
// dicts keyed by agent id; only agents present in the observation dict act next, so agent sets may
// change during an episode. The episode is over when terminateds["__all__"] or truncateds["__all__"].

#include <algorithm>
#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/envs/env.hpp"

namespace rlpp {

using AgentId = std::string;
// The key of terminateds/truncateds that ends the whole episode.
inline constexpr std::string_view all_agents = "__all__";

// A small insertion-ordered map from agent id to T. Agent counts are small, so a flat vector
// beats a hash map, and clear() keeps its capacity: stepping reuses the same storage.
template <class T>
class AgentDict {
 public:
  using value_type = std::pair<AgentId, T>;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;

  AgentDict() = default;
  AgentDict(std::initializer_list<value_type> items) {
    for (const auto& item : items) insert_or_assign(item.first, item.second);
  }

  T* find(std::string_view id) {
    for (auto& item : items_) if (item.first == id) return &item.second;
    return nullptr;
  }
  const T* find(std::string_view id) const {
    for (const auto& item : items_) if (item.first == id) return &item.second;
    return nullptr;
  }
  bool contains(std::string_view id) const { return find(id) != nullptr; }

  // The value for `id`, inserted default-constructed if absent.
  T& operator[](std::string_view id) {
    if (T* found = find(id)) return *found;
    items_.emplace_back(AgentId(id), T{});
    return items_.back().second;
  }
  const T& at(std::string_view id) const {
    if (const T* found = find(id)) return *found;
    std::string present;
    for (const auto& item : items_) present += (present.empty() ? "'" : ", '") + item.first + "'";
    throw EnvError("agent '" + std::string(id) + "'", "not in this dict",
                   present.empty() ? "the dict is empty" : "agents present: " + present);
  }
  // `fallback` if `id` is absent.
  T get(std::string_view id, T fallback) const {
    const T* found = find(id);
    return found ? *found : fallback;
  }
  void insert_or_assign(std::string_view id, T value) {
    if (T* found = find(id)) {
      *found = std::move(value);
    } else {
      items_.emplace_back(AgentId(id), std::move(value));
    }
  }
  bool erase(std::string_view id) {
    auto it = std::find_if(items_.begin(), items_.end(), [&](const value_type& v) { return v.first == id; });
    if (it == items_.end()) return false;
    items_.erase(it);
    return true;
  }

  void clear() noexcept { items_.clear(); }
  std::size_t size() const noexcept { return items_.size(); }
  bool empty() const noexcept { return items_.empty(); }
  iterator begin() noexcept { return items_.begin(); }
  iterator end() noexcept { return items_.end(); }
  const_iterator begin() const noexcept { return items_.begin(); }
  const_iterator end() const noexcept { return items_.end(); }
  std::vector<AgentId> keys() const {
    std::vector<AgentId> ids;
    for (const auto& item : items_) ids.push_back(item.first);
    return ids;
  }

  friend bool operator==(const AgentDict&, const AgentDict&) = default;

 private:
  std::vector<value_type> items_;
};

template <class Observation>
struct MultiAgentStep {
  AgentDict<Observation> observations;  // agents that act next
  AgentDict<double> rewards;
  AgentDict<bool> terminateds;  // per agent, plus "__all__"
  AgentDict<bool> truncateds;   // per agent, plus "__all__"
  AgentDict<Json> infos;

  bool all_done() const { return terminateds.get(all_agents, false) || truncateds.get(all_agents, false); }
};

template <class Observation>
struct MultiAgentReset {
  AgentDict<Observation> observations;
  AgentDict<Json> infos;
};

namespace detail {
template <class T> struct is_multi_agent_reset : std::false_type {};
template <class O> struct is_multi_agent_reset<MultiAgentReset<O>> : std::true_type {};
template <class T> struct agent_dict_value {};
template <class T> struct agent_dict_value<AgentDict<T>> { using type = T; };

template <class E> struct deduced_multi_agent_action {
  using type = typename agent_dict_value<typename member_arg<decltype(&E::step)>::type>::type;
};
template <class E> requires requires { typename E::action_type; }
struct deduced_multi_agent_action<E> { using type = typename E::action_type; };

template <class E>
using multi_agent_reset_t = decltype(std::declval<E&>().reset(Seed{}));
}  // namespace detail

namespace detail {
template <class R> struct multi_agent_reset_observations { using type = R; };
template <class O> struct multi_agent_reset_observations<MultiAgentReset<O>> { using type = AgentDict<O>; };
}  // namespace detail

// Per-agent observation type (the value type of the dict reset() returns).
template <class E>
using multi_agent_observation_t = typename detail::agent_dict_value<typename detail::multi_agent_reset_observations<
    std::remove_cvref_t<detail::multi_agent_reset_t<E>>>::type>::type;

// Per-agent action type: E::action_type if declared, else the value type of step's AgentDict.
template <class E>
using multi_agent_action_t = typename detail::deduced_multi_agent_action<E>::type;

template <class E>
concept multi_agent_environment = requires(E& env, const E& cenv, const AgentId& id, Seed seed) {
  { cenv.observation_space(id) } -> std::convertible_to<Space>;
  { cenv.action_space(id) } -> std::convertible_to<Space>;
  { cenv.agent_ids() } -> std::convertible_to<std::vector<AgentId>>;  // every agent that may appear
  env.reset(seed);
  typename multi_agent_observation_t<E>;
  typename multi_agent_action_t<E>;
  { env.step(std::declval<const AgentDict<multi_agent_action_t<E>>&>()) }
      -> std::same_as<MultiAgentStep<multi_agent_observation_t<E>>>;
} && flat_encodable<multi_agent_observation_t<E>> && flat_encodable<multi_agent_action_t<E>>;

// Multi-agent envs whose full state can be read and restored (see stateful_environment).
template <class E>
concept stateful_multi_agent_environment = multi_agent_environment<E> && requires(E& env, const E& cenv) {
  { cenv.get_state() };
  env.set_state(cenv.get_state());
};

template <stateful_multi_agent_environment E>
using multi_agent_env_state_t = std::remove_cvref_t<decltype(std::declval<const E&>().get_state())>;

template <multi_agent_environment E>
MultiAgentReset<multi_agent_observation_t<E>> reset_env(E& env, Seed seed) {
  if constexpr (detail::is_multi_agent_reset<detail::multi_agent_reset_t<E>>::value) {
    return env.reset(seed);
  } else {
    return {env.reset(seed), {}};
  }
}

}  // namespace rlpp
