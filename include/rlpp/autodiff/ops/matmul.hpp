#pragma once
// Matrix products: matmul (A·B), matmul_nt (A·Bᵀ), linear (X·W + b, the fused Dense layer
// op: one node, one GEMM forward and two backward, bias gradient as a column sum) and
// linear_relu (relu(X·W + b) as one node: what relu(linear(x, w, b)) computes, bit for bit,
// without the intermediate node's gradient buffer to zero and accumulate).

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

// X·W + b's shapes: x (batch x in), w (in x out), b (1 x out).
template <class T>
void check_linear(const char* op, const BasicVar<T>& x, const BasicVar<T>& w, const BasicVar<T>& b) {
  check_inner(op, x.rows(), x.cols(), w.rows(), w.cols(), x.cols(), w.rows());
  if (b.rows() != 1 || b.cols() != w.cols())
    throw Error(std::string("autodiff ") + op, "bias must be 1x" + std::to_string(w.cols()) + ", got " +
                                                   std::to_string(b.rows()) + "x" + std::to_string(b.cols()));
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

// X·W + b's backward for the output gradient `g` (rows x cols).
template <class T>
void linear_backward_from(BasicTape<T>& tape, const Node<T>& out, const T* g) {
  const Node<T>& x = tape.node(out.inputs[0]);
  const Node<T>& w = tape.node(out.inputs[1]);
  if (x.grad) mm_nt(x.grad, g, out.rows, out.cols, w.value, w.rows, true);   // G·Wᵀ
  if (w.grad) mm_tn(w.grad, x.value, x.rows, x.cols, g, out.cols, true);      // Xᵀ·G
  if (out.inputs[2] != no_input) {
    const Node<T>& b = tape.node(out.inputs[2]);
    if (b.grad) BasicMap<T>(b.grad, 1, b.cols) += BasicConstMap<T>(g, out.rows, out.cols).colwise().sum();
  }
}

template <class T>
void linear_backward(BasicTape<T>& tape, const Node<T>& out) {
  linear_backward_from(tape, out, out.grad);
}

// Where the gradient scratch starts in Node::saved: 64-byte aligned, as every tape buffer, so
// that Eigen's reductions over it (the bias gradient) round as they do over any node's gradient.
template <class T>
constexpr Eigen::Index linear_relu_scratch_offset(Eigen::Index n) {
  constexpr Eigen::Index align = 64 / static_cast<Eigen::Index>(sizeof(T)) > 0 ? 64 / static_cast<Eigen::Index>(sizeof(T)) : 1;
  return (n + align - 1) / align * align;
}

// saved = [pre-activation X·W + b | scratch for its gradient], each rows x cols. The gradient
// through the relu is Relu's (1 above 0, 1/2 at 0, 0 below), written rather than added to a
// zeroed buffer: the same values relu(linear(...)) gives linear's gradient.
template <class T>
void linear_relu_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Eigen::Index n = out.rows * out.cols;
  const T* pre = out.saved;
  T* g_pre = out.saved + linear_relu_scratch_offset<T>(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const T v = pre[i];
    g_pre[i] = out.grad[i] * (v > T(0) ? T(1) : v == T(0) ? T(0.5) : T(0));
  }
  linear_backward_from(tape, out, g_pre);
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
  detail::check_linear("linear", x, w, b);
  BasicVar<T> out = x.tape().op(x.rows(), w.cols(), &detail::linear_backward<T>, {x, w, b});
  detail::mm(out.node().value, x.node().value, x.rows(), x.cols(), w.node().value, w.cols(), false);
  BasicMap<T>(out.node().value, x.rows(), w.cols()).rowwise() += b.value().row(0);
  return out;
}

// relu(X·W + b) as one node (see linear_relu_backward).
template <class T>
BasicVar<T> linear_relu(BasicVar<T> x, BasicVar<T> w, BasicVar<T> b) {
  detail::check_linear("linear_relu", x, w, b);
  BasicVar<T> out = x.tape().op(x.rows(), w.cols(), &detail::linear_relu_backward<T>, {x, w, b});
  const auto n = static_cast<std::size_t>(x.rows() * w.cols());
  // Null when no gradient flows: then no pre-activation is kept.
  T* saved = x.tape().save(out, static_cast<std::size_t>(detail::linear_relu_scratch_offset<T>(static_cast<Eigen::Index>(n))) + n);
  T* pre = saved != nullptr ? saved : out.node().value;
  detail::mm(pre, x.node().value, x.rows(), x.cols(), w.node().value, w.cols(), false);
  // The bias and the relu row by row, while the row is in cache (the same element operations as
  // linear's bias add and ad::relu).
  const Eigen::Index cols = w.cols();
  const auto bias = b.value().row(0).array();
  T* value = out.node().value;
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    Eigen::Map<Eigen::Array<T, 1, Eigen::Dynamic>> pre_row(pre + r * cols, cols);
    pre_row += bias;
    Eigen::Map<Eigen::Array<T, 1, Eigen::Dynamic>>(value + r * cols, cols) = pre_row.max(T(0));
  }
  return out;
}

// X·W without bias.
template <class T>
BasicVar<T> linear(BasicVar<T> x, BasicVar<T> w) {
  detail::check_inner("linear", x.rows(), x.cols(), w.rows(), w.cols(), x.cols(), w.rows());
  return matmul(x, w);
}

}  // namespace rlpp::ad
