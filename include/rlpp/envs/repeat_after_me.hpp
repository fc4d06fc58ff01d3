#pragma once
// RepeatAfterMe: a memory env (RLlib's examples/env/repeat_after_me_env.py). Each step shows a
// random token in {0, 1}; the agent is rewarded for repeating the token it saw `repeat_delay`
// steps earlier, so a policy without memory cannot beat chance once repeat_delay >= 1.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/envs/env.hpp"
#include "rlpp/envs/env_context.hpp"
#include "rlpp/envs/state_json.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

// Observation Discrete(2): the token. Action Discrete(2). Reward +1 if the action equals the
// token observed repeat_delay steps before the current one (tokens before the first count as
// 0), else -1. Episodes are truncated after episode_len steps.
// env_config: "repeat_delay" (default 1), "episode_len" (default 100).
class RepeatAfterMe {
 public:
  using observation_type = std::int64_t;
  using action_type = std::int64_t;

  struct State {
    RandomStream rng{0};
    std::vector<std::int64_t> history;
    std::int64_t steps = 0;
    bool started = false;
    friend bool operator==(const State&, const State&) = default;
    // Exact JSON (envs/state_json.hpp), for checkpoints.
    friend void to_json(Json& json, const State& state) {
      json = Json::object();
      json["rng"] = state_to_json(state.rng);
      json["history"] = state_to_json(state.history);
      json["steps"] = state_to_json(state.steps);
      json["started"] = state_to_json(state.started);
    }
    friend void from_json(const Json& json, State& state) {
      state_keys(json, {"rng", "history", "steps", "started"});
      state_field(json, "rng", state.rng);
      state_field(json, "history", state.history);
      state_field(json, "steps", state.steps);
      state_field(json, "started", state.started);
    }
  };

  RepeatAfterMe() : RepeatAfterMe(EnvContext{}) {}

  // ConfigError for a negative repeat_delay, an episode_len below 1, or "continuous": true
  // (RLlib's Box variant, not provided here).
  explicit RepeatAfterMe(const EnvContext& context)
      : repeat_delay_(context.get<std::int64_t>("repeat_delay", 1)),
        episode_len_(context.get<std::int64_t>("episode_len", 100)) {
    if (repeat_delay_ < 0) {
      throw ConfigError("env_config.repeat_delay",
                        "expected an integer >= 0, got " + std::to_string(repeat_delay_),
                        "0 repeats the token just seen");
    }
    if (episode_len_ < 1) {
      throw ConfigError("env_config.episode_len",
                        "expected an integer >= 1, got " + std::to_string(episode_len_));
    }
    if (context.get<bool>("continuous", false)) {
      throw ConfigError("env_config.continuous",
                        "RepeatAfterMe has only the Discrete(2) variant in rlpp",
                        "remove the key or set it to false");
    }
    // Unseeded sub-envs of different workers still differ; reset(seed) replaces this stream.
    state_.rng = RandomStream(0, static_cast<std::uint64_t>(context.worker_index),
                              static_cast<std::uint64_t>(context.vector_index), "RepeatAfterMe");
    state_.history.assign(static_cast<std::size_t>(repeat_delay_) + 1, 0);
  }

  Space observation_space() const { return Discrete(2); }
  Space action_space() const { return Discrete(2); }
  std::int64_t repeat_delay() const noexcept { return repeat_delay_; }
  std::int64_t episode_len() const noexcept { return episode_len_; }

  std::int64_t reset(Seed seed) {
    if (seed) state_.rng = RandomStream(*seed);
    std::fill(state_.history.begin(), state_.history.end(), 0);
    state_.steps = 0;
    state_.started = true;
    return emit();
  }

  Step<std::int64_t> step(const std::int64_t& action) {
    if (!state_.started) throw EnvError("RepeatAfterMe", "step() before reset()", "call reset() first");
    if (action != 0 && action != 1) {
      throw EnvError("RepeatAfterMe", "action " + std::to_string(action) + " is not in Discrete(2)");
    }
    // history[i mod (delay + 1)] holds token i; the slot of the next token still holds the one
    // from delay steps before the current one (or the initial 0).
    const std::int64_t target = state_.history[slot(state_.steps + 1)];
    const double reward = action == target ? 1.0 : -1.0;
    ++state_.steps;
    const std::int64_t token = emit();
    return {token, reward, false, state_.steps >= episode_len_, {}};
  }

  const State& get_state() const noexcept { return state_; }
  void set_state(const State& state) {
    if (state.history.size() != state_.history.size()) {
      throw EnvError("RepeatAfterMe", "state is for repeat_delay " +
                                          std::to_string(static_cast<std::int64_t>(state.history.size()) - 1) +
                                          "; this env has " + std::to_string(repeat_delay_));
    }
    state_ = state;
  }

 private:
  std::size_t slot(std::int64_t index) const noexcept {
    return static_cast<std::size_t>(index % (repeat_delay_ + 1));
  }
  // Draws token number `steps` and records it.
  std::int64_t emit() {
    const auto token = static_cast<std::int64_t>(state_.rng.below(2));
    state_.history[slot(state_.steps)] = token;
    return token;
  }

  std::int64_t repeat_delay_;
  std::int64_t episode_len_;
  State state_;
};

}  // namespace rlpp
