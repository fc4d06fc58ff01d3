#pragma once
// What the classic-control envs share besides their physics: the time limit Gymnasium's
// TimeLimit wrapper adds at registration (here a constructor/env_config parameter), env_config
// reading, the random stream an unseeded env starts from, and the errors for misuse.

#include <cstdint>
#include <string>
#include <string_view>

#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/envs/env_context.hpp"

namespace rlpp::detail::classic_control {

// env_config["max_episode_steps"] (an integer >= 1), else `fallback` (the registered id's limit).
inline std::int64_t max_episode_steps(const EnvContext& ctx, std::int64_t fallback) {
  const auto steps = ctx.get<std::int64_t>("max_episode_steps", fallback);
  if (steps < 1) {
    throw ConfigError("env_config.max_episode_steps",
                      "expected a positive integer, got " + std::to_string(steps),
                      "the time limit counts steps, so it must be at least 1");
  }
  return steps;
}

// The stream an env draws from until reset(seed) reseeds it: distinct per worker and sub-env,
// so unseeded copies of an env do not replay each other's episodes.
inline RandomStream initial_stream(const EnvContext& ctx, std::string_view env_name) {
  return RandomStream(0, static_cast<std::uint64_t>(ctx.worker_index),
                      static_cast<std::uint64_t>(ctx.vector_index), env_name);
}

// Gymnasium's TimeLimit: the step that reaches the limit is truncated, even when it also
// terminated (then both flags are set, and `terminated` means no bootstrapping).
inline bool count_step(std::int64_t& elapsed_steps, std::int64_t max_episode_steps) noexcept {
  ++elapsed_steps;
  return elapsed_steps >= max_episode_steps;
}

[[noreturn]] inline void throw_step_before_reset(std::string_view env) {
  throw EnvError(std::string(env), "step() called before reset()",
                 "call reset() (or set_state()) first");
}

[[noreturn]] inline void throw_bad_action(std::string_view env, std::int64_t action, std::int64_t n,
                                          std::string_view meaning) {
  throw EnvError(std::string(env),
                 "action " + std::to_string(action) + " is not in Discrete(" + std::to_string(n) + ")",
                 std::string(meaning));
}

}  // namespace rlpp::detail::classic_control
