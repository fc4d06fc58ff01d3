#pragma once
// MLP: a fully connected stack whose depth and activation come from a config at run time, as
// RLlib's FullyConnectedNetwork builds one from fcnet_hiddens and fcnet_activation: hidden
// layers "<name>.fc_1" ... "<name>.fc_k", each Dense then the activation, and an optional linear
// output layer "<name>.fc_out" (no activation). Weights: normc(1.0) hidden, normc(0.01) output,
// biases zero, unless `inits` says otherwise. (For a structure fixed at compile time, see Sequential.)

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/nn/layers/activations.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/layers/dense.hpp"
#include "rlpp/nn/layers/init.hpp"
#include "rlpp/nn/parameters.hpp"

namespace rlpp::nn {

class MLP {
 public:
  // `out_size`: the size of the output layer, or std::nullopt for none (a trunk whose last
  // hidden layer, activated, is the output; with no hiddens either, the identity).
  MLP(Parameters& params, const std::string& name, std::size_t in_size, const std::vector<std::size_t>& hiddens,
      std::optional<std::size_t> out_size, Activation activation, RandomStream& rng, const DenseInits& inits = {})
      : activation_(activation), in_(in_size), out_(in_size) {
    const std::size_t count = hiddens.size() + (out_size ? 1 : 0);
    if (!inits.per_layer.empty() && inits.per_layer.size() != count)
      throw Error("nn::MLP '" + name + "'", "DenseInits::per_layer has " + std::to_string(inits.per_layer.size()) +
                                                " entries for " + std::to_string(count) + " Dense layers");
    if (in_size == 0) throw Error("nn::MLP '" + name + "'", "the input size must be positive");
    layers_.reserve(count);
    const auto weight_init = [&](std::size_t k, bool output) {
      return !inits.per_layer.empty() ? inits.per_layer[k] : (output ? inits.output : inits.hidden);
    };
    const auto layer_name = [&](const std::string& suffix) { return name.empty() ? suffix : name + "." + suffix; };
    for (std::size_t k = 0; k < hiddens.size(); ++k) {
      layers_.emplace_back(params, layer_name("fc_" + std::to_string(k + 1)), out_, hiddens[k], rng,
                           weight_init(k, false), inits.bias);
      out_ = hiddens[k];
    }
    if (out_size) {
      layers_.emplace_back(params, layer_name("fc_out"), out_, *out_size, rng, weight_init(hiddens.size(), true),
                           inits.bias);
      out_ = *out_size;
      has_output_ = true;
    }
  }

  template <class T>
  ad::BasicVar<T> forward(const ParameterBinding<T>& p, ad::BasicVar<T> x) const {
    const std::size_t hidden = layers_.size() - (has_output_ ? 1 : 0);
    const bool relu = activation_.kind() == Activation::Kind::relu;  // fused: one node per layer
    for (std::size_t k = 0; k < hidden; ++k)
      x = relu ? layers_[k].forward_relu(p, x) : activation_.forward(p, layers_[k].forward(p, x));
    if (has_output_) x = layers_.back().forward(p, x);
    return x;
  }

  std::size_t in_size() const noexcept { return in_; }
  std::size_t out_size() const noexcept { return out_; }
  Activation activation() const noexcept { return activation_; }
  // Every Dense layer in order: the hidden ones, then the output layer if there is one.
  std::span<const Dense> layers() const noexcept { return layers_; }
  std::span<const Dense> hidden_layers() const noexcept { return {layers_.data(), layers_.size() - (has_output_ ? 1 : 0)}; }
  const Dense* output_layer() const noexcept { return has_output_ ? &layers_.back() : nullptr; }

 private:
  std::vector<Dense> layers_;
  Activation activation_;
  bool has_output_ = false;
  std::size_t in_ = 0;
  std::size_t out_ = 0;
};

}  // namespace rlpp::nn
