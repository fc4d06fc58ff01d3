#pragma once
// MultiCategorical: independent categoricals, one per component of a MultiDiscrete(nvec), an
// int64 Box (component i takes the values low_i ... high_i) or a MultiBinary(n) (two values
// each), from the components' logits concatenated along the row (RLlib's MultiCategorical).
// logp, entropy and kl are the sums over components. Actions hold each component's value
// (low_i + index for an int Box).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "rlpp/autodiff/ops/binary.hpp"
#include "rlpp/autodiff/ops/indexing.hpp"
#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/distributions/action_distribution.hpp"
#include "rlpp/distributions/categorical.hpp"
#include "rlpp/distributions/detail/categorical_ops.hpp"
#include "rlpp/distributions/detail/common.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

namespace dist_detail {
// The components of a multi-categorical action space, read in place from the space (which the
// distribution keeps alive), so that building a distribution allocates nothing.
struct CategoricalComponents {
  const std::int64_t* nvec = nullptr;                      // MultiDiscrete
  const double* low = nullptr;                             // int64 Box
  const double* high = nullptr;
  std::size_t count = 0;                                   // MultiBinary: neither pointer set

  std::int64_t n(std::size_t i) const noexcept {
    if (nvec) return nvec[i];
    if (low) return static_cast<std::int64_t>(high[i] - low[i]) + 1;
    return 2;
  }
  // The value of index 0 of component i.
  double offset(std::size_t i) const noexcept { return low ? low[i] : 0.0; }
  std::size_t total_logits() const noexcept {
    std::size_t total = 0;
    for (std::size_t i = 0; i < count; ++i) total += static_cast<std::size_t>(n(i));
    return total;
  }
};

// Components beyond 2^24 values would not travel exactly as float actions.
inline constexpr double max_categorical_values = 16777216.0;

inline CategoricalComponents categorical_components(const Space& space) {
  CategoricalComponents c;
  if (const auto* md = space.get_if<MultiDiscrete>()) {
    c.nvec = md->nvec().data();
    c.count = md->nvec().size();
  } else if (const auto* mb = space.get_if<MultiBinary>()) {
    c.count = static_cast<std::size_t>(mb->n());
  } else if (const auto* box = space.get_if<Box>(); box && box->dtype() == DType::int64) {
    for (std::size_t i = 0; i < box->flat_size(); ++i) {
      const double low = box->low()[i], high = box->high()[i];
      if (!std::isfinite(low) || !std::isfinite(high) || high - low + 1 > max_categorical_values)
        throw SpaceError("MultiCategorical",
                         "an int64 Box action needs finite bounds spanning at most 2^24 values per dimension; " +
                             space.to_string() + " has [" + std::to_string(low) + ", " + std::to_string(high) +
                             "] in dimension " + std::to_string(i),
                         "bound the Box");
    }
    c.low = box->low().data();
    c.high = box->high().data();
    c.count = box->flat_size();
  } else {
    throw SpaceError("MultiCategorical",
                     "needs a MultiDiscrete, MultiBinary or int64 Box action space, got " + space.to_string(),
                     space.is<Discrete>() ? "a Discrete space takes Categorical"
                                          : "use the distribution the catalog picks (default_distribution_kind)");
  }
  return c;
}
}  // namespace dist_detail

template <class T>
class BasicMultiCategorical {
 public:
  using scalar_type = T;
  using Var = ad::BasicVar<T>;
  using Matrix = ad::BasicMatrix<T>;

  // inputs: [B, sum of the components' sizes] logits, component by component.
  BasicMultiCategorical(Var inputs, const Space& action_space)
      : inputs_(inputs), space_(action_space), components_(dist_detail::categorical_components(action_space)) {
    dist_detail::check_distribution_inputs("MultiCategorical", inputs, components_.total_logits(), action_space);
  }

  // The sum of the components' sizes (sum(nvec); for an int Box, sum of high - low + 1).
  static std::size_t required_model_output_shape(const Space& action_space, const Config& = Config()) {
    return dist_detail::categorical_components(action_space).total_logits();
  }

