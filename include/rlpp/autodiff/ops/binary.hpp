#pragma once
// Elementwise binary ops with broadcasting: add, sub, mul, div, minimum, maximum, and the
// arithmetic operators (also with plain scalars). Shapes broadcast as in NumPy restricted to
// matrices: each dimension must match or be 1 (a 1xC row is added to every row, an Rx1 column
// to every column, a 1x1 value everywhere). Gradients are summed back over broadcast dims.
// At ties, minimum/maximum send half of the gradient to each side: the midpoint of the
// subdifferential, which is also what central finite differences measure.

#include <algorithm>
#include <string>

#include "rlpp/autodiff/ops/unary.hpp"
#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/error.hpp"

namespace rlpp::ad {

namespace detail {

struct AddOp {
  template <class T> static T f(T a, T b) { return a + b; }
  template <class T> static T da(T, T, T) { return T(1); }
  template <class T> static T db(T, T, T) { return T(1); }
};
struct SubOp {
  template <class T> static T f(T a, T b) { return a - b; }
  template <class T> static T da(T, T, T) { return T(1); }
  template <class T> static T db(T, T, T) { return T(-1); }
};
struct MulOp {
  template <class T> static T f(T a, T b) { return a * b; }
  template <class T> static T da(T, T b, T) { return b; }
  template <class T> static T db(T a, T, T) { return a; }
};
struct DivOp {
  template <class T> static T f(T a, T b) { return a / b; }
  template <class T> static T da(T, T b, T) { return T(1) / b; }
  template <class T> static T db(T, T b, T y) { return -y / b; }
};
struct MinOp {
  template <class T> static T f(T a, T b) { return a < b ? a : (b < a ? b : a); }
  template <class T> static T da(T a, T b, T) { return a < b ? T(1) : (a == b ? T(0.5) : T(0)); }
  template <class T> static T db(T a, T b, T) { return b < a ? T(1) : (a == b ? T(0.5) : T(0)); }
};
struct MaxOp {
  template <class T> static T f(T a, T b) { return a > b ? a : (b > a ? b : a); }
  template <class T> static T da(T a, T b, T) { return a > b ? T(1) : (a == b ? T(0.5) : T(0)); }
  template <class T> static T db(T a, T b, T) { return b > a ? T(1) : (a == b ? T(0.5) : T(0)); }
};

inline Eigen::Index broadcast_dim(const char* op, Eigen::Index a, Eigen::Index b, Eigen::Index ar, Eigen::Index ac,
                                  Eigen::Index br, Eigen::Index bc) {
  if (a == b || b == 1) return a;
  if (a == 1) return b;
  throw Error(std::string("autodiff ") + op,
              "shapes " + std::to_string(ar) + "x" + std::to_string(ac) + " and " + std::to_string(br) + "x" +
                  std::to_string(bc) + " do not broadcast",
              "each dimension must match or be 1");
}

// For output row r: pointer to the row of an operand (row 0 when it broadcasts over rows).
template <class T>
const T* operand_row(const Node<T>& n, Eigen::Index r) {
  return n.value + (n.rows == 1 ? 0 : r * n.cols);
}

template <class Op, class T>
void binary_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& a = tape.node(out.inputs[0]);
  const Node<T>& b = tape.node(out.inputs[1]);
  const Eigen::Index rows = out.rows, cols = out.cols;
  for (Eigen::Index r = 0; r < rows; ++r) {
    const T* av = operand_row(a, r);
    const T* bv = operand_row(b, r);
    const T* y = out.value + r * cols;
    const T* g = out.grad + r * cols;
    if (a.grad) {
      T* ga = a.grad + (a.rows == 1 ? 0 : r * a.cols);
      if (a.cols == cols) {
        if (b.cols == cols)
          for (Eigen::Index c = 0; c < cols; ++c) ga[c] += g[c] * Op::da(av[c], bv[c], y[c]);
        else
          for (Eigen::Index c = 0; c < cols; ++c) ga[c] += g[c] * Op::da(av[c], bv[0], y[c]);
      } else {
        T sum = T(0);
        if (b.cols == cols)
          for (Eigen::Index c = 0; c < cols; ++c) sum += g[c] * Op::da(av[0], bv[c], y[c]);
        else
          for (Eigen::Index c = 0; c < cols; ++c) sum += g[c] * Op::da(av[0], bv[0], y[c]);
        ga[0] += sum;
      }
    }
    if (b.grad) {
      T* gb = b.grad + (b.rows == 1 ? 0 : r * b.cols);
      if (b.cols == cols) {
        if (a.cols == cols)
          for (Eigen::Index c = 0; c < cols; ++c) gb[c] += g[c] * Op::db(av[c], bv[c], y[c]);
        else
          for (Eigen::Index c = 0; c < cols; ++c) gb[c] += g[c] * Op::db(av[0], bv[c], y[c]);
      } else {
        T sum = T(0);
        if (a.cols == cols)
          for (Eigen::Index c = 0; c < cols; ++c) sum += g[c] * Op::db(av[c], bv[0], y[c]);
        else
          for (Eigen::Index c = 0; c < cols; ++c) sum += g[c] * Op::db(av[0], bv[0], y[c]);
        gb[0] += sum;
      }
    }
  }
}

template <class Op, class T>
BasicVar<T> binary(const char* name, BasicVar<T> a, BasicVar<T> b) {
  const Eigen::Index rows = broadcast_dim(name, a.rows(), b.rows(), a.rows(), a.cols(), b.rows(), b.cols());
  const Eigen::Index cols = broadcast_dim(name, a.cols(), b.cols(), a.rows(), a.cols(), b.rows(), b.cols());
  BasicTape<T>& tape = a.tape();
  BasicVar<T> out = tape.op(rows, cols, &binary_backward<Op, T>, {a, b});
  const Node<T>& na = a.node();
  const Node<T>& nb = b.node();
  T* y = out.node().value;
  for (Eigen::Index r = 0; r < rows; ++r) {
    const T* av = operand_row(na, r);
    const T* bv = operand_row(nb, r);
    T* yr = y + r * cols;
    if (na.cols == cols && nb.cols == cols) {
      for (Eigen::Index c = 0; c < cols; ++c) yr[c] = Op::f(av[c], bv[c]);
    } else if (na.cols == cols) {
      const T bs = bv[0];
      for (Eigen::Index c = 0; c < cols; ++c) yr[c] = Op::f(av[c], bs);
    } else if (nb.cols == cols) {
      const T as = av[0];
      for (Eigen::Index c = 0; c < cols; ++c) yr[c] = Op::f(as, bv[c]);
    } else {
      std::fill_n(yr, cols, Op::f(av[0], bv[0]));
    }
  }
  return out;
}
}  // namespace detail

