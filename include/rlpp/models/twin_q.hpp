#pragma once
// TwinQ: the critics of SAC, DDPG and TD3. For Box actions Q(s, a) = MLP(concat(obs, a)) -> 1;
// for Discrete(n) actions (SAC discrete) Q(s) -> n values, one per action. With twin_q a second,
// independent copy (Fujimoto et al. 2018's clipped double Q): q1, q2 and min_q.
// CriticOptions says which hidden layers to build; it is read from SAC's "Q_model" or from
// DDPG/TD3's "critic_hiddens" keys.

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/autodiff/ops/binary.hpp"
#include "rlpp/autodiff/ops/indexing.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/models/detail/common.hpp"
#include "rlpp/models/model.hpp"
#include "rlpp/nn/layers/activations.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/layers/init.hpp"
#include "rlpp/nn/layers/mlp.hpp"
#include "rlpp/nn/parameters.hpp"

namespace rlpp {

// The critic network's shape and initializers.
struct CriticOptions {
  std::vector<std::size_t> hiddens = {256, 256};
  nn::Activation activation = nn::Activation(nn::Activation::Kind::relu);
  bool twin_q = true;
  nn::DenseInits inits = {};

  // SAC (rllib/agents/sac/sac.py): "Q_model": {"fcnet_hiddens" [256, 256], "fcnet_activation"
  // "relu", "post_fcnet_hiddens" [] (appended), "post_fcnet_activation" (used when
  // fcnet_hiddens is empty), "custom_model" null}, "twin_q" true. RLlib builds each critic as
  // its FullyConnectedNetwork, hence normc(1.0) hidden and normc(0.01) output.
  static CriticOptions sac(const Config& policy_config) {
    CriticOptions options;
    options.twin_q = policy_config.get_or<bool>("twin_q", true);
    if (!policy_config.contains("Q_model") || policy_config.value("Q_model").is_null()) return options;
    const Config q = policy_config.sub("Q_model");
    for (const auto& key : q.keys()) {
      static const std::vector<std::string> known = {"fcnet_hiddens", "fcnet_activation", "post_fcnet_hiddens",
                                                     "post_fcnet_activation", "custom_model", "custom_model_config"};
      if (std::find(known.begin(), known.end(), key) == known.end())
        throw ConfigError(q.path_of(key), "unknown Q_model key", did_you_mean(key, known));
    }
    if (q.contains("custom_model") && !q.value("custom_model").is_null())
      throw ConfigError(q.path_of("custom_model"), "custom Q models are not built from names",
                        "give the policy your critic type instead of TwinQ");
    std::vector<std::size_t> fc = q.contains("fcnet_hiddens") ? model_detail::to_sizes(q.positive_int_list("fcnet_hiddens"))
                                                              : options.hiddens;
    const bool fc_empty = fc.empty();
    if (q.contains("post_fcnet_hiddens")) {
      const auto post = q.positive_int_list("post_fcnet_hiddens");
      fc.insert(fc.end(), post.begin(), post.end());
    }
    options.hiddens = fc;
    const char* key = fc_empty ? "post_fcnet_activation" : "fcnet_activation";
    if (q.contains(key)) options.activation = nn::activation_from_name(q.value(key), q.path_of(key));
    return options;
  }

  // DDPG / TD3 (rllib/agents/ddpg/ddpg.py): "critic_hiddens" [400, 300],
  // "critic_hidden_activation" "relu", "twin_q" false (TD3 sets true). Xavier-uniform weights
  // and zero biases, as RLlib's DDPGTorchModel.
  static CriticOptions ddpg(const Config& policy_config) {
    CriticOptions options;
    options.hiddens = policy_config.contains("critic_hiddens")
                          ? model_detail::to_sizes(policy_config.positive_int_list("critic_hiddens"))
                          : std::vector<std::size_t>{400, 300};
    if (policy_config.contains("critic_hidden_activation"))
      options.activation = nn::activation_from_name(policy_config.value("critic_hidden_activation"),
                                                    policy_config.path_of("critic_hidden_activation"));
    options.twin_q = policy_config.get_or<bool>("twin_q", false);
    options.inits = nn::DenseInits{nn::Init::xavier_uniform(), nn::Init::xavier_uniform(), nn::Init::zeros()};
    return options;
  }

  // Whichever the policy config holds: "critic_hiddens" -> ddpg(), otherwise sac() (a config
  // with both is an error: it cannot say which critic it means).
  static CriticOptions from_policy_config(const Config& policy_config) {
    const bool has_sac = policy_config.contains("Q_model");
    const bool has_ddpg = policy_config.contains("critic_hiddens");
    if (has_sac && has_ddpg)
      throw ConfigError(policy_config.path_of("critic_hiddens"),
                        "the config has both SAC's Q_model and DDPG's critic_hiddens",
                        "keep the one of your algorithm, or pass CriticOptions::sac/ddpg explicitly");
    return has_ddpg ? ddpg(policy_config) : sac(policy_config);
  }
};

// Blocks ("<name>." prefix; in = obs size (+ action size for Box actions), out = 1 or n):
//   q.fc_1 .. q.fc_k, q.fc_out            the first critic
//   twin_q.fc_1 .. twin_q.fc_k, twin_q.fc_out   the second (twin_q only)
class TwinQ {
 public:
  // Options from ctx.policy_config (CriticOptions::from_policy_config).
  TwinQ(const ModelContext& ctx, nn::Parameters& params)
      : TwinQ(ctx, params, CriticOptions::from_policy_config(ctx.policy_config)) {}

