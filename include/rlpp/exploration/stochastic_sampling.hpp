#pragma once
// StochasticSampling (rllib/utils/exploration/stochastic_sampling.py): act by sampling the action
// distribution, the default of the policy-gradient family and SAC. For the first random_timesteps
// the actions are uniform random from the action space instead (logp 0, as RLlib's Random).

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

class StochasticSampling {
 public:
  static constexpr std::string_view type_name = "StochasticSampling";

  // | key | default | meaning |
  // | random_timesteps | 0 | timesteps < this act uniformly at random |
  static Json defaults() { return {{"type", type_name}, {"random_timesteps", 0}}; }

  explicit StochasticSampling(const ExplorationContext& context) : action_space_(context.action_space) {
    const Config config = detail::exploration::strategy_config(context, defaults(), type_name);
    random_timesteps_ = detail::exploration::timesteps(config, "random_timesteps");
  }

  // explore: a sample of `dist` and its logp (sampled_action_logp); before random_timesteps a
  // uniform random action and logp 0. Not explore: dist's deterministic sample and logp 0.
  template <action_distribution Dist>
  void get_exploration_action(Dist& dist, nn::Matrix& actions, std::span<float> logp, std::int64_t timestep,
                              bool explore, RandomStream& rng) {
    last_timestep_ = timestep;
    const std::size_t batch = detail::exploration::batch_size(dist);
    detail::exploration::check_logp(logp, batch, type_name);
    if (!explore) {
      dist.deterministic_sample(actions);
      std::fill(logp.begin(), logp.end(), 0.0f);
    } else if (timestep < random_timesteps_) {
      detail::exploration::sample_space(action_space_, rng, actions, batch);
      std::fill(logp.begin(), logp.end(), 0.0f);
    } else {
      dist.sample(rng, actions);
      const auto sampled = dist.sampled_action_logp().value();
      for (std::size_t b = 0; b < batch; ++b) logp[b] = sampled(static_cast<Eigen::Index>(b), 0);
    }
    detail::exploration::check_actions(actions, batch, action_space_.flat_size(), type_name);
  }

  std::int64_t random_timesteps() const noexcept { return random_timesteps_; }
  std::int64_t last_timestep() const noexcept { return last_timestep_; }

  Json get_state() const { return {{"type", type_name}, {"last_timestep", last_timestep_}}; }
  void set_state(const Json& state) {
    last_timestep_ = detail::exploration::StateReader(state, type_name, {}).last_timestep();
  }

 private:
  Space action_space_;
  std::int64_t random_timesteps_ = 0;
  std::int64_t last_timestep_ = 0;
};

static_assert(exploration_strategy<StochasticSampling>);

}  // namespace rlpp
