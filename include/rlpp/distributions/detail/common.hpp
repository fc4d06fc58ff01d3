#pragma once
// Helpers every distribution shares: the checks of inputs and actions (errors name the action
// space), Box bounds as [1, dim] tape rows, the in-place resize of an action buffer, a zeros
// op that keeps a [B, 1] result attached to the inputs, and RLlib's numeric constants.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include <Eigen/Core>

#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp::dist_detail {

// rllib/utils/numpy.py: SMALL_NUMBER; rllib/models/torch/torch_action_dist.py (via tf_action_dist):
// MIN_LOG_NN_OUTPUT, MAX_LOG_NN_OUTPUT bound a squashed Gaussian's log std.
inline constexpr double small_number = 1e-6;
inline constexpr double min_log_nn_output = -20.0;
inline constexpr double max_log_nn_output = 2.0;
inline constexpr double log_two_pi = 1.8378770664093454836;  // log(2 pi)

inline std::string shape_string(Eigen::Index rows, Eigen::Index cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}

// inputs must be a value with `expected` columns (the model's num_outputs).
template <class T>
void check_distribution_inputs(const char* who, const ad::BasicVar<T>& inputs, std::size_t expected, const Space& space) {
  if (!inputs.has_value())
    throw Error(who, "the inputs are an empty Var", "pass the model's outputs, one row per batch element");
  if (static_cast<std::size_t>(inputs.cols()) != expected)
    throw SpaceError(who,
                     "for the action space " + space.to_string() + " the inputs need " + std::to_string(expected) +
                         " columns per row (the model's num_outputs), got a " + shape_string(inputs.rows(), inputs.cols()) +
                         " value",
                     "size the model with required_model_output_shape(action_space, model_config)");
}

// Actions given to logp(): one row per input row, `cols` values each.
template <class T>
void check_action_shape(const char* who, const ad::BasicVar<T>& actions, Eigen::Index rows, Eigen::Index cols,
                        const Space& space) {
  if (!actions.has_value()) throw Error(who, "the actions are an empty Var", "pass [B, action flat size] actions");
  if (actions.rows() != rows || actions.cols() != cols)
    throw SpaceError(who,
                     "actions of the space " + space.to_string() + " for " + std::to_string(rows) +
                         " input rows must be a " + shape_string(rows, cols) + " value, got " +
                         shape_string(actions.rows(), actions.cols()),
                     "one row per batch element, the action's flat values in the row");
}

// The Box a continuous distribution needs: float32, and with finite low < high when `bounded`.
inline const Box& continuous_box(const char* who, const Space& space, bool bounded) {
  const Box* box = space.get_if<Box>();
  if (box == nullptr || box->dtype() != DType::float32)
    throw SpaceError(who, "needs a float32 Box action space, got " + space.to_string(),
                     box ? "an int64 Box takes MultiCategorical (the catalog's default for it)"
                         : "use the distribution the catalog picks for this space (default_distribution_kind)");
  if (bounded) {
    for (std::size_t i = 0; i < box->flat_size(); ++i) {
      const double low = box->low()[i], high = box->high()[i];
      if (!std::isfinite(low) || !std::isfinite(high) || !(low < high))
        throw SpaceError(who,
                         "needs finite bounds with low < high in every dimension; the action space " + space.to_string() +
                             " has [" + std::to_string(low) + ", " + std::to_string(high) + "] in dimension " +
                             std::to_string(i),
                         "bound the Box, or use DiagGaussian (unbounded)");
    }
  }
  return *box;
}

// Bounds (or any per-dimension numbers) as a [1, dim] constant that broadcasts over rows.
template <class T>
ad::BasicVar<T> row_constant(ad::BasicTape<T>& tape, std::span<const double> values) {
  using Row = Eigen::Matrix<double, 1, Eigen::Dynamic>;
  return tape.constant(Eigen::Map<const Row>(values.data(), 1, static_cast<Eigen::Index>(values.size())).template cast<T>());
}

// Resizes only when the shape differs, so a buffer passed again is reused as it is.
template <class Matrix>
void fit_actions(Matrix& actions, Eigen::Index rows, Eigen::Index cols) {
  if (actions.rows() != rows || actions.cols() != cols) actions.resize(rows, cols);
}

// ---- zeros_per_row: [B, 1] zeros that depend on x with gradient zero ----
// (Deterministic's logp and entropy: still a tape value of the inputs, so a loss built from it
// backpropagates without an error, contributing nothing.)
template <class T>
void zeros_backward(ad::BasicTape<T>&, const ad::Node<T>&) {}

template <class T>
ad::BasicVar<T> zeros_per_row(ad::BasicVar<T> x) {
  ad::BasicVar<T> out = x.tape().op(x.rows(), 1, &zeros_backward<T>, {x});
  std::fill_n(out.node().value, x.rows(), T(0));
  return out;
}

// A [rows, cols] tape constant to be filled in place (no gradient, no copy from elsewhere).
template <class T>
ad::BasicVar<T> blank_constant(ad::BasicTape<T>& tape, Eigen::Index rows, Eigen::Index cols) {
  return tape.op(rows, cols, nullptr, {});
}

// Reparameterization noise: eps ~ N(0, 1) as a [rows, dim] tape constant, and each row's
// log N(eps; 0, I) + offset = -|eps|^2 / 2 - dim/2 log(2 pi) + offset as a [rows, 1] constant.
template <class T>
struct NormalDraws {
  ad::BasicVar<T> eps;
  ad::BasicVar<T> log_density;
};
template <class T>
NormalDraws<T> standard_normal_draws(ad::BasicTape<T>& tape, Eigen::Index rows, Eigen::Index dim, RandomStream& rng,
                                     double offset = 0.0) {
  NormalDraws<T> out{blank_constant(tape, rows, dim), blank_constant(tape, rows, 1)};
  T* e = tape.value(out.eps).data();
  T* c = tape.value(out.log_density).data();
  for (Eigen::Index r = 0; r < rows; ++r) {
    double squares = 0.0;
    for (Eigen::Index j = 0; j < dim; ++j) {
      const double draw = rng.normal();
      e[r * dim + j] = static_cast<T>(draw);
      squares += draw * draw;
    }
    c[r] = static_cast<T>(-0.5 * squares - 0.5 * static_cast<double>(dim) * log_two_pi + offset);
  }
  return out;
}

}  // namespace rlpp::dist_detail
