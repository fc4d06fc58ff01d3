#pragma once
// EpsilonGreedy (rllib/utils/exploration/epsilon_greedy.py), DQN's exploration: with probability
// epsilon a uniform random action among the unmasked ones, else the greedy (argmax Q) action.
// Epsilon follows a schedule of the global timestep; logp is always 0. Discrete action spaces only.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/distributions/action_distribution.hpp"
#include "rlpp/exploration/detail/common.hpp"
#include "rlpp/exploration/detail/schedule_config.hpp"
#include "rlpp/exploration/exploration.hpp"
#include "rlpp/nn/parameters.hpp"
#include "rlpp/nn/schedules.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

class EpsilonGreedy {
 public:
  static constexpr std::string_view type_name = "EpsilonGreedy";

  // | key | default | meaning |
  // | initial_epsilon | 1.0 | epsilon until warmup_timesteps |
  // | final_epsilon | 0.05 | epsilon from warmup_timesteps + epsilon_timesteps on |
  // | epsilon_timesteps | 100000 | length of the linear decay, after the warmup |
  // | warmup_timesteps | 0 | epsilon stays initial_epsilon this long |
  // | epsilon_schedule | null | a schedule (see detail/schedule_config.hpp) replacing the above |
  static Json defaults() { return defaults_for(type_name); }

  explicit EpsilonGreedy(const ExplorationContext& context) : EpsilonGreedy(context, type_name, std::nullopt) {}

  // explore: per row, with probability epsilon(timestep) a uniform random action among those
  // whose Q value is not masked (-inf or float's lowest), else dist's deterministic sample (the
  // argmax of its Q values). Not explore: the deterministic sample. logp: 0.
  template <action_distribution Dist>
  void get_exploration_action(Dist& dist, nn::Matrix& actions, std::span<float> logp, std::int64_t timestep,
                              bool explore, RandomStream& rng) {
    last_timestep_ = timestep;
    const std::size_t batch = detail::exploration::batch_size(dist);
    detail::exploration::check_logp(logp, batch, type_name_);
    const ad::Var inputs = dist.inputs();
    if (inputs.cols() != n_)
      throw Error(std::string(type_name_) + "::get_exploration_action",
                  "the distribution's inputs have " + std::to_string(inputs.cols()) + " Q values per row for " +
                      action_space_.to_string(),
                  "the model must output one Q value per action");
    dist.deterministic_sample(actions);
    detail::exploration::check_actions(actions, batch, 1, type_name_);
    std::fill(logp.begin(), logp.end(), 0.0f);
    if (!explore) return;

    const double eps = epsilon_at(timestep);
    const auto q = inputs.value();
    for (std::size_t b = 0; b < batch; ++b) {
      if (!(rng.uniform() < eps)) continue;
      const auto row = static_cast<Eigen::Index>(b);
      std::uint64_t valid = 0;
      for (Eigen::Index a = 0; a < n_; ++a) valid += detail::exploration::is_masked(q(row, a)) ? 0 : 1;
      if (valid == 0)
        throw Error(std::string(type_name_) + "::get_exploration_action",
                    "every action of batch row " + std::to_string(b) + " is masked (Q = -inf)",
                    "an action mask must leave at least one action");
      std::uint64_t pick = rng.below(valid);
      Eigen::Index a = 0;
      for (;; ++a) {
        if (detail::exploration::is_masked(q(row, a))) continue;
        if (pick-- == 0) break;
      }
      actions(row, 0) = static_cast<float>(start_ + a);
    }
  }

  // Epsilon at the last timestep seen (RLlib's get_info()["cur_epsilon"]), and at any timestep.
  double epsilon() const { return epsilon_at(last_timestep_); }
  double epsilon_at(std::int64_t timestep) const { return schedule_.value(static_cast<double>(timestep)); }
  std::int64_t last_timestep() const noexcept { return last_timestep_; }

  Json get_state() const {
    return {{"type", type_name_}, {"last_timestep", last_timestep_}, {"cur_epsilon", epsilon()}};
  }
  void set_state(const Json& state) {
    const detail::exploration::StateReader reader(state, type_name_, {"cur_epsilon"});
    reader.derived_number("cur_epsilon");
    last_timestep_ = reader.last_timestep();
  }

 protected:
  static Json defaults_for(std::string_view type) {
    return {{"type", type},
            {"initial_epsilon", 1.0},
            {"final_epsilon", 0.05},
            {"epsilon_timesteps", 100000},
            {"warmup_timesteps", 0},
            {"epsilon_schedule", nullptr}};
  }

  // `fixed`: a constant epsilon that replaces the configured schedule (PerWorkerEpsilonGreedy).
  EpsilonGreedy(const ExplorationContext& context, std::string_view type, std::optional<double> fixed)
      : action_space_(context.action_space), type_name_(type) {
    const Config config = detail::exploration::strategy_config(context, defaults_for(type), type);
    detail::exploration::require_space(context, SpaceKind::discrete, type,
                                       "StochasticSampling, GaussianNoise or OrnsteinUhlenbeckNoise");
    const Discrete& discrete = action_space_.as<Discrete>();
    n_ = static_cast<Eigen::Index>(discrete.n());
    start_ = discrete.start();

    const double initial = config.number_in("initial_epsilon", 0.0, 1.0);
    const double final = config.number_in("final_epsilon", 0.0, 1.0);
    const auto decay = static_cast<double>(detail::exploration::timesteps(config, "epsilon_timesteps"));
    const auto warmup = static_cast<double>(detail::exploration::timesteps(config, "warmup_timesteps"));
    auto configured =
        detail::exploration::schedule_from_config(config.value("epsilon_schedule"), config.path_of("epsilon_schedule"));
    if (fixed) schedule_ = nn::ConstantSchedule(*fixed);
    else if (configured) schedule_ = std::move(*configured);
    else
      // RLlib: PiecewiseSchedule([(0, initial), (warmup, initial), (warmup + T, final)], outside=final).
      schedule_ = nn::PiecewiseSchedule({{0.0, initial}, {warmup, initial}, {warmup + decay, final}}, final);
  }

 private:
  Space action_space_;
  std::string_view type_name_;
  Eigen::Index n_ = 0;
  std::int64_t start_ = 0;
  nn::Schedule schedule_;
  std::int64_t last_timestep_ = 0;
};

static_assert(exploration_strategy<EpsilonGreedy>);

}  // namespace rlpp
