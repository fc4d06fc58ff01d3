#pragma once
// FullyConnectedNetwork: RLlib's default model for flat observations (rllib/models/torch/fcnet.py,
// with the TF version's layer names). Hidden layers fc_1..fc_k (fcnet_hiddens ++
// post_fcnet_hiddens), a linear logits layer fc_out, and a value head value_out on the last
// hidden features (vf_share_layers) or on a separate tower fc_value_1..k over the observations.
// num_outputs == 0 builds a feature trunk: no logits, no value head (the LSTM wrapper's input).

#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/autodiff/ops/indexing.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/models/detail/common.hpp"
#include "rlpp/models/model.hpp"
#include "rlpp/models/model_defaults.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/layers/dense.hpp"
#include "rlpp/nn/layers/init.hpp"
#include "rlpp/nn/parameters.hpp"

namespace rlpp {

// Model config keys read: fcnet_hiddens, fcnet_activation, post_fcnet_hiddens,
// post_fcnet_activation, no_final_linear, vf_share_layers, free_log_std.
//
// Blocks ("<name>." prefix; in = the observation space's preprocessed size, h_k the hiddens):
//   fc_1 .. fc_k       in x h_1, ..., each followed by the activation (normc 1.0)
//   fc_out             h_k x num_outputs, linear (normc 0.01); with no_final_linear the last
//                      hidden layer is fc_out instead: h_{k-1} x num_outputs, activated (normc 1.0)
//   log_std            1 x num_outputs/2, zeros (free_log_std)
//   fc_value_1 .. k    the value tower over the observations (vf_share_layers false; normc 1.0)
//   value_out          (last hidden or tower) x 1, linear (normc 0.01)
// Biases are zero. With free_log_std the layers produce num_outputs/2 means and the outputs are
// [means, log_std broadcast to every row]: still num_outputs columns, the log-stds independent of
// the observation (DiagGaussian's inputs).
class FullyConnectedNetwork {
 public:
  // RLlib's initializers: normc(1.0) hidden, normc(0.01) fc_out and value_out, zero biases.
  // model.weights_initializer "orthogonal" instead: gain sqrt(2) hidden, 0.01 fc_out, 1.0 value_out.
  FullyConnectedNetwork(const ModelContext& ctx, nn::Parameters& params)
      : FullyConnectedNetwork(ctx, params, inits_from_config(ctx)) {}

  // The same with other initializers: `inits.hidden` for hidden layers (and an activated fc_out),
  // `inits.output` for the linear fc_out and value_out, `inits.bias` for every bias
  // (e.g. {nn::Init::orthogonal(std::sqrt(2.0)), nn::Init::orthogonal(0.01)}).
  FullyConnectedNetwork(const ModelContext& ctx, nn::Parameters& params, const nn::DenseInits& inits)
      : name_(ctx.name), obs_size_(ctx.observation_space.preprocessed_size()), num_outputs_(ctx.num_outputs) {
    const std::string where_text = where();
    if (!inits.per_layer.empty())
      throw Error(where_text, "DenseInits::per_layer is not supported", "set hidden, output and bias");
    RandomStream& rng = model_detail::model_rng(ctx, "FullyConnectedNetwork");
    const Config model = complete_model_config(ctx.model_config);
    const model_detail::HiddenSpec hidden = model_detail::hidden_spec(model);
    const bool no_final_linear = model.get<bool>("no_final_linear");
    vf_share_layers_ = model.get<bool>("vf_share_layers");
    const bool free_log_std = model.get<bool>("free_log_std") && num_outputs_ > 0;
    if (free_log_std && num_outputs_ % 2 != 0)
      throw ConfigError(model.path_of("free_log_std"),
                        "needs an even num_outputs (means, then log-stds), got " + std::to_string(num_outputs_),
                        "use free_log_std only with a DiagGaussian action distribution");
    const std::size_t head_size = free_log_std ? num_outputs_ / 2 : num_outputs_;
    const auto prefix = [&](const std::string& suffix) { return model_detail::block_prefix(name_, suffix); };

    // The trunk: every hidden layer, except that no_final_linear turns the last into fc_out.
    std::vector<std::size_t> sizes = hidden.sizes;
    std::vector<std::string> names = model_detail::DenseStack::numbered(prefix("fc"), sizes.size());
    if (no_final_linear && head_size > 0) {
      if (sizes.empty()) {
        sizes.push_back(head_size);
        names.push_back(prefix("fc_out"));
      } else {
        sizes.back() = head_size;
        names.back() = prefix("fc_out");
      }
    }
    trunk_ = model_detail::DenseStack(params, names, obs_size_, sizes, hidden.activation, rng, inits.hidden, inits.bias);
    if (head_size > 0 && !no_final_linear)
      logits_.emplace(params, prefix("fc_out"), trunk_.out_size(), head_size, rng, inits.output, inits.bias);
    if (free_log_std) log_std_ = params.add(prefix("log_std"), 1, head_size);

    if (num_outputs_ > 0) {
      std::size_t value_in = trunk_.out_size();
      if (!vf_share_layers_) {
        value_tower_ = model_detail::DenseStack(params, model_detail::DenseStack::numbered(prefix("fc_value"),
                                                                                           hidden.sizes.size()),
                                                obs_size_, hidden.sizes, hidden.activation, rng, inits.hidden,
                                                inits.bias);
        value_in = value_tower_.out_size();
      }
      value_out_.emplace(params, prefix("value_out"), value_in, 1, rng, inits.value_output.value_or(inits.output), inits.bias);
    } else {
      num_outputs_ = trunk_.out_size();  // a trunk: outputs are the last hidden layer
    }
  }

