#pragma once
// What GaussianNoise and OrnsteinUhlenbeckNoise share: a uniform random phase of
// random_timesteps, then noise whose scale is annealed by a schedule, clipped to the Box.

#include <algorithm>
#include <cstdint>
#include <utility>

#include "rlpp/core/config.hpp"
#include "rlpp/exploration/detail/common.hpp"
#include "rlpp/exploration/detail/schedule_config.hpp"
#include "rlpp/nn/schedules.hpp"

namespace rlpp::detail::exploration {

struct NoisePhases {
  std::int64_t random_timesteps = 0;
  nn::Schedule scale;

  // Reads random_timesteps, initial_scale, final_scale, scale_timesteps and scale_schedule.
  // RLlib's scale schedule is PiecewiseSchedule([(R, initial), (R + T, final)], outside=final),
  // so the annealing starts after the random phase. rlpp adds the endpoint (0, initial): the
  // same noise, but the reported scale during the random phase is initial_scale, not final_scale.
  static NoisePhases from_config(const Config& config) {
    NoisePhases phases;
    phases.random_timesteps = timesteps(config, "random_timesteps");
    const double initial = finite_number(config, "initial_scale", 0.0);
    const double final = finite_number(config, "final_scale", 0.0);
    const auto decay = static_cast<double>(timesteps(config, "scale_timesteps"));
    const auto start = static_cast<double>(phases.random_timesteps);
    if (auto configured = schedule_from_config(config.value("scale_schedule"), config.path_of("scale_schedule")))
      phases.scale = std::move(*configured);
    else
      phases.scale = nn::PiecewiseSchedule({{0.0, initial}, {start, initial}, {start + decay, final}}, final);
    return phases;
  }

  double scale_at(std::int64_t timestep) const { return scale.value(static_cast<double>(timestep)); }
};

// A noisy action clipped to [low, high] (the Box's bounds, already float values), as float.
inline float clip_to_bounds(double value, double low, double high) noexcept {
  return static_cast<float>(std::clamp(value, low, high));
}

}  // namespace rlpp::detail::exploration
