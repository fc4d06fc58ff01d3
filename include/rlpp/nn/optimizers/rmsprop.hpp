#pragma once
// RMSProp (Hinton, Coursera lecture 6e; centered variant from Graves 2013) with
// torch.optim.RMSprop's semantics (torch/optim/rmsprop.py, PyTorch 2.x): eps is added after the
// square root, unlike TensorFlow's. State is sized once at construction; step() allocates nothing.

#include <Eigen/Core>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "rlpp/core/json.hpp"
#include "rlpp/nn/optimizers/optimizer.hpp"

namespace rlpp::nn {

struct RMSPropOptions {
  double alpha = 0.99;  // smoothing constant of the squared-gradient average
  double eps = 1e-8;
  double momentum = 0.0;
  bool centered = false;  // divide by the estimated variance instead of the raw second moment
  double weight_decay = 0.0;  // L2: added to the gradient as weight_decay * param
};

// Per element, with g the gradient and p the parameter (torch.optim.RMSprop):
//   g = g + weight_decay * p
//   sq = alpha * sq + (1 - alpha) * g * g
//   centered:  ga = ga + (1 - alpha) * (g - ga);  avg = sqrt(sq - ga * ga) + eps
//   otherwise:                                    avg = sqrt(sq) + eps
//   momentum > 0:  buf = momentum * buf + g / avg;  p = p - lr * buf
//   otherwise:     p = p - lr * g / avg
class RMSProp {
 public:
  explicit RMSProp(std::size_t size, RMSPropOptions options = {}) : options_(options), square_avg_(size, 0.0f) {
    detail::check_hyperparameter(options.alpha >= 0.0 && options.alpha <= 1.0, "RMSProp", "alpha", options.alpha,
                                 "a number in [0, 1]");
    detail::check_hyperparameter(options.eps >= 0.0, "RMSProp", "eps", options.eps, "a number >= 0");
    detail::check_hyperparameter(options.momentum >= 0.0, "RMSProp", "momentum", options.momentum,
                                 "a number >= 0");
    detail::check_hyperparameter(options.weight_decay >= 0.0, "RMSProp", "weight_decay", options.weight_decay,
                                 "a number >= 0");
    if (options.momentum > 0.0) momentum_buffer_.assign(size, 0.0f);
    if (options.centered) grad_avg_.assign(size, 0.0f);
  }

  void step(std::span<float> params, std::span<const float> grads, float lr) {
    detail::check_step_sizes("RMSProp", size(), params.size(), grads.size());
    using Array = Eigen::Array<float, Eigen::Dynamic, 1>;
    const auto n = static_cast<Eigen::Index>(size());
    Eigen::Map<Array> p(params.data(), n), sq(square_avg_.data(), n);
    Eigen::Map<const Array> g(grads.data(), n);
    const auto alpha = static_cast<float>(options_.alpha);
    const auto one_minus_alpha = static_cast<float>(1.0 - options_.alpha);
    const auto eps = static_cast<float>(options_.eps);
    const auto momentum = static_cast<float>(options_.momentum);
    const auto weight_decay = static_cast<float>(options_.weight_decay);
    ++step_count_;

    auto apply = [&](const auto& grad, const auto& avg) {
      if (options_.momentum > 0.0) {
        Eigen::Map<Array> buf(momentum_buffer_.data(), n);
        buf = momentum * buf + grad / avg;
        p -= lr * buf;
      } else {
        p -= lr * (grad / avg);
      }
    };
    auto update = [&](const auto& grad) {
      sq = alpha * sq + one_minus_alpha * grad.square();
      if (options_.centered) {
        Eigen::Map<Array> ga(grad_avg_.data(), n);
        ga += one_minus_alpha * (grad - ga);
        apply(grad, (sq - ga.square()).sqrt() + eps);
      } else {
        apply(grad, sq.sqrt() + eps);
      }
    };
    // With weight decay the gradient is an expression that reads p; it is safe because p is
    // written last, and coefficient-wise assignments read each element before writing it.
    if (options_.weight_decay != 0.0) update(g + weight_decay * p);
    else update(g);
  }

  void reset() noexcept {
    for (auto* v : {&square_avg_, &momentum_buffer_, &grad_avg_}) std::fill(v->begin(), v->end(), 0.0f);
    step_count_ = 0;
  }

  const RMSPropOptions& options() const noexcept { return options_; }
  std::string_view type() const noexcept { return "rmsprop"; }
  std::size_t size() const noexcept { return square_avg_.size(); }
  Json hyperparameters() const {
    return {{"alpha", options_.alpha},
            {"eps", options_.eps},
            {"momentum", options_.momentum},
            {"centered", options_.centered},
            {"weight_decay", options_.weight_decay}};
  }
  std::uint64_t step_count() const noexcept { return step_count_; }
  void set_step_count(std::uint64_t steps) noexcept { step_count_ = steps; }
  // "square_avg", then "momentum_buffer" when momentum > 0 and "grad_avg" when centered.
  std::vector<StateTensor> state_tensors() {
    std::vector<StateTensor> tensors{{"square_avg", square_avg_}};
    if (!momentum_buffer_.empty()) tensors.push_back({"momentum_buffer", momentum_buffer_});
    if (!grad_avg_.empty()) tensors.push_back({"grad_avg", grad_avg_});
    return tensors;
  }
  std::vector<ConstStateTensor> state_tensors() const {
    std::vector<ConstStateTensor> tensors{{"square_avg", square_avg_}};
    if (!momentum_buffer_.empty()) tensors.push_back({"momentum_buffer", momentum_buffer_});
    if (!grad_avg_.empty()) tensors.push_back({"grad_avg", grad_avg_});
    return tensors;
  }

 private:
  RMSPropOptions options_;
  std::vector<float> square_avg_;
  std::vector<float> momentum_buffer_;
  std::vector<float> grad_avg_;
  std::uint64_t step_count_ = 0;
};

static_assert(stateful_optimizer<RMSProp>);

}  // namespace rlpp::nn
