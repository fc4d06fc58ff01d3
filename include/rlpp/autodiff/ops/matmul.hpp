#pragma once
// Matrix products: matmul (A·B), matmul_nt (A·Bᵀ) and linear (X·W + b, the fused Dense layer
// op: one node, one GEMM forward and two backward, bias gradient as a column sum).

#include <string>

#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/error.hpp"

namespace rlpp::ad {

namespace detail {
inline void check_inner(const char* op, Eigen::Index a_rows, Eigen::Index a_cols, Eigen::Index b_rows,
                        Eigen::Index b_cols, Eigen::Index a_inner, Eigen::Index b_inner) {
  if (a_inner != b_inner)
    throw Error(std::string("autodiff ") + op,
                "inner dimensions differ: " + std::to_string(a_rows) + "x" + std::to_string(a_cols) + " and " +
                    std::to_string(b_rows) + "x" + std::to_string(b_cols));
}

template <class T>
void matmul_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& a = tape.node(out.inputs[0]);
  const Node<T>& b = tape.node(out.inputs[1]);
  const BasicConstMap<T> g(out.grad, out.rows, out.cols);
  const BasicConstMap<T> av(a.value, a.rows, a.cols), bv(b.value, b.rows, b.cols);
  if (a.grad) BasicMap<T>(a.grad, a.rows, a.cols).noalias() += g * bv.transpose();
  if (b.grad) BasicMap<T>(b.grad, b.rows, b.cols).noalias() += av.transpose() * g;
}

template <class T>
void matmul_nt_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& a = tape.node(out.inputs[0]);
  const Node<T>& b = tape.node(out.inputs[1]);
  const BasicConstMap<T> g(out.grad, out.rows, out.cols);
  const BasicConstMap<T> av(a.value, a.rows, a.cols), bv(b.value, b.rows, b.cols);
  if (a.grad) BasicMap<T>(a.grad, a.rows, a.cols).noalias() += g * bv;
  if (b.grad) BasicMap<T>(b.grad, b.rows, b.cols).noalias() += g.transpose() * av;
}

template <class T>
void linear_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& x = tape.node(out.inputs[0]);
  const Node<T>& w = tape.node(out.inputs[1]);
  const BasicConstMap<T> g(out.grad, out.rows, out.cols);
  if (x.grad) BasicMap<T>(x.grad, x.rows, x.cols).noalias() += g * BasicConstMap<T>(w.value, w.rows, w.cols).transpose();
  if (w.grad) BasicMap<T>(w.grad, w.rows, w.cols).noalias() += BasicConstMap<T>(x.value, x.rows, x.cols).transpose() * g;
  if (out.inputs[2] != no_input) {
    const Node<T>& b = tape.node(out.inputs[2]);
    if (b.grad) BasicMap<T>(b.grad, 1, b.cols) += g.colwise().sum();
  }
}
}  // namespace detail

// A·B: (n x k)·(k x m) -> n x m.
template <class T>
BasicVar<T> matmul(BasicVar<T> a, BasicVar<T> b) {
  detail::check_inner("matmul", a.rows(), a.cols(), b.rows(), b.cols(), a.cols(), b.rows());
  BasicVar<T> out = a.tape().op(a.rows(), b.cols(), &detail::matmul_backward<T>, {a, b});
  BasicMap<T>(out.node().value, a.rows(), b.cols()).noalias() = a.value() * b.value();
  return out;
}

// A·Bᵀ: (n x k)·(m x k)ᵀ -> n x m.
template <class T>
BasicVar<T> matmul_nt(BasicVar<T> a, BasicVar<T> b) {
  detail::check_inner("matmul_nt", a.rows(), a.cols(), b.rows(), b.cols(), a.cols(), b.cols());
  BasicVar<T> out = a.tape().op(a.rows(), b.rows(), &detail::matmul_nt_backward<T>, {a, b});
  BasicMap<T>(out.node().value, a.rows(), b.rows()).noalias() = a.value() * b.value().transpose();
  return out;
}

// X·W + b: x (batch x in), w (in x out), b (1 x out).
template <class T>
BasicVar<T> linear(BasicVar<T> x, BasicVar<T> w, BasicVar<T> b) {
  detail::check_inner("linear", x.rows(), x.cols(), w.rows(), w.cols(), x.cols(), w.rows());
  if (b.rows() != 1 || b.cols() != w.cols())
    throw Error("autodiff linear", "bias must be 1x" + std::to_string(w.cols()) + ", got " +
                                       std::to_string(b.rows()) + "x" + std::to_string(b.cols()));
  BasicVar<T> out = x.tape().op(x.rows(), w.cols(), &detail::linear_backward<T>, {x, w, b});
  BasicMap<T> y(out.node().value, x.rows(), w.cols());
  y.noalias() = x.value() * w.value();
  y.rowwise() += b.value().row(0);
  return out;
}

// X·W without bias.
template <class T>
BasicVar<T> linear(BasicVar<T> x, BasicVar<T> w) {
  detail::check_inner("linear", x.rows(), x.cols(), w.rows(), w.cols(), x.cols(), w.rows());
  return matmul(x, w);
}

}  // namespace rlpp::ad
