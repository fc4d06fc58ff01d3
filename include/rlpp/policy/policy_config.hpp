#pragma once
// The config keys a policy reads, with RLlib's names and defaults (COMMON_CONFIG's policy part,
// plus PPO's num_sgd_iter / sgd_minibatch_size, which any policy can use for minibatch SGD).
// Components add their own keys through a static `defaults()` (e.g. GAE's "lambda").

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

}  // namespace rlpp
