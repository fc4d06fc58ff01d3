#pragma once
// FrameStack<E, K>: observations are the last k inner observations, oldest first (Gymnasium's
// FrameStackObservation with padding_type="reset": after reset() the first observation fills
// all k slots). The space is a Box of shape (k, *inner_shape) with the inner bounds repeated.
//   FrameStack<E, 4>(env)  k fixed at compile time: std::array<Obs, 4>; for fixed-size
//                          observations (std::array, numbers) no step allocates.
//   FrameStack(env, k)     k chosen at run time: std::vector of k * frame_size scalars, flat and
//                          row-major (frame j starts at j * frame_size), one allocation per
//                          observation returned; the frame buffer itself is reused.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/envs/env.hpp"
#include "rlpp/envs/wrappers/detail/elements.hpp"
#include "rlpp/envs/wrappers/wrapper.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

// FrameStack's K when the number of frames is chosen at run time.
inline constexpr std::size_t dynamic_frames = std::numeric_limits<std::size_t>::max();

template <environment E, std::size_t K = dynamic_frames>
class FrameStack : public Wrapper<E> {
  static_assert(K >= 1, "FrameStack needs at least one frame (K >= 1)");
  static_assert(detail::numeric_value<observation_t<E>>,
                "FrameStack needs an env whose observation type is a number, std::array or "
                "std::vector of numbers (a Box observation); this env's is not one");

  using frame_type = observation_t<E>;
  using scalar_type = detail::scalar_t<frame_type>;

 public:
  static constexpr bool is_dynamic = K == dynamic_frames;
  using observation_type =
      std::conditional_t<is_dynamic, std::vector<scalar_type>, std::array<frame_type, is_dynamic ? 1 : K>>;
  using state_type = WrapperState<inner_state_t<E>, observation_type>;  // own: the stacked frames

  // K fixed at compile time. SpaceError unless the inner observation space is a Box.
  explicit FrameStack(E env) requires(!is_dynamic)
      : Wrapper<E>(std::move(env)), k_(K), inner_(check_box(this->env_)), space_(stacked_space()) {}

  // k chosen at run time. ConfigError unless k >= 1; SpaceError unless the inner observation
  // space is a Box.
  FrameStack(E env, std::int64_t k) requires is_dynamic
      : Wrapper<E>(std::move(env)), k_(check_k(k)), inner_(check_box(this->env_)), space_(stacked_space()) {
    stack_.assign(k_ * inner_.flat_size(), scalar_type{});
  }

  std::size_t num_stack() const noexcept { return k_; }

  Space observation_space() const { return space_; }

  Reset<observation_type> reset(Seed seed) {
    auto result = reset_env(this->env_, seed);
    check_frame(result.observation);
    if constexpr (is_dynamic) {
      for (std::size_t j = 0; j < k_; ++j) write_frame(j, result.observation);
    } else {
      stack_.fill(result.observation);
    }
    return {stack_, std::move(result.info)};
  }

  Step<observation_type> step(const action_t<E>& action) {
    auto result = this->env_.step(action);
    check_frame(result.observation);
    // Drop the oldest frame, append the newest.
    if constexpr (is_dynamic) {
      const std::size_t frame = inner_.flat_size();
      std::copy(stack_.begin() + static_cast<std::ptrdiff_t>(frame), stack_.end(), stack_.begin());
      write_frame(k_ - 1, result.observation);
    } else {
      std::move(stack_.begin() + 1, stack_.end(), stack_.begin());
      stack_.back() = std::move(result.observation);
    }
    return {stack_, result.reward, result.terminated, result.truncated, std::move(result.info)};
  }

  state_type get_state() const requires stateful_environment<E> {
    return {this->env_.get_state(), stack_};
  }
  void set_state(const state_type& state) requires stateful_environment<E> {
    if constexpr (is_dynamic) {
      if (state.own.size() != stack_.size()) {
        throw EnvError("FrameStack", "state holds " + std::to_string(state.own.size()) +
                                         " values; this FrameStack stacks " +
                                         std::to_string(stack_.size()));
      }
    }
    this->env_.set_state(state.inner);
    stack_ = state.own;
  }

 private:
  Space stacked_space() const {
    std::vector<std::int64_t> shape{static_cast<std::int64_t>(k_)};
    shape.insert(shape.end(), inner_.shape().begin(), inner_.shape().end());
    std::vector<double> low;
    std::vector<double> high;
    low.reserve(k_ * inner_.flat_size());
    high.reserve(k_ * inner_.flat_size());
    for (std::size_t j = 0; j < k_; ++j) {
      low.insert(low.end(), inner_.low().begin(), inner_.low().end());
      high.insert(high.end(), inner_.high().begin(), inner_.high().end());
    }
    return Box(std::move(low), std::move(high), std::move(shape), inner_.dtype());
  }

  static std::size_t check_k(std::int64_t k) {
    if (k < 1) {
      throw ConfigError("FrameStack", "k (the number of frames) must be >= 1, got " + std::to_string(k));
    }
    return static_cast<std::size_t>(k);
  }

  static Box check_box(const E& env) {
    Box box = detail::require_box(env.observation_space(), "FrameStack", "observation",
                                  "one-hot encode discrete observations before stacking them");
    if constexpr (detail::fixed_size_value<frame_type>) {
      detail::check_element_count("FrameStack", box, detail::element_count(frame_type{}),
                                  "observation");
    }
    return box;
  }

  void check_frame(const frame_type& frame) const {
    if constexpr (!detail::fixed_size_value<frame_type>) {
      const std::size_t count = detail::element_count(frame);
      if (count != inner_.flat_size()) {
        throw EnvError("FrameStack", "the inner env returned an observation of " + std::to_string(count) +
                                         " elements; its space " + inner_.to_string() + " has " +
                                         std::to_string(inner_.flat_size()));
      }
    }
  }

  void write_frame(std::size_t j, const frame_type& frame) {
    std::size_t i = j * inner_.flat_size();
    detail::for_each_element(frame, [&](auto x) { stack_[i++] = static_cast<scalar_type>(x); });
  }

  std::size_t k_;
  Box inner_;
  Space space_;
  observation_type stack_{};
};

// FrameStack(env, k): the run-time k form.
template <class E>
FrameStack(E, std::int64_t) -> FrameStack<E, dynamic_frames>;

}  // namespace rlpp
