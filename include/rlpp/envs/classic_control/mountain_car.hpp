#pragma once
// MountainCar-v0: Gymnasium's mountain car with discrete actions (classic_control/mountain_car.py;
// Moore 1990), with the same equations, clips, inelastic left wall, reward and reset distribution,
// bit for bit (see float_rules.hpp and docs/environments/classic-control.md).
//
// Float32 in MountainCar: only the observation. The state is a float64 array, the constants and
// math.cos(3 * position) are Python floats and the action is an integer, so every step is pure
// float64.

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
#include "rlpp/spaces/discrete.hpp"
#include "rlpp/spaces/space.hpp"

RLPP_EXACT_FP_BEGIN

namespace rlpp {

class MountainCar {
 public:
  using action_type = std::int64_t;               // 0: push left, 1: no push, 2: push right
  using observation_type = std::array<float, 2>;  // position, velocity
  static constexpr std::int64_t v0_max_episode_steps = 200;

  // Everything step() depends on, exactly as Gymnasium holds it.
  struct State {
    double position = 0.0, velocity = 0.0;  // float64
    std::int64_t elapsed_steps = 0;         // steps since reset (TimeLimit's counter)
    // The stream the next unseeded reset() draws from. get_state() fills it; a hand-built
    // state may leave it empty, and set_state() then keeps the env's stream.
    std::optional<RandomStream> rng = std::nullopt;
    friend bool operator==(const State&, const State&) = default;
    // Exact JSON (envs/state_json.hpp), for checkpoints.
    friend void to_json(Json& json, const State& state) {
      json = Json::object();
      json["position"] = state_to_json(state.position);
      json["velocity"] = state_to_json(state.velocity);
      json["elapsed_steps"] = state_to_json(state.elapsed_steps);
      json["rng"] = state_to_json(state.rng);
    }
    friend void from_json(const Json& json, State& state) {
      state_keys(json, {"position", "velocity", "elapsed_steps", "rng"});
      state_field(json, "position", state.position);
      state_field(json, "velocity", state.velocity);
      state_field(json, "elapsed_steps", state.elapsed_steps);
      state_field(json, "rng", state.rng);
    }
  };

  // Constants of mountain_car.py.
  static constexpr double min_position = -1.2;
  static constexpr double max_position = 0.6;
  static constexpr double max_speed = 0.07;
  static constexpr double goal_position = 0.5;
  static constexpr double force = 0.001;
  static constexpr double gravity = 0.0025;

  MountainCar() = default;
  // env_config: "max_episode_steps" (default 200), "goal_velocity" (default 0.0; the goal
  // also needs velocity >= goal_velocity).
  explicit MountainCar(const EnvContext& ctx)
      : goal_velocity_(ctx.get<double>("goal_velocity", 0.0)),
        max_episode_steps_(detail::classic_control::max_episode_steps(ctx, v0_max_episode_steps)),
        rng_(detail::classic_control::initial_stream(ctx, "MountainCar")) {}

  Space observation_space() const {
    static const Space space = Box({min_position, -max_speed}, {max_position, max_speed});
    return space;
  }
  Space action_space() const {
    static const Space space = Discrete(3);
    return space;
  }
  std::int64_t max_episode_steps() const noexcept { return max_episode_steps_; }
  double goal_velocity() const noexcept { return goal_velocity_; }

  // Position uniform in [-0.6, -0.4), velocity 0.
  observation_type reset(Seed seed = std::nullopt) {
    if (seed) rng_ = RandomStream(*seed);
    state_.position = detail::exact::uniform(rng_, -0.6, -0.4);
    state_.velocity = 0.0;
    state_.elapsed_steps = 0;
    ready_ = true;
    return observation();
  }

  // Reward -1 per step; terminated once position >= 0.5 (with velocity >= 0).
  Step<observation_type> step(const action_type& action) {
    RLPP_EXACT_FP_BODY
    using detail::exact::clip;
    if (!ready_) detail::classic_control::throw_step_before_reset("MountainCar");
    if (action < 0 || action > 2) {
      detail::classic_control::throw_bad_action("MountainCar", action, 3,
                                                "0 pushes left, 1 does not push, 2 pushes right");
    }
    double position = state_.position;
    double velocity = state_.velocity;
    velocity += static_cast<double>(action - 1) * force + std::cos(3 * position) * (-gravity);
    velocity = clip(velocity, -max_speed, max_speed);
    position += velocity;
    position = clip(position, min_position, max_position);
    if (position == min_position && velocity < 0) velocity = 0.0;  // inelastic left wall
    state_.position = position;
    state_.velocity = velocity;

    Step<observation_type> result;
    result.reward = -1.0;
    result.terminated = position >= goal_position && velocity >= goal_velocity_;
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
  // Also makes a never-reset env steppable.
  void set_state(const State& state) {
    state_ = state;
    if (state.rng) rng_ = *state.rng;
    state_.rng.reset();
    ready_ = true;
  }

 private:
  observation_type observation() const noexcept {
    using detail::exact::f32;
    return {f32(state_.position), f32(state_.velocity)};
  }

  double goal_velocity_ = 0.0;  // Gymnasium's goal_velocity argument
  std::int64_t max_episode_steps_ = v0_max_episode_steps;
  RandomStream rng_ = detail::classic_control::initial_stream(EnvContext{}, "MountainCar");
  State state_{};
  bool ready_ = false;
};

}  // namespace rlpp

RLPP_EXACT_FP_END