  // One draw per component and row into actions [B, components]; records its logp.
  void sample(RandomStream& rng, Matrix& actions) {
    const Eigen::Index rows = inputs_.rows(), width = inputs_.cols(), count = components();
    dist_detail::fit_actions(actions, rows, count);
    const T* x = inputs_.node().value;
    for (Eigen::Index r = 0; r < rows; ++r) {
      const T* row = x + r * width;
      for (std::size_t i = 0; i < components_.count; ++i) {
        const std::int64_t n = components_.n(i);
        actions(r, static_cast<Eigen::Index>(i)) =
            static_cast<T>(components_.offset(i) + static_cast<double>(dist_detail::sample_categorical_row(row, n, rng)));
        row += n;
      }
    }
    sampled_logp_ = logp(inputs_.tape().constant(actions));
  }
  void deterministic_sample(Matrix& actions) const {
    const Eigen::Index rows = inputs_.rows(), width = inputs_.cols(), count = components();
    dist_detail::fit_actions(actions, rows, count);
    const T* x = inputs_.node().value;
    for (Eigen::Index r = 0; r < rows; ++r) {
      const T* row = x + r * width;
      for (std::size_t i = 0; i < components_.count; ++i) {
        const std::int64_t n = components_.n(i);
        actions(r, static_cast<Eigen::Index>(i)) =
            static_cast<T>(components_.offset(i) + static_cast<double>(dist_detail::argmax_row(row, n)));
        row += n;
      }
    }
  }

  // actions: [B, components], each a value of its component.
  Var logp(Var actions) const {
    dist_detail::check_action_shape("MultiCategorical::logp", actions, inputs_.rows(), components(), space_);
    for (std::size_t i = 0; i < components_.count; ++i)
      dist_detail::check_categorical_actions("MultiCategorical::logp", actions, static_cast<Eigen::Index>(i),
                                        components_.offset(i), components_.n(i), space_, static_cast<std::ptrdiff_t>(i));
    return sum_over_components([&](Var logits, std::size_t i) {
      return dist_detail::categorical_logp(logits, actions, static_cast<std::int64_t>(i), static_cast<T>(components_.offset(i)));
    });
  }
  Var sampled_action_logp() const {
    if (!sampled_logp_.has_value())
      throw Error("MultiCategorical::sampled_action_logp", "no sample() was drawn from this distribution",
                  "call sample() first");
    return sampled_logp_;
  }
  Var entropy() const {
    return sum_over_components([](Var logits, std::size_t) { return dist_detail::categorical_entropy(logits); });
  }
  Var kl(const BasicMultiCategorical& other) const {
    if (other.inputs_.rows() != inputs_.rows() || other.inputs_.cols() != inputs_.cols() ||
        !(other.space_ == space_))
      throw Error("MultiCategorical::kl", "the other distribution is over " + other.space_.to_string() + " with " +
                                              dist_detail::shape_string(other.inputs_.rows(), other.inputs_.cols()) +
                                              " inputs, this one over " + space_.to_string() + " with " +
                                              dist_detail::shape_string(inputs_.rows(), inputs_.cols()));
    Eigen::Index begin = 0;
    Var total;
    for (std::size_t i = 0; i < components_.count; ++i) {
      const Eigen::Index n = components_.n(i);
      const Var part = dist_detail::categorical_kl(ad::columns(inputs_, begin, n), ad::columns(other.inputs_, begin, n));
      total = i == 0 ? part : ad::add(total, part);
      begin += n;
    }
    return total;
  }
  Var inputs() const { return inputs_; }

  Eigen::Index components() const noexcept { return static_cast<Eigen::Index>(components_.count); }

 private:
  // f(logits of component i, i) -> [B, 1], summed over the components.
  template <class F>
  Var sum_over_components(F&& f) const {
    Eigen::Index begin = 0;
    Var total;
    for (std::size_t i = 0; i < components_.count; ++i) {
      const Eigen::Index n = components_.n(i);
      const Var part = f(ad::columns(inputs_, begin, n), i);
      total = i == 0 ? part : ad::add(total, part);
      begin += n;
    }
    return total;
  }

  Var inputs_;
  Space space_;
  dist_detail::CategoricalComponents components_;
  Var sampled_logp_;
};

using MultiCategorical = BasicMultiCategorical<float>;
static_assert(action_distribution<MultiCategorical>);

}  // namespace rlpp
