#pragma once
// AnyEnv: a type-erased single-agent env (what the registry hands out for a name). It exposes
// the flat interface (reset_into/step_into: observation rows written in place, no allocation
// for fixed-size envs) and also models `environment` itself with std::vector<float> observations
// and actions, so wrappers and user code can treat it like any other env.
// Checks (step before reset, action in space, observation finite and in space, reward finite)
// are on by default; set_checking(false) switches them off. get_state()/set_state() checkpoint a
// `stateful_environment` mid-episode as exact JSON (envs/state_json.hpp).

#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/envs/env.hpp"
#include "rlpp/envs/env_checker.hpp"
#include "rlpp/envs/flat_env.hpp"
#include "rlpp/envs/state_json.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

class AnyEnv {
 public:
  using action_type = std::vector<float>;

  template <environment E>
    requires(!std::is_same_v<std::remove_cvref_t<E>, AnyEnv>)
  explicit AnyEnv(E env, std::string name = "env")
      : model_(std::make_unique<Model<E>>(std::move(env))),
        observation_space_(model_->observation_space()),
        action_space_(model_->action_space()),
        checker_(std::move(name), observation_space_, action_space_) {}

  AnyEnv(AnyEnv&&) noexcept = default;
  AnyEnv& operator=(AnyEnv&&) noexcept = default;

  const Space& observation_space() const noexcept { return observation_space_; }
  const Space& action_space() const noexcept { return action_space_; }
  std::size_t observation_size() const { return observation_space_.flat_size(); }
  std::size_t action_size() const { return action_space_.flat_size(); }
  const std::string& name() const noexcept { return checker_.env_name(); }

  void set_checking(bool on) noexcept { checking_ = on; }
  bool checking() const noexcept { return checking_; }

  // ---- flat interface ----
  void reset_into(Seed seed, std::span<float> obs, Json* info = nullptr) {
    model_->reset_into(seed, obs, info);
    steps_ = 0;
    needs_reset_ = false;
    if (checking_) checker_.check_observation(obs, 0, 0, "reset");
  }
  FlatStep step_into(std::span<const float> action, std::span<float> obs) {
    if (checking_) {
      if (needs_reset_) checker_.fail_step_before_reset(0);
      checker_.check_action(action, 0, steps_);
    }
    FlatStep result = model_->step_into(action, obs);
    if (checking_) {
      checker_.check_observation(obs, 0, steps_, "step");
      checker_.check_reward(result.reward, 0, steps_);
    }
    ++steps_;
    return result;
  }

  // ---- `environment` interface (allocates the returned vectors) ----
  Reset<std::vector<float>> reset(Seed seed = {}) {
    Reset<std::vector<float>> result{std::vector<float>(observation_size()), Json{}};
    reset_into(seed, result.observation, &result.info);
    return result;
  }
  Step<std::vector<float>> step(const std::vector<float>& action) {
    Step<std::vector<float>> result{std::vector<float>(observation_size())};
    FlatStep flat = step_into(action, result.observation);
    result.reward = flat.reward;
    result.terminated = flat.terminated;
    result.truncated = flat.truncated;
    result.info = std::move(flat.info);
    return result;
  }

  // ---- state, for checkpoints ----
  // Whether the wrapped env models json_stateful_environment (every built-in env does).
  bool supports_state() const noexcept { return model_->supports_state(); }
  // {"env": name, "steps": steps this episode, "needs_reset": bool, "state": the env's state}.
  // EnvError if !supports_state().
  Json get_state() const {
    if (!supports_state()) throw detail::state_json::unsupported(name());
    return Json{{"env", name()}, {"steps", steps_}, {"needs_reset", needs_reset_}, {"state", model_->get_state()}};
  }
  // Restores what get_state() returned, on an AnyEnv built the same way: stepping then continues
  // exactly as it did after get_state(). EnvError (the env unchanged) if !supports_state(), or
  // the value is for another env or malformed.
  void set_state(const Json& state) {
    if (!supports_state()) throw detail::state_json::unsupported(name());
    std::int64_t steps = 0;
    bool needs_reset = true;
    try {
      state_keys(state, {"env", "steps", "needs_reset", "state"});
      std::string env;
      state_field(state, "env", env);
      if (env != name()) {
        throw EnvError("env '" + name() + "'", "set_state() got the state of env '" + env + "'",
                       "restore each env from its own state");
      }
      state_field(state, "steps", steps);
      state_field(state, "needs_reset", needs_reset);
      if (!state.contains("state")) detail::state_json::fail("missing key 'state'");
    } catch (const EnvError& error) {
      if (error.where() != "state" && !error.where().starts_with("state.")) throw;
      throw EnvError("env '" + name() + "'", "cannot restore its state: " + error.where() + ": " + error.message());
    }
    model_->set_state(state["state"], name());
    steps_ = steps;
    needs_reset_ = needs_reset;
  }

  // The wrapped env if it is an E, else nullptr (like std::function::target).
  template <class E>
  E* target() noexcept {
    auto* model = dynamic_cast<Model<E>*>(model_.get());
    return model ? &model->env : nullptr;
  }
  template <class E>
  const E* target() const noexcept {
    const auto* model = dynamic_cast<const Model<E>*>(model_.get());
    return model ? &model->env : nullptr;
  }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual Space observation_space() const = 0;
    virtual Space action_space() const = 0;
    virtual void reset_into(Seed seed, std::span<float> obs, Json* info) = 0;
    virtual FlatStep step_into(std::span<const float> action, std::span<float> obs) = 0;
    virtual bool supports_state() const noexcept = 0;
    virtual Json get_state() const = 0;
    virtual void set_state(const Json& state, const std::string& env_name) = 0;
  };
  template <class E>
  struct Model final : Concept {
    explicit Model(E e) : env(std::move(e)) {}
    Space observation_space() const override { return Space(env.observation_space()); }
    Space action_space() const override { return Space(env.action_space()); }
    void reset_into(Seed seed, std::span<float> obs, Json* info) override { adapter.reset(env, seed, obs, info); }
    FlatStep step_into(std::span<const float> action, std::span<float> obs) override {
      return adapter.step_flat(env, action, obs);
    }
    bool supports_state() const noexcept override { return json_stateful_environment<E>; }
    Json get_state() const override {
      if constexpr (json_stateful_environment<E>) {
        return state_to_json(env.get_state());
      } else {
        return Json{};
      }
    }
    void set_state([[maybe_unused]] const Json& state, [[maybe_unused]] const std::string& env_name) override {
      if constexpr (json_stateful_environment<E>) detail::state_json::restore(env, state, "env '" + env_name + "'");
    }
    E env;
    FlatEnvAdapter<E> adapter;
  };

  std::unique_ptr<Concept> model_;
  Space observation_space_;
  Space action_space_;
  EnvChecker checker_;
  std::int64_t steps_ = 0;
  bool needs_reset_ = true;
  bool checking_ = true;
};

}  // namespace rlpp
