#pragma once
// Helpers shared by the models: the initializer stream of a ModelContext, input checks with
// messages that name the model, tape constants, and DenseStack, a run of Dense layers with one
// activation and explicit layer names (RLlib's fc_1..fc_k, fc_value_1..k, advantage_1..k).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/autodiff/ops/binary.hpp"
#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/models/model.hpp"
#include "rlpp/nn/layers/activations.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/layers/dense.hpp"
#include "rlpp/nn/layers/init.hpp"
#include "rlpp/nn/parameters.hpp"

namespace rlpp::model_detail {

// "FullyConnectedNetwork 'policy'": the `where` of a model's errors.
inline std::string model_where(std::string_view kind, const std::string& name) {
  return std::string(kind) + " '" + name + "'";
}

inline RandomStream& model_rng(const ModelContext& ctx, std::string_view kind) {
  if (ctx.rng == nullptr)
    throw Error(model_where(kind, ctx.name), "ModelContext::rng is null",
                "give the model a RandomStream to draw its initial weights from");
  return *ctx.rng;
}

template <class T>
std::string shape_string(ad::BasicVar<T> v) {
  return std::to_string(v.rows()) + "x" + std::to_string(v.cols());
}

// obs must be present with `size` columns (the observation space's preprocessed size). Builds
// no string unless it throws (forward passes stay allocation-free).
template <class T>
void check_obs(std::string_view kind, const std::string& name, ad::BasicVar<T> obs, std::size_t size) {
  if (!obs.has_value())
    throw Error(model_where(kind, name), "ModelInput::obs is missing",
                "pass the preprocessed observations, one row per sample");
  if (obs.cols() != static_cast<Eigen::Index>(size))
    throw Error(model_where(kind, name), "expects observations with " + std::to_string(size) +
                                             " columns (the observation space's preprocessed size), got " +
                                             shape_string(obs));
}

// A rows x cols value of zeros with no gradient (allocation-free: the tape's arena).
template <class T>
ad::BasicVar<T> zeros(ad::BasicTape<T>& tape, Eigen::Index rows, Eigen::Index cols) {
  ad::BasicVar<T> v = tape.op(rows, cols, nullptr, {});
  std::fill_n(v.node().value, rows * cols, T(0));
  return v;
}

// value of a 1 x cols parameter row repeated on every one of `rows` rows (gradients sum back).
template <class T>
ad::BasicVar<T> broadcast_rows(ad::BasicVar<T> row, Eigen::Index rows) {
  return zeros(row.tape(), rows, row.cols()) + row;
}

inline std::vector<std::size_t> to_sizes(const std::vector<std::int64_t>& v) {
  return {v.begin(), v.end()};
}

// RLlib's FullyConnectedNetwork hidden stack: fcnet_hiddens ++ post_fcnet_hiddens, with
// fcnet_activation, or post_fcnet_activation when fcnet_hiddens is empty
// (rllib/models/torch/fcnet.py).
struct HiddenSpec {
  std::vector<std::size_t> sizes;
  nn::Activation activation;
};
inline HiddenSpec hidden_spec(const Config& model) {
  HiddenSpec spec;
  spec.sizes = to_sizes(model.positive_int_list("fcnet_hiddens"));
  const auto post = model.positive_int_list("post_fcnet_hiddens");
  const bool fc_empty = spec.sizes.empty();
  spec.sizes.insert(spec.sizes.end(), post.begin(), post.end());
  const char* key = fc_empty ? "post_fcnet_activation" : "fcnet_activation";
  spec.activation = nn::activation_from_name(model.value(key), model.path_of(key));
  return spec;
}

// Dense layers named `names[k]`, sizes `sizes[k]`, each followed by `activation`.
class DenseStack {
 public:
  DenseStack() = default;
  DenseStack(nn::Parameters& params, const std::vector<std::string>& names, std::size_t in_size,
             const std::vector<std::size_t>& sizes, nn::Activation activation, RandomStream& rng, nn::Init weight_init,
             nn::Init bias_init)
      : activation_(activation), in_(in_size), out_(in_size) {
    layers_.reserve(sizes.size());
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      layers_.emplace_back(params, names[k], out_, sizes[k], rng, weight_init, bias_init);
      out_ = sizes[k];
    }
  }
  // `prefix`_1 ... `prefix`_k.
  static std::vector<std::string> numbered(const std::string& prefix, std::size_t count) {
    std::vector<std::string> names;
    for (std::size_t k = 0; k < count; ++k) names.push_back(prefix + "_" + std::to_string(k + 1));
    return names;
  }

  template <class T>
  ad::BasicVar<T> forward(const nn::ParameterBinding<T>& p, ad::BasicVar<T> x) const {
    for (const auto& layer : layers_) x = activation_.forward(p, layer.forward(p, x));
    return x;
  }

  std::size_t in_size() const noexcept { return in_; }
  std::size_t out_size() const noexcept { return out_; }
  bool empty() const noexcept { return layers_.empty(); }
  const std::vector<nn::Dense>& layers() const noexcept { return layers_; }

 private:
  std::vector<nn::Dense> layers_;
  nn::Activation activation_;
  std::size_t in_ = 0;
  std::size_t out_ = 0;
};

// "<name>.<suffix>", or the suffix alone for an empty model name.
inline std::string block_prefix(const std::string& name, const std::string& suffix) {
  return name.empty() ? suffix : name + "." + suffix;
}

}  // namespace rlpp::model_detail
