#pragma once
// AnyMultiAgentEnv: a type-erased multi-agent env (what the registry hands out for a multi-agent
// name). Per-agent observations and actions use the flat encoding (std::vector<float>), so it
// models `multi_agent_environment` itself. Per-agent observation/action spaces are queried once
// per agent and cached. Checks (reset before step, actions in space, observations finite and in
// space, rewards finite, unknown agent ids) are on by default. get_state()/set_state() checkpoint a
// stateful multi-agent env mid-episode as exact JSON (envs/state_json.hpp).

#include <cmath>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/envs/env_checker.hpp"
#include "rlpp/envs/multi_agent_env.hpp"
#include "rlpp/envs/state_json.hpp"
#include "rlpp/spaces/flat_value.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

class AnyMultiAgentEnv {
 public:
  using action_type = std::vector<float>;
  using observation_type = std::vector<float>;

  template <multi_agent_environment E>
    requires(!std::is_same_v<std::remove_cvref_t<E>, AnyMultiAgentEnv>)
  explicit AnyMultiAgentEnv(E env, std::string name = "env")
      : model_(std::make_unique<Model<E>>(std::move(env))), name_(std::move(name)) {
    for (const auto& id : model_->agent_ids()) {
      checkers_.insert_or_assign(id, EnvChecker(name_ + "' agent '" + id, model_->observation_space(id),
                                                model_->action_space(id)));
    }
  }

  AnyMultiAgentEnv(AnyMultiAgentEnv&&) noexcept = default;
  AnyMultiAgentEnv& operator=(AnyMultiAgentEnv&&) noexcept = default;

  const std::string& name() const noexcept { return name_; }
  std::vector<AgentId> agent_ids() const { return model_->agent_ids(); }
  Space observation_space(const AgentId& id) const { return model_->observation_space(id); }
  Space action_space(const AgentId& id) const { return model_->action_space(id); }
  void set_checking(bool on) noexcept { checking_ = on; }

  MultiAgentReset<std::vector<float>> reset(Seed seed = {}) {
    auto result = model_->reset(seed);
    steps_ = 0;
    needs_reset_ = false;
    if (checking_)
      for (const auto& [id, obs] : result.observations) checker(id).check_observation(obs, 0, 0, "reset");
    return result;
  }

  MultiAgentStep<std::vector<float>> step(const AgentDict<std::vector<float>>& actions) {
    if (checking_) {
      if (needs_reset_) throw EnvError("env '" + name_ + "'", "step() called before reset()", "call reset() first");
      for (const auto& [id, action] : actions) checker(id).check_action(action, 0, steps_);
    }
    auto result = model_->step(actions);
    if (checking_) {
      for (const auto& [id, obs] : result.observations) checker(id).check_observation(obs, 0, steps_, "step");
      for (const auto& [id, reward] : result.rewards) checker(id).check_reward(reward, 0, steps_);
    }
    ++steps_;
    return result;
  }

  // ---- state, for checkpoints (as AnyEnv's) ----
  // Whether the wrapped env models json_stateful_multi_agent_environment.
  bool supports_state() const noexcept { return model_->supports_state(); }
  // {"env": name, "steps": steps this episode, "needs_reset": bool, "state": the env's state}.
  // EnvError if !supports_state().
  Json get_state() const {
    if (!supports_state()) throw detail::state_json::unsupported(name_);
    return Json{{"env", name_}, {"steps", steps_}, {"needs_reset", needs_reset_}, {"state", model_->get_state()}};
  }
  // Restores what get_state() returned, on an env built the same way. EnvError (the env
  // unchanged) if !supports_state(), or the value is for another env or malformed.
  void set_state(const Json& state) {
    if (!supports_state()) throw detail::state_json::unsupported(name_);
    std::int64_t steps = 0;
    bool needs_reset = true;
    try {
      state_keys(state, {"env", "steps", "needs_reset", "state"});
      std::string env;
      state_field(state, "env", env);
      if (env != name_) {
        throw EnvError("env '" + name_ + "'", "set_state() got the state of env '" + env + "'",
                       "restore each env from its own state");
      }
      state_field(state, "steps", steps);
      state_field(state, "needs_reset", needs_reset);
      if (!state.contains("state")) detail::state_json::fail("missing key 'state'");
    } catch (const EnvError& error) {
      if (error.where() != "state" && !error.where().starts_with("state.")) throw;
      throw EnvError("env '" + name_ + "'", "cannot restore its state: " + error.where() + ": " + error.message());
    }
    model_->set_state(state["state"], name_);
    steps_ = steps;
    needs_reset_ = needs_reset;
  }

