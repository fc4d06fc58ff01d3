#pragma once
// GaussianNoise (rllib/utils/exploration/gaussian_noise.py), TD3's exploration: after a phase of
// uniform random actions, the deterministic action plus N(0, stddev) * scale, with the scale
// annealed over time and the result clipped to the Box's bounds. logp is always 0.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "rlpp/core/config.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/distributions/action_distribution.hpp"
#include "rlpp/exploration/detail/common.hpp"
#include "rlpp/exploration/detail/noise.hpp"
#include "rlpp/exploration/exploration.hpp"
#include "rlpp/nn/parameters.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

class GaussianNoise {
 public:
  static constexpr std::string_view type_name = "GaussianNoise";

  // | key | default | meaning |
  // | random_timesteps | 1000 | timesteps < this act uniformly at random |
  // | stddev | 0.1 | standard deviation of the noise before scaling |
  // | initial_scale | 1.0 | noise scale at the end of the random phase |
  // | final_scale | 0.02 | noise scale from random_timesteps + scale_timesteps on |
  // | scale_timesteps | 10000 | length of the linear annealing, after the random phase |
  // | scale_schedule | null | a schedule (see detail/schedule_config.hpp) replacing the above |
  static Json defaults() {
    return {{"type", type_name},       {"random_timesteps", 1000}, {"stddev", 0.1},
            {"initial_scale", 1.0},    {"final_scale", 0.02},      {"scale_timesteps", 10000},
            {"scale_schedule", nullptr}};
  }

  explicit GaussianNoise(const ExplorationContext& context) : action_space_(context.action_space) {
    const Config config = detail::exploration::strategy_config(context, defaults(), type_name);
    detail::exploration::require_space(context, SpaceKind::box, type_name, "EpsilonGreedy, SoftQ or StochasticSampling");
    stddev_ = detail::exploration::finite_number(config, "stddev", 0.0);
    phases_ = detail::exploration::NoisePhases::from_config(config);
  }

  // explore and timestep < random_timesteps: uniform random actions (Space::sample; unbounded
  // sides as Gymnasium: normal / shifted exponential). explore after that: dist's deterministic
  // action + scale(timestep) * N(0, stddev) per element, clipped to [low, high]. Not explore:
  // the deterministic action. logp: 0.
  template <action_distribution Dist>
  void get_exploration_action(Dist& dist, nn::Matrix& actions, std::span<float> logp, std::int64_t timestep,
                              bool explore, RandomStream& rng) {
    last_timestep_ = timestep;
    const std::size_t batch = detail::exploration::batch_size(dist);
    detail::exploration::check_logp(logp, batch, type_name);
    std::fill(logp.begin(), logp.end(), 0.0f);
    if (explore && timestep < phases_.random_timesteps) {
      detail::exploration::sample_space(action_space_, rng, actions, batch);
      return;
    }
    dist.deterministic_sample(actions);
    const Box& box = action_space_.as<Box>();
    const std::size_t width = box.flat_size();
    detail::exploration::check_actions(actions, batch, width, type_name);
    if (!explore) return;
    const double scale = phases_.scale_at(timestep);
    const auto low = box.low();
    const auto high = box.high();
    float* data = actions.data();
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t i = 0; i < width; ++i) {
        float& action = data[b * width + i];
        action = detail::exploration::clip_to_bounds(action + scale * rng.normal(0.0, stddev_), low[i], high[i]);
      }
  }

  // The noise scale at the last timestep seen (RLlib's cur_scale).
  double scale() const { return phases_.scale_at(last_timestep_); }
  double stddev() const noexcept { return stddev_; }
  std::int64_t random_timesteps() const noexcept { return phases_.random_timesteps; }
  std::int64_t last_timestep() const noexcept { return last_timestep_; }

  Json get_state() const { return {{"type", type_name}, {"last_timestep", last_timestep_}, {"cur_scale", scale()}}; }
  void set_state(const Json& state) {
    const detail::exploration::StateReader reader(state, type_name, {"cur_scale"});
    reader.derived_number("cur_scale");
    last_timestep_ = reader.last_timestep();
  }

 private:
  Space action_space_;
  double stddev_ = 0.1;
  detail::exploration::NoisePhases phases_;
  std::int64_t last_timestep_ = 0;
};

static_assert(exploration_strategy<GaussianNoise>);

}  // namespace rlpp
