#pragma once
// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay,
// with torch.optim.SGD's semantics (torch/optim/sgd.py, PyTorch 2.x). State is sized once at
// construction; step() allocates nothing.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "rlpp/core/json.hpp"
#include "rlpp/nn/optimizers/optimizer.hpp"

namespace rlpp::nn {

struct SGDOptions {
  double momentum = 0.0;
  double dampening = 0.0;
  bool nesterov = false;
  double weight_decay = 0.0;  // L2: added to the gradient as weight_decay * param
};

// Per element, with g the gradient and p the parameter (torch.optim.SGD):
//   d = g + weight_decay * p
//   if momentum != 0:
//     buf = d                                          on the first step (no dampening)
//     buf = momentum * buf + (1 - dampening) * d      afterwards
//     d = nesterov ? d + momentum * buf : buf
//   p = p - lr * d
class SGD {
 public:
  // `size`: the number of floats it will optimize (Parameters::size()).
  explicit SGD(std::size_t size, SGDOptions options = {}) : options_(options), size_(size) {
    detail::check_hyperparameter(options.momentum >= 0.0, "SGD", "momentum", options.momentum, "a number >= 0");
    detail::check_hyperparameter(options.weight_decay >= 0.0, "SGD", "weight_decay", options.weight_decay,
                                 "a number >= 0");
    detail::check_hyperparameter(options.dampening >= 0.0 && options.dampening <= 1.0, "SGD", "dampening",
                                 options.dampening, "a number in [0, 1]");
    if (options.nesterov && (options.momentum <= 0.0 || options.dampening != 0.0))
      throw ConfigError("SGD.nesterov", "Nesterov momentum needs momentum > 0 and dampening = 0",
                        "set momentum (e.g. 0.9) and leave dampening at 0, or turn nesterov off");
    if (options.momentum != 0.0) momentum_buffer_.assign(size, 0.0f);
  }

  void step(std::span<float> params, std::span<const float> grads, float lr) {
    detail::check_step_sizes("SGD", size_, params.size(), grads.size());
    const auto weight_decay = static_cast<float>(options_.weight_decay);
    const auto momentum = static_cast<float>(options_.momentum);
    const auto keep = static_cast<float>(1.0 - options_.dampening);
    const bool first = step_count_ == 0;
    float* buf = momentum_buffer_.data();
    for (std::size_t i = 0; i < size_; ++i) {
      float d = grads[i];
      if (weight_decay != 0.0f) d += weight_decay * params[i];
      if (momentum != 0.0f) {
        buf[i] = first ? d : momentum * buf[i] + keep * d;
        d = options_.nesterov ? d + momentum * buf[i] : buf[i];
      }
      params[i] -= lr * d;
    }
    ++step_count_;
  }

  void reset() noexcept {
    std::fill(momentum_buffer_.begin(), momentum_buffer_.end(), 0.0f);
    step_count_ = 0;
  }

  const SGDOptions& options() const noexcept { return options_; }
  std::string_view type() const noexcept { return "sgd"; }
  std::size_t size() const noexcept { return size_; }
  Json hyperparameters() const {
    return {{"momentum", options_.momentum},
            {"dampening", options_.dampening},
            {"nesterov", options_.nesterov},
            {"weight_decay", options_.weight_decay}};
  }
  // The first step initialises the momentum buffer, so the count is part of the state.
  std::uint64_t step_count() const noexcept { return step_count_; }
  void set_step_count(std::uint64_t steps) noexcept { step_count_ = steps; }
  // "momentum_buffer" when momentum != 0; nothing otherwise.
  std::vector<StateTensor> state_tensors() {
    if (momentum_buffer_.empty()) return {};
    return {{"momentum_buffer", momentum_buffer_}};
  }
  std::vector<ConstStateTensor> state_tensors() const {
    if (momentum_buffer_.empty()) return {};
    return {{"momentum_buffer", momentum_buffer_}};
  }

 private:
  SGDOptions options_;
  std::size_t size_;
  std::uint64_t step_count_ = 0;
  std::vector<float> momentum_buffer_;
};

static_assert(stateful_optimizer<SGD>);

}  // namespace rlpp::nn
