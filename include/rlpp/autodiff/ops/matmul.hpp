#pragma once
// Matrix products: matmul (A·B), matmul_nt (A·Bᵀ) and linear (X·W + b, the fused Dense layer
// op: one node, one GEMM forward and two backward, bias gradient as a column sum).

#include <string>

#include "rlpp/autodiff/detail/gemm.hpp"
#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/error.hpp"

namespace rlpp::ad {

namespace detail {
// res (n x m) = or += A·B, A·Bᵀ, Aᵀ·B for row-major A and B (see detail/gemm.hpp).
template <class T>
void mm(T* res, const T* a, Eigen::Index n, Eigen::Index k, const T* b, Eigen::Index m, bool accumulate) {
  // A (n x k) · B (k x m)
  gemm<T, Eigen::RowMajor, Eigen::RowMajor>(n, m, k, a, k, b, m, res, T(1), accumulate);
}
template <class T>
void mm_nt(T* res, const T* a, Eigen::Index n, Eigen::Index k, const T* b, Eigen::Index m, bool accumulate) {
  // A (n x k) · Bᵀ, B (m x k): Bᵀ is B's memory read column-major.
  gemm<T, Eigen::RowMajor, Eigen::ColMajor>(n, m, k, a, k, b, k, res, T(1), accumulate);
}
template <class T>
void mm_tn(T* res, const T* a, Eigen::Index k, Eigen::Index n, const T* b, Eigen::Index m, bool accumulate) {
  // Aᵀ · B, A (k x n), B (k x m): Aᵀ is A's memory read column-major.
  gemm<T, Eigen::ColMajor, Eigen::RowMajor>(n, m, k, a, n, b, m, res, T(1), accumulate);
}

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
  if (a.grad) mm_nt(a.grad, out.grad, out.rows, out.cols, b.value, b.rows, true);   // G·Bᵀ
  if (b.grad) mm_tn(b.grad, a.value, a.rows, a.cols, out.grad, out.cols, true);      // Aᵀ·G
}

template <class T>
void matmul_nt_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& a = tape.node(out.inputs[0]);
  const Node<T>& b = tape.node(out.inputs[1]);
  if (a.grad) mm(a.grad, out.grad, out.rows, out.cols, b.value, b.cols, true);        // G·B
  if (b.grad) mm_tn(b.grad, out.grad, out.rows, out.cols, a.value, a.cols, true);      // Gᵀ·A
}

template <class T>
void linear_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& x = tape.node(out.inputs[0]);
  const Node<T>& w = tape.node(out.inputs[1]);
  const BasicConstMap<T> g(out.grad, out.rows, out.cols);
  if (x.grad) mm_nt(x.grad, out.grad, out.rows, out.cols, w.value, w.rows, true);   // G·Wᵀ
  if (w.grad) mm_tn(w.grad, x.value, x.rows, x.cols, out.grad, out.cols, true);      // Xᵀ·G
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
  detail::mm(out.node().value, a.node().value, a.rows(), a.cols(), b.node().value, b.cols(), false);
  return out;
}

// A·Bᵀ: (n x k)·(m x k)ᵀ -> n x m.
template <class T>
BasicVar<T> matmul_nt(BasicVar<T> a, BasicVar<T> b) {
  detail::check_inner("matmul_nt", a.rows(), a.cols(), b.rows(), b.cols(), a.cols(), b.cols());
  BasicVar<T> out = a.tape().op(a.rows(), b.rows(), &detail::matmul_nt_backward<T>, {a, b});
  detail::mm_nt(out.node().value, a.node().value, a.rows(), a.cols(), b.node().value, b.rows(), false);
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
  detail::mm(out.node().value, x.node().value, x.rows(), x.cols(), w.node().value, w.cols(), false);
  BasicMap<T>(out.node().value, x.rows(), w.cols()).rowwise() += b.value().row(0);
  return out;
}

// X·W without bias.
template <class T>
BasicVar<T> linear(BasicVar<T> x, BasicVar<T> w) {
  detail::check_inner("linear", x.rows(), x.cols(), w.rows(), w.cols(), x.cols(), w.rows());
  return matmul(x, w);
}

}  // namespace rlpp::ad
