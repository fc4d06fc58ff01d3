#pragma once
// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), with torch.optim.Adam's and
// torch.optim.AdamW's semantics (torch/optim/adam.py, adamw.py, PyTorch 2.x, amsgrad off).
// State is sized once at construction; step() allocates nothing.

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "rlpp/core/json.hpp"
#include "rlpp/nn/optimizers/optimizer.hpp"

namespace rlpp::nn {

struct AdamOptions {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  // false: L2, weight_decay * p added to the gradient (torch Adam).
  // true: decoupled, p *= 1 - lr * weight_decay before the update (torch AdamW).
  bool decoupled_weight_decay = false;
};

// Per element at step t (counted from 1), with g the gradient and p the parameter:
//   AdamW:  p = p * (1 - lr * weight_decay)            Adam:  g = g + weight_decay * p
//   m = m + (1 - beta1) * (g - m)                      (torch's lerp_(g, 1 - beta1))
//   v = beta2 * v + (1 - beta2) * g * g
//   p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// The scalar factors are computed in double, as torch computes them in Python floats.
class Adam {
 public:
  explicit Adam(std::size_t size, AdamOptions options = {})
      : options_(options), exp_avg_(size, 0.0f), exp_avg_sq_(size, 0.0f) {
    detail::check_hyperparameter(options.beta1 >= 0.0 && options.beta1 < 1.0, "Adam", "beta1", options.beta1,
                                 "a number in [0, 1)");
    detail::check_hyperparameter(options.beta2 >= 0.0 && options.beta2 < 1.0, "Adam", "beta2", options.beta2,
                                 "a number in [0, 1)");
    detail::check_hyperparameter(options.eps >= 0.0, "Adam", "eps", options.eps, "a number >= 0");
    detail::check_hyperparameter(options.weight_decay >= 0.0, "Adam", "weight_decay", options.weight_decay,
                                 "a number >= 0");
  }

  void step(std::span<float> params, std::span<const float> grads, float lr) {
    detail::check_step_sizes("Adam", size(), params.size(), grads.size());
    using Array = Eigen::Array<float, Eigen::Dynamic, 1>;
    const auto n = static_cast<Eigen::Index>(size());
    Eigen::Map<Array> p(params.data(), n), m(exp_avg_.data(), n), v(exp_avg_sq_.data(), n);
    Eigen::Map<const Array> g(grads.data(), n);

    ++step_count_;
    const double t = static_cast<double>(step_count_);
    const auto step_size = static_cast<float>(static_cast<double>(lr) / (1.0 - std::pow(options_.beta1, t)));
    const auto bias_correction2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(options_.beta2, t)));
    const auto one_minus_beta1 = static_cast<float>(1.0 - options_.beta1);
    const auto beta2 = static_cast<float>(options_.beta2);
    const auto one_minus_beta2 = static_cast<float>(1.0 - options_.beta2);
    const auto eps = static_cast<float>(options_.eps);
    const auto weight_decay = static_cast<float>(options_.weight_decay);

    auto update_moments = [&](const auto& grad) {
      m += one_minus_beta1 * (grad - m);
      v = beta2 * v + one_minus_beta2 * grad.square();
    };
    if (options_.weight_decay != 0.0 && options_.decoupled_weight_decay) {
      p *= static_cast<float>(1.0 - static_cast<double>(lr) * options_.weight_decay);
      update_moments(g);
    } else if (options_.weight_decay != 0.0) {
      update_moments(g + weight_decay * p);
    } else {
      update_moments(g);
    }
    p -= step_size * (m / (v.sqrt() / bias_correction2_sqrt + eps));
  }

  void reset() noexcept {
    std::fill(exp_avg_.begin(), exp_avg_.end(), 0.0f);
    std::fill(exp_avg_sq_.begin(), exp_avg_sq_.end(), 0.0f);
    step_count_ = 0;
  }

  const AdamOptions& options() const noexcept { return options_; }
  std::string_view type() const noexcept { return "adam"; }
  std::size_t size() const noexcept { return exp_avg_.size(); }
  Json hyperparameters() const {
    return {{"beta1", options_.beta1},
            {"beta2", options_.beta2},
            {"eps", options_.eps},
            {"weight_decay", options_.weight_decay},
            {"decoupled_weight_decay", options_.decoupled_weight_decay}};
  }
  // The step count drives the bias correction, so it is part of the state.
  std::uint64_t step_count() const noexcept { return step_count_; }
  void set_step_count(std::uint64_t steps) noexcept { step_count_ = steps; }
  // "exp_avg" (first moment m) and "exp_avg_sq" (second moment v), torch's names.
  std::vector<StateTensor> state_tensors() { return {{"exp_avg", exp_avg_}, {"exp_avg_sq", exp_avg_sq_}}; }
  std::vector<ConstStateTensor> state_tensors() const {
    return {{"exp_avg", exp_avg_}, {"exp_avg_sq", exp_avg_sq_}};
  }

 private:
  AdamOptions options_;
  std::vector<float> exp_avg_;
  std::vector<float> exp_avg_sq_;
  std::uint64_t step_count_ = 0;
};

static_assert(stateful_optimizer<Adam>);

}  // namespace rlpp::nn
