#pragma once
// Fused tape ops for categorical distributions over the columns of a logits value [B, n]:
// log-probability of taken actions, entropy and KL, each [B, 1]. Fused, rather than composed
// from log_softmax and gather, so that (1) actions are read as the float values they travel as
// (no int64 index buffer to allocate), (2) a masked logit of -inf, whose probability is exactly 0,
// contributes 0 to entropy and KL instead of 0 * -inf = NaN, and (3) one node replaces several.

#include <cmath>
#include <cstdint>
#include <limits>

#include "rlpp/autodiff/tape.hpp"

namespace rlpp::dist_detail {

// Row statistics of log_softmax: lp_j = x_j - shift, shift = max + log(sum(exp(x - max))).
template <class T>
T log_softmax_shift(const T* x, Eigen::Index n) {
  T m = -std::numeric_limits<T>::infinity();
  for (Eigen::Index j = 0; j < n; ++j) m = x[j] > m ? x[j] : m;
  if (!std::isfinite(m)) return m;
  T s = T(0);
  for (Eigen::Index j = 0; j < n; ++j) s += std::exp(x[j] - m);
  return m + std::log(s);
}

// The column of row r of an actions node minus the value offset, as an index.
template <class T>
Eigen::Index action_index(const ad::Node<T>& actions, Eigen::Index r, std::int64_t column, T offset) {
  return static_cast<Eigen::Index>(std::llround(static_cast<double>(actions.value[r * actions.cols + column]) -
                                                static_cast<double>(offset)));
}

// ---- logp: y[r] = log_softmax(x)[r, a_r], a_r = actions[r, column] - offset ----
template <class T>
void categorical_logp_backward(ad::BasicTape<T>& tape, const ad::Node<T>& out) {
  const ad::Node<T>& logits = tape.node(out.inputs[0]);
  if (!logits.grad) return;  // actions are indices: they receive no gradient
  const ad::Node<T>& actions = tape.node(out.inputs[1]);
  const Eigen::Index n = logits.cols;
  for (Eigen::Index r = 0; r < logits.rows; ++r) {
    const T* x = logits.value + r * n;
    T* gx = logits.grad + r * n;
    const T g = out.grad[r];
    const T shift = out.saved[r];
    for (Eigen::Index j = 0; j < n; ++j) gx[j] -= g * std::exp(x[j] - shift);
    gx[action_index(actions, r, out.aux, out.scalars[0])] += g;
  }
}

// Actions must already be checked: integral, in [offset, offset + n).
template <class T>
ad::BasicVar<T> categorical_logp(ad::BasicVar<T> logits, ad::BasicVar<T> actions, std::int64_t column, T offset) {
  ad::BasicVar<T> out =
      logits.tape().op(logits.rows(), 1, &categorical_logp_backward<T>, {logits, actions}, offset, T(0), column);
  const ad::Node<T>& x = logits.node();
  const ad::Node<T>& a = actions.node();
  T* y = out.node().value;
  T* saved = logits.tape().save(out, static_cast<std::size_t>(x.rows));  // the row shifts
  for (Eigen::Index r = 0; r < x.rows; ++r) {
    const T* row = x.value + r * x.cols;
    const T shift = log_softmax_shift(row, x.cols);
    if (saved) saved[r] = shift;
    y[r] = row[action_index(a, r, column, offset)] - shift;
  }
  return out;
}

// ---- entropy: y[r] = -sum_j p_j lp_j over p_j > 0 ----
template <class T>
void categorical_entropy_backward(ad::BasicTape<T>& tape, const ad::Node<T>& out) {
  const ad::Node<T>& logits = tape.node(out.inputs[0]);
  if (!logits.grad) return;
  const Eigen::Index n = logits.cols;
  for (Eigen::Index r = 0; r < logits.rows; ++r) {
    const T* x = logits.value + r * n;
    T* gx = logits.grad + r * n;
    const T* saved = out.saved + r * (n + 1);  // shift, then p_j
    const T shift = saved[0], entropy = out.value[r], g = out.grad[r];
    // dH/dx_j = -p_j (lp_j + H)
    for (Eigen::Index j = 0; j < n; ++j) {
      const T lp = x[j] - shift, p = saved[1 + j];
      if (p > T(0)) gx[j] -= g * p * (lp + entropy);
    }
  }
}

template <class T>
ad::BasicVar<T> categorical_entropy(ad::BasicVar<T> logits) {
  ad::BasicVar<T> out = logits.tape().op(logits.rows(), 1, &categorical_entropy_backward<T>, {logits});
  const ad::Node<T>& x = logits.node();
  T* y = out.node().value;
  // Per row for backward: the shift and the probabilities.
  T* saved = logits.tape().save(out, static_cast<std::size_t>(x.rows * (x.cols + 1)));
  for (Eigen::Index r = 0; r < x.rows; ++r) {
    const T* row = x.value + r * x.cols;
    const T shift = log_softmax_shift(row, x.cols);
    T* keep = saved ? saved + r * (x.cols + 1) : nullptr;
    if (keep) keep[0] = shift;
    T h = T(0);
    for (Eigen::Index j = 0; j < x.cols; ++j) {
      const T lp = row[j] - shift, p = std::exp(lp);
      if (keep) keep[1 + j] = p;
      if (p > T(0)) h -= p * lp;
    }
    y[r] = h;
  }
  return out;
}

// ---- kl: y[r] = sum_j p_j (lp_j - lq_j) over p_j > 0 ----
template <class T>
void categorical_kl_backward(ad::BasicTape<T>& tape, const ad::Node<T>& out) {
  const ad::Node<T>& p_node = tape.node(out.inputs[0]);
  const ad::Node<T>& q_node = tape.node(out.inputs[1]);
  const Eigen::Index n = p_node.cols;
  for (Eigen::Index r = 0; r < p_node.rows; ++r) {
    const T* x = p_node.value + r * n;
    const T* z = q_node.value + r * n;
    const T* saved = out.saved + r * (n + 2);  // p_shift, q_shift, then p_j
    const T p_shift = saved[0], q_shift = saved[1], kl = out.value[r], g = out.grad[r];
    for (Eigen::Index j = 0; j < n; ++j) {
      const T lp = x[j] - p_shift, p = saved[2 + j], lq = z[j] - q_shift;
      // dKL/dx_j = p_j ((lp_j - lq_j) - KL); dKL/dz_j = q_j - p_j
      if (p_node.grad && p > T(0)) p_node.grad[r * n + j] += g * p * ((lp - lq) - kl);
      if (q_node.grad) q_node.grad[r * n + j] += g * (std::exp(lq) - p);
    }
  }
}

template <class T>
ad::BasicVar<T> categorical_kl(ad::BasicVar<T> p_logits, ad::BasicVar<T> q_logits) {
  ad::BasicVar<T> out = p_logits.tape().op(p_logits.rows(), 1, &categorical_kl_backward<T>, {p_logits, q_logits});
  const ad::Node<T>& xp = p_logits.node();
  const ad::Node<T>& xq = q_logits.node();
  T* y = out.node().value;
  // Per row for backward: both shifts and p's probabilities.
  T* saved = p_logits.tape().save(out, static_cast<std::size_t>(xp.rows * (xp.cols + 2)));
  for (Eigen::Index r = 0; r < xp.rows; ++r) {
    const T* x = xp.value + r * xp.cols;
    const T* z = xq.value + r * xq.cols;
    const T p_shift = log_softmax_shift(x, xp.cols), q_shift = log_softmax_shift(z, xq.cols);
    T* keep = saved ? saved + r * (xp.cols + 2) : nullptr;
    if (keep) {
      keep[0] = p_shift;
      keep[1] = q_shift;
    }
    T kl = T(0);
    for (Eigen::Index j = 0; j < xp.cols; ++j) {
      const T lp = x[j] - p_shift, p = std::exp(lp);
      if (keep) keep[2 + j] = p;
      if (p > T(0)) kl += p * (lp - (z[j] - q_shift));
    }
    y[r] = kl;
  }
  return out;
}

}  // namespace rlpp::dist_detail
