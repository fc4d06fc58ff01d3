#pragma once
// AnyExploration: the strategy named by exploration_config["type"], chosen at run time among
// RLlib's (StochasticSampling, EpsilonGreedy, PerWorkerEpsilonGreedy, SoftQ, GaussianNoise,
// OrnsteinUhlenbeckNoise, Random). BasicAnyExploration<S...> is the same over any list of
// strategies, so a user adds their own by naming it in the list.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/distributions/action_distribution.hpp"
#include "rlpp/exploration/epsilon_greedy.hpp"
#include "rlpp/exploration/exploration.hpp"
#include "rlpp/exploration/gaussian_noise.hpp"
#include "rlpp/exploration/ornstein_uhlenbeck_noise.hpp"
#include "rlpp/exploration/per_worker_epsilon_greedy.hpp"
#include "rlpp/exploration/random.hpp"
#include "rlpp/exploration/soft_q.hpp"
#include "rlpp/exploration/stochastic_sampling.hpp"
#include "rlpp/nn/parameters.hpp"

namespace rlpp {

template <class... Strategies>
class BasicAnyExploration {
  static_assert(sizeof...(Strategies) > 0, "BasicAnyExploration needs at least one strategy");
  static_assert((exploration_strategy<Strategies> && ...),
                "every strategy of BasicAnyExploration must satisfy rlpp::exploration_strategy");
  static_assert((std::is_convertible_v<decltype(Strategies::type_name), std::string_view> && ...),
                "every strategy of BasicAnyExploration needs a `static constexpr std::string_view type_name`");

 public:
  // The strategy named by context.exploration_config["type"] ("StochasticSampling" when absent,
  // RLlib's default exploration_config); an unknown name is a ConfigError listing the known ones.
  explicit BasicAnyExploration(const ExplorationContext& context) : strategy_(make(context)) {}

  static std::vector<std::string> type_names() { return {std::string(Strategies::type_name)...}; }

  // The defaults of the strategy named `type` (ConfigError for an unknown name).
  static Json defaults(std::string_view type, const std::string& path = "config.exploration_config.type") {
    std::optional<Json> found;
    (void)((type == Strategies::type_name ? (found = Strategies::defaults(), true) : false) || ...);
    if (!found) throw unknown_type(type, path);
    return *found;
  }

  std::string_view type() const {
    return std::visit([](const auto& s) -> std::string_view { return std::decay_t<decltype(s)>::type_name; }, strategy_);
  }
  template <class E>
  bool holds() const noexcept { return std::holds_alternative<E>(strategy_); }
  template <class E>
  E* get_if() noexcept { return std::get_if<E>(&strategy_); }
  template <class E>
  const E* get_if() const noexcept { return std::get_if<E>(&strategy_); }

  template <action_distribution Dist>
  void get_exploration_action(Dist& dist, nn::Matrix& actions, std::span<float> logp, std::int64_t timestep,
                              bool explore, RandomStream& rng) {
    std::visit([&](auto& s) { s.get_exploration_action(dist, actions, logp, timestep, explore, rng); }, strategy_);
  }

  // The strategy's state; its "type" names the strategy.
  Json get_state() const {
    return std::visit([](const auto& s) { return s.get_state(); }, strategy_);
  }
  // CheckpointError when `state` is not an object or is for another strategy type.
  void set_state(const Json& state) {
    if (!state.is_object() || !state.contains("type") || !state["type"].is_string())
      throw CheckpointError("exploration state", "expected an object with a \"type\" string, got " + describe_json(state));
    const std::string saved = state["type"].get<std::string>();
    if (saved != type())
      throw CheckpointError("exploration state.type",
                            "the checkpoint explores with " + saved + " but this policy with " + std::string(type()),
                            "restore into a policy whose exploration_config has \"type\": \"" + saved + "\"");
    std::visit([&](auto& s) { s.set_state(state); }, strategy_);
  }

 private:
  using Variant = std::variant<Strategies...>;

  static ConfigError unknown_type(std::string_view type, const std::string& path) {
    std::string list;
    for (const auto& name : type_names()) list += (list.empty() ? "" : ", ") + name;
    std::string fix = did_you_mean(type, type_names());
    if (fix.empty()) fix = "expected one of " + list;
    else fix += " (known: " + list + ")";
    return ConfigError(path, "unknown exploration type '" + std::string(type) + "'", fix);
  }

  static Variant make(const ExplorationContext& context) {
    const Config& config = context.exploration_config;
    const std::string type = config.get_or<std::string>("type", "StochasticSampling");
    std::optional<Variant> made;
    (void)((type == Strategies::type_name ? (made.emplace(std::in_place_type<Strategies>, context), true) : false) || ...);
    if (!made) throw unknown_type(type, config.path_of("type"));
    return std::move(*made);
  }

  Variant strategy_;
};

using AnyExploration = BasicAnyExploration<StochasticSampling, EpsilonGreedy, PerWorkerEpsilonGreedy, SoftQ,
                                           GaussianNoise, OrnsteinUhlenbeckNoise, Random>;

static_assert(exploration_strategy<AnyExploration>);

}  // namespace rlpp
