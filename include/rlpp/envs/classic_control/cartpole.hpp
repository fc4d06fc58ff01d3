#pragma once
// CartPole-v1 and CartPole-v0: Gymnasium's cart-pole (classic_control/cartpole.py; Barto, Sutton
// & Anderson 1983), with the same equations, Euler integrator, constants, termination, rewards
// and reset distribution, bit for bit (see float_rules.hpp and docs/environments/classic-control.md).
//
// Float32 in CartPole: only the observation (np.array(state, dtype=np.float32)). The state is a
// float64 array, the force and constants are Python floats, and np.cos/np.sin/np.square of the
// float64 state stay float64, so every step is pure float64. Gymnasium >= 1.0 squares with
// np.square (an exact product, x * x), not `**`, so no libm pow here.

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
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

class CartPole {
 public:
  using action_type = std::int64_t;                 // 0: push left, 1: push right
  using observation_type = std::array<float, 4>;    // x, x_dot, theta, theta_dot
  static constexpr std::int64_t v1_max_episode_steps = 500;
  static constexpr std::int64_t v0_max_episode_steps = 200;

  // Everything step() depends on, exactly as Gymnasium holds it.
  struct State {
    double x = 0.0, x_dot = 0.0, theta = 0.0, theta_dot = 0.0;  // float64, as Gymnasium's state
    std::int64_t elapsed_steps = 0;  // steps since reset (TimeLimit's counter)
    std::optional<std::int64_t> steps_beyond_terminated;  // Gymnasium's: steps after termination
    // The stream the next unseeded reset() draws from. get_state() fills it; a hand-built
    // state may leave it empty, and set_state() then keeps the env's stream.
    std::optional<RandomStream> rng = std::nullopt;
    friend bool operator==(const State&, const State&) = default;
    // Exact JSON (envs/state_json.hpp), for checkpoints.
    friend void to_json(Json& json, const State& state) {
      json = Json::object();
      json["x"] = state_to_json(state.x);
      json["x_dot"] = state_to_json(state.x_dot);
      json["theta"] = state_to_json(state.theta);
      json["theta_dot"] = state_to_json(state.theta_dot);
      json["elapsed_steps"] = state_to_json(state.elapsed_steps);
      json["steps_beyond_terminated"] = state_to_json(state.steps_beyond_terminated);
      json["rng"] = state_to_json(state.rng);
    }
    friend void from_json(const Json& json, State& state) {
      state_keys(json, {"x", "x_dot", "theta", "theta_dot", "elapsed_steps", "steps_beyond_terminated", "rng"});
      state_field(json, "x", state.x);
      state_field(json, "x_dot", state.x_dot);
      state_field(json, "theta", state.theta);
      state_field(json, "theta_dot", state.theta_dot);
      state_field(json, "elapsed_steps", state.elapsed_steps);
      state_field(json, "steps_beyond_terminated", state.steps_beyond_terminated);
      state_field(json, "rng", state.rng);
    }
  };

  // Constants of cartpole.py.
  static constexpr double gravity = 9.8;
  static constexpr double masscart = 1.0;
  static constexpr double masspole = 0.1;
  static constexpr double total_mass = masspole + masscart;
  static constexpr double length = 0.5;  // half the pole's length
  static constexpr double polemass_length = masspole * length;
  static constexpr double force_mag = 10.0;
  static constexpr double tau = 0.02;  // seconds per step
  static constexpr double theta_threshold_radians = 12 * 2 * std::numbers::pi / 360;
  static constexpr double x_threshold = 2.4;

  // CartPole-v1 (limit 500).
  CartPole() = default;
  // env_config: "max_episode_steps" (default `default_max_episode_steps`: 500 for CartPole-v1,
  // 200 for CartPole-v0), "sutton_barto_reward" (default false).
  explicit CartPole(const EnvContext& ctx,
                    std::int64_t default_max_episode_steps = v1_max_episode_steps)
      : max_episode_steps_(detail::classic_control::max_episode_steps(ctx, default_max_episode_steps)),
        sutton_barto_reward_(ctx.get<bool>("sutton_barto_reward", false)),
        rng_(detail::classic_control::initial_stream(ctx, "CartPole")) {}
  // CartPole-v0: the same env with a 200-step limit.
  static CartPole v0(const EnvContext& ctx = {}) { return CartPole(ctx, v0_max_episode_steps); }

