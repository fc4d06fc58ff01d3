#pragma once
// Acrobot-v1: Gymnasium's two-link acrobot (classic_control/acrobot.py; Sutton 1996, with the
// book's dynamics and no torque noise), with the same equations, RK4 integrator over one dt,
// angle wrap, velocity bounds, termination and reset distribution, bit for bit (see
// float_rules.hpp and docs/environments/classic-control.md).
//
// Float32 in Acrobot: reset() stores uniform(-0.1, 0.1, 4).astype(np.float32), so the state right
// after reset holds float32 values. The first step's np.append(state, torque) widens it to
// float64 (the torque is a Python number), and from then on the state stays float64. The
// observation is float32. `dtheta2**2`, `dtheta1**2` and `d2**2` are libm pow on float64.
// rlpp takes np.cos/np.sin of the float32 reset state as the correctly rounded float32 value,
// float32(cos(double(x))); NumPy's own SIMD float32 cos may differ from it in the last bit (this
// affects only the observation returned by reset(), never the dynamics).

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
#include "rlpp/spaces/discrete.hpp"
#include "rlpp/spaces/space.hpp"

RLPP_EXACT_FP_BEGIN

namespace rlpp {

class Acrobot {
 public:
  using action_type = std::int64_t;  // 0: torque -1, 1: torque 0, 2: torque +1
  // cos(theta1), sin(theta1), cos(theta2), sin(theta2), theta1_dot, theta2_dot
  using observation_type = std::array<float, 6>;
  static constexpr std::int64_t v1_max_episode_steps = 500;

  // Everything step() depends on, exactly as Gymnasium holds it (float32 values after reset).
  struct State {
    double theta1 = 0.0, theta2 = 0.0, dtheta1 = 0.0, dtheta2 = 0.0;
    std::int64_t elapsed_steps = 0;  // steps since reset (TimeLimit's counter)
    // The stream the next unseeded reset() draws from. get_state() fills it; a hand-built
    // state may leave it empty, and set_state() then keeps the env's stream.
    std::optional<RandomStream> rng = std::nullopt;
    friend bool operator==(const State&, const State&) = default;
    // Exact JSON (envs/state_json.hpp), for checkpoints.
    friend void to_json(Json& json, const State& state) {
      json = Json::object();
      json["theta1"] = state_to_json(state.theta1);
      json["theta2"] = state_to_json(state.theta2);
      json["dtheta1"] = state_to_json(state.dtheta1);
      json["dtheta2"] = state_to_json(state.dtheta2);
      json["elapsed_steps"] = state_to_json(state.elapsed_steps);
      json["rng"] = state_to_json(state.rng);
    }
    friend void from_json(const Json& json, State& state) {
      state_keys(json, {"theta1", "theta2", "dtheta1", "dtheta2", "elapsed_steps", "rng"});
      state_field(json, "theta1", state.theta1);
      state_field(json, "theta2", state.theta2);
      state_field(json, "dtheta1", state.dtheta1);
      state_field(json, "dtheta2", state.dtheta2);
      state_field(json, "elapsed_steps", state.elapsed_steps);
      state_field(json, "rng", state.rng);
    }
  };

  // Constants of acrobot.py.
  static constexpr double dt = 0.2;
  static constexpr double link_length_1 = 1.0;
  static constexpr double link_mass_1 = 1.0;
  static constexpr double link_mass_2 = 1.0;
  static constexpr double link_com_pos_1 = 0.5;
  static constexpr double link_com_pos_2 = 0.5;
  static constexpr double link_moi = 1.0;
  static constexpr double max_vel_1 = 4 * std::numbers::pi;
  static constexpr double max_vel_2 = 9 * std::numbers::pi;
  static constexpr std::array<double, 3> avail_torque = {-1.0, 0.0, +1.0};

  Acrobot() = default;
  // env_config: "max_episode_steps" (default 500).
  explicit Acrobot(const EnvContext& ctx)
      : max_episode_steps_(detail::classic_control::max_episode_steps(ctx, v1_max_episode_steps)),
        rng_(detail::classic_control::initial_stream(ctx, "Acrobot")) {}

  Space observation_space() const {
    static const Space space = Box({-1.0, -1.0, -1.0, -1.0, -max_vel_1, -max_vel_2},
                                   {1.0, 1.0, 1.0, 1.0, max_vel_1, max_vel_2});
    return space;
  }
  Space action_space() const {
    static const Space space = Discrete(3);
    return space;
  }
  std::int64_t max_episode_steps() const noexcept { return max_episode_steps_; }

  // Each state variable uniform in [-0.1, 0.1), stored as float32.
  observation_type reset(Seed seed = std::nullopt) {
    using detail::exact::float32_value;
    if (seed) rng_ = RandomStream(*seed);
    state_.theta1 = float32_value(detail::exact::uniform(rng_, -0.1, 0.1));
    state_.theta2 = float32_value(detail::exact::uniform(rng_, -0.1, 0.1));
    state_.dtheta1 = float32_value(detail::exact::uniform(rng_, -0.1, 0.1));
    state_.dtheta2 = float32_value(detail::exact::uniform(rng_, -0.1, 0.1));
    state_.elapsed_steps = 0;
    ready_ = true;
    return observation();
  }

