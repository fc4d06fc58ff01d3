#pragma once
// A fused tape op for the log-density of a diagonal Gaussian, summed over dimensions:
//   y[r] = sum_j clamp(-(x_rj - mean_rj)^2 / (2 std_rj^2) - log_std_rj - log(2 pi) / 2, -bound, bound)
// with std = exp(log_std); gradients flow to mean, log_std and x (an element whose log-density
// was clamped gets none). One node instead of the ten a composition records: this is the hot
// op of every policy-gradient loss on a continuous action space.

#include <cmath>
#include <limits>

#include "rlpp/autodiff/tape.hpp"
#include "rlpp/distributions/detail/common.hpp"

namespace rlpp::dist_detail {

template <class T>
void gaussian_logp_backward(ad::BasicTape<T>& tape, const ad::Node<T>& out) {
  const ad::Node<T>& mean = tape.node(out.inputs[0]);
  const ad::Node<T>& log_std = tape.node(out.inputs[1]);
  const ad::Node<T>& x = tape.node(out.inputs[2]);
  const T bound = out.scalars[0];
  const Eigen::Index d = mean.cols;
  for (Eigen::Index r = 0; r < mean.rows; ++r) {
    const T g = out.grad[r];
    for (Eigen::Index j = 0; j < d; ++j) {
      const Eigen::Index i = r * d + j;
      const T inv_std = std::exp(-log_std.value[i]);
      const T z = (x.value[i] - mean.value[i]) * inv_std;
      const T element = T(-0.5) * z * z - log_std.value[i] - T(0.5 * log_two_pi);
      if (!(element > -bound && element < bound)) continue;
      if (mean.grad) mean.grad[i] += g * z * inv_std;
      if (log_std.grad) log_std.grad[i] += g * (z * z - T(1));
      if (x.grad) x.grad[i] -= g * z * inv_std;
    }
  }
}

// mean, log_std and x: [B, d]; the result [B, 1]. `bound` clamps each element's log-density
// (RLlib's squashed Gaussian clamps to [-100, 100]); +inf for none.
template <class T>
ad::BasicVar<T> gaussian_logp(ad::BasicVar<T> mean, ad::BasicVar<T> log_std, ad::BasicVar<T> x,
                              T bound = std::numeric_limits<T>::infinity()) {
  ad::BasicVar<T> out = mean.tape().op(mean.rows(), 1, &gaussian_logp_backward<T>, {mean, log_std, x}, bound);
  const ad::Node<T>& m = mean.node();
  const ad::Node<T>& s = log_std.node();
  const ad::Node<T>& v = x.node();
  T* y = out.node().value;
  for (Eigen::Index r = 0; r < m.rows; ++r) {
    T total = T(0);
    for (Eigen::Index j = 0; j < m.cols; ++j) {
      const Eigen::Index i = r * m.cols + j;
      const T z = (v.value[i] - m.value[i]) * std::exp(-s.value[i]);
      const T element = T(-0.5) * z * z - s.value[i] - T(0.5 * log_two_pi);
      total += element < -bound ? -bound : (element > bound ? bound : element);
    }
    y[r] = total;
  }
  return out;
}

}  // namespace rlpp::dist_detail
