#pragma once
// SoftQ (rllib/utils/exploration/soft_q.py): Boltzmann exploration for Q-learning. Actions are
// sampled from softmax(Q / temperature), and logp is the log-probability of the sampled action
// under that distribution. Discrete action spaces only.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/distributions/action_distribution.hpp"
#include "rlpp/exploration/detail/common.hpp"
#include "rlpp/exploration/exploration.hpp"
#include "rlpp/nn/parameters.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

class SoftQ {
 public:
  static constexpr std::string_view type_name = "SoftQ";

  // | key | default | meaning |
  // | temperature | 1.0 | > 0; higher is more uniform, toward 0 greedy |
  static Json defaults() { return {{"type", type_name}, {"temperature", 1.0}}; }

  explicit SoftQ(const ExplorationContext& context) : action_space_(context.action_space) {
    const Config config = detail::exploration::strategy_config(context, defaults(), type_name);
    detail::exploration::require_space(context, SpaceKind::discrete, type_name,
                                       "StochasticSampling, GaussianNoise or OrnsteinUhlenbeckNoise");
    temperature_ = detail::exploration::finite_number(config, "temperature", 0.0, true);
    n_ = static_cast<Eigen::Index>(action_space_.as<Discrete>().n());
    start_ = action_space_.as<Discrete>().start();
  }

  // explore: per row, an action drawn from softmax(Q / temperature) (Q = dist's inputs; masked
  // actions, Q = -inf, get probability 0) with its log-probability. Not explore: dist's
  // deterministic sample (argmax Q) and logp 0, as RLlib's StochasticSampling which SoftQ extends.
  template <action_distribution Dist>
  void get_exploration_action(Dist& dist, nn::Matrix& actions, std::span<float> logp, std::int64_t timestep,
                              bool explore, RandomStream& rng) {
    last_timestep_ = timestep;
    const std::size_t batch = detail::exploration::batch_size(dist);
    detail::exploration::check_logp(logp, batch, type_name);
    if (!explore) {
      dist.deterministic_sample(actions);
      detail::exploration::check_actions(actions, batch, 1, type_name);
      std::fill(logp.begin(), logp.end(), 0.0f);
      return;
    }
    const ad::Var inputs = dist.inputs();
    if (inputs.cols() != n_)
      throw Error("SoftQ::get_exploration_action",
                  "the distribution's inputs have " + std::to_string(inputs.cols()) + " Q values per row for " +
                      action_space_.to_string(),
                  "the model must output one Q value per action");
    const auto q = inputs.value();
    detail::exploration::shape_actions(actions, batch, 1);
    for (std::size_t b = 0; b < batch; ++b) {
      const auto row = static_cast<Eigen::Index>(b);
      double max = -std::numeric_limits<double>::infinity();
      for (Eigen::Index a = 0; a < n_; ++a) {
        const double v = q(row, a);
        if (std::isnan(v) || v == std::numeric_limits<double>::infinity())
          throw Error("SoftQ::get_exploration_action",
                      "batch row " + std::to_string(b) + " has a Q value of " + std::to_string(v),
                      "Q values must be finite or -inf (masked)");
        max = std::max(max, v);
      }
      if (max == -std::numeric_limits<double>::infinity())
        throw Error("SoftQ::get_exploration_action", "every action of batch row " + std::to_string(b) + " is masked (Q = -inf)",
                    "an action mask must leave at least one action");
      // Probabilities exp((q - max) / T) / Z, drawn by inverting the cumulative sum.
      double total = 0.0;
      for (Eigen::Index a = 0; a < n_; ++a) total += std::exp((q(row, a) - max) / temperature_);
      const double target = rng.uniform() * total;
      double cumulative = 0.0;
      Eigen::Index chosen = -1;
      for (Eigen::Index a = 0; a < n_; ++a) {
        const double weight = std::exp((q(row, a) - max) / temperature_);
        if (weight == 0.0) continue;
        chosen = a;  // the last possible action, should rounding leave target >= the final sum
        cumulative += weight;
        if (target < cumulative) break;
      }
      actions(row, 0) = static_cast<float>(start_ + chosen);
      logp[b] = static_cast<float>((q(row, chosen) - max) / temperature_ - std::log(total));
    }
  }

  double temperature() const noexcept { return temperature_; }
  std::int64_t last_timestep() const noexcept { return last_timestep_; }

  Json get_state() const { return {{"type", type_name}, {"last_timestep", last_timestep_}}; }
  void set_state(const Json& state) {
    last_timestep_ = detail::exploration::StateReader(state, type_name, {}).last_timestep();
  }

 private:
  Space action_space_;
  double temperature_ = 1.0;
  Eigen::Index n_ = 0;
  std::int64_t start_ = 0;
  std::int64_t last_timestep_ = 0;
};

static_assert(exploration_strategy<SoftQ>);

}  // namespace rlpp