  TwinQ(const ModelContext& ctx, nn::Parameters& params, const CriticOptions& options)
      : name_(ctx.name), obs_size_(ctx.observation_space.preprocessed_size()) {
    RandomStream& rng = model_detail::model_rng(ctx, kind);
    std::size_t out = 1;
    if (const auto* discrete = ctx.action_space.get_if<Discrete>()) {
      discrete_ = true;
      out = static_cast<std::size_t>(discrete->n());
    } else if (const auto* box = ctx.action_space.get_if<Box>()) {
      action_size_ = box->flat_size();
    } else {
      throw SpaceError(where(), "critics need a Box or Discrete action space, got " + ctx.action_space.to_string());
    }
    const std::size_t in = obs_size_ + action_size_;
    q_.emplace(params, model_detail::block_prefix(name_, "q"), in, options.hiddens, out, options.activation, rng,
               options.inits);
    if (options.twin_q)
      twin_q_.emplace(params, model_detail::block_prefix(name_, "twin_q"), in, options.hiddens, out,
                      options.activation, rng, options.inits);
  }

  // Q1: [rows, 1] for Box actions (`actions` [rows, action size]), [rows, n] for Discrete(n)
  // (pass no actions).
  template <class T>
  ad::BasicVar<T> q1(const nn::ParameterBinding<T>& p, ad::BasicVar<T> obs, ad::BasicVar<T> actions = {}) const {
    return q_->forward(p, critic_input(obs, actions));
  }
  // Q2: the twin critic; an Error without twin_q.
  template <class T>
  ad::BasicVar<T> q2(const nn::ParameterBinding<T>& p, ad::BasicVar<T> obs, ad::BasicVar<T> actions = {}) const {
    if (!twin_q_) throw Error(where(), "was built without twin_q: there is no q2", "set twin_q to true");
    return twin_q_->forward(p, critic_input(obs, actions));
  }
  // min(Q1, Q2) elementwise with twin_q, else Q1 (the TD target's and SAC actor loss's Q).
  template <class T>
  ad::BasicVar<T> min_q(const nn::ParameterBinding<T>& p, ad::BasicVar<T> obs, ad::BasicVar<T> actions = {}) const {
    const ad::BasicVar<T> x = critic_input(obs, actions);
    const ad::BasicVar<T> first = q_->forward(p, x);
    return twin_q_ ? ad::minimum(first, twin_q_->forward(p, x)) : first;
  }

  // The model concept's pass: outputs are the observations themselves (RLlib's SAC/DDPG model
  // returns obs_flat as its model_out); the critics are q1/q2/min_q.
  template <class T>
  ModelOutput<T> forward(const nn::ParameterBinding<T>&, const ModelInput<T>& in) const {
    model_detail::check_obs(kind, name_, in.obs, obs_size_);
    ModelOutput<T> out;
    out.outputs = in.obs;
    out.value_input = in.obs;
    return out;
  }
  // Critics have no state-value head: always an Error.
  template <class T>
  ad::BasicVar<T> value_function(const nn::ParameterBinding<T>&, const ModelOutput<T>&) const {
    throw Error(where(), "a critic has no state-value head", "use q1, q2 or min_q");
  }

  std::size_t num_outputs() const noexcept { return obs_size_; }
  std::vector<nn::Matrix> initial_state() const { return {}; }

  bool twin_q() const noexcept { return twin_q_.has_value(); }
  bool discrete() const noexcept { return discrete_; }
  // Columns of q1/q2: 1 (Box actions) or n (Discrete(n)).
  std::size_t q_outputs() const noexcept { return q_->out_size(); }
  const nn::MLP& q_network() const { return *q_; }
  const nn::MLP* twin_q_network() const noexcept { return twin_q_ ? &*twin_q_ : nullptr; }
  const std::string& name() const noexcept { return name_; }

 private:
  static constexpr std::string_view kind = "TwinQ";
  std::string where() const { return model_detail::model_where(kind, name_); }

  template <class T>
  ad::BasicVar<T> critic_input(ad::BasicVar<T> obs, ad::BasicVar<T> actions) const {
    model_detail::check_obs(kind, name_, obs, obs_size_);
    if (discrete_) {
      if (actions.has_value())
        throw Error(where(), "a critic over Discrete actions computes Q(s, .) for every action: pass no actions");
      return obs;
    }
    if (!actions.has_value())
      throw Error(where(), "a critic over Box actions needs the actions", "pass actions [rows, action size]");
    if (actions.rows() != obs.rows() || actions.cols() != static_cast<Eigen::Index>(action_size_))
      throw Error(where(), "expects actions of shape " + std::to_string(obs.rows()) + "x" +
                               std::to_string(action_size_) + ", got " + model_detail::shape_string(actions));
    return ad::concat(obs, actions);
  }

  std::string name_;
  std::size_t obs_size_ = 0;
  std::size_t action_size_ = 0;  // 0 for Discrete
  bool discrete_ = false;
  std::optional<nn::MLP> q_;
  std::optional<nn::MLP> twin_q_;
};

static_assert(policy_model<TwinQ>, "TwinQ must satisfy rlpp::policy_model");

}  // namespace rlpp
