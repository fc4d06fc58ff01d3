#pragma once
// Pendulum-v1: Gymnasium's inverted pendulum swing-up (classic_control/pendulum.py), with the
// same equations, clips, reward and reset distribution, bit for bit (see float_rules.hpp and
// docs/environments/classic-control.md). env_config "g" sets gravity (default 10.0).
//
// Float32 in Pendulum: the action is a float32 array, so u = np.clip(u, -2.0, 2.0)[0] is a NumPy
// float32 scalar, and under NEP 50 a Python float times it stays float32: `3.0 / (m * l**2) * u`
// is 3.0f * u and `0.001 * (u**2)` is 0.001f * powf(u, 2) (NumPy's float32 power), both rounded
// to float32 before they meet the float64 terms. The state (th, thdot) is float64; the
// observation is float32. `angle_normalize(th) ** 2` and `thdot**2` are libm pow on float64.

#include <array>
#include <cmath>
#include <cstdint>
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
#include "rlpp/spaces/space.hpp"

RLPP_EXACT_FP_BEGIN

namespace rlpp {

class Pendulum {
 public:
  using action_type = std::array<float, 1>;       // torque, clipped to [-2, 2]
  using observation_type = std::array<float, 3>;  // cos(theta), sin(theta), theta_dot
  static constexpr std::int64_t v1_max_episode_steps = 200;

  // Everything step() depends on, exactly as Gymnasium holds it.
  struct State {
    double theta = 0.0, theta_dot = 0.0;  // float64; theta = 0 is upright
    std::int64_t elapsed_steps = 0;       // steps since reset (TimeLimit's counter)
    // The stream the next unseeded reset() draws from. get_state() fills it; a hand-built
    // state may leave it empty, and set_state() then keeps the env's stream.
    std::optional<RandomStream> rng = std::nullopt;
    friend bool operator==(const State&, const State&) = default;
    // Exact JSON (envs/state_json.hpp), for checkpoints.
    friend void to_json(Json& json, const State& state) {
      json = Json::object();
      json["theta"] = state_to_json(state.theta);
      json["theta_dot"] = state_to_json(state.theta_dot);
      json["elapsed_steps"] = state_to_json(state.elapsed_steps);
      json["rng"] = state_to_json(state.rng);
    }
    friend void from_json(const Json& json, State& state) {
      state_keys(json, {"theta", "theta_dot", "elapsed_steps", "rng"});
      state_field(json, "theta", state.theta);
      state_field(json, "theta_dot", state.theta_dot);
      state_field(json, "elapsed_steps", state.elapsed_steps);
      state_field(json, "rng", state.rng);
    }
  };

  // Constants of pendulum.py.
  static constexpr double max_speed = 8.0;
  static constexpr double max_torque = 2.0;
  static constexpr double dt = 0.05;
  static constexpr double m = 1.0;
  static constexpr double l = 1.0;
  static constexpr double default_g = 10.0;

  Pendulum() = default;
  // env_config: "g" (number, default 10.0), "max_episode_steps" (default 200).
  explicit Pendulum(const EnvContext& ctx)
      : g_(ctx.get<double>("g", default_g)),
        max_episode_steps_(detail::classic_control::max_episode_steps(ctx, v1_max_episode_steps)),
        rng_(detail::classic_control::initial_stream(ctx, "Pendulum")) {}

  Space observation_space() const {
    static const Space space = Box({-1.0, -1.0, -max_speed}, {1.0, 1.0, max_speed});
    return space;
  }
  Space action_space() const {
    static const Space space = Box(-max_torque, max_torque, {1});
    return space;
  }
  double g() const noexcept { return g_; }
  std::int64_t max_episode_steps() const noexcept { return max_episode_steps_; }

  // theta uniform in [-pi, pi), theta_dot uniform in [-1, 1).
  observation_type reset(Seed seed = std::nullopt) {
    if (seed) rng_ = RandomStream(*seed);
    state_.theta = detail::exact::uniform(rng_, -std::numbers::pi, std::numbers::pi);
    state_.theta_dot = detail::exact::uniform(rng_, -1.0, 1.0);
    state_.elapsed_steps = 0;
    ready_ = true;
    return observation();
  }

  // Never terminates; truncated at max_episode_steps.
  Step<observation_type> step(const action_type& action) {
    RLPP_EXACT_FP_BODY
    using namespace detail::exact;
    if (!ready_) detail::classic_control::throw_step_before_reset("Pendulum");
    const double th = state_.theta;
    const double thdot = state_.theta_dot;
    // np.clip of the float32 action with Python-float bounds: float32.
    const float u = clip(action[0], static_cast<float>(-max_torque), static_cast<float>(max_torque));
    const double costs =
        pow2(angle_normalize(th)) + 0.1 * pow2(thdot) + static_cast<double>(0.001f * powf2(u));
    // 3 * g / (2 * l) and 3.0 / (m * l**2) are Python floats (l**2 = 1.0 exactly).
    const double gravity_factor = 3 * g_ / (2 * l);
    const double torque_factor = 3.0 / (m * (l * l));
    double newthdot =
        thdot + (gravity_factor * std::sin(th) +
                 static_cast<double>(static_cast<float>(torque_factor) * u)) * dt;
    newthdot = clip(newthdot, -max_speed, max_speed);
    const double newth = th + newthdot * dt;
    state_.theta = newth;
    state_.theta_dot = newthdot;

    Step<observation_type> result;
    result.reward = -costs;
    result.truncated = detail::classic_control::count_step(state_.elapsed_steps, max_episode_steps_);
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
  // ((x + pi) % (2 pi)) - pi with NumPy's (Python's) remainder.
  static double angle_normalize(double x) noexcept {
    RLPP_EXACT_FP_BODY
    return detail::exact::remainder(x + std::numbers::pi, 2 * std::numbers::pi) - std::numbers::pi;
  }

  observation_type observation() const noexcept {
    using detail::exact::f32;
    return {f32(std::cos(state_.theta)), f32(std::sin(state_.theta)), f32(state_.theta_dot)};
  }

  double g_ = default_g;
  std::int64_t max_episode_steps_ = v1_max_episode_steps;
  RandomStream rng_ = detail::classic_control::initial_stream(EnvContext{}, "Pendulum");
  State state_{};
  bool ready_ = false;
};

}  // namespace rlpp

RLPP_EXACT_FP_END
