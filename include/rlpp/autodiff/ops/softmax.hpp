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
  for (Eigen::Index r = 0; r < in.rows; ++r)
    gx.row(r).array() += out.grad[r] * (x.row(r).array() - out.value[r]).exp();
}
}  // namespace detail

// log softmax over each row.
template <class T>
BasicVar<T> log_softmax(BasicVar<T> x) {
  BasicVar<T> out = x.tape().op(x.rows(), x.cols(), &detail::log_softmax_backward<T>, {x});
  BasicMap<T> y(out.node().value, x.rows(), x.cols());
  const auto xv = x.value();
  for (Eigen::Index r = 0; r < x.rows(); ++r) y.row(r).array() = xv.row(r).array() - detail::row_logsumexp(xv.row(r));
  return out;
}

// softmax over each row.
template <class T>
BasicVar<T> softmax(BasicVar<T> x) {
  BasicVar<T> out = x.tape().op(x.rows(), x.cols(), &detail::softmax_backward<T>, {x});
  BasicMap<T> y(out.node().value, x.rows(), x.cols());
  const auto xv = x.value();
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    y.row(r).array() = (xv.row(r).array() - detail::row_logsumexp(xv.row(r))).exp();
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