  // Reward -1 per step, 0 on the step whose tip ends above the line (terminated).
  Step<observation_type> step(const action_type& action) {
    RLPP_EXACT_FP_BODY
    if (!ready_) detail::classic_control::throw_step_before_reset("Acrobot");
    if (action < 0 || action > 2) {
      detail::classic_control::throw_bad_action("Acrobot", action, 3,
                                                "0, 1, 2 apply torque -1, 0, +1 to the joint");
    }
    constexpr double pi = std::numbers::pi;
    const Vector ns = rk4({state_.theta1, state_.theta2, state_.dtheta1, state_.dtheta2,
                           avail_torque[static_cast<std::size_t>(action)]});
    state_.theta1 = wrap(ns[0], -pi, pi);
    state_.theta2 = wrap(ns[1], -pi, pi);
    state_.dtheta1 = bound(ns[2], -max_vel_1, max_vel_1);
    state_.dtheta2 = bound(ns[3], -max_vel_2, max_vel_2);

    Step<observation_type> result;
    result.terminated = -std::cos(state_.theta1) - std::cos(state_.theta2 + state_.theta1) > 1.0;
    result.reward = result.terminated ? 0.0 : -1.0;
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
  // theta1, theta2, dtheta1, dtheta2, torque (Gymnasium's s_augmented).
  using Vector = std::array<double, 5>;

  // _dsdt with book_or_nips = "book". The constants' squares (0.25, 1.0) are exact, so writing
  // them as products equals libm's pow; the state's squares go through pow2.
  static Vector dsdt(const Vector& s) noexcept {
    RLPP_EXACT_FP_BODY
    using detail::exact::pow2;
    constexpr double m1 = link_mass_1, m2 = link_mass_2, l1 = link_length_1;
    constexpr double lc1 = link_com_pos_1, lc2 = link_com_pos_2, I1 = link_moi, I2 = link_moi;
    constexpr double g = 9.8;
    constexpr double pi = std::numbers::pi;
    const double theta1 = s[0], theta2 = s[1], dtheta1 = s[2], dtheta2 = s[3], a = s[4];
    const double d1 =
        m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * std::cos(theta2)) + I1 + I2;
    const double d2 = m2 * (lc2 * lc2 + l1 * lc2 * std::cos(theta2)) + I2;
    const double phi2 = m2 * lc2 * g * std::cos(theta1 + theta2 - pi / 2.0);
    const double phi1 = -m2 * l1 * lc2 * pow2(dtheta2) * std::sin(theta2) -
                        2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * std::sin(theta2) +
                        (m1 * lc1 + m2 * l1) * g * std::cos(theta1 - pi / 2) + phi2;
    const double ddtheta2 =
        (a + d2 / d1 * phi1 - m2 * l1 * lc2 * pow2(dtheta1) * std::sin(theta2) - phi2) /
        (m2 * (lc2 * lc2) + I2 - pow2(d2) / d1);
    const double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    return {dtheta1, dtheta2, ddtheta1, ddtheta2, 0.0};
  }

  // Gymnasium's rk4 over t = [0, dt]: one classic Runge-Kutta step, evaluated elementwise in the
  // order NumPy evaluates y0 + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4).
  static Vector rk4(const Vector& y0) noexcept {
    RLPP_EXACT_FP_BODY
    const double h = dt - 0;  // t[1] - t[0]
    const double h2 = h / 2.0;
    const auto shifted = [&y0](double step, const Vector& k) {
      RLPP_EXACT_FP_BODY
      Vector y;
      for (std::size_t i = 0; i < y.size(); ++i) y[i] = y0[i] + step * k[i];
      return y;
    };
    const Vector k1 = dsdt(y0);
    const Vector k2 = dsdt(shifted(h2, k1));
    const Vector k3 = dsdt(shifted(h2, k2));
    const Vector k4 = dsdt(shifted(h, k3));
    const double sixth = h / 6.0;
    Vector y;
    for (std::size_t i = 0; i < y.size(); ++i) {
      y[i] = y0[i] + sixth * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    }
    return y;
  }

  // Gymnasium's wrap: shifts x by (M - m) until m <= x <= M. A non-finite x is returned as is
  // (Gymnasium would loop forever on an infinity).
  static double wrap(double x, double m, double M) noexcept {
    RLPP_EXACT_FP_BODY
    if (!std::isfinite(x)) return x;
    const double diff = M - m;
    while (x > M) x = x - diff;
    while (x < m) x = x + diff;
    return x;
  }

  // Gymnasium's bound: Python's min(max(x, m), M), which keeps a NaN.
  static double bound(double x, double m, double M) noexcept {
    const double lower = m > x ? m : x;
    return M < lower ? M : lower;
  }

  observation_type observation() const noexcept {
    using detail::exact::f32;
    return {f32(std::cos(state_.theta1)), f32(std::sin(state_.theta1)),
            f32(std::cos(state_.theta2)), f32(std::sin(state_.theta2)),
            f32(state_.dtheta1),          f32(state_.dtheta2)};
  }

  std::int64_t max_episode_steps_ = v1_max_episode_steps;
  RandomStream rng_ = detail::classic_control::initial_stream(EnvContext{}, "Acrobot");
  State state_{};
  bool ready_ = false;
};

}  // namespace rlpp

RLPP_EXACT_FP_END
