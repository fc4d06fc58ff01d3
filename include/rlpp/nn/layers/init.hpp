#pragma once
// Init: how a layer fills one of its parameter blocks, as a small value ({kind, scale}) that
// layer constructors take, so a caller picks RLlib's or PyTorch's convention per layer. The
// draws themselves are nn/initializers.hpp's.

#include <cstdint>
#include <optional>
#include <vector>

#include "rlpp/core/rng.hpp"
#include "rlpp/nn/initializers.hpp"
#include "rlpp/nn/parameters.hpp"

namespace rlpp::nn {

struct Init {
  enum class Kind : std::uint8_t { normc, xavier_uniform, xavier_normal, orthogonal, uniform, zeros, constant };
  Kind kind = Kind::normc;
  // normc: the norm of each output unit's weights (RLlib's std); xavier_* and orthogonal: the
  // gain; uniform: the bound a of U(-a, a); constant: the value; zeros: unused.
  double scale = 1.0;

  // RLlib's normc_initializer(std): 1.0 for hidden layers, 0.01 for the logits and value heads.
  static constexpr Init normc(double stddev = 1.0) { return {Kind::normc, stddev}; }
  static constexpr Init xavier_uniform(double gain = 1.0) { return {Kind::xavier_uniform, gain}; }
  static constexpr Init xavier_normal(double gain = 1.0) { return {Kind::xavier_normal, gain}; }
  static constexpr Init orthogonal(double gain = 1.0) { return {Kind::orthogonal, gain}; }
  // U(-bound, bound): torch.nn.Linear's and torch.nn.LSTM's default with bound 1/sqrt(fan).
  static constexpr Init uniform(double bound) { return {Kind::uniform, bound}; }
  static constexpr Init zeros() { return {Kind::zeros, 0.0}; }
  static constexpr Init constant(double value) { return {Kind::constant, value}; }

  // Fills `w` (rows = fan_in, cols = fan_out), drawing from `rng` in row-major order.
  void operator()(Eigen::Map<Matrix> w, RandomStream& rng) const {
    switch (kind) {
      case Kind::normc: nn::normc(w, rng, scale); break;
      case Kind::xavier_uniform: nn::xavier_uniform(w, rng, scale); break;
      case Kind::xavier_normal: nn::xavier_normal(w, rng, scale); break;
      case Kind::orthogonal: nn::orthogonal(w, rng, scale); break;
      case Kind::uniform:
        for (Eigen::Index r = 0; r < w.rows(); ++r)
          for (Eigen::Index c = 0; c < w.cols(); ++c) w(r, c) = static_cast<float>(rng.uniform(-scale, scale));
        break;
      case Kind::zeros: nn::zeros(w); break;
      case Kind::constant: nn::constant(w, static_cast<float>(scale)); break;
    }
  }

  friend constexpr bool operator==(const Init&, const Init&) = default;
};

// How the Dense layers of a Sequential or MLP are initialized. A Dense layer that ends the
// network is an output layer; every other one is hidden. The defaults are RLlib's
// FullyConnectedNetwork: hidden fc_1..fc_k normc(1.0), fc_out / value_out normc(0.01), biases 0.
struct DenseInits {
  Init hidden = Init::normc(1.0);
  Init output = Init::normc(0.01);
  Init bias = Init::zeros();
  // A value head's weights (FullyConnectedNetwork's value_out) when they differ from `output`.
  std::optional<Init> value_output = std::nullopt;
  // When not empty: the weight initializer of each Dense layer in order (overrides hidden/output).
  std::vector<Init> per_layer = {};
};

}  // namespace rlpp::nn
