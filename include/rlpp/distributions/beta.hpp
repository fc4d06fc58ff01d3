#pragma once
// Beta: a Beta distribution per dimension, scaled onto a bounded float Box (RLlib's TorchBeta).
// Inputs [B, 2d] are clipped to [log(SMALL_NUMBER), -log(SMALL_NUMBER)] and mapped to the
// concentrations alpha (first d) and beta (last d) by log(exp(x) + 1) + 1 = softplus(x) + 1 > 1,
// so every density is unimodal and finite. Actions a = low + x (high - low), x ~ Beta(alpha, beta).
// With B(a, b) = Gamma(a) Gamma(b) / Gamma(a + b), psi = digamma and r = high - low:
//   logp(a)  = sum_j [(alpha - 1) log x + (beta - 1) log(1 - x) - log B(alpha, beta) - log r]
//   entropy  = sum_j [log B(alpha, beta) - (alpha - 1) psi(alpha) - (beta - 1) psi(beta)
//                     + (alpha + beta - 2) psi(alpha + beta) + log r]
//   kl(q)    = sum_j [log B(alpha_q, beta_q) - log B(alpha, beta) + (alpha - alpha_q) psi(alpha)
//                     + (beta - beta_q) psi(beta) + (alpha_q - alpha + beta_q - beta) psi(alpha + beta)]
// RLlib's TorchBeta omits the -log r of logp and sums neither entropy nor kl over dimensions;
// rlpp gives the density of the scaled action and [B, 1] results like every other distribution.
// logp clips x (and 1 - x, computed as (high - a) / r) to [SMALL_NUMBER, 1 - SMALL_NUMBER], so an
// action on a bound has a finite logp. Sampling draws two Gamma variates per element:
// x = G_alpha / (G_alpha + G_beta). No rsample (Beta has no simple reparameterization).

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
#include "rlpp/distributions/detail/gamma_functions.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

template <class T>
class BasicBeta {
 public:
  using scalar_type = T;
  using Var = ad::BasicVar<T>;
  using Matrix = ad::BasicMatrix<T>;

  // inputs: [B, 2d]; action_space: a float32 Box of d elements with finite bounds, low < high.
  BasicBeta(Var inputs, const Space& action_space)
      : inputs_(inputs), space_(action_space), box_(&dist_detail::continuous_box("Beta", space_, true)),
        dim_(static_cast<Eigen::Index>(box_->flat_size())) {
    dist_detail::check_distribution_inputs("Beta", inputs, static_cast<std::size_t>(2 * dim_), action_space);
    const T bound = static_cast<T>(-std::log(dist_detail::small_number));
    const Var concentration = softplus(clamp(inputs, -bound, bound)) + T(1);
    alpha_ = columns(concentration, 0, dim_);
    beta_ = columns(concentration, dim_, dim_);
    log_range_sum_ = 0.0;
    for (Eigen::Index j = 0; j < dim_; ++j) log_range_sum_ += std::log(high(j) - low(j));
  }

  // 2 * the Box's flat size.
  static std::size_t required_model_output_shape(const Space& action_space, const Config& = Config()) {
    return 2 * dist_detail::continuous_box("Beta", action_space, true).flat_size();
  }

  // Draws into actions [B, d], within [low, high]; records logp(actions).
  void sample(RandomStream& rng, Matrix& actions) {
    dist_detail::fit_actions(actions, inputs_.rows(), dim_);
    const auto alpha = alpha_.value();
    const auto beta = beta_.value();
    for (Eigen::Index r = 0; r < actions.rows(); ++r)
      for (Eigen::Index j = 0; j < dim_; ++j) {
        const double ga = dist_detail::sample_gamma(rng, static_cast<double>(alpha(r, j)));
        const double gb = dist_detail::sample_gamma(rng, static_cast<double>(beta(r, j)));
        actions(r, j) = scale(ga / (ga + gb), j);
      }
    sampled_logp_ = logp(inputs_.tape().constant(actions));
  }
  // The scaled means, low + alpha / (alpha + beta) (high - low).
  void deterministic_sample(Matrix& actions) const {
    dist_detail::fit_actions(actions, inputs_.rows(), dim_);
    const auto alpha = alpha_.value();
    const auto beta = beta_.value();
    for (Eigen::Index r = 0; r < actions.rows(); ++r)
      for (Eigen::Index j = 0; j < dim_; ++j) {
        const double a = static_cast<double>(alpha(r, j)), b = static_cast<double>(beta(r, j));
        actions(r, j) = scale(a / (a + b), j);
      }
  }

