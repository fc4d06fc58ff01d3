#pragma once
// What the exploration strategies share: reading their config over their defaults, checking the
// action space they need, shaping the output buffers, and reading back their checkpoint state.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/exploration/exploration.hpp"
#include "rlpp/nn/parameters.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp::detail::exploration {

// The context's exploration_config merged over `defaults` (unknown keys are a ConfigError with a
// suggestion); its "type", when given, must name this strategy.
inline Config strategy_config(const ExplorationContext& context, const Json& defaults, std::string_view type_name) {
  const Config& user = context.exploration_config;
  Config config(merge_config(defaults, user.json(), MergeRules{{}, {}}, user.path()), user.path());
  const Json& type = config.value("type");
  if (!type.is_string() || type.get<std::string>() != type_name)
    throw ConfigError(config.path_of("type"),
                      "this " + std::string(type_name) + " strategy was given the config of " + describe_json(type),
                      "use AnyExploration to pick the strategy named by the config");
  return config;
}

// A count of timesteps: a non-negative integer (3.0 is accepted, as YAML writers give it).
inline std::int64_t timesteps(const Config& config, std::string_view key) {
  const auto value = config.get<std::int64_t>(key);
  if (value < 0) throw ConfigError(config.path_of(key), "expected a non-negative integer, got " + describe_json(config.value(key)));
  return value;
}

// A finite number >= low (or > low when `strict`).
inline double finite_number(const Config& config, std::string_view key, double low, bool strict = false) {
  const double value = config.get<double>(key);
  if (!std::isfinite(value) || (strict ? !(value > low) : !(value >= low))) {
    const std::string bound = low == std::floor(low) ? std::to_string(static_cast<long long>(low)) : describe_json(Json(low));
    throw ConfigError(config.path_of(key), std::string("expected a finite number ") + (strict ? "> " : ">= ") + bound +
                                               ", got " + describe_json(config.value(key)));
  }
  return value;
}

// ConfigError at exploration_config.type when the action space is not of the kind the strategy
// needs (RLlib asserts this in the strategies' constructors).
inline void require_space(const ExplorationContext& context, SpaceKind kind, std::string_view type_name,
                          std::string_view instead) {
  if (context.action_space.kind() == kind) return;
  throw ConfigError(context.exploration_config.path_of("type"),
                    std::string(type_name) + " needs a " + std::string(to_string(kind)) + " action space, got " +
                        context.action_space.to_string(),
                    "for this space use " + std::string(instead));
}

// The batch size of a distribution: one row of inputs per batch row.
template <class Dist>
std::size_t batch_size(const Dist& dist) {
  return static_cast<std::size_t>(dist.inputs().rows());
}

inline void check_logp(std::span<float> logp, std::size_t batch, std::string_view type_name) {
  if (logp.size() != batch)
    throw Error(std::string(type_name) + "::get_exploration_action",
                "logp has " + std::to_string(logp.size()) + " entries for a batch of " + std::to_string(batch),
                "pass one logp entry per batch row");
}

// Resizes only when the shape differs, so warm calls with the same buffer never allocate.
inline void shape_actions(nn::Matrix& actions, std::size_t batch, std::size_t width) {
  const auto rows = static_cast<Eigen::Index>(batch);
  const auto cols = static_cast<Eigen::Index>(width);
  if (actions.rows() != rows || actions.cols() != cols) actions.resize(rows, cols);
}

// After dist.deterministic_sample / dist.sample: the distribution must have written [B, width].
inline void check_actions(const nn::Matrix& actions, std::size_t batch, std::size_t width, std::string_view type_name) {
  if (actions.rows() != static_cast<Eigen::Index>(batch) || actions.cols() != static_cast<Eigen::Index>(width))
    throw Error(std::string(type_name) + "::get_exploration_action",
                "the distribution wrote actions of shape " + std::to_string(actions.rows()) + "x" +
                    std::to_string(actions.cols()) + ", expected " + std::to_string(batch) + "x" + std::to_string(width),
                "the action distribution does not match the action space");
}

// One uniform random action of the space per row (Space::sample, Gymnasium's semantics).
inline void sample_space(const Space& space, RandomStream& rng, nn::Matrix& actions, std::size_t batch) {
  const std::size_t width = space.flat_size();
  shape_actions(actions, batch, width);
  for (std::size_t b = 0; b < batch; ++b) space.sample(rng, std::span<float>(actions.data() + b * width, width));
}

// Q values at or below float's lowest finite value are masked out: RLlib's action-masking models
// add log(0) clamped to FLOAT_MIN, others put -inf.
inline bool is_masked(float q) noexcept { return !(q > std::numeric_limits<float>::lowest()); }

// Reads back a strategy's get_state(): an object whose "type" names the strategy, whose keys are
// among `keys` ("type" and "last_timestep" always are), with a non-negative last_timestep.
class StateReader {
 public:
  StateReader(const Json& state, std::string_view type_name, std::initializer_list<std::string_view> keys)
      : state_(state), type_name_(type_name) {
    if (!state.is_object())
      throw CheckpointError(where(), "expected an object, got " + describe_json(state));
    const Json& type = at("type");
    if (!type.is_string() || type.get<std::string>() != type_name)
      throw CheckpointError(where("type"), "the state is for " + describe_json(type) + " but this strategy is " +
                                               std::string(type_name),
                            "restore into a policy with the same exploration_config.type");
    std::vector<std::string> known = {"type", "last_timestep"};
    for (std::string_view key : keys) known.emplace_back(key);
    for (const auto& item : state.items())
      if (std::find(known.begin(), known.end(), item.key()) == known.end())
        throw CheckpointError(where(item.key()), "unknown key in a " + std::string(type_name) + " state",
                              did_you_mean(item.key(), known));
  }

  std::string where(std::string_view key = {}) const {
    std::string text = std::string(type_name_) + " state";
    if (!key.empty()) text += "." + std::string(key);
    return text;
  }
  const Json& at(std::string_view key) const {
    const auto it = state_.find(key);
    if (it == state_.end()) throw CheckpointError(where(key), "missing key");
    return *it;
  }
  std::int64_t last_timestep() const {
    const Json& value = at("last_timestep");
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
        (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)))
      throw CheckpointError(where("last_timestep"), "expected a non-negative integer, got " + describe_json(value));
    return value.get<std::int64_t>();
  }
  // A reported, derived value (cur_epsilon, cur_scale): checked to be a number, not restored.
  void derived_number(std::string_view key) const {
    const auto it = state_.find(key);
    if (it != state_.end() && !it->is_number())
      throw CheckpointError(where(key), "expected a number, got " + describe_json(*it));
  }

 private:
  const Json& state_;
  std::string_view type_name_;
};

}  // namespace rlpp::detail::exploration
