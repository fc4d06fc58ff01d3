#pragma once
// Elementwise unary ops: neg, exp, log, tanh, sigmoid, relu, elu, swish, softplus, square,
// sqrt, abs, pow, clamp, huber, and arithmetic with a plain scalar. Forward and backward are
// Eigen array expressions (vectorized exp/log/tanh). Non-smooth points take the midpoint of the
// subdifferential (relu'(0) = 1/2, clamp' at a bound = 1/2, abs'(0) = 0, elu'(0) = (1+alpha)/2):
// a valid subgradient, and the value central finite differences measure there.

#include <cmath>
#include <string>

#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/error.hpp"

namespace rlpp::ad {

namespace detail {
// Op: static void forward(x, y, s0, s1) and backward(x, y, g, gx, s0, s1), on Eigen arrays;
// backward adds to gx.
template <class Op, class T>
void unary_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& in = tape.node(out.inputs[0]);
  if (!in.grad) return;
  const BasicConstMap<T> x(in.value, in.rows, in.cols), y(out.value, out.rows, out.cols), g(out.grad, out.rows, out.cols);
  BasicMap<T> gx(in.grad, in.rows, in.cols);
  auto gx_array = gx.array();
  Op::backward(x.array(), y.array(), g.array(), gx_array, out.scalars[0], out.scalars[1]);
}

template <class Op, class T>
BasicVar<T> unary(BasicVar<T> x, T s0 = T(0), T s1 = T(0)) {
  BasicVar<T> out = x.tape().op(x.rows(), x.cols(), &unary_backward<Op, T>, {x}, s0, s1);
  const BasicConstMap<T> xv(x.node().value, x.rows(), x.cols());
  BasicMap<T> y(out.node().value, x.rows(), x.cols());
  auto y_array = y.array();
  Op::forward(xv.array(), y_array, s0, s1);
  return out;
}

struct Neg {
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T, T) { y = -x; }
  template <class X, class Y, class G, class GX, class T> static void backward(const X&, const Y&, const G& g, GX& gx, T, T) { gx -= g; }
};
struct Exp {
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T, T) { y = x.exp(); }
  template <class X, class Y, class G, class GX, class T> static void backward(const X&, const Y& y, const G& g, GX& gx, T, T) { gx += g * y; }
};
struct Log {
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T, T) { y = x.log(); }
  template <class X, class Y, class G, class GX, class T> static void backward(const X& x, const Y&, const G& g, GX& gx, T, T) { gx += g / x; }
};
struct Tanh {
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T, T) { y = x.tanh(); }
  template <class X, class Y, class G, class GX, class T> static void backward(const X&, const Y& y, const G& g, GX& gx, T, T) { gx += g * (T(1) - y.square()); }
};
struct Sigmoid {
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T, T) { y = x.logistic(); }
  template <class X, class Y, class G, class GX, class T> static void backward(const X&, const Y& y, const G& g, GX& gx, T, T) { gx += g * y * (T(1) - y); }
};
struct Relu {
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T, T) { y = x.max(T(0)); }
  // g times the factor 1, 1/2 or 0, in a loop the compiler vectorizes with blends (Eigen's
  // bool-to-float casts are scalar); NaN and infinite g propagate as g * factor.
  template <class X, class Y, class G, class GX, class T> static void backward(const X& x, const Y&, const G& g, GX& gx, T, T) {
    for (Eigen::Index i = 0; i < gx.size(); ++i) {
      const T v = x.coeff(i);
      gx.coeffRef(i) += g.coeff(i) * (v > T(0) ? T(1) : v == T(0) ? T(0.5) : T(0));
    }
  }
};
struct Elu {  // s0 = alpha
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T alpha, T) {
    y = (x > T(0)).select(x, alpha * (x.exp() - T(1)));
  }
  template <class X, class Y, class G, class GX, class T> static void backward(const X& x, const Y& y, const G& g, GX& gx, T alpha, T) {
    gx += g * ((x > T(0)).template cast<T>() + (x == T(0)).template cast<T>() * ((T(1) + alpha) / T(2)) +
               (x < T(0)).template cast<T>() * (y + alpha));
  }
};
struct Swish {  // x * sigmoid(x) (SiLU)
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T, T) { y = x * x.logistic(); }
  template <class X, class Y, class G, class GX, class T> static void backward(const X& x, const Y&, const G& g, GX& gx, T, T) {
    gx += g * (x.logistic() * (T(1) + x * (T(1) - x.logistic())));
  }
};
struct Softplus {  // log(1 + exp(x)), computed without overflow
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T, T) { y = (-x.abs()).exp().log1p() + x.max(T(0)); }
  template <class X, class Y, class G, class GX, class T> static void backward(const X& x, const Y&, const G& g, GX& gx, T, T) { gx += g * x.logistic(); }
};
struct Square {
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T, T) { y = x.square(); }
  template <class X, class Y, class G, class GX, class T> static void backward(const X& x, const Y&, const G& g, GX& gx, T, T) { gx += T(2) * g * x; }
};
struct Sqrt {
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T, T) { y = x.sqrt(); }
  template <class X, class Y, class G, class GX, class T> static void backward(const X&, const Y& y, const G& g, GX& gx, T, T) { gx += g * T(0.5) / y; }
};
struct Abs {
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T, T) { y = x.abs(); }
  template <class X, class Y, class G, class GX, class T> static void backward(const X& x, const Y&, const G& g, GX& gx, T, T) {
    gx += g * ((x > T(0)).template cast<T>() - (x < T(0)).template cast<T>());
  }
};
struct Pow {  // s0 = exponent
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T p, T) { y = x.pow(p); }
  template <class X, class Y, class G, class GX, class T> static void backward(const X& x, const Y&, const G& g, GX& gx, T p, T) { gx += g * p * x.pow(p - T(1)); }
};
struct Clamp {  // s0 = low, s1 = high
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T low, T high) { y = x.max(low).min(high); }
  // As Relu's: g times 1 inside, 1/2 at a bound, 0 outside, in a loop that vectorizes.
  template <class X, class Y, class G, class GX, class T> static void backward(const X& x, const Y&, const G& g, GX& gx, T low, T high) {
    for (Eigen::Index i = 0; i < gx.size(); ++i) {
      const T v = x.coeff(i);
      gx.coeffRef(i) += g.coeff(i) * (v > low && v < high ? T(1) : v == low || v == high ? T(0.5) : T(0));
    }
  }
};
struct Huber {  // s0 = delta: 0.5 x^2 for |x| <= delta, else delta (|x| - delta/2)
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T delta, T) {
    y = (x.abs() <= delta).select(T(0.5) * x.square(), delta * (x.abs() - T(0.5) * delta));
  }
  template <class X, class Y, class G, class GX, class T> static void backward(const X& x, const Y&, const G& g, GX& gx, T delta, T) {
    gx += g * x.max(-delta).min(delta);
  }
};
struct AddScalar {
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T s, T) { y = x + s; }
  template <class X, class Y, class G, class GX, class T> static void backward(const X&, const Y&, const G& g, GX& gx, T, T) { gx += g; }
};
struct RsubScalar {  // s - x
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T s, T) { y = s - x; }
  template <class X, class Y, class G, class GX, class T> static void backward(const X&, const Y&, const G& g, GX& gx, T, T) { gx -= g; }
};
struct MulScalar {
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T s, T) { y = x * s; }
  template <class X, class Y, class G, class GX, class T> static void backward(const X&, const Y&, const G& g, GX& gx, T s, T) { gx += g * s; }
};
struct DivScalar {  // x / s
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T s, T) { y = x / s; }
  template <class X, class Y, class G, class GX, class T> static void backward(const X&, const Y&, const G& g, GX& gx, T s, T) { gx += g / s; }
};
struct RdivScalar {  // s / x
  template <class X, class Y, class T> static void forward(const X& x, Y& y, T s, T) { y = s / x; }
  template <class X, class Y, class G, class GX, class T> static void backward(const X& x, const Y& y, const G& g, GX& gx, T, T) { gx -= g * y / x; }
};
}  // namespace detail