  // outputs: [rows, num_outputs()]; value_input: the last hidden features (vf_share_layers) or
  // the observations (separate value tower). Ignores state, prev_actions and prev_rewards.
  template <class T>
  ModelOutput<T> forward(const nn::ParameterBinding<T>& p, const ModelInput<T>& in) const {
    model_detail::check_obs(kind, name_, in.obs, obs_size_);
    const ad::BasicVar<T> features = trunk_.forward(p, in.obs);
    ad::BasicVar<T> outputs = logits_ ? logits_->forward(p, features) : features;
    if (log_std_) outputs = ad::concat(outputs, model_detail::broadcast_rows(p(*log_std_), outputs.rows()));
    ModelOutput<T> out;
    out.outputs = outputs;
    out.value_input = vf_share_layers_ ? features : in.obs;
    return out;
  }

  // V(s): [rows, 1], from forward's value_input without running the trunk again.
  template <class T>
  ad::BasicVar<T> value_function(const nn::ParameterBinding<T>& p, const ModelOutput<T>& out) const {
    if (!value_out_)
      throw Error(where(), "was built with num_outputs 0 (a feature trunk) and has no value head",
                  "build it with num_outputs > 0, or use the value head of the model wrapping it");
    if (!out.value_input.has_value())
      throw Error(where(), "value_function needs the ModelOutput of this model's forward()");
    ad::BasicVar<T> x = out.value_input;
    if (!vf_share_layers_) x = value_tower_.forward(p, x);
    return value_out_->forward(p, x);
  }

  // ctx.num_outputs, or for a trunk (num_outputs 0) the size of its last hidden layer (the
  // observation size when there is none).
  std::size_t num_outputs() const noexcept { return num_outputs_; }
  std::vector<nn::Matrix> initial_state() const { return {}; }

  std::size_t obs_size() const noexcept { return obs_size_; }
  bool vf_share_layers() const noexcept { return vf_share_layers_; }
  bool free_log_std() const noexcept { return log_std_.has_value(); }
  bool has_value_head() const noexcept { return value_out_.has_value(); }
  const std::string& name() const noexcept { return name_; }

 private:
  static constexpr std::string_view kind = "FullyConnectedNetwork";
  static nn::DenseInits inits_from_config(const ModelContext& ctx) {
    const Config model = complete_model_config(ctx.model_config);
    if (model.one_of("weights_initializer", {"normc", "orthogonal"}) == "normc") return {};
    return {.hidden = nn::Init::orthogonal(std::sqrt(2.0)),
            .output = nn::Init::orthogonal(0.01),
            .bias = nn::Init::zeros(),
            .value_output = nn::Init::orthogonal(1.0)};
  }
  std::string where() const { return model_detail::model_where(kind, name_); }

  std::string name_;
  std::size_t obs_size_ = 0;
  std::size_t num_outputs_ = 0;
  bool vf_share_layers_ = true;
  model_detail::DenseStack trunk_;
  std::optional<nn::Dense> logits_;
  std::optional<std::size_t> log_std_;
  model_detail::DenseStack value_tower_;
  std::optional<nn::Dense> value_out_;
};

static_assert(policy_model<FullyConnectedNetwork>, "FullyConnectedNetwork must satisfy rlpp::policy_model");

}  // namespace rlpp
