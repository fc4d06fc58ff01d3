#pragma once
// The gamma-function family the Beta distribution needs, as plain functions and as tape ops:
// log Gamma (whose derivative is digamma) and digamma (whose derivative is trigamma), for
// positive arguments, plus Gamma-distributed draws from a RandomStream. Written here rather than
// taken from <cmath> because std::lgamma writes the global `signgam` (a data race across rollout
// threads) and the standard library has no digamma.

#include <cmath>
#include <limits>

#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/rng.hpp"

namespace rlpp::dist_detail {

// Below this the recurrences shift the argument up before the asymptotic series, whose first
// omitted term is then about 1e-15.
inline constexpr double gamma_series_threshold = 10.0;

// log Gamma(x) for x > 0 (NaN otherwise): Gamma(x) = Gamma(x + k) / (x (x+1) ... (x+k-1)), then
// Stirling's series (Abramowitz & Stegun 6.1.41).
inline double log_gamma(double x) noexcept {
  if (!(x > 0.0)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(x)) return x;
  double product = 1.0;
  while (x < gamma_series_threshold) {
    product *= x;
    x += 1.0;
  }
  const double inv = 1.0 / x, inv2 = inv * inv;
  const double series =
      inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 * (1.0 / 1680 - inv2 * (1.0 / 1188 - inv2 * 691.0 / 360360)))));
  return (x - 0.5) * std::log(x) - x + 0.5 * std::log(2.0 * 3.14159265358979323846) + series - std::log(product);
}

// digamma(x) = d/dx log Gamma(x) for x > 0: psi(x) = psi(x + 1) - 1/x, then the asymptotic series
// log x - 1/(2x) - sum B_2k / (2k x^2k) (A&S 6.3.18).
inline double digamma(double x) noexcept {
  if (!(x > 0.0)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(x)) return x;
  double result = 0.0;
  while (x < gamma_series_threshold) {
    result -= 1.0 / x;
    x += 1.0;
  }
  const double inv = 1.0 / x, inv2 = inv * inv;
  return result + std::log(x) - 0.5 * inv -
         inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132 - inv2 * 691.0 / 32760)))));
}

// trigamma(x) = d/dx digamma(x) for x > 0: psi1(x) = psi1(x + 1) + 1/x^2, then
// 1/x + 1/(2x^2) + sum B_2k / x^(2k+1) (A&S 6.4.12).
inline double trigamma(double x) noexcept {
  if (!(x > 0.0)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(x)) return 0.0;
  double result = 0.0;
  while (x < gamma_series_threshold) {
    result += 1.0 / (x * x);
    x += 1.0;
  }
  const double inv = 1.0 / x, inv2 = inv * inv;
  return result + inv + 0.5 * inv2 +
         inv * inv2 * (1.0 / 6 - inv2 * (1.0 / 30 - inv2 * (1.0 / 42 - inv2 * (1.0 / 30 - inv2 * (5.0 / 66 - inv2 * 691.0 / 2730)))));
}

// A Gamma(shape, 1) draw (Marsaglia & Tsang 2000); shape < 1 through Gamma(shape + 1) * U^(1/shape).
inline double sample_gamma(RandomStream& rng, double shape) noexcept {
  if (shape < 1.0) {
    const double boost = std::pow(1.0 - rng.uniform(), 1.0 / shape);  // U in (0, 1]
    return sample_gamma(rng, shape + 1.0) * boost;
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double x = rng.normal();
    double v = 1.0 + c * x;
    if (v <= 0.0) continue;
    v = v * v * v;
    const double u = rng.uniform();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
  }
}

// ---- tape ops -------------------------------------------------------------------------------
template <class T, double (*Derivative)(double)>
void gamma_family_backward(ad::BasicTape<T>& tape, const ad::Node<T>& out) {
  const ad::Node<T>& in = tape.node(out.inputs[0]);
  if (!in.grad) return;
  const Eigen::Index size = in.rows * in.cols;
  for (Eigen::Index i = 0; i < size; ++i)
    in.grad[i] += out.grad[i] * static_cast<T>(Derivative(static_cast<double>(in.value[i])));
}

template <class T, double (*Function)(double), double (*Derivative)(double)>
ad::BasicVar<T> gamma_family_op(ad::BasicVar<T> x) {
  ad::BasicVar<T> out = x.tape().op(x.rows(), x.cols(), &gamma_family_backward<T, Derivative>, {x});
  const T* xv = x.node().value;
  T* y = out.node().value;
  for (Eigen::Index i = 0; i < x.size(); ++i) y[i] = static_cast<T>(Function(static_cast<double>(xv[i])));
  return out;
}

// Elementwise log Gamma(x), x > 0; gradient digamma(x).
template <class T>
ad::BasicVar<T> lgamma_op(ad::BasicVar<T> x) {
  return gamma_family_op<T, &log_gamma, &digamma>(x);
}
// Elementwise digamma(x), x > 0; gradient trigamma(x).
template <class T>
ad::BasicVar<T> digamma_op(ad::BasicVar<T> x) {
  return gamma_family_op<T, &digamma, &trigamma>(x);
}

}  // namespace rlpp::dist_detail
