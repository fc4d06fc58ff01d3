#pragma once
// SACModel: SAC's networks in one model (RLlib's SACTorchModel, Ray ~1.4-1.6):
//   the policy network  obs -> distribution inputs ("policy_model": fcnet_hiddens [256, 256],
//                       relu): means then log stds (2d) for a Box(d) (a SquashedGaussian), or n
//                       logits for Discrete(n) (a Categorical);
//   the critics         TwinQ built from "Q_model" and "twin_q" (CriticOptions::sac);
//   log_alpha           one scalar parameter, initialised to log(initial_alpha).
// parameter_groups() = {"actor", "critic", "alpha"}, contiguous and in that order, so the policy
// steps each with its own optimizer (SAC's optimization.{actor,critic,entropy}_learning_rate).
// forward() outputs the policy network's distribution inputs, so compute_actions and
// exploration work through the normal policy path; the critics are q1/q2/min_q and the
// temperature log_alpha(binding).
//
// Blocks ("<name>." prefix): policy.fc_1 .. policy.fc_k, policy.fc_out; q.*, twin_q.* (TwinQ);
// log_alpha (1x1).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/models/detail/common.hpp"
#include "rlpp/models/model.hpp"
#include "rlpp/models/twin_q.hpp"
#include "rlpp/nn/layers/activations.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/layers/init.hpp"
#include "rlpp/nn/layers/mlp.hpp"
#include "rlpp/nn/parameters.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

// The policy network's shape: SAC's "policy_model" dict (same keys and defaults as "Q_model").
struct SACPolicyOptions {
  std::vector<std::size_t> hiddens = {256, 256};
  nn::Activation activation = nn::Activation(nn::Activation::Kind::relu);
  // RLlib builds the policy net as its FullyConnectedNetwork: normc(1.0) hidden, normc(0.01) out.
  nn::DenseInits inits = {};

  static SACPolicyOptions from_policy_config(const Config& policy_config) {
    SACPolicyOptions options;
    if (!policy_config.contains("policy_model") || policy_config.value("policy_model").is_null()) return options;
    const Config m = policy_config.sub("policy_model");
    static const std::vector<std::string> known = {"fcnet_hiddens", "fcnet_activation", "post_fcnet_hiddens",
                                                   "post_fcnet_activation", "custom_model", "custom_model_config"};
    for (const auto& key : m.keys())
      if (std::find(known.begin(), known.end(), key) == known.end())
        throw ConfigError(m.path_of(key), "unknown policy_model key", did_you_mean(key, known));
    if (m.contains("custom_model") && !m.value("custom_model").is_null())
      throw ConfigError(m.path_of("custom_model"), "custom policy models are not built from names",
                        "give the SAC policy your own model type instead of SACModel");
    std::vector<std::size_t> fc =
        m.contains("fcnet_hiddens") ? model_detail::to_sizes(m.positive_int_list("fcnet_hiddens")) : options.hiddens;
    const bool fc_empty = fc.empty();
    if (m.contains("post_fcnet_hiddens")) {
      const auto post = m.positive_int_list("post_fcnet_hiddens");
      fc.insert(fc.end(), post.begin(), post.end());
    }
    options.hiddens = fc;
    const char* key = fc_empty ? "post_fcnet_activation" : "fcnet_activation";
    if (m.contains(key) && !m.value(key).is_null()) options.activation = nn::activation_from_name(m.value(key), m.path_of(key));
    return options;
  }
};

class SACModel {
 public:
  // The policy config keys it reads, with RLlib's defaults (reference 2.5).
  static Json defaults() {
    const Json net{{"fcnet_hiddens", {256, 256}},  {"fcnet_activation", "relu"}, {"post_fcnet_hiddens", Json::array()},
                   {"post_fcnet_activation", nullptr}, {"custom_model", nullptr},    {"custom_model_config", Json::object()}};
    return Json{{"twin_q", true}, {"Q_model", net}, {"policy_model", net}, {"initial_alpha", 1.0}};
  }

