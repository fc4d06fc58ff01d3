#pragma once
// Random (rllib/utils/exploration/random.py): uniform random actions from the action space
// whenever explore is true (Space::sample, Gymnasium's semantics for unbounded Boxes), the
// distribution's deterministic action otherwise. logp is always 0.

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
#include "rlpp/exploration/exploration.hpp"
#include "rlpp/nn/parameters.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

class Random {
 public:
  static constexpr std::string_view type_name = "Random";

  // No keys besides "type".
  static Json defaults() { return {{"type", type_name}}; }

  explicit Random(const ExplorationContext& context) : action_space_(context.action_space) {
    detail::exploration::strategy_config(context, defaults(), type_name);
  }

  template <action_distribution Dist>
  void get_exploration_action(Dist& dist, nn::Matrix& actions, std::span<float> logp, std::int64_t timestep,
                              bool explore, RandomStream& rng) {
    last_timestep_ = timestep;
    const std::size_t batch = detail::exploration::batch_size(dist);
    detail::exploration::check_logp(logp, batch, type_name);
    if (explore) detail::exploration::sample_space(action_space_, rng, actions, batch);
    else dist.deterministic_sample(actions);
    detail::exploration::check_actions(actions, batch, action_space_.flat_size(), type_name);
    std::fill(logp.begin(), logp.end(), 0.0f);
  }

  std::int64_t last_timestep() const noexcept { return last_timestep_; }

  Json get_state() const { return {{"type", type_name}, {"last_timestep", last_timestep_}}; }
  void set_state(const Json& state) {
    last_timestep_ = detail::exploration::StateReader(state, type_name, {}).last_timestep();
  }

 private:
  Space action_space_;
  std::int64_t last_timestep_ = 0;
};

static_assert(exploration_strategy<Random>);

}  // namespace rlpp
