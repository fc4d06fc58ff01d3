#pragma once
// Selecting and assembling: gather (one column per row, e.g. the logits of taken actions),
// one_hot, concat and columns (split) along columns, where (select by a mask), stop_gradient.

#include <span>
#include <string>

#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/error.hpp"

namespace rlpp::ad {

namespace detail {
template <class T>
void gather_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& in = tape.node(out.inputs[0]);
  if (!in.grad) return;
  const std::int64_t* index = tape.indices(out.aux);
  for (Eigen::Index r = 0; r < in.rows; ++r) in.grad[r * in.cols + index[r]] += out.grad[r];
}

template <class T>
void concat_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& a = tape.node(out.inputs[0]);
  const Node<T>& b = tape.node(out.inputs[1]);
  const BasicConstMap<T> g(out.grad, out.rows, out.cols);
  if (a.grad) BasicMap<T>(a.grad, a.rows, a.cols) += g.leftCols(a.cols);
  if (b.grad) BasicMap<T>(b.grad, b.rows, b.cols) += g.rightCols(b.cols);
}

template <class T>
void columns_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& in = tape.node(out.inputs[0]);
  if (!in.grad) return;
  BasicMap<T>(in.grad, in.rows, in.cols).middleCols(out.aux, out.cols) += BasicConstMap<T>(out.grad, out.rows, out.cols);
}

template <class T>
void where_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& mask = tape.node(out.inputs[0]);
  const Node<T>& a = tape.node(out.inputs[1]);
  const Node<T>& b = tape.node(out.inputs[2]);
  const auto m = BasicConstMap<T>(mask.value, mask.rows, mask.cols).array();
  const auto g = BasicConstMap<T>(out.grad, out.rows, out.cols).array();
  if (a.grad) BasicMap<T>(a.grad, a.rows, a.cols).array() += (m != T(0)).select(g, T(0));
  if (b.grad) BasicMap<T>(b.grad, b.rows, b.cols).array() += (m != T(0)).select(T(0), g);
}

inline std::string shape_text(Eigen::Index rows, Eigen::Index cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}
}  // namespace detail

// y[r] = x[r, index[r]]: R x 1. Each index must lie in [0, cols).
template <class T>
BasicVar<T> gather(BasicVar<T> x, std::span<const std::int64_t> index) {
  if (static_cast<Eigen::Index>(index.size()) != x.rows())
    throw Error("autodiff gather", "got " + std::to_string(index.size()) + " indices for " + std::to_string(x.rows()) + " rows");
  for (std::size_t r = 0; r < index.size(); ++r)
    if (index[r] < 0 || index[r] >= x.cols())
      throw Error("autodiff gather", "index " + std::to_string(index[r]) + " in row " + std::to_string(r) +
                                         " is outside [0, " + std::to_string(x.cols()) + ")");
  BasicTape<T>& tape = x.tape();
  const std::int64_t handle = tape.store_indices(index);
  BasicVar<T> out = tape.op(x.rows(), 1, &detail::gather_backward<T>, {x}, T(0), T(0), handle);
  const T* xv = x.node().value;
  T* y = out.node().value;
  for (Eigen::Index r = 0; r < x.rows(); ++r) y[r] = xv[r * x.cols() + index[static_cast<std::size_t>(r)]];
  return out;
}

// Rows of one-hot vectors of length n (a constant).
template <class T>
BasicVar<T> one_hot(BasicTape<T>& tape, std::span<const std::int64_t> index, Eigen::Index n) {
  for (std::size_t r = 0; r < index.size(); ++r)
    if (index[r] < 0 || index[r] >= n)
      throw Error("autodiff one_hot", "index " + std::to_string(index[r]) + " in row " + std::to_string(r) +
                                          " is outside [0, " + std::to_string(n) + ")");
  BasicVar<T> out = tape.op(static_cast<Eigen::Index>(index.size()), n, nullptr, {});
  T* y = out.node().value;
  std::fill_n(y, static_cast<Eigen::Index>(index.size()) * n, T(0));
  for (std::size_t r = 0; r < index.size(); ++r) y[static_cast<Eigen::Index>(r) * n + index[r]] = T(1);
  return out;
}

// [a b]: rows must match.
template <class T>
BasicVar<T> concat(BasicVar<T> a, BasicVar<T> b) {
  if (a.rows() != b.rows())
    throw Error("autodiff concat", "row counts differ: " + detail::shape_text(a.rows(), a.cols()) + " and " +
                                       detail::shape_text(b.rows(), b.cols()));
  BasicVar<T> out = a.tape().op(a.rows(), a.cols() + b.cols(), &detail::concat_backward<T>, {a, b});
  BasicMap<T> y(out.node().value, out.rows(), out.cols());
  y.leftCols(a.cols()) = a.value();
  y.rightCols(b.cols()) = b.value();
  return out;
}

// Columns [begin, begin + count) of x (split along columns).
template <class T>
BasicVar<T> columns(BasicVar<T> x, Eigen::Index begin, Eigen::Index count) {
  if (begin < 0 || count < 0 || begin + count > x.cols())
    throw Error("autodiff columns", "columns [" + std::to_string(begin) + ", " + std::to_string(begin + count) +
                                        ") are outside a " + detail::shape_text(x.rows(), x.cols()) + " value");
  BasicVar<T> out = x.tape().op(x.rows(), count, &detail::columns_backward<T>, {x}, T(0), T(0), begin);
  BasicMap<T>(out.node().value, x.rows(), count) = x.value().middleCols(begin, count);
  return out;
}

// mask != 0 ? a : b, elementwise; mask, a and b of one shape. The mask gets no gradient.
template <class T>
BasicVar<T> where(BasicVar<T> mask, BasicVar<T> a, BasicVar<T> b) {
  if (a.rows() != b.rows() || a.cols() != b.cols() || mask.rows() != a.rows() || mask.cols() != a.cols())
    throw Error("autodiff where", "mask, a and b must share one shape, got " + detail::shape_text(mask.rows(), mask.cols()) +
                                      ", " + detail::shape_text(a.rows(), a.cols()) + ", " +
                                      detail::shape_text(b.rows(), b.cols()));
  BasicVar<T> out = a.tape().op(a.rows(), a.cols(), &detail::where_backward<T>, {mask, a, b});
  BasicMap<T>(out.node().value, a.rows(), a.cols()).array() =
      (mask.value().array() != T(0)).select(a.value().array(), b.value().array());
  return out;
}

// The same value, through which no gradient flows (tf.stop_gradient / torch detach).
template <class T>
BasicVar<T> stop_gradient(BasicVar<T> x) {
  return x.tape().alias_without_grad(x);
}

}  // namespace rlpp::ad
