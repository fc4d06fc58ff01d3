#pragma once
// MultiAgentCartPole: RLlib's example multi-agent env (rllib/examples/envs/classes/multi_agent.py,
// make_multi_agent("CartPole-v1")): num_agents independent CartPole-v1 envs, one per agent
// "0" .. "n-1". An agent acts until its own episode ends and then leaves; the episode is over when
// every agent has left. env_config: "num_agents" (default 1); the other keys go to each CartPole.
//
// Differences from RLlib's: reset(seed) seeds this env's stream and every agent's CartPole is
// reset from a seed drawn from it (RLlib passes the same seed to all agents, so they start
// identical); terminateds["__all__"] and truncateds["__all__"] are never both true (see step()).

#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/envs/classic_control/cartpole.hpp"
#include "rlpp/envs/env.hpp"
#include "rlpp/envs/env_context.hpp"
#include "rlpp/envs/multi_agent_env.hpp"
#include "rlpp/envs/state_json.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

class MultiAgentCartPole {
 public:
  using action_type = CartPole::action_type;
  using observation_type = CartPole::observation_type;

  // Every agent's CartPole state, which agents still act, and this env's stream.
  struct State {
    std::vector<CartPole::State> envs;
    std::vector<std::int64_t> status;  // per agent: 0 acting, 1 terminated, 2 truncated
    RandomStream rng{0};
    bool ready = false;  // reset() (or set_state()) has been called
    friend bool operator==(const State&, const State&) = default;
    // Exact JSON (envs/state_json.hpp), for checkpoints.
    friend void to_json(Json& json, const State& state) {
      json = Json::object();
      json["envs"] = state_to_json(state.envs);
      json["status"] = state_to_json(state.status);
      json["rng"] = state_to_json(state.rng);
      json["ready"] = state_to_json(state.ready);
    }
    friend void from_json(const Json& json, State& state) {
      state_keys(json, {"envs", "status", "rng", "ready"});
      state_field(json, "envs", state.envs);
      state_field(json, "status", state.status);
      state_field(json, "rng", state.rng);
      state_field(json, "ready", state.ready);
    }
  };

  MultiAgentCartPole() : MultiAgentCartPole(EnvContext{}) {}
  explicit MultiAgentCartPole(const EnvContext& ctx)
      : rng_(RandomStream(0, static_cast<std::uint64_t>(ctx.worker_index),
                          static_cast<std::uint64_t>(ctx.vector_index), "MultiAgentCartPole")) {
    const auto num_agents = ctx.get<std::int64_t>("num_agents", 1);
    if (num_agents < 1) {
      throw ConfigError("env_config.num_agents",
                        "expected a positive integer, got " + std::to_string(num_agents),
                        "MultiAgentCartPole needs at least one agent");
    }
    envs_.reserve(static_cast<std::size_t>(num_agents));
    for (std::int64_t i = 0; i < num_agents; ++i) {
      envs_.emplace_back(ctx);
      ids_.push_back(std::to_string(i));
    }
    status_.assign(envs_.size(), Status::acting);
  }
  // `num_agents` CartPole-v1 agents.
  explicit MultiAgentCartPole(std::int64_t num_agents)
      : MultiAgentCartPole(context_for(num_agents)) {}

  std::size_t num_agents() const noexcept { return envs_.size(); }
  std::vector<AgentId> agent_ids() const { return ids_; }
  Space observation_space(const AgentId& id) const { return envs_[index_of(id)].observation_space(); }
  Space action_space(const AgentId& id) const { return envs_[index_of(id)].action_space(); }

  // Every agent's CartPole reset from the next seed of this env's stream, in agent order.
  AgentDict<observation_type> reset(Seed seed = std::nullopt) {
    if (seed) rng_ = RandomStream(*seed);
    AgentDict<observation_type> observations;
    for (std::size_t i = 0; i < envs_.size(); ++i) {
      observations.insert_or_assign(ids_[i], envs_[i].reset(rng_.next_u64()));
      status_[i] = Status::acting;
    }
    ready_ = true;
    return observations;
  }

