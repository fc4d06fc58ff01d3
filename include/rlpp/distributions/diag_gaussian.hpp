#pragma once
// DiagGaussian: a Gaussian with diagonal covariance over a float Box action (RLlib's
// DiagGaussian / TorchDiagGaussian). Inputs [B, 2d]: the d means, then the d log standard
// deviations. With "free_log_std" the model appends state-independent log stds itself, so this
// distribution sees 2d inputs either way. Samples are not clipped to the Box (RLlib leaves that to
// "clip_actions" / "normalize_actions"). With std = exp(log_std):
//   logp(a) = -sum_j (a_j - mean_j)^2 / (2 std_j^2) - sum_j log_std_j - d/2 log(2 pi)
//   entropy = sum_j log_std_j + d/2 (log(2 pi) + 1)
//   kl(q)   = sum_j [log_std_q - log_std + (std^2 + (mean - mean_q)^2) / (2 std_q^2) - 1/2]

#include <cmath>
#include <cstddef>

#include "rlpp/autodiff/ops/binary.hpp"
#include "rlpp/autodiff/ops/indexing.hpp"
#include "rlpp/autodiff/ops/reduce.hpp"
#include "rlpp/autodiff/ops/unary.hpp"
#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/distributions/action_distribution.hpp"
#include "rlpp/distributions/detail/common.hpp"
#include "rlpp/distributions/detail/gaussian_ops.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

template <class T>
class BasicDiagGaussian {
 public:
  using scalar_type = T;
  using Var = ad::BasicVar<T>;
  using Matrix = ad::BasicMatrix<T>;

  // inputs: [B, 2d] (means, then log stds); action_space: a float32 Box of d elements.
  BasicDiagGaussian(Var inputs, const Space& action_space)
      : inputs_(inputs), space_(action_space),
        dim_(static_cast<Eigen::Index>(dist_detail::continuous_box("DiagGaussian", action_space, false).flat_size())) {
    dist_detail::check_distribution_inputs("DiagGaussian", inputs, static_cast<std::size_t>(2 * dim_), action_space);
    mean_ = ad::columns(inputs, 0, dim_);
    log_std_ = ad::columns(inputs, dim_, dim_);
  }

  // 2 * the Box's flat size.
  static std::size_t required_model_output_shape(const Space& action_space, const Config& = Config()) {
    return 2 * dist_detail::continuous_box("DiagGaussian", action_space, false).flat_size();
  }

  // mean + std * N(0, 1) into actions [B, d]; records its logp.
  void sample(RandomStream& rng, Matrix& actions) {
    dist_detail::fit_actions(actions, inputs_.rows(), dim_);
    const auto mean = mean_.value();
    const auto log_std = log_std_.value();
    for (Eigen::Index r = 0; r < actions.rows(); ++r)
      for (Eigen::Index j = 0; j < dim_; ++j)
        actions(r, j) = static_cast<T>(static_cast<double>(mean(r, j)) +
                                       std::exp(static_cast<double>(log_std(r, j))) * rng.normal());
    sampled_logp_ = logp(inputs_.tape().constant(actions));
  }
  // The means.
  void deterministic_sample(Matrix& actions) const {
    dist_detail::fit_actions(actions, inputs_.rows(), dim_);
    actions = mean_.value();
  }

  // actions: [B, d]; differentiable w.r.t. the inputs and the actions.
  Var logp(Var actions) const {
    dist_detail::check_action_shape("DiagGaussian::logp", actions, inputs_.rows(), dim_, space_);
    return dist_detail::gaussian_logp(mean_, log_std_, actions);
  }
  Var sampled_action_logp() const {
    if (!sampled_logp_.has_value())
      throw Error("DiagGaussian::sampled_action_logp", "no sample() was drawn from this distribution", "call sample() first");
    return sampled_logp_;
  }
  Var entropy() const {
    return ad::add_scalar(ad::row_sum(log_std_), static_cast<T>(0.5 * static_cast<double>(dim_) * (dist_detail::log_two_pi + 1.0)));
  }
  // KL(this || other); gradients flow to both.
  Var kl(const BasicDiagGaussian& other) const {
    if (other.inputs_.rows() != inputs_.rows() || other.dim_ != dim_)
      throw Error("DiagGaussian::kl", "the other distribution has " + dist_detail::shape_string(other.inputs_.rows(), other.dim_) +
                                          " means, this one " + dist_detail::shape_string(inputs_.rows(), dim_));
    // (std^2 + (mean - mean_q)^2) / (2 std_q^2) = (exp(2 (log_std - log_std_q)) + ((mean - mean_q) / std_q)^2) / 2
    const Var log_ratio = log_std_ - other.log_std_;
    const Var scaled_diff = (mean_ - other.mean_) * exp(-other.log_std_);
    const Var terms = (exp(log_ratio * T(2)) + square(scaled_diff)) * T(0.5) - log_ratio;
    return row_sum(terms) - T(0.5) * static_cast<T>(dim_);
  }
  Var inputs() const { return inputs_; }

  // Reparameterized: actions = mean + std * eps with eps ~ N(0, 1) drawn here, differentiable
  // w.r.t. the inputs, and their logp = -|eps|^2 / 2 - sum log_std - d/2 log(2 pi).
  RSample<T> rsample(RandomStream& rng) const {
    ad::BasicTape<T>& tape = inputs_.tape();
    const Eigen::Index rows = inputs_.rows();
    const auto [eps, constant_part] = dist_detail::standard_normal_draws<T>(tape, rows, dim_, rng);
    return {mean_ + exp(log_std_) * eps, constant_part - row_sum(log_std_)};
  }

  Var mean() const { return mean_; }
  Var log_std() const { return log_std_; }
  Eigen::Index dim() const noexcept { return dim_; }

 private:
  Var inputs_;
  Space space_;
  Eigen::Index dim_;
  Var mean_;
  Var log_std_;
  Var sampled_logp_;
};

using DiagGaussian = BasicDiagGaussian<float>;
static_assert(action_distribution<DiagGaussian>);

}  // namespace rlpp