  Space observation_space() const {
    constexpr double inf = std::numeric_limits<double>::infinity();
    static const Space space = Box({-x_threshold * 2, -inf, -theta_threshold_radians * 2, -inf},
                                   {x_threshold * 2, inf, theta_threshold_radians * 2, inf});
    return space;
  }
  Space action_space() const {
    static const Space space = Discrete(2);
    return space;
  }
  std::int64_t max_episode_steps() const noexcept { return max_episode_steps_; }

  // Each of the four state variables uniform in [-0.05, 0.05).
  observation_type reset(Seed seed = std::nullopt) {
    if (seed) rng_ = RandomStream(*seed);
    state_.x = detail::exact::uniform(rng_, -0.05, 0.05);
    state_.x_dot = detail::exact::uniform(rng_, -0.05, 0.05);
    state_.theta = detail::exact::uniform(rng_, -0.05, 0.05);
    state_.theta_dot = detail::exact::uniform(rng_, -0.05, 0.05);
    state_.elapsed_steps = 0;
    state_.steps_beyond_terminated.reset();
    ready_ = true;
    return observation();
  }

  // Reward 1 per step, including the terminating one; stepping on after termination (which
  // Gymnasium allows, with a warning) continues the physics with reward 0 while terminated.
  // With sutton_barto_reward: 0 per step, -1 on termination and after.
  Step<observation_type> step(const action_type& action) {
    RLPP_EXACT_FP_BODY
    if (!ready_) detail::classic_control::throw_step_before_reset("CartPole");
    if (action != 0 && action != 1) {
      detail::classic_control::throw_bad_action("CartPole", action, 2, "0 pushes left, 1 pushes right");
    }
    State& s = state_;
    const double force = action == 1 ? force_mag : -force_mag;
    const double costheta = std::cos(s.theta);
    const double sintheta = std::sin(s.theta);
    // https://coneural.org/florian/papers/05_cart_pole.pdf
    const double temp = (force + polemass_length * (s.theta_dot * s.theta_dot) * sintheta) / total_mass;
    const double thetaacc = (gravity * sintheta - costheta * temp) /
                            (length * (4.0 / 3.0 - masspole * (costheta * costheta) / total_mass));
    const double xacc = temp - polemass_length * thetaacc * costheta / total_mass;
    // Euler (Gymnasium's default kinematics_integrator).
    const double x = s.x + tau * s.x_dot;
    const double x_dot = s.x_dot + tau * xacc;
    const double theta = s.theta + tau * s.theta_dot;
    const double theta_dot = s.theta_dot + tau * thetaacc;
    s.x = x;
    s.x_dot = x_dot;
    s.theta = theta;
    s.theta_dot = theta_dot;

    Step<observation_type> result;
    result.terminated = x < -x_threshold || x > x_threshold || theta < -theta_threshold_radians ||
                        theta > theta_threshold_radians;
    if (!result.terminated) {
      result.reward = sutton_barto_reward_ ? 0.0 : 1.0;
    } else if (!s.steps_beyond_terminated) {
      s.steps_beyond_terminated = 0;
      result.reward = sutton_barto_reward_ ? -1.0 : 1.0;
    } else {
      ++*s.steps_beyond_terminated;
      result.reward = sutton_barto_reward_ ? -1.0 : 0.0;
    }
    result.truncated =
        detail::classic_control::count_step(s.elapsed_steps, max_episode_steps_);
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
    return {f32(state_.x), f32(state_.x_dot), f32(state_.theta), f32(state_.theta_dot)};
  }

  std::int64_t max_episode_steps_ = v1_max_episode_steps;
  bool sutton_barto_reward_ = false;
  RandomStream rng_ = detail::classic_control::initial_stream(EnvContext{}, "CartPole");
  State state_{};
  bool ready_ = false;
};

}  // namespace rlpp

RLPP_EXACT_FP_END