  // Steps the agents in `actions` (each must still be acting). An agent whose CartPole ends
  // (terminated or truncated) reports that once and leaves. Once every agent has left:
  // truncateds["__all__"] if every agent was truncated, else terminateds["__all__"].
  MultiAgentStep<observation_type> step(const AgentDict<action_type>& actions) {
    if (!ready_) {
      throw EnvError("MultiAgentCartPole", "step() called before reset()", "call reset() first");
    }
    if (actions.empty()) {
      throw EnvError("MultiAgentCartPole", "step() got no actions",
                     "give an action for at least one acting agent");
    }
    MultiAgentStep<observation_type> result;
    for (const auto& [id, action] : actions) {
      const std::size_t i = index_of(id);
      if (status_[i] != Status::acting) {
        throw EnvError("MultiAgentCartPole", "agent '" + id + "' got an action after its episode ended",
                       "act only for the agents in the last observations");
      }
      Step<observation_type> step = envs_[i].step(action);
      result.observations.insert_or_assign(id, step.observation);
      result.rewards.insert_or_assign(id, step.reward);
      result.terminateds.insert_or_assign(id, step.terminated);
      result.truncateds.insert_or_assign(id, step.truncated);
      result.infos.insert_or_assign(id, std::move(step.info));
      if (step.terminated) status_[i] = Status::terminated;
      else if (step.truncated) status_[i] = Status::truncated;
    }
    bool all_done = true;
    bool all_truncated = true;
    for (Status status : status_) {
      all_done = all_done && status != Status::acting;
      all_truncated = all_truncated && status == Status::truncated;
    }
    result.terminateds.insert_or_assign(all_agents, all_done && !all_truncated);
    result.truncateds.insert_or_assign(all_agents, all_done && all_truncated);
    return result;
  }

  State get_state() const {
    State state{{}, {}, rng_, ready_};
    for (const CartPole& env : envs_) state.envs.push_back(env.get_state());
    for (Status status : status_) state.status.push_back(static_cast<std::int64_t>(status));
    return state;
  }
  // EnvError if the state is for another number of agents or holds an unknown status.
  void set_state(const State& state) {
    if (state.envs.size() != envs_.size() || state.status.size() != envs_.size()) {
      throw EnvError("MultiAgentCartPole",
                     "state is for " + std::to_string(state.envs.size()) + " agents (" +
                         std::to_string(state.status.size()) + " statuses); this env has " +
                         std::to_string(envs_.size()));
    }
    for (std::int64_t status : state.status) {
      if (status < 0 || status > 2) {
        throw EnvError("MultiAgentCartPole", "state holds agent status " + std::to_string(status),
                       "0 acting, 1 terminated, 2 truncated");
      }
    }
    for (std::size_t i = 0; i < envs_.size(); ++i) {
      envs_[i].set_state(state.envs[i]);
      status_[i] = static_cast<Status>(state.status[i]);
    }
    rng_ = state.rng;
    ready_ = state.ready;
  }

  // The agents still acting, in agent order.
  std::vector<AgentId> acting_agents() const {
    std::vector<AgentId> acting;
    for (std::size_t i = 0; i < envs_.size(); ++i)
      if (status_[i] == Status::acting) acting.push_back(ids_[i]);
    return acting;
  }

 private:
  enum class Status : unsigned char { acting, terminated, truncated };

  static EnvContext context_for(std::int64_t num_agents) {
    EnvContext ctx;
    ctx.env_config["num_agents"] = num_agents;
    return ctx;
  }

  std::size_t index_of(std::string_view id) const {
    std::size_t index = 0;
    const char* end = id.data() + id.size();
    const auto [ptr, ec] = std::from_chars(id.data(), end, index);
    if (ec != std::errc() || ptr != end || id.empty() || index >= envs_.size() ||
        ids_[index] != id) {
      throw EnvError("MultiAgentCartPole", "unknown agent '" + std::string(id) + "'",
                     "agents are \"0\" .. \"" + std::to_string(envs_.size() - 1) + "\"");
    }
    return index;
  }

  std::vector<CartPole> envs_;
  std::vector<AgentId> ids_;
  std::vector<Status> status_;
  RandomStream rng_;
  bool ready_ = false;
};

}  // namespace rlpp
