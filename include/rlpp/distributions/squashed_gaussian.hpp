#pragma once
// SquashedGaussian: a Gaussian squashed by tanh into a bounded float Box, SAC's policy
// distribution (RLlib's SquashedGaussian / TorchSquashedGaussian). Inputs [B, 2d]: means, then
// log stds, the log stds clamped to [-20, 2] (RLlib's MIN/MAX_LOG_NN_OUTPUT). With u ~ N(mean, std):
//   a = low + (tanh(u) + 1) / 2 * (high - low)
//   logp(a) = sum_j [log N(u_j; mean_j, std_j) - log(1 - tanh(u_j)^2) - log((high_j - low_j) / 2)]
// the change of variables through tanh (Haarnoja et al. 2018, "Soft Actor-Critic", appendix C)
// and through the affine map onto [low, high], with the tanh term in its overflow-free form
//   log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u)).
// RLlib omits the constant last term (0 for the [-1, 1] Box of normalize_actions); rlpp keeps it
// so that logp is the density of the actions actually taken.
// logp(a) of given actions unsquashes as RLlib does: (a - low) / (high - low) is clipped to
// [SMALL_NUMBER / 2, 1 - SMALL_NUMBER / 2] (RLlib clips 2x - 1 to +-(1 - SMALL_NUMBER)) before
// atanh, and each dimension's Gaussian log-density is clamped to [-100, 100].
// entropy and kl have no closed form and throw, as in RLlib; SAC estimates the entropy as
// -logp of rsample().

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
class BasicSquashedGaussian {
 public:
  using scalar_type = T;
  using Var = ad::BasicVar<T>;
  using Matrix = ad::BasicMatrix<T>;

  // inputs: [B, 2d] (means, then log stds); action_space: a float32 Box of d elements with
  // finite bounds, low < high.
  BasicSquashedGaussian(Var inputs, const Space& action_space)
      : inputs_(inputs), space_(action_space), box_(&dist_detail::continuous_box("SquashedGaussian", space_, true)),
        dim_(static_cast<Eigen::Index>(box_->flat_size())) {
    dist_detail::check_distribution_inputs("SquashedGaussian", inputs, static_cast<std::size_t>(2 * dim_), action_space);
    mean_ = ad::columns(inputs, 0, dim_);
    log_std_ = ad::clamp(ad::columns(inputs, dim_, dim_), static_cast<T>(dist_detail::min_log_nn_output),
                         static_cast<T>(dist_detail::max_log_nn_output));
    log_half_range_sum_ = 0.0;
    for (Eigen::Index j = 0; j < dim_; ++j) log_half_range_sum_ += std::log(0.5 * (high(j) - low(j)));
  }

  // 2 * the Box's flat size.
  static std::size_t required_model_output_shape(const Space& action_space, const Config& = Config()) {
    return 2 * dist_detail::continuous_box("SquashedGaussian", action_space, true).flat_size();
  }

  // Squashed draws into actions [B, d], within [low, high]; records logp(actions).
  void sample(RandomStream& rng, Matrix& actions) {
    dist_detail::fit_actions(actions, inputs_.rows(), dim_);
    const auto mean = mean_.value();
    const auto log_std = log_std_.value();
    for (Eigen::Index r = 0; r < actions.rows(); ++r)
      for (Eigen::Index j = 0; j < dim_; ++j)
        actions(r, j) = squash(static_cast<double>(mean(r, j)) + std::exp(static_cast<double>(log_std(r, j))) * rng.normal(), j);
    sampled_logp_ = logp(inputs_.tape().constant(actions));
  }
  // The squashed means.
  void deterministic_sample(Matrix& actions) const {
    dist_detail::fit_actions(actions, inputs_.rows(), dim_);
    const auto mean = mean_.value();
    for (Eigen::Index r = 0; r < actions.rows(); ++r)
      for (Eigen::Index j = 0; j < dim_; ++j) actions(r, j) = squash(static_cast<double>(mean(r, j)), j);
  }

