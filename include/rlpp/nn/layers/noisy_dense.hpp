#pragma once
// NoisyDense: a factorised Gaussian noisy linear layer (Fortunato et al. 2017, "Noisy Networks
// for Exploration"; RLlib's NoisyLayer), y = x (W_mu + W_sigma ∘ ε_w) + (b_mu + b_sigma ∘ ε_b),
// with ε_w = f(ε_in) f(ε_out)ᵀ, ε_b = f(ε_out), f(x) = sign(x) sqrt(|x|), ε_in ~ N(0, I_in),
// ε_out ~ N(0, I_out). One noise sample per forward call, shared by the rows of the batch (as
// RLlib's), drawn from the caller's stream, so a run is deterministic per seed (the caller
// keeps that stream and saves it with its state: QModel's get_state).
// Blocks: "<name>.weight_mu" [in, out], "<name>.weight_sigma" [in, out], "<name>.bias_mu"
// [1, out], "<name>.bias_sigma" [1, out]. Initialisation (the paper's factorised scheme):
// mu ~ U(-1/sqrt(in), 1/sqrt(in)), sigma = sigma0 / sqrt(in).

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "rlpp/autodiff/ops/binary.hpp"
#include "rlpp/autodiff/ops/matmul.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/layers/init.hpp"
#include "rlpp/nn/parameters.hpp"

namespace rlpp::nn {

class NoisyDense {
 public:
  NoisyDense(Parameters& params, const std::string& name, std::size_t in_size, std::size_t out_size, double sigma0,
             RandomStream& rng)
      : in_(in_size), out_(out_size) {
    if (in_size == 0 || out_size == 0)
      throw Error("nn::NoisyDense '" + name + "'", "sizes must be positive, got " + std::to_string(in_size) + " -> " +
                                                       std::to_string(out_size));
    if (!(sigma0 > 0.0)) throw Error("nn::NoisyDense '" + name + "'", "sigma0 must be > 0, got " + std::to_string(sigma0));
    weight_mu_ = params.add(name + ".weight_mu", in_size, out_size);
    weight_sigma_ = params.add(name + ".weight_sigma", in_size, out_size);
    bias_mu_ = params.add(name + ".bias_mu", 1, out_size);
    bias_sigma_ = params.add(name + ".bias_sigma", 1, out_size);
    const double bound = 1.0 / std::sqrt(static_cast<double>(in_size));
    Init::uniform(bound)(params.value(weight_mu_), rng);
    Init::uniform(bound)(params.value(bias_mu_), rng);
    Init::constant(sigma0 * bound)(params.value(weight_sigma_), rng);
    Init::constant(sigma0 * bound)(params.value(bias_sigma_), rng);
  }

  // One noisy forward pass: fresh ε from `noise`.
  template <class T>
  ad::BasicVar<T> forward(const ParameterBinding<T>& p, ad::BasicVar<T> x, RandomStream& noise) const {
    if (x.cols() != static_cast<Eigen::Index>(in_))
      throw Error("nn::NoisyDense '" + detail::layer_name(p.block(weight_mu_)) + "'",
                  "expects inputs with " + std::to_string(in_) + " columns, got " + std::to_string(x.rows()) + "x" +
                      std::to_string(x.cols()));
    epsilon_in_.resize(in_);
    epsilon_out_.resize(out_);
    for (double& e : epsilon_in_) e = scaled(noise.normal());
    for (double& e : epsilon_out_) e = scaled(noise.normal());
    epsilon_w_.resize(in_ * out_);
    for (std::size_t i = 0; i < in_; ++i)
      for (std::size_t j = 0; j < out_; ++j) epsilon_w_[i * out_ + j] = epsilon_in_[i] * epsilon_out_[j];
    const auto in = static_cast<Eigen::Index>(in_), out = static_cast<Eigen::Index>(out_);
    using RowMajorD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    ad::BasicTape<T>& tape = x.tape();
    const ad::BasicVar<T> noise_w = tape.constant(Eigen::Map<const RowMajorD>(epsilon_w_.data(), in, out).template cast<T>());
    const ad::BasicVar<T> noise_b = tape.constant(Eigen::Map<const RowMajorD>(epsilon_out_.data(), 1, out).template cast<T>());
    const ad::BasicVar<T> weight = p(weight_mu_) + p(weight_sigma_) * noise_w;
    const ad::BasicVar<T> bias = p(bias_mu_) + p(bias_sigma_) * noise_b;
    return ad::linear(x, weight, bias);
  }

  std::size_t in_size() const noexcept { return in_; }
  std::size_t out_size() const noexcept { return out_; }
  std::size_t weight_mu() const noexcept { return weight_mu_; }
  std::size_t weight_sigma() const noexcept { return weight_sigma_; }
  std::size_t bias_mu() const noexcept { return bias_mu_; }
  std::size_t bias_sigma() const noexcept { return bias_sigma_; }

 private:
  static double scaled(double x) { return (x < 0.0 ? -1.0 : 1.0) * std::sqrt(std::abs(x)); }

  std::size_t in_ = 0;
  std::size_t out_ = 0;
  std::size_t weight_mu_ = 0, weight_sigma_ = 0, bias_mu_ = 0, bias_sigma_ = 0;
  // The last draw (reused buffers; a forward pass allocates nothing once sized).
  mutable std::vector<double> epsilon_in_;
  mutable std::vector<double> epsilon_out_;
  mutable std::vector<double> epsilon_w_;  // f(ε_in) f(ε_out)ᵀ, row-major [in, out]
};

}  // namespace rlpp::nn
