#pragma once
// Deterministic: the point mass at the inputs, for DDPG/TD3 actors over a float Box (RLlib's
// Deterministic / TorchDeterministic; the catalog's dist_type "deterministic"). Inputs [B, d] are
// the actions; sample() and deterministic_sample() both copy them (exploration noise is the
// exploration strategy's job). logp, sampled_action_logp and entropy are [B, 1] zeros that stay
// attached to the inputs with gradient zero, so losses built from them still backpropagate.
// kl is not defined (two point masses) and throws.

#include <cstddef>

#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/distributions/action_distribution.hpp"
#include "rlpp/distributions/detail/common.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

template <class T>
class BasicDeterministic {
 public:
  using scalar_type = T;
  using Var = ad::BasicVar<T>;
  using Matrix = ad::BasicMatrix<T>;

  // inputs: [B, d], the actions; action_space: a float32 Box of d elements.
  BasicDeterministic(Var inputs, const Space& action_space)
      : inputs_(inputs), space_(action_space),
        dim_(static_cast<Eigen::Index>(dist_detail::continuous_box("Deterministic", action_space, false).flat_size())) {
    dist_detail::check_distribution_inputs("Deterministic", inputs, static_cast<std::size_t>(dim_), action_space);
  }

  // The Box's flat size.
  static std::size_t required_model_output_shape(const Space& action_space, const Config& = Config()) {
    return dist_detail::continuous_box("Deterministic", action_space, false).flat_size();
  }

  // Copies the inputs (the random stream is not used).
  void sample(RandomStream&, Matrix& actions) {
    deterministic_sample(actions);
    sampled_logp_ = dist_detail::zeros_per_row(inputs_);
  }
  void deterministic_sample(Matrix& actions) const {
    dist_detail::fit_actions(actions, inputs_.rows(), dim_);
    actions = inputs_.value();
  }
  Var logp(Var actions) const {
    dist_detail::check_action_shape("Deterministic::logp", actions, inputs_.rows(), dim_, space_);
    return dist_detail::zeros_per_row(inputs_);
  }
  Var sampled_action_logp() const {
    if (!sampled_logp_.has_value())
      throw Error("Deterministic::sampled_action_logp", "no sample() was drawn from this distribution",
                  "call sample() first");
    return sampled_logp_;
  }
  Var entropy() const { return dist_detail::zeros_per_row(inputs_); }
  [[noreturn]] Var kl(const BasicDeterministic&) const {
    throw Error("Deterministic::kl", "the KL divergence of two point masses is not defined (RLlib does not define it either)",
                "use a stochastic distribution (DiagGaussian) for algorithms with a KL term");
  }
  Var inputs() const { return inputs_; }

  // actions = the inputs themselves (differentiable: DDPG's actor loss backpropagates through
  // the critic into them); logp = zeros.
  RSample<T> rsample(RandomStream&) const { return {inputs_, dist_detail::zeros_per_row(inputs_)}; }

  Eigen::Index dim() const noexcept { return dim_; }

 private:
  Var inputs_;
  Space space_;
  Eigen::Index dim_;
  Var sampled_logp_;
};

using Deterministic = BasicDeterministic<float>;
static_assert(action_distribution<Deterministic>);

}  // namespace rlpp
