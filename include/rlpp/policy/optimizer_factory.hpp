#pragma once
// Builds a policy's optimizer from the "optimizer" config dict (free-form, RLlib's per-policy
// optimizer options): Adam {beta1, beta2, eps, weight_decay, decoupled_weight_decay},
// SGD {momentum, dampening, nesterov, weight_decay}, RMSProp {alpha, eps, momentum, centered,
// weight_decay}. A user optimizer is built as O(size, const Config& optimizer_config) or O(size).

#include <concepts>
#include <cstddef>
#include <string>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/nn/optimizers/adam.hpp"
#include "rlpp/nn/optimizers/rmsprop.hpp"
#include "rlpp/nn/optimizers/sgd.hpp"

namespace rlpp {

namespace detail {
inline void only_keys(const Config& c, const std::vector<std::string>& allowed, const std::string& optimizer) {
  for (const auto& key : c.keys())
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      throw ConfigError(c.path_of(key), "unknown option of the " + optimizer + " optimizer",
                        did_you_mean(key, allowed).empty() ? "valid options: see the optimizer's docs"
                                                           : did_you_mean(key, allowed));
}
}  // namespace detail

// `policy_config` is the policy's whole config; the options are its "optimizer" dict.
template <class O>
O make_optimizer(std::size_t size, const Config& policy_config) {
  Json options = policy_config.contains("optimizer") ? policy_config.value("optimizer") : Json::object();
  // RLlib's "optimizer" dict also carries execution options (Ape-X's); they are not the
  // policy optimizer's, so it does not see them.
  if (options.is_object())
    for (const char* key : {"max_weight_sync_delay", "num_replay_buffer_shards", "debug"}) options.erase(key);
  const Config c(options, policy_config.contains("optimizer") ? policy_config.path_of("optimizer") : std::string("optimizer"));
  if constexpr (std::same_as<O, nn::Adam>) {
    detail::only_keys(c, {"beta1", "beta2", "eps", "weight_decay", "decoupled_weight_decay"}, "Adam");
    nn::AdamOptions o;
    o.beta1 = c.get_or("beta1", o.beta1);
    o.beta2 = c.get_or("beta2", o.beta2);
    o.eps = c.get_or("eps", o.eps);
    o.weight_decay = c.get_or("weight_decay", o.weight_decay);
    o.decoupled_weight_decay = c.get_or("decoupled_weight_decay", o.decoupled_weight_decay);
    return O(size, o);
  } else if constexpr (std::same_as<O, nn::SGD>) {
    detail::only_keys(c, {"momentum", "dampening", "nesterov", "weight_decay"}, "SGD");
    nn::SGDOptions o;
    o.momentum = c.get_or("momentum", o.momentum);
    o.dampening = c.get_or("dampening", o.dampening);
    o.nesterov = c.get_or("nesterov", o.nesterov);
    o.weight_decay = c.get_or("weight_decay", o.weight_decay);
    return O(size, o);
  } else if constexpr (std::same_as<O, nn::RMSProp>) {
    detail::only_keys(c, {"alpha", "eps", "momentum", "centered", "weight_decay"}, "RMSProp");
    nn::RMSPropOptions o;
    o.alpha = c.get_or("alpha", o.alpha);
    o.eps = c.get_or("eps", o.eps);
    o.momentum = c.get_or("momentum", o.momentum);
    o.centered = c.get_or("centered", o.centered);
    o.weight_decay = c.get_or("weight_decay", o.weight_decay);
    return O(size, o);
  } else if constexpr (std::constructible_from<O, std::size_t, const Config&>) {
    return O(size, c);
  } else {
    static_assert(std::constructible_from<O, std::size_t>,
                  "rlpp::optimizer<O>: O must be constructible as O(size, const Config&) or O(size)");
    return O(size);
  }
}

}  // namespace rlpp