  SACModel(const ModelContext& ctx, nn::Parameters& params)
      : name_(ctx.name), obs_size_(ctx.observation_space.preprocessed_size()) {
    std::size_t out = 0;
    if (const auto* discrete = ctx.action_space.get_if<Discrete>()) {
      discrete_ = true;
      action_count_ = static_cast<std::size_t>(discrete->n());
      out = action_count_;
    } else if (const auto* box = ctx.action_space.get_if<Box>()) {
      if (!box->is_bounded())
        throw SpaceError(where(), "SAC squashes its actions into the Box bounds, but " + ctx.action_space.to_string() +
                                      " is unbounded",
                         "give the Box finite low and high (e.g. wrap the env with RescaleAction)");
      action_count_ = box->flat_size();
      out = 2 * action_count_;
    } else {
      throw SpaceError(where(), "SAC needs a Box or Discrete action space, got " + ctx.action_space.to_string());
    }
    if (ctx.num_outputs != 0 && ctx.num_outputs != out)
      throw Error(where(), "num_outputs is " + std::to_string(ctx.num_outputs) + " but SAC's policy network for " +
                               ctx.action_space.to_string() + " has " + std::to_string(out) + " outputs",
                  "use SAC's action distribution (SquashedGaussian for Box, Categorical for Discrete)");
    const double initial_alpha = ctx.policy_config.get_or<double>("initial_alpha", 1.0);
    if (!(initial_alpha > 0.0) || !std::isfinite(initial_alpha))
      throw ConfigError(ctx.policy_config.path_of("initial_alpha"), "must be a finite number > 0, got " +
                                                                        std::to_string(initial_alpha));
    RandomStream& rng = model_detail::model_rng(ctx, kind);
    const SACPolicyOptions policy_options = SACPolicyOptions::from_policy_config(ctx.policy_config);

    const std::size_t actor_begin = params.size();
    policy_.emplace(params, model_detail::block_prefix(name_, "policy"), obs_size_, policy_options.hiddens, out,
                    policy_options.activation, rng, policy_options.inits);
    const std::size_t critic_begin = params.size();
    critics_.emplace(ctx, params, CriticOptions::sac(ctx.policy_config));
    const std::size_t alpha_begin = params.size();
    log_alpha_ = params.add(model_detail::block_prefix(name_, "log_alpha"), 1, 1);
    params.value(log_alpha_)(0, 0) = static_cast<float>(std::log(initial_alpha));
    groups_ = {nn::ParamGroup{"actor", actor_begin, critic_begin}, nn::ParamGroup{"critic", critic_begin, alpha_begin},
               nn::ParamGroup{"alpha", alpha_begin, params.size()}};
  }

  // outputs: the policy network's distribution inputs [rows, 2d] or [rows, n].
  template <class T>
  ModelOutput<T> forward(const nn::ParameterBinding<T>& p, const ModelInput<T>& in) const {
    model_detail::check_obs(kind, name_, in.obs, obs_size_);
    ModelOutput<T> out;
    out.outputs = policy_->forward(p, in.obs);
    out.value_input = in.obs;
    return out;
  }
  // SAC has no state-value head: always an Error.
  template <class T>
  ad::BasicVar<T> value_function(const nn::ParameterBinding<T>&, const ModelOutput<T>&) const {
    throw Error(where(), "SAC has no state-value head", "use q1, q2 or min_q");
  }

  // The critics (TwinQ): [rows, 1] for Box actions (pass the actions), [rows, n] for Discrete(n).
  template <class T>
  ad::BasicVar<T> q1(const nn::ParameterBinding<T>& p, ad::BasicVar<T> obs, ad::BasicVar<T> actions = {}) const {
    return critics_->q1(p, obs, actions);
  }
  template <class T>
  ad::BasicVar<T> q2(const nn::ParameterBinding<T>& p, ad::BasicVar<T> obs, ad::BasicVar<T> actions = {}) const {
    return critics_->q2(p, obs, actions);
  }
  template <class T>
  ad::BasicVar<T> min_q(const nn::ParameterBinding<T>& p, ad::BasicVar<T> obs, ad::BasicVar<T> actions = {}) const {
    return critics_->min_q(p, obs, actions);
  }
  // log(alpha), [1, 1] (trainable through a trainable binding).
  template <class T>
  ad::BasicVar<T> log_alpha(const nn::ParameterBinding<T>& p) const {
    return p(log_alpha_);
  }
  // The current log(alpha) value of `params` (the Parameters the model was built on).
  float log_alpha_value(const nn::Parameters& params) const { return params.value(log_alpha_)(0, 0); }

  std::vector<nn::ParamGroup> parameter_groups() const { return groups_; }
  std::size_t num_outputs() const noexcept { return policy_->out_size(); }
  std::vector<nn::Matrix> initial_state() const { return {}; }

  bool discrete() const noexcept { return discrete_; }
  bool twin_q() const noexcept { return critics_->twin_q(); }
  // Box: the action dimension d; Discrete: the number of actions n.
  std::size_t action_count() const noexcept { return action_count_; }
  const nn::MLP& policy_network() const { return *policy_; }
  const TwinQ& critics() const { return *critics_; }
  std::size_t log_alpha_block() const noexcept { return log_alpha_; }
  const std::string& name() const noexcept { return name_; }

 private:
  static constexpr std::string_view kind = "SACModel";
  std::string where() const { return model_detail::model_where(kind, name_); }

  std::string name_;
  std::size_t obs_size_ = 0;
  std::size_t action_count_ = 0;
  bool discrete_ = false;
  std::optional<nn::MLP> policy_;
  std::optional<TwinQ> critics_;
  std::size_t log_alpha_ = 0;
  std::vector<nn::ParamGroup> groups_;
};

static_assert(policy_model<SACModel>, "SACModel must satisfy rlpp::policy_model");

}  // namespace rlpp