  template <class E>
  E* target() noexcept {
    auto* model = dynamic_cast<Model<E>*>(model_.get());
    return model ? &model->env : nullptr;
  }

 private:
  const EnvChecker& checker(const AgentId& id) const {
    if (const EnvChecker* found = checkers_.find(id)) return *found;
    throw EnvError("env '" + name_ + "'", "agent '" + id + "' is not among agent_ids()",
                   "agent_ids() must list every agent the env may return or accept");
  }

  struct Concept {
    virtual ~Concept() = default;
    virtual std::vector<AgentId> agent_ids() const = 0;
    virtual Space observation_space(const AgentId& id) const = 0;
    virtual Space action_space(const AgentId& id) const = 0;
    virtual MultiAgentReset<std::vector<float>> reset(Seed seed) = 0;
    virtual MultiAgentStep<std::vector<float>> step(const AgentDict<std::vector<float>>& actions) = 0;
    virtual bool supports_state() const noexcept = 0;
    virtual Json get_state() const = 0;
    virtual void set_state(const Json& state, const std::string& env_name) = 0;
  };
  template <class E>
  struct Model final : Concept {
    using Obs = multi_agent_observation_t<E>;
    using Action = multi_agent_action_t<E>;
    explicit Model(E e) : env(std::move(e)) {}
    std::vector<AgentId> agent_ids() const override { return env.agent_ids(); }
    Space observation_space(const AgentId& id) const override { return Space(env.observation_space(id)); }
    Space action_space(const AgentId& id) const override { return Space(env.action_space(id)); }
    MultiAgentReset<std::vector<float>> reset(Seed seed) override {
      auto typed = reset_env(env, seed);
      MultiAgentReset<std::vector<float>> out;
      for (const auto& [id, obs] : typed.observations) out.observations[id] = encode(obs);
      out.infos = std::move(typed.infos);
      return out;
    }
    MultiAgentStep<std::vector<float>> step(const AgentDict<std::vector<float>>& actions) override {
      typed_actions.clear();
      for (const auto& [id, flat] : actions) read_flat(std::span<const float>(flat), typed_actions[id]);
      auto typed = env.step(typed_actions);
      MultiAgentStep<std::vector<float>> out;
      for (const auto& [id, obs] : typed.observations) out.observations[id] = encode(obs);
      out.rewards = std::move(typed.rewards);
      out.terminateds = std::move(typed.terminateds);
      out.truncateds = std::move(typed.truncateds);
      out.infos = std::move(typed.infos);
      return out;
    }
    bool supports_state() const noexcept override { return json_stateful_multi_agent_environment<E>; }
    Json get_state() const override {
      if constexpr (json_stateful_multi_agent_environment<E>) {
        return state_to_json(env.get_state());
      } else {
        return Json{};
      }
    }
    void set_state([[maybe_unused]] const Json& state, [[maybe_unused]] const std::string& env_name) override {
      if constexpr (json_stateful_multi_agent_environment<E>) detail::state_json::restore(env, state, "env '" + env_name + "'");
    }
    static std::vector<float> encode(const Obs& obs) {
      std::vector<float> flat(flat_size_of(obs));
      write_flat(obs, std::span<float>(flat));
      return flat;
    }
    E env;
    AgentDict<Action> typed_actions;
  };

  std::unique_ptr<Concept> model_;
  std::string name_;
  AgentDict<EnvChecker> checkers_;
  std::int64_t steps_ = 0;
  bool needs_reset_ = true;
  bool checking_ = true;
};

}  // namespace rlpp
