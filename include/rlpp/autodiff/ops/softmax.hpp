#pragma once
// Row-wise softmax family, numerically stable (the row maximum is subtracted before exp):
// log_softmax and softmax (R x C), logsumexp (R x 1).

#include <cmath>
#include <limits>

#include "rlpp/autodiff/tape.hpp"

namespace rlpp::ad {

namespace detail {
template <class Row>
auto row_logsumexp(const Row& row) {
  using T = typename Row::Scalar;
  const T m = row.maxCoeff();
  if (!std::isfinite(m)) return m;  // all -inf (or a +inf/NaN entry): nothing to stabilise
  return m + std::log((row.array() - m).exp().sum());
}

// log_softmax / softmax of one row as (x - max) - log(sum(exp(x - max))): x - max is exact for
// nearby logits, whereas x - logsumexp(x) would inherit logsumexp's rounding at the logits'
// magnitude (in float, an error of 3e-5 in every log-probability for logits near 1000).
template <class Row, class Out>
void row_log_softmax(const Row& x, Out y) {
  using T = typename Row::Scalar;
  const T m = x.maxCoeff();
  y = x.array() - m;
  if (std::isfinite(m)) y -= std::log(y.exp().sum());
}
template <class Row, class Out>
void row_softmax(const Row& x, Out y) {
  y = (x.array() - x.maxCoeff()).exp();
  y /= y.sum();
}

template <class T>
void log_softmax_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& in = tape.node(out.inputs[0]);
  if (!in.grad) return;
  const BasicConstMap<T> y(out.value, out.rows, out.cols), g(out.grad, out.rows, out.cols);
  BasicMap<T> gx(in.grad, in.rows, in.cols);
  for (Eigen::Index r = 0; r < out.rows; ++r)
    gx.row(r).array() += g.row(r).array() - y.row(r).array().exp() * g.row(r).sum();
}
template <class T>
void softmax_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& in = tape.node(out.inputs[0]);
  if (!in.grad) return;
  const BasicConstMap<T> y(out.value, out.rows, out.cols), g(out.grad, out.rows, out.cols);
  BasicMap<T> gx(in.grad, in.rows, in.cols);
  for (Eigen::Index r = 0; r < out.rows; ++r)
    gx.row(r).array() += y.row(r).array() * (g.row(r).array() - g.row(r).dot(y.row(r)));
}
template <class T>
void logsumexp_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& in = tape.node(out.inputs[0]);
  if (!in.grad) return;
  const BasicConstMap<T> x(in.value, in.rows, in.cols);
  BasicMap<T> gx(in.grad, in.rows, in.cols);
  // The softmax again, from x rather than exp(x - logsumexp): see row_log_softmax.
  for (Eigen::Index r = 0; r < in.rows; ++r) {
    const auto shifted = (x.row(r).array() - x.row(r).maxCoeff()).exp();
    gx.row(r).array() += out.grad[r] / shifted.sum() * shifted;
  }
}
}  // namespace detail

// log softmax over each row.
template <class T>
BasicVar<T> log_softmax(BasicVar<T> x) {
  BasicVar<T> out = x.tape().op(x.rows(), x.cols(), &detail::log_softmax_backward<T>, {x});
  BasicMap<T> y(out.node().value, x.rows(), x.cols());
  const auto xv = x.value();
  for (Eigen::Index r = 0; r < x.rows(); ++r) detail::row_log_softmax(xv.row(r), y.row(r).array());
  return out;
}

// softmax over each row.
template <class T>
BasicVar<T> softmax(BasicVar<T> x) {
  BasicVar<T> out = x.tape().op(x.rows(), x.cols(), &detail::softmax_backward<T>, {x});
  BasicMap<T> y(out.node().value, x.rows(), x.cols());
  const auto xv = x.value();
  for (Eigen::Index r = 0; r < x.rows(); ++r) detail::row_softmax(xv.row(r), y.row(r).array());
  return out;
}

// log(sum(exp(row))) for each row: R x 1.
template <class T>
BasicVar<T> logsumexp(BasicVar<T> x) {
  BasicVar<T> out = x.tape().op(x.rows(), 1, &detail::logsumexp_backward<T>, {x});
  T* y = out.node().value;
  const auto xv = x.value();
  for (Eigen::Index r = 0; r < x.rows(); ++r) y[r] = detail::row_logsumexp(xv.row(r));
  return out;
}

}  // namespace rlpp::ad