template <class T> BasicVar<T> neg(BasicVar<T> x) { return detail::unary<detail::Neg>(x); }
template <class T> BasicVar<T> exp(BasicVar<T> x) { return detail::unary<detail::Exp>(x); }
template <class T> BasicVar<T> log(BasicVar<T> x) { return detail::unary<detail::Log>(x); }
template <class T> BasicVar<T> tanh(BasicVar<T> x) { return detail::unary<detail::Tanh>(x); }
template <class T> BasicVar<T> sigmoid(BasicVar<T> x) { return detail::unary<detail::Sigmoid>(x); }
template <class T> BasicVar<T> relu(BasicVar<T> x) { return detail::unary<detail::Relu>(x); }
template <class T> BasicVar<T> elu(BasicVar<T> x, std::type_identity_t<T> alpha = T(1)) { return detail::unary<detail::Elu>(x, alpha); }
// x * sigmoid(x), a.k.a. SiLU (RLlib's "swish"/"silu").
template <class T> BasicVar<T> swish(BasicVar<T> x) { return detail::unary<detail::Swish>(x); }
template <class T> BasicVar<T> softplus(BasicVar<T> x) { return detail::unary<detail::Softplus>(x); }
template <class T> BasicVar<T> square(BasicVar<T> x) { return detail::unary<detail::Square>(x); }
template <class T> BasicVar<T> sqrt(BasicVar<T> x) { return detail::unary<detail::Sqrt>(x); }
template <class T> BasicVar<T> abs(BasicVar<T> x) { return detail::unary<detail::Abs>(x); }
template <class T> BasicVar<T> pow(BasicVar<T> x, std::type_identity_t<T> exponent) { return detail::unary<detail::Pow>(x, exponent); }
// Clipped to [low, high] (torch.clamp); the gradient passes inside, is halved on the bounds.
template <class T> BasicVar<T> clamp(BasicVar<T> x, std::type_identity_t<T> low, std::type_identity_t<T> high) {
  if (!(low <= high)) throw Error("autodiff clamp", "low must not exceed high");
  return detail::unary<detail::Clamp>(x, low, high);
}
template <class T> BasicVar<T> clip(BasicVar<T> x, std::type_identity_t<T> low, std::type_identity_t<T> high) { return clamp(x, low, high); }
// The Huber function of x elementwise (RLlib's huber_loss of a TD error): 0.5 x^2 inside
// [-delta, delta], delta (|x| - delta/2) outside.
template <class T> BasicVar<T> huber(BasicVar<T> x, std::type_identity_t<T> delta = T(1)) {
  if (!(delta > T(0))) throw Error("autodiff huber", "delta must be positive");
  return detail::unary<detail::Huber>(x, delta);
}
template <class T> BasicVar<T> add_scalar(BasicVar<T> x, std::type_identity_t<T> s) { return detail::unary<detail::AddScalar>(x, s); }
template <class T> BasicVar<T> rsub_scalar(BasicVar<T> x, std::type_identity_t<T> s) { return detail::unary<detail::RsubScalar>(x, s); }
template <class T> BasicVar<T> mul_scalar(BasicVar<T> x, std::type_identity_t<T> s) { return detail::unary<detail::MulScalar>(x, s); }
template <class T> BasicVar<T> div_scalar(BasicVar<T> x, std::type_identity_t<T> s) { return detail::unary<detail::DivScalar>(x, s); }
template <class T> BasicVar<T> rdiv_scalar(BasicVar<T> x, std::type_identity_t<T> s) { return detail::unary<detail::RdivScalar>(x, s); }

}  // namespace rlpp::ad
