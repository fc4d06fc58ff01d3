#pragma once
// The config keys a policy reads, with RLlib's names and defaults (COMMON_CONFIG's policy part,
// plus PPO's num_sgd_iter / sgd_minibatch_size, which any policy can use for minibatch SGD).
// Components add their own keys through a static `defaults()` (e.g. GAE's "lambda").

#include <string>

#include "rlpp/core/config.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/models/model_defaults.hpp"

namespace rlpp {

inline Json policy_defaults() {
  return Json{
      {"gamma", 0.99},
      {"lr", 0.0001},
      {"lr_schedule", nullptr},
      {"grad_clip", nullptr},
      {"model", model_defaults()},
      {"explore", true},
      {"exploration_config", {{"type", "StochasticSampling"}}},
      // Minibatch SGD inside learn_on_batch: num_sgd_iter passes over the batch in shuffled
      // minibatches of sgd_minibatch_size rows (0: the whole batch in one step, unshuffled).
      {"num_sgd_iter", 1},
      {"sgd_minibatch_size", 0},
      {"shuffle_sequences", true},
      // The optimizer's own options, free-form: Adam {beta1, beta2, eps, weight_decay}, ...
      {"optimizer", Json::object()},
      {"seed", nullptr},
  };
}

// Adds a component's keys to the defaults (its values win for keys both have).
inline void add_defaults(Json& defaults, const Json& component_defaults) {
  detail::merge_into(defaults, component_defaults, MergeRules{}, "", "defaults", false);
}

// The user's config over the defaults; `strict` rejects keys the defaults lack ("did you mean").
inline Json merge_policy_config(const Json& defaults, const Json& config, bool strict, const std::string& path = "config") {
  if (strict) return merge_config(defaults, config, MergeRules{}, path);
  Json merged = defaults;
  if (config.is_null()) return merged;
  if (!config.is_object()) throw ConfigError(path, "expected an object, got " + describe_json(config));
  detail::merge_into(merged, config, MergeRules{}, "", path, false);
  return merged;
}

}  // namespace rlpp
