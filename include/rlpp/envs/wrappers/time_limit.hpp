#pragma once
// TimeLimit<E>: ends episodes after max_episode_steps steps by setting `truncated`
// (Gymnasium's TimeLimit; RLlib's `horizon`). The step counter restarts on every reset().

#include <cstdint>
#include <string>
#include <utility>

#include "rlpp/core/error.hpp"
#include "rlpp/envs/env.hpp"
#include "rlpp/envs/wrappers/wrapper.hpp"

namespace rlpp {

template <environment E>
class TimeLimit : public Wrapper<E> {
 public:
  using state_type = WrapperState<inner_state_t<E>, std::int64_t>;  // own: elapsed steps

  // max_episode_steps >= 1, else ConfigError.
  TimeLimit(E env, std::int64_t max_episode_steps)
      : Wrapper<E>(std::move(env)), max_episode_steps_(max_episode_steps) {
    if (max_episode_steps < 1) {
      throw ConfigError("TimeLimit", "max_episode_steps must be >= 1, got " +
                                         std::to_string(max_episode_steps));
    }
  }

  auto reset(Seed seed) {
    elapsed_steps_ = 0;
    return this->env_.reset(seed);
  }

  // At the limit the step is truncated, as Gymnasium's TimeLimit does, even when the inner env
  // terminated on that very step: then both flags are set, and `terminated` decides that the
  // step is not bootstrapped.
  Step<observation_t<E>> step(const action_t<E>& action) {
    auto result = this->env_.step(action);
    ++elapsed_steps_;
    if (elapsed_steps_ >= max_episode_steps_) result.truncated = true;
    return result;
  }

  std::int64_t max_episode_steps() const noexcept { return max_episode_steps_; }
  // Steps since the last reset().
  std::int64_t elapsed_steps() const noexcept { return elapsed_steps_; }

  state_type get_state() const requires stateful_environment<E> {
    return {this->env_.get_state(), elapsed_steps_};
  }
  void set_state(const state_type& state) requires stateful_environment<E> {
    this->env_.set_state(state.inner);
    elapsed_steps_ = state.own;
  }

 private:
  std::int64_t max_episode_steps_;
  std::int64_t elapsed_steps_ = 0;
};

}  // namespace rlpp
