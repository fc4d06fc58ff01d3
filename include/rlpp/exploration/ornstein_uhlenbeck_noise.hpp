#pragma once
// OrnsteinUhlenbeckNoise (rllib/utils/exploration/ornstein_uhlenbeck_noise.py), DDPG's
// exploration: GaussianNoise's random phase, then the deterministic action plus temporally
// correlated noise from an Ornstein-Uhlenbeck process, clipped to the Box. logp is always 0.
// Unlike RLlib, which keeps one OU state shared by the whole batch, every batch row (sub-env of
// a vector env) has its own state, so parallel envs do not share one noise trajectory; with one
// env per worker (B = 1) the two agree.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/distributions/action_distribution.hpp"
#include "rlpp/exploration/detail/common.hpp"
#include "rlpp/exploration/detail/noise.hpp"
#include "rlpp/exploration/exploration.hpp"
#include "rlpp/nn/parameters.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

class OrnsteinUhlenbeckNoise {
 public:
  static constexpr std::string_view type_name = "OrnsteinUhlenbeckNoise";

  // | key | default | meaning |
  // | ou_theta | 0.15 | mean reversion per step |
  // | ou_sigma | 0.2 | standard deviation of the per-step N(0, 1) increment |
  // | ou_base_scale | 0.1 | noise = scale * ou_base_scale * x * (high - low) |
  // | random_timesteps | 1000 | timesteps < this act uniformly at random |
  // | initial_scale | 1.0 | noise scale at the end of the random phase |
  // | final_scale | 0.02 | noise scale from random_timesteps + scale_timesteps on |
  // | scale_timesteps | 10000 | length of the linear annealing, after the random phase |
  // | scale_schedule | null | a schedule (see detail/schedule_config.hpp) replacing the above |
  static Json defaults() {
    return {{"type", type_name},      {"ou_theta", 0.15},      {"ou_sigma", 0.2},
            {"ou_base_scale", 0.1},   {"random_timesteps", 1000}, {"initial_scale", 1.0},
            {"final_scale", 0.02},    {"scale_timesteps", 10000}, {"scale_schedule", nullptr}};
  }

  explicit OrnsteinUhlenbeckNoise(const ExplorationContext& context) : action_space_(context.action_space) {
    const Config config = detail::exploration::strategy_config(context, defaults(), type_name);
    detail::exploration::require_space(context, SpaceKind::box, type_name, "EpsilonGreedy, SoftQ or StochasticSampling");
    theta_ = detail::exploration::finite_number(config, "ou_theta", 0.0);
    sigma_ = detail::exploration::finite_number(config, "ou_sigma", 0.0);
    base_scale_ = detail::exploration::finite_number(config, "ou_base_scale", 0.0);
    phases_ = detail::exploration::NoisePhases::from_config(config);
    const Box& box = action_space_.as<Box>();
    width_ = box.flat_size();
    range_.resize(width_);
    for (std::size_t i = 0; i < width_; ++i) {
      const double range = box.high()[i] - box.low()[i];
      range_[i] = std::isinf(range) ? 1.0 : range;
    }
  }

  // explore and timestep < random_timesteps: uniform random actions (as GaussianNoise; the OU
  // state does not move). explore after that, per row b and element i (OU state x, from 0):
  //   x += theta * -x + sigma * N(0, 1)          (RLlib's tf version; its torch one also scales
  //                                               the N(0, 1) draw by the current scale)
  //   action = clip(det + scale(t) * ou_base_scale * x * (high - low), low, high)
  // with high - low taken as 1 where infinite. Draws are taken row-major. Not explore: the
  // deterministic action. logp: 0. The state grows to the largest batch seen (rows beyond the
  // current batch keep their values: row b belongs to sub-env b).
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
    detail::exploration::check_actions(actions, batch, width_, type_name);
    if (!explore) return;
    if (rows_ < batch) {
      ou_state_.resize(batch * width_, 0.0);
      rows_ = batch;
    }
    const double scale = phases_.scale_at(timestep);
    const Box& box = action_space_.as<Box>();
    const auto low = box.low();
    const auto high = box.high();
    float* data = actions.data();
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t i = 0; i < width_; ++i) {
        double& x = ou_state_[b * width_ + i];
        x += theta_ * -x + sigma_ * rng.normal();
        const double noise = scale * base_scale_ * x * range_[i];
        float& action = data[b * width_ + i];
        action = detail::exploration::clip_to_bounds(action + noise, low[i], high[i]);
      }
  }

  // The OU state, [ou_rows(), action flat size] row-major (empty before the first noisy step).
  std::span<const double> ou_state() const noexcept { return ou_state_; }
  std::size_t ou_rows() const noexcept { return rows_; }
  // The noise scale at the last timestep seen (RLlib's cur_scale).
  double scale() const { return phases_.scale_at(last_timestep_); }
  std::int64_t last_timestep() const noexcept { return last_timestep_; }

  // {"type", "last_timestep", "cur_scale", "ou_state": [[x per element] per row]}; doubles
  // round-trip exactly through JSON text, so a restored run continues bit-identically.
  Json get_state() const {
    Json rows = Json::array();
    for (std::size_t b = 0; b < rows_; ++b) {
      Json row = Json::array();
      for (std::size_t i = 0; i < width_; ++i) row.push_back(ou_state_[b * width_ + i]);
      rows.push_back(std::move(row));
    }
    return {{"type", type_name}, {"last_timestep", last_timestep_}, {"cur_scale", scale()}, {"ou_state", rows}};
  }
  void set_state(const Json& state) {
    const detail::exploration::StateReader reader(state, type_name, {"cur_scale", "ou_state"});
    reader.derived_number("cur_scale");
    const std::int64_t timestep = reader.last_timestep();
    const Json& rows = reader.at("ou_state");
    if (!rows.is_array())
      throw CheckpointError(reader.where("ou_state"), "expected an array of rows, got " + describe_json(rows));
    std::vector<double> values;
    values.reserve(rows.size() * width_);
    for (std::size_t b = 0; b < rows.size(); ++b) {
      const Json& row = rows[b];
      const std::string where = reader.where("ou_state") + "[" + std::to_string(b) + "]";
      if (!row.is_array() || row.size() != width_)
        throw CheckpointError(where, "expected " + std::to_string(width_) + " numbers (one per action element of " +
                                         action_space_.to_string() + "), got " + describe_json(row));
      for (const Json& value : row) {
        if (!value.is_number() || !std::isfinite(value.get<double>()))
          throw CheckpointError(where, "expected finite numbers, got " + describe_json(value));
        values.push_back(value.get<double>());
      }
    }
    ou_state_ = std::move(values);
    rows_ = rows.size();
    last_timestep_ = timestep;
  }

 private:
  Space action_space_;
  double theta_ = 0.15;
  double sigma_ = 0.2;
  double base_scale_ = 0.1;
  detail::exploration::NoisePhases phases_;
  std::size_t width_ = 0;
  std::vector<double> range_;     // high - low per element, 1 where infinite
  std::vector<double> ou_state_;  // [rows_, width_]
  std::size_t rows_ = 0;
  std::int64_t last_timestep_ = 0;
};

static_assert(exploration_strategy<OrnsteinUhlenbeckNoise>);

}  // namespace rlpp
