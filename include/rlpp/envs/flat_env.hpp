#pragma once
// Stepping any env through the flat encoding (spaces/flat_value.hpp): observations written into a
// caller's float row, actions read from a float row. This is how vector envs, the type-erased
// AnyEnv and rollout workers talk to envs without knowing their C++ types, and without
// allocating per step for fixed-size observation and action types.

#include <span>
#include <utility>

#include "rlpp/core/json.hpp"
#include "rlpp/envs/env.hpp"
#include "rlpp/spaces/flat_value.hpp"

namespace rlpp {

// A step's outcome once the observation has been written to a flat row.
struct FlatStep {
  double reward = 0.0;
  bool terminated = false;
  bool truncated = false;
  Json info{};
  bool done() const noexcept { return terminated || truncated; }
};

// Flat access to one typed env. Holds a reusable action value so that decoding an action
// allocates at most once (for dynamically sized action types).
template <environment E>
class FlatEnvAdapter {
 public:
  using observation_type = observation_t<E>;
  using action_type = action_t<E>;

  // Resets `env`, writes the observation into `obs`; the reset info goes to `info` if given.
  void reset(E& env, Seed seed, std::span<float> obs, Json* info = nullptr) {
    auto result = reset_env(env, seed);
    write_flat(result.observation, obs);
    if (info) *info = std::move(result.info);
  }

  // Steps `env` with a typed action.
  FlatStep step(E& env, const action_type& action, std::span<float> obs) {
    auto result = env.step(action);
    write_flat(result.observation, obs);
    return FlatStep{result.reward, result.terminated, result.truncated, std::move(result.info)};
  }

  // Steps `env` with an action in the flat encoding.
  FlatStep step_flat(E& env, std::span<const float> action, std::span<float> obs) {
    read_flat(action, action_);
    return step(env, action_, obs);
  }

  // The flat encoding of a typed action (for checks against the action space).
  void encode_action(const action_type& action, std::span<float> out) const { write_flat(action, out); }

 private:
  action_type action_{};
};

}  // namespace rlpp
