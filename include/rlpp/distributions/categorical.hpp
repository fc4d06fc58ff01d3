#pragma once
// Categorical: the distribution of a Discrete(n, start) action, from n logits per row (RLlib's
// Categorical / TorchCategorical). Actions hold the action's value, start + index, as a float.
//   logp(a) = log_softmax(x)[a - start]      entropy = -sum_i p_i log p_i
//   kl(q)   = sum_i p_i (log p_i - log q_i)  with p = softmax(x); terms with p_i = 0 are 0,
// so logits of -inf mask actions out (they are never sampled and add nothing to entropy/KL).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/distributions/action_distribution.hpp"
#include "rlpp/distributions/detail/categorical_ops.hpp"
#include "rlpp/distributions/detail/common.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

namespace dist_detail {
inline const Discrete& categorical_space(const Space& space) {
  const Discrete* discrete = space.get_if<Discrete>();
  if (discrete == nullptr)
    throw SpaceError("Categorical", "needs a Discrete action space, got " + space.to_string(),
                     space.is<MultiDiscrete>() ? "a MultiDiscrete space takes MultiCategorical"
                                               : "use the distribution the catalog picks (default_distribution_kind)");
  return *discrete;
}
template <class T>
Eigen::Index sample_categorical_row(const T* logits, Eigen::Index n, RandomStream& rng);
template <class T>
Eigen::Index argmax_row(const T* logits, Eigen::Index n);
template <class T>
void check_categorical_actions(const char* who, const ad::BasicVar<T>& actions, Eigen::Index column, double offset,
                               std::int64_t n, const Space& space, std::ptrdiff_t component);
}  // namespace dist_detail

template <class T>
class BasicCategorical {
 public:
  using scalar_type = T;
  using Var = ad::BasicVar<T>;
  using Matrix = ad::BasicMatrix<T>;

  // inputs: [B, n] logits on a tape; action_space: Discrete(n, start).
  BasicCategorical(Var inputs, const Space& action_space)
      : inputs_(inputs), space_(action_space), n_(dist_detail::categorical_space(action_space).n()),
        start_(action_space.as<Discrete>().start()) {
    dist_detail::check_distribution_inputs("Categorical", inputs, static_cast<std::size_t>(n_), action_space);
  }

  // n logits.
  static std::size_t required_model_output_shape(const Space& action_space, const Config& = Config()) {
    return static_cast<std::size_t>(dist_detail::categorical_space(action_space).n());
  }

  // One draw per row (inverse CDF, one uniform per row) into actions [B, 1]; records its logp.
  void sample(RandomStream& rng, Matrix& actions) {
    const Eigen::Index rows = inputs_.rows();
    dist_detail::fit_actions(actions, rows, 1);
    const T* x = inputs_.node().value;
    for (Eigen::Index r = 0; r < rows; ++r)
      actions(r, 0) = static_cast<T>(start_ + dist_detail::sample_categorical_row(x + r * n_, n_, rng));
    sampled_logp_ = logp(inputs_.tape().constant(actions));
  }
  // The most likely action of each row (the first on ties).
  void deterministic_sample(Matrix& actions) const {
    const Eigen::Index rows = inputs_.rows();
    dist_detail::fit_actions(actions, rows, 1);
    const T* x = inputs_.node().value;
    for (Eigen::Index r = 0; r < rows; ++r) actions(r, 0) = static_cast<T>(start_ + dist_detail::argmax_row(x + r * n_, n_));
  }

  // actions: [B, 1] values in [start, start + n).
  Var logp(Var actions) const {
    dist_detail::check_action_shape("Categorical::logp", actions, inputs_.rows(), 1, space_);
    dist_detail::check_categorical_actions("Categorical::logp", actions, 0, static_cast<double>(start_), n_, space_, -1);
    return dist_detail::categorical_logp(inputs_, actions, 0, static_cast<T>(start_));
  }
  Var sampled_action_logp() const {
    if (!sampled_logp_.has_value())
      throw Error("Categorical::sampled_action_logp", "no sample() was drawn from this distribution", "call sample() first");
    return sampled_logp_;
  }
  Var entropy() const { return dist_detail::categorical_entropy(inputs_); }
  // KL(this || other); gradients flow to both distributions' inputs.
  Var kl(const BasicCategorical& other) const {
    if (other.inputs_.rows() != inputs_.rows() || other.n_ != n_)
      throw Error("Categorical::kl", "the other distribution has " + dist_detail::shape_string(other.inputs_.rows(), other.n_) +
                                         " logits, this one " + dist_detail::shape_string(inputs_.rows(), n_));
    return dist_detail::categorical_kl(inputs_, other.inputs_);
  }
  Var inputs() const { return inputs_; }

  std::int64_t n() const noexcept { return n_; }
  std::int64_t start() const noexcept { return start_; }

 private:
  Var inputs_;
  Space space_;
  std::int64_t n_;
  std::int64_t start_;
  Var sampled_logp_;
};

using Categorical = BasicCategorical<float>;
static_assert(action_distribution<Categorical>);

// ---- detail definitions -------------------------------------------------------------------------
namespace dist_detail {

// Inverse CDF in double: u * sum(exp(x - max)) walked along the cumulative sum. A rounding
// overshoot lands on the last action with nonzero probability, never on a masked one.
template <class T>
Eigen::Index sample_categorical_row(const T* logits, Eigen::Index n, RandomStream& rng) {
  double m = -std::numeric_limits<double>::infinity();
  for (Eigen::Index j = 0; j < n; ++j) m = std::max(m, static_cast<double>(logits[j]));
  double total = 0.0;
  for (Eigen::Index j = 0; j < n; ++j) total += std::exp(static_cast<double>(logits[j]) - m);
  const double target = rng.uniform() * total;
  double cumulative = 0.0;
  Eigen::Index last_possible = 0;
  for (Eigen::Index j = 0; j < n; ++j) {
    const double weight = std::exp(static_cast<double>(logits[j]) - m);
    if (weight <= 0.0) continue;
    cumulative += weight;
    last_possible = j;
    if (target < cumulative) return j;
  }
  return last_possible;
}

template <class T>
Eigen::Index argmax_row(const T* logits, Eigen::Index n) {
  Eigen::Index best = 0;
  for (Eigen::Index j = 1; j < n; ++j)
    if (logits[j] > logits[best]) best = j;
  return best;
}

// Column `column` of actions must hold integers in [offset, offset + n). `component` (or -1)
// names the component in the message.
template <class T>
void check_categorical_actions(const char* who, const ad::BasicVar<T>& actions, Eigen::Index column, double offset,
                               std::int64_t n, const Space& space, std::ptrdiff_t component) {
  const T* a = actions.node().value;
  const Eigen::Index cols = actions.cols();
  for (Eigen::Index r = 0; r < actions.rows(); ++r) {
    const double v = static_cast<double>(a[r * cols + column]);
    const double index = v - offset;
    if (!(index >= 0.0 && index < static_cast<double>(n)) || std::floor(v) != v)
      throw SpaceError(who,
                       "action " + std::to_string(v) + " in row " + std::to_string(r) +
                           (component < 0 ? std::string() : " (component " + std::to_string(component) + ")") +
                           " is not a value of the action space " + space.to_string() + " (valid: the integers " +
                           std::to_string(static_cast<std::int64_t>(offset)) + " to " +
                           std::to_string(static_cast<std::int64_t>(offset) + n - 1) + ")",
                       "actions hold the action's value (start + index for Discrete, low + index for an int Box)");
  }
}

}  // namespace dist_detail

}  // namespace rlpp