template <class T> BasicVar<T> add(BasicVar<T> a, BasicVar<T> b) { return detail::binary<detail::AddOp>("add", a, b); }
template <class T> BasicVar<T> sub(BasicVar<T> a, BasicVar<T> b) { return detail::binary<detail::SubOp>("sub", a, b); }
template <class T> BasicVar<T> mul(BasicVar<T> a, BasicVar<T> b) { return detail::binary<detail::MulOp>("mul", a, b); }
template <class T> BasicVar<T> div(BasicVar<T> a, BasicVar<T> b) { return detail::binary<detail::DivOp>("div", a, b); }
// Elementwise minimum / maximum (torch.minimum / torch.maximum), broadcasting.
template <class T> BasicVar<T> minimum(BasicVar<T> a, BasicVar<T> b) { return detail::binary<detail::MinOp>("minimum", a, b); }
template <class T> BasicVar<T> maximum(BasicVar<T> a, BasicVar<T> b) { return detail::binary<detail::MaxOp>("maximum", a, b); }

template <class T> BasicVar<T> operator+(BasicVar<T> a, BasicVar<T> b) { return add(a, b); }
template <class T> BasicVar<T> operator-(BasicVar<T> a, BasicVar<T> b) { return sub(a, b); }
template <class T> BasicVar<T> operator*(BasicVar<T> a, BasicVar<T> b) { return mul(a, b); }
template <class T> BasicVar<T> operator/(BasicVar<T> a, BasicVar<T> b) { return div(a, b); }

template <class T> BasicVar<T> operator+(BasicVar<T> a, std::type_identity_t<T> s) { return add_scalar(a, s); }
template <class T> BasicVar<T> operator+(std::type_identity_t<T> s, BasicVar<T> a) { return add_scalar(a, s); }
template <class T> BasicVar<T> operator-(BasicVar<T> a, std::type_identity_t<T> s) { return add_scalar(a, -s); }
template <class T> BasicVar<T> operator-(std::type_identity_t<T> s, BasicVar<T> a) { return rsub_scalar(a, s); }
template <class T> BasicVar<T> operator*(BasicVar<T> a, std::type_identity_t<T> s) { return mul_scalar(a, s); }
template <class T> BasicVar<T> operator*(std::type_identity_t<T> s, BasicVar<T> a) { return mul_scalar(a, s); }
template <class T> BasicVar<T> operator/(BasicVar<T> a, std::type_identity_t<T> s) { return div_scalar(a, s); }
template <class T> BasicVar<T> operator/(std::type_identity_t<T> s, BasicVar<T> a) { return rdiv_scalar(a, s); }
template <class T> BasicVar<T> operator-(BasicVar<T> a) { return neg(a); }

}  // namespace rlpp::ad
