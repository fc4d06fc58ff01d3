#pragma once
// SimpleContextualBandit: the two-context, three-arm bandit of RLlib's
// examples/env/bandit_envs_discrete.py, on which RLlib tests its LinUCB and LinTS bandits.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/envs/env.hpp"
#include "rlpp/envs/env_context.hpp"
#include "rlpp/envs/state_json.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

// Observation Box(-1, 1, (2,)): the context c, drawn from {-1, 1} at each reset, shown as
// [c, -c]. Action Discrete(3): the arm. Reward: context -1 pays [-10, 0, 10] for arms 0, 1, 2,
// context 1 pays [10, 0, -10]; so the best arm always pays 10. Every episode is one step
// (terminated); the step's info holds {"regret": 10 - reward} and its observation is [-c, c],
// as in RLlib. No env_config keys.
class SimpleContextualBandit {
 public:
  using observation_type = std::array<float, 2>;
  using action_type = std::int64_t;

  struct State {
    RandomStream rng{0};
    float context = 0.0f;  // 0 before the first reset
    friend bool operator==(const State&, const State&) = default;
    // Exact JSON (envs/state_json.hpp), for checkpoints.
    friend void to_json(Json& json, const State& state) {
      json = Json::object();
      json["rng"] = state_to_json(state.rng);
      json["context"] = state_to_json(state.context);
    }
    friend void from_json(const Json& json, State& state) {
      state_keys(json, {"rng", "context"});
      state_field(json, "rng", state.rng);
      state_field(json, "context", state.context);
    }
  };

  SimpleContextualBandit() : SimpleContextualBandit(EnvContext{}) {}
  explicit SimpleContextualBandit(const EnvContext& context)
      : state_{RandomStream(0, static_cast<std::uint64_t>(context.worker_index),
                            static_cast<std::uint64_t>(context.vector_index), "SimpleContextualBandit"),
               0.0f} {}

  Space observation_space() const { return Box(-1.0, 1.0, {2}); }
  Space action_space() const { return Discrete(3); }

  // The reward of `arm` in `context` (-1 or 1).
  static constexpr double reward_for(float context, std::int64_t arm) noexcept {
    constexpr std::array<std::array<double, 3>, 2> rewards{{{-10.0, 0.0, 10.0}, {10.0, 0.0, -10.0}}};
    return rewards[context > 0.0f ? 1 : 0][static_cast<std::size_t>(arm)];
  }

  observation_type reset(Seed seed) {
    if (seed) state_.rng = RandomStream(*seed);
    state_.context = state_.rng.below(2) == 0 ? -1.0f : 1.0f;
    return {state_.context, -state_.context};
  }

  Step<observation_type> step(const std::int64_t& action) {
    if (state_.context == 0.0f) {
      throw EnvError("SimpleContextualBandit", "step() before reset()", "call reset() first");
    }
    if (action < 0 || action > 2) {
      throw EnvError("SimpleContextualBandit", "action " + std::to_string(action) + " is not in Discrete(3)");
    }
    const double reward = reward_for(state_.context, action);
    return {{-state_.context, state_.context}, reward, true, false, Json{{"regret", 10.0 - reward}}};
  }

  // The context of the current episode (-1 or 1).
  float context() const noexcept { return state_.context; }

  const State& get_state() const noexcept { return state_; }
  void set_state(const State& state) { state_ = state; }

 private:
  State state_;
};

}  // namespace rlpp