  // actions: [B, d] within [low, high]; differentiable w.r.t. the inputs and the actions.
  Var logp(Var actions) const {
    dist_detail::check_action_shape("Beta::logp", actions, inputs_.rows(), dim_, space_);
    ad::BasicTape<T>& tape = inputs_.tape();
    const Var low_row = dist_detail::row_constant(tape, box_->low());
    const Var high_row = dist_detail::row_constant(tape, box_->high());
    const Var range = high_row - low_row;
    const T edge = static_cast<T>(dist_detail::small_number);
    const Var x = clamp((actions - low_row) / range, edge, T(1) - edge);
    const Var one_minus_x = clamp((high_row - actions) / range, edge, T(1) - edge);
    const Var terms = (alpha_ - T(1)) * log(x) + (beta_ - T(1)) * log(one_minus_x) - log_beta_function(alpha_, beta_);
    return row_sum(terms) - static_cast<T>(log_range_sum_);
  }
  Var sampled_action_logp() const {
    if (!sampled_logp_.has_value())
      throw Error("Beta::sampled_action_logp", "no sample() was drawn from this distribution", "call sample() first");
    return sampled_logp_;
  }
  Var entropy() const {
    const Var sum = alpha_ + beta_;
    const Var terms = log_beta_function(alpha_, beta_) - (alpha_ - T(1)) * dist_detail::digamma_op(alpha_) -
                      (beta_ - T(1)) * dist_detail::digamma_op(beta_) + (sum - T(2)) * dist_detail::digamma_op(sum);
    return row_sum(terms) + static_cast<T>(log_range_sum_);
  }
  // KL(this || other) over the same Box (the scaling cancels); gradients flow to both.
  Var kl(const BasicBeta& other) const {
    if (other.inputs_.rows() != inputs_.rows() || other.dim_ != dim_)
      throw Error("Beta::kl", "the other distribution has " + dist_detail::shape_string(other.inputs_.rows(), 2 * other.dim_) +
                                  " inputs, this one " + dist_detail::shape_string(inputs_.rows(), 2 * dim_));
    const Var a = alpha_, b = beta_, aq = other.alpha_, bq = other.beta_;
    const Var terms = log_beta_function(aq, bq) - log_beta_function(a, b) + (a - aq) * dist_detail::digamma_op(a) +
                      (b - bq) * dist_detail::digamma_op(b) + ((aq - a) + (bq - b)) * dist_detail::digamma_op(a + b);
    return row_sum(terms);
  }
  Var inputs() const { return inputs_; }

  Var alpha() const { return alpha_; }
  Var beta() const { return beta_; }
  Eigen::Index dim() const noexcept { return dim_; }

 private:
  double low(Eigen::Index j) const { return box_->low()[static_cast<std::size_t>(j)]; }
  double high(Eigen::Index j) const { return box_->high()[static_cast<std::size_t>(j)]; }
  T scale(double x, Eigen::Index j) const {
    const double a = low(j) + x * (high(j) - low(j));
    return static_cast<T>(std::fmin(std::fmax(a, low(j)), high(j)));
  }
  // log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), elementwise.
  static Var log_beta_function(Var a, Var b) {
    return dist_detail::lgamma_op(a) + dist_detail::lgamma_op(b) - dist_detail::lgamma_op(a + b);
  }

  Var inputs_;
  Space space_;
  const Box* box_;  // inside space_'s shared node
  Eigen::Index dim_;
  Var alpha_;
  Var beta_;
  double log_range_sum_ = 0.0;
  Var sampled_logp_;
};

using Beta = BasicBeta<float>;
static_assert(action_distribution<Beta>);

}  // namespace rlpp