  // actions: [B, d] within [low, high]; differentiable w.r.t. the inputs and the actions.
  Var logp(Var actions) const {
    dist_detail::check_action_shape("SquashedGaussian::logp", actions, inputs_.rows(), dim_, space_);
    ad::BasicTape<T>& tape = inputs_.tape();
    const Var low_row = dist_detail::row_constant(tape, box_->low());
    const Var high_row = dist_detail::row_constant(tape, box_->high());
    const Var range = high_row - low_row;
    // atanh(2p - 1) = (log p - log q) / 2 with p = (a - low) / range and q = 1 - p computed as
    // (high - a) / range: no cancellation near either bound, even on a float tape.
    const T edge = static_cast<T>(dist_detail::small_number / 2);
    const Var p = clamp((actions - low_row) / range, edge, T(1) - edge);
    const Var q = clamp((high_row - actions) / range, edge, T(1) - edge);
    const Var u = (log(p) - log(q)) * T(0.5);
    return dist_detail::gaussian_logp(mean_, log_std_, u, T(100)) - tanh_log_det(u) -
           static_cast<T>(log_half_range_sum_);
  }
  Var sampled_action_logp() const {
    if (!sampled_logp_.has_value())
      throw Error("SquashedGaussian::sampled_action_logp", "no sample() was drawn from this distribution",
                  "call sample() first");
    return sampled_logp_;
  }
  [[noreturn]] Var entropy() const {
    throw Error("SquashedGaussian::entropy", "the entropy of a tanh-squashed Gaussian has no closed form (RLlib raises too)",
                "estimate it as -logp of rsample(), as SAC does");
  }
  [[noreturn]] Var kl(const BasicSquashedGaussian&) const {
    throw Error("SquashedGaussian::kl", "the KL divergence of tanh-squashed Gaussians has no closed form (RLlib raises too)",
                "estimate it from samples: logp(a) - other.logp(a) at a = rsample() actions");
  }
  Var inputs() const { return inputs_; }

  // Reparameterized (SAC): u = mean + std * eps, eps ~ N(0, 1) drawn here; the squashed actions,
  // differentiable w.r.t. the inputs, and their logp computed from u itself (no unsquashing).
  RSample<T> rsample(RandomStream& rng) const {
    ad::BasicTape<T>& tape = inputs_.tape();
    const Eigen::Index rows = inputs_.rows();
    const auto [eps, constant_part] = dist_detail::standard_normal_draws<T>(tape, rows, dim_, rng, -log_half_range_sum_);
    const Var u = mean_ + exp(log_std_) * eps;
    const Var low_row = dist_detail::row_constant(tape, box_->low());
    const Var high_row = dist_detail::row_constant(tape, box_->high());
    const Var actions = minimum(maximum(low_row + (tanh(u) + T(1)) * ((high_row - low_row) * T(0.5)), low_row), high_row);
    // log N(u; mean, std) = -eps^2 / 2 - log_std - log(2 pi) / 2
    return {actions, constant_part - row_sum(log_std_) - tanh_log_det(u)};
  }

  Var mean() const { return mean_; }
  Var log_std() const { return log_std_; }  // clamped to [-20, 2]
  Eigen::Index dim() const noexcept { return dim_; }

 private:
  double low(Eigen::Index j) const { return box_->low()[static_cast<std::size_t>(j)]; }
  double high(Eigen::Index j) const { return box_->high()[static_cast<std::size_t>(j)]; }
  T squash(double u, Eigen::Index j) const {
    const double a = low(j) + (std::tanh(u) + 1.0) * 0.5 * (high(j) - low(j));
    return static_cast<T>(std::fmin(std::fmax(a, low(j)), high(j)));
  }
  // sum_j log(1 - tanh(u_j)^2) = sum_j 2 (log 2 - u_j - softplus(-2 u_j)), [B, 1].
  static Var tanh_log_det(Var u) {
    const Var per_row = row_sum(u + softplus(u * T(-2)));
    return (T(2) * std::log(T(2)) * static_cast<T>(u.cols())) - per_row * T(2);
  }

  Var inputs_;
  Space space_;
  const Box* box_;  // inside space_'s shared node
  Eigen::Index dim_;
  Var mean_;
  Var log_std_;
  double log_half_range_sum_ = 0.0;
  Var sampled_logp_;
};

using SquashedGaussian = BasicSquashedGaussian<float>;
static_assert(action_distribution<SquashedGaussian>);

}  // namespace rlpp
