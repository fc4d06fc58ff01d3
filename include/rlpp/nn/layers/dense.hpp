#pragma once
// Dense: a fully connected layer, y = x W + b (torch.nn.Linear / RLlib's SlimFC without its
// activation), x: batch x in, W: in x out (block "<name>.weight"), b: 1 x out ("<name>.bias").
// The weight defaults to RLlib's normc_initializer(1.0), the bias to zeros.

#include <cstddef>
#include <string>

#include "rlpp/autodiff/ops/matmul.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/layers/init.hpp"
#include "rlpp/nn/parameters.hpp"

namespace rlpp::nn {

class Dense {
 public:
  Dense(Parameters& params, const std::string& name, std::size_t in_size, std::size_t out_size, RandomStream& rng,
        Init weight_init = Init::normc(1.0), Init bias_init = Init::zeros())
      : in_(in_size), out_(out_size) {
    if (in_size == 0 || out_size == 0)
      throw Error("nn::Dense '" + name + "'", "sizes must be positive, got " + std::to_string(in_size) + " -> " +
                                                  std::to_string(out_size));
    weight_ = params.add(name + ".weight", in_size, out_size);
    bias_ = params.add(name + ".bias", 1, out_size);
    weight_init(params.value(weight_), rng);
    bias_init(params.value(bias_), rng);
  }

  template <class T>
  ad::BasicVar<T> forward(const ParameterBinding<T>& p, ad::BasicVar<T> x) const {
    check_input(p, x);
    return ad::linear(x, p(weight_), p(bias_));
  }
  // relu(forward(p, x)) as one tape node (ad::linear_relu): the same values and gradients.
  template <class T>
  ad::BasicVar<T> forward_relu(const ParameterBinding<T>& p, ad::BasicVar<T> x) const {
    check_input(p, x);
    return ad::linear_relu(x, p(weight_), p(bias_));
  }

  std::size_t in_size() const noexcept { return in_; }
  std::size_t out_size() const noexcept { return out_; }
  // Block indices in the Parameters the layer was built on.
  std::size_t weight() const noexcept { return weight_; }
  std::size_t bias() const noexcept { return bias_; }

 private:
  template <class T>
  void check_input(const ParameterBinding<T>& p, const ad::BasicVar<T>& x) const {
    if (x.cols() != static_cast<Eigen::Index>(in_))
      throw Error("nn::Dense '" + detail::layer_name(p.block(weight_)) + "'",
                  "expects inputs with " + std::to_string(in_) + " columns, got " + std::to_string(x.rows()) + "x" +
                      std::to_string(x.cols()));
  }

  std::size_t in_ = 0;
  std::size_t out_ = 0;
  std::size_t weight_ = 0;
  std::size_t bias_ = 0;
};

}  // namespace rlpp::nn
