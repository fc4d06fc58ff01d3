#pragma once
// MountainCarContinuous-v0: Gymnasium's mountain car with a continuous push
// (classic_control/continuous_mountain_car.py), with the same equations, clips, inelastic left
// wall, reward and reset distribution, bit for bit (see float_rules.hpp and
// docs/environments/classic-control.md).
//
// Float32 in MountainCarContinuous, the env where NEP 50 matters most:
//  - reset() stores a float64 state; every step() stores np.array([position, velocity],
//    dtype=np.float32), so from the second step on, position and velocity are NumPy float32
//    scalars, and `3 * position`, `velocity += ...`, `position += velocity` and the comparisons
//    with the Python-float bounds 0.07, 0.6, -1.2 and 0.45 are float32 operations (the Python
//    operand rounded to float32 first). On the first step after reset they are float64.
//  - force = min(max(action[0], -1.0), 1.0) is the float32 action unless a bound wins, and then
//    it is that Python float: `force * power` is float32 (0.0015f * a) for |a| <= 1, else the
//    float64 +-0.0015, and `force * power - 0.0025 * math.cos(...)` follows suit.
//  - A clip assigns a Python float (0.07, 0.6, -1.2), which an in-range float32 meets as float32.
//  - The reward, 100 on success minus math.pow(action[0], 2) * 0.1, is float64 of the unclipped
//    action.

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>

#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/envs/classic_control/common.hpp"
#include "rlpp/envs/classic_control/float_rules.hpp"
#include "rlpp/envs/env.hpp"
#include "rlpp/envs/env_context.hpp"
#include "rlpp/envs/state_json.hpp"
#include "rlpp/spaces/box.hpp"
#include "rlpp/spaces/space.hpp"

RLPP_EXACT_FP_BEGIN

namespace rlpp {

class MountainCarContinuous {
 public:
  using action_type = std::array<float, 1>;       // push, clipped to [-1, 1]
  using observation_type = std::array<float, 2>;  // position, velocity
  static constexpr std::int64_t v0_max_episode_steps = 999;

  // Everything step() depends on, exactly as Gymnasium holds it.
  struct State {
    double position = 0.0, velocity = 0.0;
    // The dtype of Gymnasium's state array: float64 right after reset, float32 after any step
    // (then position and velocity hold float32 values).
    bool is_float32 = false;
    std::int64_t elapsed_steps = 0;  // steps since reset (TimeLimit's counter)
    // The stream the next unseeded reset() draws from. get_state() fills it; a hand-built
    // state may leave it empty, and set_state() then keeps the env's stream.
    std::optional<RandomStream> rng = std::nullopt;
    friend bool operator==(const State&, const State&) = default;
    // Exact JSON (envs/state_json.hpp), for checkpoints.
    friend void to_json(Json& json, const State& state) {
      json = Json::object();
      json["position"] = state_to_json(state.position);
      json["velocity"] = state_to_json(state.velocity);
      json["is_float32"] = state_to_json(state.is_float32);
      json["elapsed_steps"] = state_to_json(state.elapsed_steps);
      json["rng"] = state_to_json(state.rng);
    }
    friend void from_json(const Json& json, State& state) {
      state_keys(json, {"position", "velocity", "is_float32", "elapsed_steps", "rng"});
      state_field(json, "position", state.position);
      state_field(json, "velocity", state.velocity);
      state_field(json, "is_float32", state.is_float32);
      state_field(json, "elapsed_steps", state.elapsed_steps);
      state_field(json, "rng", state.rng);
    }
  };

  // Constants of continuous_mountain_car.py.
  static constexpr double min_action = -1.0;
  static constexpr double max_action = 1.0;
  static constexpr double min_position = -1.2;
  static constexpr double max_position = 0.6;
  static constexpr double max_speed = 0.07;
  static constexpr double goal_position = 0.45;
  static constexpr double power = 0.0015;

  MountainCarContinuous() = default;
  // env_config: "max_episode_steps" (default 999), "goal_velocity" (default 0.0; the goal
  // also needs velocity >= goal_velocity).
  explicit MountainCarContinuous(const EnvContext& ctx)
      : goal_velocity_(ctx.get<double>("goal_velocity", 0.0)),
        max_episode_steps_(detail::classic_control::max_episode_steps(ctx, v0_max_episode_steps)),
        rng_(detail::classic_control::initial_stream(ctx, "MountainCarContinuous")) {}

  Space observation_space() const {
    static const Space space = Box({min_position, -max_speed}, {max_position, max_speed});
    return space;
  }
  Space action_space() const {
    static const Space space = Box(min_action, max_action, {1});
    return space;
  }
  std::int64_t max_episode_steps() const noexcept { return max_episode_steps_; }
  double goal_velocity() const noexcept { return goal_velocity_; }

  // Position uniform in [-0.6, -0.4), velocity 0 (a float64 state).
  observation_type reset(Seed seed = std::nullopt) {
    if (seed) rng_ = RandomStream(*seed);
    state_.position = detail::exact::uniform(rng_, -0.6, -0.4);
    state_.velocity = 0.0;
    state_.is_float32 = false;
    state_.elapsed_steps = 0;
    ready_ = true;
    return observation();
  }

  // Reward -0.1 * action**2 per step, +100 on reaching position >= 0.45 (terminated).
  Step<observation_type> step(const action_type& action) {
    RLPP_EXACT_FP_BODY
    using detail::exact::f32;
    using detail::exact::pow2;
    using Scalar = detail::exact::Scalar;
    if (!ready_) detail::classic_control::throw_step_before_reset("MountainCarContinuous");
    const bool float32 = state_.is_float32;
    const float a = action[0];

    // 0.0025 * math.cos(3 * position): a Python float; 3 * position is float32 on a float32 state.
    const double three_position =
        float32 ? static_cast<double>(3.0f * f32(state_.position)) : 3 * state_.position;
    const double slope = 0.0025 * std::cos(three_position);
    // force * power - slope: float32 when force is the float32 action, else a Python float.
    Scalar push;
    if (a < f32(min_action)) {
      push = {min_action * power - slope, false};
    } else if (a > f32(max_action)) {
      push = {max_action * power - slope, false};
    } else {
      push = {static_cast<double>(a * f32(power) - f32(slope)), true};
    }
    // velocity += push: the state's dtype wins (float64 after reset; float32 meets a float32 or a
    // Python float as float32).
    Scalar velocity = float32 ? Scalar{static_cast<double>(f32(state_.velocity) + f32(push.value)), true}
                              : Scalar{state_.velocity + push.value, false};
    if (velocity > max_speed) velocity = {max_speed, false};
    if (velocity < -max_speed) velocity = {-max_speed, false};
    Scalar position = float32 ? Scalar{static_cast<double>(f32(state_.position) + f32(velocity.value)), true}
                              : Scalar{state_.position + velocity.value, false};
    if (position > max_position) position = {max_position, false};
    if (position < min_position) position = {min_position, false};
    if (position == min_position && velocity < 0.0) velocity = {0.0, false};  // inelastic wall

    Step<observation_type> result;
    result.terminated = position >= goal_position && velocity >= goal_velocity_;
    result.reward = (result.terminated ? 100.0 : 0.0) - pow2(static_cast<double>(a)) * 0.1;
    state_.position = detail::exact::float32_value(position.value);
    state_.velocity = detail::exact::float32_value(velocity.value);
    state_.is_float32 = true;
    result.truncated =
        detail::classic_control::count_step(state_.elapsed_steps, max_episode_steps_);
    result.observation = observation();
    return result;
  }

  // The physics and the random stream (by value: the stream lives outside state_).
  State get_state() const {
    State state = state_;
    state.rng = rng_;
    return state;
  }
  // Also makes a never-reset env steppable. A float32 state is rounded to float32.
  void set_state(const State& state) {
    state_ = state;
    if (state.rng) rng_ = *state.rng;
    state_.rng.reset();
    if (state_.is_float32) {
      state_.position = detail::exact::float32_value(state_.position);
      state_.velocity = detail::exact::float32_value(state_.velocity);
    }
    ready_ = true;
  }

 private:
  observation_type observation() const noexcept {
    using detail::exact::f32;
    return {f32(state_.position), f32(state_.velocity)};
  }

  double goal_velocity_ = 0.0;  // Gymnasium's goal_velocity argument
  std::int64_t max_episode_steps_ = v0_max_episode_steps;
  RandomStream rng_ = detail::classic_control::initial_stream(EnvContext{}, "MountainCarContinuous");
  State state_{};
  bool ready_ = false;
};

}  // namespace rlpp

RLPP_EXACT_FP_END
